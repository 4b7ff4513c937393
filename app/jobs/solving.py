"""The solving processes of a worker: ``solve_week`` per day-direction, then the checker.

Each process keeps the road network loaded; each task solves one day-direction with
:func:`solver.week.solve_week` and re-checks it with :func:`solver.check.check_week`.

A worker runs a job's day-directions as separate ``solve_week`` calls in a pool of these
processes (``DAGRUTE_WORKERS`` of them; default one per core, at most 4), forked from the
worker after it has loaded the road network (so each starts at once and shares the network's
memory). Each finished day-direction is stored at once (a cancelled or restarted job keeps
it), and a cancel stops the search by ending the processes.
OR-Tools holds the interpreter lock while
it searches, which is why solving never happens in the worker's own process: it must keep
renewing its lease meanwhile.

Each process dies with its worker (Linux ``PR_SET_PDEATHSIG``), so killing a worker with
SIGKILL leaves no solver running on.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from dataclasses import dataclass, replace
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import structlog

from app.convert import day_result_json, violation_json
from solver.check import check_week
from solver.domain import Day, Direction, RoadSettings, WeekPlan
from solver.roads import RoadNetwork
from solver.week import solve_week

log = structlog.get_logger("app.jobs.solving")

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class DayTask:
    """One day-direction of a claimed job, with its share of the time budget."""

    token: str
    plan: WeekPlan
    day: Day
    direction: Direction
    time_limit_s: float
    deadline: float
    """Epoch seconds by which the whole job should be done."""


@dataclass(frozen=True)
class DayOutcome:
    """A solved and checked day-direction, as result JSON and checker violations JSON."""

    day: str
    direction: str
    day_json: dict[str, Any]
    violations: list[dict[str, Any]]
    cost: float


class _ProcessState:
    """What the solving processes keep between tasks: the road network, loaded once."""

    def __init__(self, osm_file: Path, cache_dir: Path) -> None:
        self.osm_file = osm_file
        self.cache_dir = cache_dir
        self.events: Queue[Any] | None = None
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


def die_with_parent(expected_parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - not Linux libc
            pass
    if os.getppid() != expected_parent:
        os._exit(1)


def load_roads(osm_file: Path, cache_dir: Path) -> None:
    """Load the road network in the worker, before it forks its solving processes."""
    global _state
    if _state is None or (_state.osm_file, _state.cache_dir) != (osm_file, cache_dir):
        _state = _ProcessState(osm_file, cache_dir)


def loaded_network(settings: RoadSettings) -> RoadNetwork:
    """The network :func:`load_roads` loaded, under ``settings`` (worker or a fork of it)."""
    assert _state is not None, "load_roads runs in the worker first"
    return _state.network(settings)


def init_process(parent_pid: int, events: Queue[Any] | None) -> None:
    """Pool initializer: die with the worker, ignore Ctrl-C (the worker stops us)."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    assert _state is not None, "load_roads runs in the worker before the pool starts"
    _state.events = events
    log.info("solver process ready", pid=os.getpid(), parent=parent_pid)


def solve_task(task: DayTask) -> DayOutcome:
    """Solve and check one day-direction (runs in a solving process).

    Raises :class:`~solver.errors.InputError` (e.g. a home off the roads) and
    :class:`~solver.roads.RoadsError` as ``solve_week`` does.
    """
    state = _state
    assert state is not None, "init_process runs first"
    if state.events is not None:
        state.events.put((task.token, task.day, str(task.direction)))
    network = state.network(task.plan.settings.roads)
    # The job's deadline binds too: a task that waited for a free process gets less.
    limit_s = min(task.time_limit_s, task.deadline - time.time())
    plan = task.plan.replace(settings=replace(task.plan.settings, time_limit_s=max(0.5, limit_s)))
    result, matrices = solve_week(
        plan,
        network,
        days=[task.day],
        directions=[task.direction],
        geometry=network.path_geometry,
        workers=1,
    )
    violations = check_week(plan, result, matrices)
    day_result = result.plans[0]
    return DayOutcome(
        day=task.day,
        direction=str(task.direction),
        day_json=day_result_json(day_result),
        violations=[violation_json(v) for v in violations],
        cost=day_result.kpis.cost,
    )
