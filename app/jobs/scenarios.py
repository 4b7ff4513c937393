"""What-if batch jobs (kind ``scenarios``): a base week and its scenarios, routed and compared.

A batch job does exactly what ``dagrute scenarios`` does: :func:`solver.scenarios.run_batch`
applies each scenario's changes (attendance-day optimisation included), builds one pair of
matrices for every location, routes each distinct week within the per-week time limit and
re-checks it, then :func:`solver.scenarios.write_batch` writes the comparison, the report and
each scenario's routes. The job keeps those files (the CLI's output folder) in the
``scenario_files`` table; the API serves them.

Processes. The worker forks one **batch process** per job (from the worker, which has the
road network loaded, so it starts at once); it prepares the scenarios and runs the batch on
a pool of **solver processes** of its own (the worker's ``DAGRUTE_WORKERS``), each routing
one scenario week at a time. The worker itself only watches: it renews its lease, turns the
batch's events into progress (scenario weeks done / total, the ones being routed now),
and on a cancel, a stop or the job's deadline kills the batch process; its solver processes
die with it (Linux ``PR_SET_PDEATHSIG``), as the batch process dies with the worker.

Events from the batch (a ``multiprocessing`` queue): ``("progress", what, done, total)`` from
``run_batch`` (``done`` 0: prepared), ``("started", name)`` from a solver process taking a
week, ``("writing",)``, then ``("done", files, violations)`` or ``("failed", problem)``.

Logs carry counts and timings only, never scenario contents, ids or places.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue as queue_module
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import structlog

from app import convert
from app.db.models import JobStatus
from app.db.session import Database
from app.errors import input_problem, roads_problem, safe_traceback
from app.jobs import queue
from app.jobs.problems import internal_problem
from app.jobs.queue import Claim, Heartbeat
from app.jobs.solving import die_with_parent, load_roads, loaded_network
from app.settings import ServiceSettings
from solver.config import get_config
from solver.domain import WeekPlan
from solver.errors import InputError
from solver.roads import RoadsError
from solver.scenarios import ScenarioBatch, parse_scenarios, run_batch, write_batch
from solver.scenarios.backends import Backend, DaskBackend
from solver.scenarios.batch import BatchResult, SolveTask

log = structlog.get_logger("app.jobs.scenarios")

T = TypeVar("T")

WAIT_STEP_S = 0.1
"""How often the worker looks at the batch's events."""
LAST_EVENTS_WAIT_S = 2.0
"""How long the worker waits for the last events of a batch process that has exited."""


def progress_json(
    stage: str,
    *,
    done: int,
    total: int,
    running: list[str] | None = None,
    last_done: str | None = None,
    attempt: int = 0,
) -> dict[str, Any]:
    """A batch job's ``progress_json`` (also read as a plain job's progress by /v1/jobs)."""
    return {
        "stage": stage,
        "scenarios_done": done,
        "scenarios_total": total,
        "running": list(running or []),
        "last_done": last_done,
        "attempt": attempt,
    }


@dataclass
class BatchProgress:
    """What the job shows while the batch runs.

    ``total``: scenario weeks to route (the base, each scenario and each optimised scenario's
    naive twin; scenarios that route alike share one week). Until the batch is prepared it is
    the base plus the scenarios of the file.
    """

    total: int
    done: int = 0
    stage: str = "preparing"
    running: list[str] = field(default_factory=list)
    last_done: str | None = None
    attempt: int = 1

    def as_json(self) -> dict[str, Any]:
        """The job's ``progress_json``."""
        return progress_json(
            self.stage,
            done=self.done,
            total=self.total,
            running=self.running,
            last_done=self.last_done,
            attempt=self.attempt,
        )

    def apply(self, event: tuple[Any, ...]) -> None:
        """Update from a ``progress``, ``started`` or ``writing`` event."""
        kind = event[0]
        if kind == "progress":
            _, what, done, total = event
            self.total = int(total)
            if done == 0:
                self.stage = "solving"
                return
            self.done = int(done)
            self.last_done = str(what)
            if what in self.running:
                self.running.remove(what)
        elif kind == "started":
            self.running.append(str(event[1]))
        elif kind == "writing":
            self.stage, self.running = "writing", []


# ------------------------------------------------------------------- the batch process


_events: Any = None
"""In a solver process of a batch: the batch's event queue (set by the pool initializer)."""


def _init_solver_process(parent_pid: int, events: Any) -> None:
    """Solver-process initializer: die with the batch process, ignore Ctrl-C, keep events."""
    global _events
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _events = events


def _announced(fn: Callable[..., T], *args: Any) -> T:
    """Say which week this process routes now, then route it."""
    task = args[-1] if args else None
    if _events is not None and isinstance(task, SolveTask):
        _events.put(("started", task.plan.name))
    return fn(*args)


class _AnnouncingExecutor(Executor):
    """Submits through ``inner``; each call first announces its scenario week."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn(*args)`` in a solver process, announced."""
        if kwargs:  # pragma: no cover - the batch passes positional arguments only
            raise TypeError("keyword arguments are not forwarded")
        return self._inner.submit(_announced, fn, *args)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the inner executor down."""
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


class JobBackend(Backend):
    """Solver processes forked from the batch process, announcing each week they take."""

    name = "local"

    def __init__(self, processes: int, events: Any) -> None:
        self._processes = max(1, processes)
        self._events = events
        self._executor: Executor | None = None

    @property
    def workers(self) -> int:
        """Solver processes."""
        return self._processes

    def executor(self) -> Executor:
        """A process pool (fork) whose processes die with the batch process."""
        if self._executor is None:
            pool = ProcessPoolExecutor(
                max_workers=self._processes,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_init_solver_process,
                initargs=(os.getpid(), self._events),
            )
            self._executor = _AnnouncingExecutor(pool)
        return self._executor

    def close(self) -> None:
        """Shut the pool down."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def output_files(batch: BatchResult) -> dict[str, str]:
    """Every file ``write_batch`` writes, by its path in the output folder (``/``-separated)."""
    with tempfile.TemporaryDirectory(prefix="dagrute-scenarios-") as folder:
        root = Path(folder)
        write_batch(batch, root)
        return {
            path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }


def batch_violations(batch: BatchResult) -> list[dict[str, Any]]:
    """The checker's violations of every scenario's routes, each with its scenario id."""
    return [
        {"scenario_id": outcome.scenario.scenario_id, **convert.violation_json(violation)}
        for outcome in batch.outcomes
        for violation in outcome.violations
    ]


def _scenario_problem(error: InputError) -> dict[str, Any]:
    """A batch's InputError as a problem; paths into the scenarios file get its prefix."""
    problem = input_problem(error, what="The scenario batch").body()
    for item in problem["errors"]:
        path = item.get("path")
        if isinstance(path, str) and path.startswith("scenarios["):
            item["path"] = f"scenarios.{path}"
    return problem


def batch_process(
    parent_pid: int, plan: WeekPlan, batch: ScenarioBatch, processes: int, events: Any
) -> None:
    """Entry of the batch process: run the batch, write its files, report through ``events``."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    started = time.perf_counter()
    try:
        network = loaded_network(plan.settings.roads)

        def progress(what: str, done: int, total: int) -> None:
            events.put(("progress", what, done, total))

        # The CLI's path: a Dask cluster when DAGRUTE_DASK_ADDRESS is set, else local
        # processes forked from this one (which also announce the weeks they take).
        address = get_config().dask_address
        backend: Backend = DaskBackend(address) if address else JobBackend(processes, events)
        with backend:
            result = run_batch(plan, batch, network=network, backend=backend, progress=progress)
        events.put(("writing",))
        files = output_files(result)
        events.put(("done", files, batch_violations(result)))
        log.info(
            "scenario batch done",
            weeks=result.num_solves,
            rows=len(result.outcomes),
            processes=processes,
            seconds=round(time.perf_counter() - started, 2),
        )
    except InputError as error:
        events.put(("failed", _scenario_problem(error)))
    except RoadsError as error:
        events.put(("failed", roads_problem(error).body()))
    except Exception as error:
        log.error(
            "scenario batch failed", error_type=type(error).__name__, frames=safe_traceback(error)
        )
        events.put(("failed", internal_problem("JOB_INTERNAL")))


# --------------------------------------------------------------------------- the worker


@dataclass(frozen=True)
class _Done:
    files: Mapping[str, str]
    violations: list[dict[str, Any]]


@dataclass(frozen=True)
class _Failed:
    problem: dict[str, Any]


def _drain(events: Any, wait_s: float = 0.0) -> Iterator[tuple[Any, ...]]:
    """The events waiting in ``events`` (waiting up to ``wait_s`` for each when given)."""
    while True:
        try:
            event = events.get(timeout=wait_s) if wait_s > 0 else events.get_nowait()
        except (queue_module.Empty, OSError, ValueError, EOFError):
            return
        yield event


class ScenarioJobRunner:
    """Runs claimed ``scenarios`` jobs for a worker (one at a time)."""

    def __init__(
        self,
        settings: ServiceSettings,
        database: Database,
        *,
        processes: int,
        osm_file: Path,
        cache_dir: Path,
        stop_event: threading.Event,
    ) -> None:
        self.settings = settings
        self.database = database
        self.processes = max(1, processes)
        self.osm_file = osm_file
        self.cache_dir = cache_dir
        self.stop_event = stop_event

    def run(self, claim: Claim) -> None:
        """Run the batch of ``claim`` and end the job (if the lease still holds)."""
        started = time.monotonic()
        log.info("scenario job claimed", job=claim.job_id, attempt=claim.attempt)
        plan_json = queue.plan_json_of(self.database, claim)
        scenarios_json = queue.scenarios_json_of(self.database, claim)
        if plan_json is None or scenarios_json is None:  # erased meanwhile
            return
        try:
            plan = convert.plan_from_stored(plan_json)
            batch = parse_scenarios(scenarios_json, source="scenarios")
        except InputError as error:
            self._fail(claim, _scenario_problem(error))
            return
        week_limit_s = batch.time_limit_s or plan.settings.time_limit_s
        progress = BatchProgress(total=len(batch.scenarios) + 1, attempt=claim.attempt)
        load_roads(self.osm_file, self.cache_dir)  # before the fork: the child starts with it
        context = multiprocessing.get_context("fork")
        events = context.Queue()
        process = context.Process(
            target=batch_process,
            args=(os.getpid(), plan, batch, self.processes, events),
            name="dagrute-scenarios",
            daemon=False,  # it starts solver processes of its own
        )
        process.start()
        try:
            ending = self._watch(claim, process, events, progress, started, week_limit_s)
        finally:
            process.join(timeout=LAST_EVENTS_WAIT_S)
            if process.is_alive():
                process.kill()
                process.join()
            events.close()
        if isinstance(ending, _Failed):
            self._fail(claim, ending.problem)
        elif isinstance(ending, _Done):
            progress.stage, progress.running = "done", []
            if queue.finish_scenarios(
                self.database, claim, ending.files, ending.violations, progress.as_json()
            ):
                log.info(
                    "scenario job succeeded",
                    job=claim.job_id,
                    weeks=progress.total,
                    files=len(ending.files),
                    violations=len(ending.violations),
                    seconds=round(time.monotonic() - started, 2),
                )
            else:
                log.warning("lease lost; scenario job abandoned", job=claim.job_id)

    def _watch(
        self,
        claim: Claim,
        process: Any,
        events: Any,
        progress: BatchProgress,
        started: float,
        week_limit_s: float,
    ) -> _Done | _Failed | None:
        """Follow the batch until it ends; None when the job ended here (cancel, stop, lost)."""
        grace = self.settings.job_grace_s
        # Preparing (changes, day choice, matrices) gets one week's limit; then every round of
        # weeks on the solver processes gets one more.
        deadline = started + week_limit_s + grace
        prepared = False
        next_beat = 0.0
        while True:
            ending = self._take(_drain(events), progress)
            if ending is None and not process.is_alive():
                ending = self._take(_drain(events, LAST_EVENTS_WAIT_S), progress)
                if ending is None:
                    log.error("scenario batch process ended", exit_code=process.exitcode)
                    ending = _Failed(internal_problem("JOB_INTERNAL"))
            if ending is not None:
                return ending
            now = time.monotonic()
            if not prepared and progress.stage != "preparing":
                prepared = True
                rounds = math.ceil(progress.total / self.processes)
                deadline = now + rounds * week_limit_s + grace
            if self.stop_event.is_set():
                process.kill()
                queue.release(self.database, claim)
                log.info("scenario job released", job=claim.job_id)
                return None
            if now >= next_beat:
                beat = queue.heartbeat(
                    self.database, claim, self.settings.lease_s, progress.as_json()
                )
                if beat is Heartbeat.LOST:
                    process.kill()
                    log.warning("lease lost; scenario job abandoned", job=claim.job_id)
                    return None
                if beat is Heartbeat.CANCEL:
                    process.kill()
                    self._cancel(claim, progress)
                    return None
                next_beat = now + self.settings.heartbeat_s
            if now > deadline:
                process.kill()
                return _Failed(internal_problem("JOB_TIMEOUT"))
            time.sleep(WAIT_STEP_S)

    @staticmethod
    def _take(events: Iterator[tuple[Any, ...]], progress: BatchProgress) -> _Done | _Failed | None:
        for event in events:
            if event[0] == "done":
                return _Done(event[1], event[2])
            if event[0] == "failed":
                return _Failed(event[1])
            progress.apply(event)
        return None

    def _fail(self, claim: Claim, problem: Mapping[str, Any]) -> None:
        queue.finish(self.database, claim, JobStatus.FAILED, error=problem)
        codes = sorted({str(e.get("code")) for e in problem.get("errors", [])})
        log.warning("scenario job failed", job=claim.job_id, codes=codes)

    def _cancel(self, claim: Claim, progress: BatchProgress) -> None:
        progress.stage, progress.running = "cancelled", []
        queue.finish(self.database, claim, JobStatus.CANCELLED, progress=progress.as_json())
        log.info("scenario job cancelled", job=claim.job_id, weeks_done=progress.done)
