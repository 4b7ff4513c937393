"""The solver process of a worker: one :func:`solver.week.solve_week` call per job attempt.

A job is planned by the same week planner the CLI runs (consistency templates, the same
vehicle both ways, mornings before afternoons, hints over the week), in one process forked
from the worker after it has loaded the road network (so it starts at once and shares the
network's memory). That process plans the job's missing day-directions with up to
``workers`` processes of its own, and sends each day-direction, checked by
:func:`solver.check.check_week`, back to the worker the moment the planner hands it out
(``on_solved``), so the worker stores it at once: a cancelled, failed or resumed job keeps it.

OR-Tools holds the interpreter lock while it searches, which is why solving never happens in
the worker's own process: it must keep renewing its lease meanwhile.

Every process of a solve dies with its parent (Linux ``PR_SET_PDEATHSIG``): the solver
process with its worker, and the planner's own day-direction processes with the solver
process (set in each forked child by :func:`os.register_at_fork`). So killing a worker, or a
solver process, with SIGKILL leaves nothing solving on. The solver process also leads a
process group of its own, which the worker kills whole when it stops a solve.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.context import ForkProcess
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import structlog

from app.convert import day_result_json, violation_json
from app.errors import safe_traceback
from solver.check import check_across_days, check_day, check_figures, check_week
from solver.dispatch.changes import DayChanges
from solver.dispatch.replan import replan_week
from solver.domain import Day, DayResult, Direction, RoadSettings, WeekPlan, WeekResult
from solver.io import result_to_json
from solver.io.changes import diff_to_json
from solver.params import MIN_SOLVE_S, SolveParams
from solver.roads import RoadNetwork
from solver.travel import TravelTimes
from solver.week import solve_week

log = structlog.get_logger("app.jobs.solving")

PR_SET_PDEATHSIG = 1

ASSEMBLY_RESERVE_S = 2.5
"""Seconds of an attempt kept back from the solver process for the worker to store the last
day-directions and the week's result (a Bergen week: 10 MB of JSON) and finish the job.
Measured on the strict Bergen week at 60 s (2026-12-07): the job ended 3-4 s after its
solver process, 8 of 10 day-directions arriving in its last 2 s, with 1.0 kept."""


@dataclass(frozen=True)
class WeekTask:
    """The missing day-directions of a claimed job, planned as one week.

    ``kept``: the day-directions an earlier attempt stored (templates for a consistent
    resumption, never planned again); ``previous``: an earlier week whose routes the plan
    should keep (stability).
    """

    token: str
    plan: WeekPlan
    days: tuple[Day, ...]
    directions: tuple[Direction, ...]
    time_limit_s: float
    """Seconds this attempt may take from ``created_s``: forking, loading and matrices
    included, and the worker's storing of the week after it (``ASSEMBLY_RESERVE_S``)."""
    workers: int
    kept: WeekResult | None = None
    previous: WeekResult | None = None
    created_s: float = field(default_factory=time.monotonic)
    """When the worker made the task (``time.monotonic()``): the solver process's clock
    starts here, not when the forked process gets going."""


@dataclass(frozen=True)
class DayOutcome:
    """A solved and checked day-direction, as result JSON and checker violations JSON."""

    day: str
    direction: str
    day_json: dict[str, Any]
    violations: list[dict[str, Any]]
    cost: float


@dataclass(frozen=True)
class Failure:
    """Why a solve ended without a week: the exception when it pickles, else its type."""

    error: BaseException | None
    error_type: str
    frames: list[str]


class _ProcessState:
    """What the worker keeps between jobs: the road network, loaded once."""

    def __init__(self, osm_file: Path, cache_dir: Path) -> None:
        self.osm_file = osm_file
        self.cache_dir = cache_dir
        self.base = RoadNetwork.load(osm_file, RoadSettings(), cache_dir)
        self.by_settings: dict[RoadSettings, RoadNetwork] = {RoadSettings(): self.base}

    def network(self, settings: RoadSettings) -> RoadNetwork:
        network = self.by_settings.get(settings)
        if network is None:
            network = self.base.with_settings(settings)
            if len(self.by_settings) > 8:
                self.by_settings.pop(next(iter(self.by_settings)))
            self.by_settings[settings] = network
        return network


_state: _ProcessState | None = None


def _set_parent_death_signal() -> None:
    """Ask Linux to SIGKILL this process when its parent dies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - not Linux libc
            pass


def die_with_parent(expected_parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if it already has."""
    _set_parent_death_signal()
    if os.getppid() != expected_parent:
        os._exit(1)


def load_roads(osm_file: Path, cache_dir: Path) -> None:
    """Load the road network in the worker, before it forks its solver processes."""
    global _state
    if _state is None or (_state.osm_file, _state.cache_dir) != (osm_file, cache_dir):
        _state = _ProcessState(osm_file, cache_dir)


def loaded_network(settings: RoadSettings) -> RoadNetwork:
    """The network :func:`load_roads` loaded, under ``settings`` (worker or a fork of it)."""
    assert _state is not None, "load_roads runs in the worker first"
    return _state.network(settings)


def day_outcome(plan: WeekPlan, result: DayResult, matrices: TravelTimes) -> DayOutcome:
    """One day-direction checked against ``plan`` and ready to store."""
    violations = check_week(plan, WeekResult(plans=(result,), name=plan.name), matrices)
    return DayOutcome(
        day=str(result.day),
        direction=str(result.direction),
        day_json=day_result_json(result),
        violations=[violation_json(v) for v in violations],
        cost=result.kpis.cost,
    )


def _failure(error: BaseException) -> Failure:
    """The exception itself when it survives pickling (input and road errors do)."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
        kept: BaseException | None = error
    except Exception:  # an exception that does not pickle still reports its type
        kept = None
    return Failure(kept, type(error).__name__, safe_traceback(error))


def _become_solver_process(parent_pid: int) -> None:
    """Die with the worker, lead a process group (killed whole), leave Ctrl-C to the worker."""
    die_with_parent(parent_pid)
    os.setpgid(0, 0)
    os.register_at_fork(after_in_child=_set_parent_death_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass(frozen=True)
class ReplanTask:
    """One day of a solved week re-planned after the changes in force (a ``replan`` job).

    ``published``: the day's day-directions as they stand (the version the re-plan starts
    from); ``changes``: every change in force on the day; ``time_limit_s``: seconds of search
    per direction.
    """

    token: str
    plan: WeekPlan
    published: WeekResult
    changes: DayChanges
    directions: tuple[Direction, ...]
    time_limit_s: float
    workers: int = 1
    """Processes per direction (two are used: the first rounds side by side)."""


def run_replan(task: ReplanTask, events: Queue[Any], parent_pid: int) -> None:
    """Re-plan ``task`` (runs in the solver process) and report on ``events``.

    Events: ``("ready", pid)``, then ``("done", day_jsons, diff_jsons, violations)`` (each
    re-planned day-direction in result JSON's ``plans[i]`` format, what changed in it, and the
    checker's violations against the day's changed plan) or ``("failed", Failure)``.
    """
    _become_solver_process(parent_pid)
    events.put(("ready", os.getpid()))
    plan = task.plan
    try:
        network = loaded_network(plan.settings.roads)
        replanned = replan_week(
            plan,
            task.published,
            task.changes,
            network,
            directions=task.directions,
            geometry=network.path_geometry,
            time_limit_s=task.time_limit_s,
            seed=plan.settings.seed,
            max_solutions=plan.settings.max_solutions,
            workers=task.workers,
        )
        days = [day_result_json(r.result) for r in replanned.replans]
        diffs = [diff_to_json(r.diff) for r in replanned.replans]
        violations = [
            violation_json(v)
            for r in replanned.replans
            for v in check_day(
                r.plan.day_problem(task.changes.day, r.result.direction),
                r.result,
                replanned.matrices,
            )
        ]
    except BaseException as error:  # reported to the worker, which decides the job's fate
        events.put(("failed", _failure(error)))
    else:
        events.put(("done", days, diffs, violations))
    finally:
        events.close()
        events.join_thread()


def run_week(task: WeekTask, events: Queue[Any], parent_pid: int) -> None:
    """Plan ``task`` (runs in the solver process) and report on ``events``.

    Events, in order: ``("ready", pid)``, then any number of ``("progress", label, done,
    total)`` and ``("day", DayOutcome)``, then ``("done", violations, week_json)`` (the
    checker's rules across days on the whole week, stored days included, as JSON, and the
    week's result JSON text, totals included) or ``("failed", Failure)``.
    """
    _become_solver_process(parent_pid)
    params = SolveParams.from_settings(
        task.plan.settings,
        time_limit_s=max(MIN_SOLVE_S, task.time_limit_s - ASSEMBLY_RESERVE_S),
        workers=task.workers,
    )
    deadline = params.deadline(time.perf_counter() - (time.monotonic() - task.created_s))
    log.info("solver process ready", pid=os.getpid(), parent=parent_pid)
    events.put(("ready", os.getpid()))
    plan = task.plan
    try:
        network = loaded_network(plan.settings.roads)

        def solved(result: DayResult, matrices: TravelTimes) -> None:
            events.put(("day", day_outcome(plan, result, matrices)))

        def progress(label: str, done: int, total: int) -> None:
            events.put(("progress", label, done, total))

        week, matrices = solve_week(
            plan,
            network,
            days=task.days,
            directions=task.directions,
            geometry=network.path_geometry,
            progress=progress,
            params=params,
            deadline=deadline,
            previous=task.previous,
            kept=task.kept,
            on_solved=solved,
        )
        # Each day-direction was checked as it was handed out; the rules across days (the same
        # vehicle both ways) and what the week says of itself (every day-direction accounted
        # for, costs, figures and totals) need the whole week.
        violations = [
            violation_json(v)
            for v in check_across_days(plan, week) + check_figures(plan, week, matrices)
        ]
        # The week's result JSON is written here, inside the solve's clock, not read back
        # from the stored day-directions by the worker after it (2.5-3.3 s for a Bergen week).
        week_json = json.dumps(result_to_json(week))
    except BaseException as error:  # reported to the worker, which decides the job's fate
        events.put(("failed", _failure(error)))
    else:
        events.put(("done", violations, week_json))
    finally:
        events.close()
        events.join_thread()


class SolverProcess:
    """One job attempt's solver process, forked from the worker, and its events."""

    def __init__(self, task: WeekTask | ReplanTask) -> None:
        import multiprocessing

        assert _state is not None, "load_roads runs in the worker before a solve starts"
        context = multiprocessing.get_context("fork")
        self.events: Queue[Any] = context.Queue()
        target = run_replan if isinstance(task, ReplanTask) else run_week
        self.process: ForkProcess = context.Process(
            target=target, args=(task, self.events, os.getpid()), name="dagrute-solver"
        )
        self.process.start()

    @property
    def pid(self) -> int | None:
        """The solver process's id."""
        return self.process.pid

    def poll(self) -> list[tuple[Any, ...]]:
        """The events sent since the last call (none once the process is gone and drained)."""
        import queue as queue_module

        found: list[tuple[Any, ...]] = []
        while True:
            try:
                found.append(self.events.get_nowait())
            except (queue_module.Empty, OSError, ValueError):
                return found

    def exit_code(self) -> int | None:
        """None while it runs; else its exit code (negative: killed by that signal)."""
        return self.process.exitcode

    def kill(self) -> None:
        """Stop the solve now: the solver process and every process it started."""
        pid = self.process.pid
        if pid is not None and self.process.exitcode is None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        self.process.join(timeout=10)
        self.close()

    def close(self) -> None:
        """Release the event queue (after the process ended)."""
        self.events.close()
        self.events.cancel_join_thread()


__all__ = [
    "DayOutcome",
    "Failure",
    "ReplanTask",
    "SolverProcess",
    "WeekTask",
    "day_outcome",
    "die_with_parent",
    "load_roads",
    "loaded_network",
]
