"""``dagrute worker``: claim queued jobs from the database and solve them.

One worker solves one job at a time; its day-directions run in a pool of solving processes
(:mod:`app.jobs.solving`) that keep the road network loaded between jobs. Meanwhile the
worker renews its lease every ``DAGRUTE_HEARTBEAT_S`` seconds, stores each day-direction as
soon as it is solved, reports progress, and watches for a cancel. SIGTERM or Ctrl-C: the
worker stops its solvers, gives the job back to the queue (the attempt is not counted) and
exits. What-if batch jobs (kind ``scenarios``) run in a batch process of their own
(:mod:`app.jobs.scenarios`). Run it as ``python -m app.jobs.worker`` or ``dagrute worker``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import Any

import structlog

from app import convert
from app.db.migrate import upgrade
from app.db.models import JobKind, JobStatus
from app.db.session import Database
from app.errors import input_problem, roads_problem, safe_traceback
from app.jobs import queue
from app.jobs.problems import internal_problem
from app.jobs.queue import Claim, Heartbeat
from app.jobs.reaper import reap
from app.jobs.scenarios import ScenarioJobRunner
from app.jobs.solving import DayOutcome, DayTask, init_process, load_roads, solve_task
from app.settings import ServiceSettings
from solver.config import configure_logging, get_config
from solver.errors import InputError
from solver.roads import DEFAULT_OSM_FILE, RoadsError
from solver.solve import split_budget
from solver.week import default_workers

log = structlog.get_logger("app.jobs.worker")

WAIT_STEP_S = 0.1
"""How often the worker looks at its solvers while a job runs."""


class SolverPool:
    """A pool of solving processes forked from the worker, restarted after a cancel.

    The worker loads the road network first, so the processes start at once with it.
    """

    def __init__(self, processes: int, osm_file: Path, cache_dir: Path) -> None:
        self.processes = processes
        self.osm_file = osm_file
        self.cache_dir = cache_dir
        self._context = multiprocessing.get_context("fork")
        self._pool: Pool | None = None
        self._events: Any = None

    def ensure_started(self) -> None:
        """Start the processes (each loads the road network) unless running."""
        if self._pool is not None:
            return
        load_roads(self.osm_file, self.cache_dir)
        self._events = self._context.Queue()
        self._pool = self._context.Pool(
            self.processes, initializer=init_process, initargs=(os.getpid(), self._events)
        )

    def submit(self, task: DayTask) -> AsyncResult[DayOutcome]:
        """Queue one day-direction for the next free process."""
        self.ensure_started()
        assert self._pool is not None
        return self._pool.apply_async(solve_task, (task,))

    def started_tasks(self, token: str) -> list[tuple[str, str]]:
        """(day, direction) of the tasks of lease ``token`` that began since the last call."""
        started: list[tuple[str, str]] = []
        if self._events is None:
            return started
        while True:
            try:
                event_token, day, direction = self._events.get_nowait()
            except Exception:  # queue.Empty, or a closed queue after terminate
                return started
            if event_token == token:
                started.append((day, direction))

    def terminate(self) -> None:
        """Stop every process now (a running search is lost); a later submit restarts them."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._events is not None:
            self._events.close()
            self._events = None

    def close(self) -> None:
        """Let the processes finish and exit."""
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None


@dataclass
class _Progress:
    """What the job resource shows while the job runs."""

    total: int
    done: int = 0
    cost_so_far: float | None = None
    running: list[str] = field(default_factory=list)
    stage: str = "solving"
    attempt: int = 1
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "day_directions_done": self.done,
            "day_directions_total": self.total,
            "running": list(self.running),
            "cost_so_far": None if self.cost_so_far is None else round(self.cost_so_far, 2),
            "attempt": self.attempt,
            "notes": list(self.notes),
        }


class Worker:
    """Claims jobs and solves them until told to stop."""

    def __init__(
        self,
        settings: ServiceSettings,
        database: Database,
        *,
        processes: int | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        config = get_config()
        self.pool = SolverPool(
            processes or config.workers or default_workers(),
            settings.osm_file or DEFAULT_OSM_FILE,
            config.cache_dir,
        )
        self.stop_event = threading.Event()
        self.scenarios = ScenarioJobRunner(
            settings,
            database,
            processes=self.pool.processes,
            osm_file=self.pool.osm_file,
            cache_dir=self.pool.cache_dir,
            stop_event=self.stop_event,
        )

    # ------------------------------------------------------------------------ main loop

    def run(self, max_jobs: int | None = None) -> None:
        """Claim and solve jobs until :attr:`stop_event` is set (or ``max_jobs`` are done)."""
        log.info("worker started", worker=self.worker_id, processes=self.pool.processes)
        self.pool.ensure_started()
        done = 0
        try:
            while not self.stop_event.is_set():
                reap(self.database)
                claim = queue.claim_next(self.database, self.worker_id, self.settings.lease_s)
                if claim is None:
                    self.stop_event.wait(self.settings.poll_s)
                    continue
                self.run_job(claim)
                done += 1
                if max_jobs is not None and done >= max_jobs:
                    break
        finally:
            self.pool.terminate()
            log.info("worker stopped", worker=self.worker_id)

    def stop(self) -> None:
        """Ask the worker to stop (the job in hand goes back to the queue)."""
        self.stop_event.set()

    # ----------------------------------------------------------------------------- a job

    def run_job(self, claim: Claim) -> None:
        """Solve a claimed job's missing day-directions and finish it (if the lease holds).

        A ``scenarios`` job runs its what-if batch instead (:mod:`app.jobs.scenarios`).
        """
        if claim.kind == JobKind.SCENARIOS.value:
            self.scenarios.run(claim)
            return
        started = time.monotonic()
        log.info("job claimed", job=claim.job_id, attempt=claim.attempt)
        plan_json = queue.plan_json_of(self.database, claim)
        if plan_json is None:  # the plan was erased meanwhile
            return
        try:
            plan = convert.plan_from_stored(plan_json)
        except InputError as error:
            self._fail(claim, input_problem(error, what="The stored plan").body())
            return
        pairs = convert.day_direction_pairs(claim.days, claim.directions)
        stored = {
            (row.day, row.direction) for row in queue.stored_days(self.database, claim.job_id)
        }
        pending = [pair for pair in pairs if pair not in stored]
        progress = _Progress(
            total=len(pairs),
            done=len(pairs) - len(pending),
            attempt=claim.attempt,
            cost_so_far=convert.stored_cost(queue.stored_days(self.database, claim.job_id)),
        )
        outcome = self._solve(claim, plan, pending, progress, started)
        if outcome is None:
            return
        rows = queue.stored_days(self.database, claim.job_id)
        result, violations = convert.assemble_week(plan_json, rows, pairs)
        progress.stage, progress.running = "done", []
        if queue.finish(
            self.database,
            claim,
            JobStatus.SUCCEEDED,
            result=result,
            violations=violations,
            progress=progress.as_json(),
        ):
            log.info(
                "job succeeded",
                job=claim.job_id,
                day_directions=len(pairs),
                violations=len(violations),
                seconds=round(time.monotonic() - started, 2),
            )

    def _solve(
        self,
        claim: Claim,
        plan: Any,
        pending: list[tuple[Any, Any]],
        progress: _Progress,
        started: float,
    ) -> bool | None:
        """Run the pending day-directions; True when all are stored, None when the job ended."""
        if not pending:
            return True
        processes = max(1, min(self.pool.processes, len(pending)))
        remaining = max(1.0, claim.time_limit_s - (time.monotonic() - started))
        weights = [len(plan.day_problem(day, direction).passengers) for day, direction in pending]
        limits = split_budget(weights, remaining * processes)
        results: dict[tuple[str, str], AsyncResult[DayOutcome]] = {}
        job_deadline = time.time() + remaining
        for (day, direction), limit in zip(pending, limits, strict=True):
            task = DayTask(claim.token, plan, day, direction, limit, job_deadline)
            results[(day, str(direction))] = self.pool.submit(task)
        hard_deadline = started + claim.time_limit_s + self.settings.job_grace_s
        next_beat = 0.0
        running: list[str] = []
        while results:
            for day, direction in self.pool.started_tasks(claim.token):
                running.append(f"{day} {direction}")
            for key, async_result in list(results.items()):
                if not async_result.ready():
                    continue
                del results[key]
                label = f"{key[0]} {key[1]}"
                if label in running:
                    running.remove(label)
                try:
                    outcome = async_result.get()
                except InputError as error:
                    self.pool.terminate()
                    self._fail(claim, input_problem(error, what="The plan").body())
                    return None
                except RoadsError as error:
                    self.pool.terminate()
                    self._fail(claim, roads_problem(error).body())
                    return None
                except Exception as error:
                    self.pool.terminate()
                    log.error(
                        "solve failed",
                        job=claim.job_id,
                        error_type=type(error).__name__,
                        frames=safe_traceback(error),
                    )
                    self._fail(claim, internal_problem("JOB_INTERNAL"))
                    return None
                progress.done += 1
                progress.cost_so_far = (progress.cost_so_far or 0.0) + outcome.cost
                progress.running = list(running)
                if not queue.store_day(
                    self.database,
                    claim,
                    self.settings.lease_s,
                    outcome.day,
                    outcome.direction,
                    outcome.day_json,
                    outcome.violations,
                    progress.as_json(),
                ):
                    self._lost(claim)
                    return None
                log.info("day-direction stored", job=claim.job_id, day=key[0], direction=key[1])
            if not results:
                break
            now = time.monotonic()
            if self.stop_event.is_set():
                self.pool.terminate()
                queue.release(self.database, claim)
                log.info("job released", job=claim.job_id)
                return None
            if now >= next_beat:
                progress.running = list(running)
                beat = queue.heartbeat(
                    self.database, claim, self.settings.lease_s, progress.as_json()
                )
                if beat is Heartbeat.LOST:
                    self._lost(claim)
                    return None
                if beat is Heartbeat.CANCEL:
                    self.pool.terminate()
                    self._cancel(claim, progress)
                    return None
                next_beat = now + self.settings.heartbeat_s
            if now > hard_deadline:
                self.pool.terminate()
                self._fail(claim, internal_problem("JOB_TIMEOUT"))
                return None
            time.sleep(WAIT_STEP_S)
        return True

    # ---------------------------------------------------------------------- endings

    def _lost(self, claim: Claim) -> None:
        self.pool.terminate()
        log.warning("lease lost; job abandoned", job=claim.job_id)
        return None

    def _fail(self, claim: Claim, problem: Mapping[str, Any]) -> None:
        plan_json = queue.plan_json_of(self.database, claim)
        rows = queue.stored_days(self.database, claim.job_id)
        result = None
        violations = None
        if rows and plan_json is not None:
            pairs = convert.day_direction_pairs(claim.days, claim.directions)
            result, violations = convert.assemble_week(plan_json, rows, pairs)
        queue.finish(
            self.database,
            claim,
            JobStatus.FAILED,
            error=problem,
            result=result,
            violations=violations,
            is_partial=result is not None,
        )
        codes = [e.get("code") for e in problem.get("errors", [])]
        log.warning("job failed", job=claim.job_id, codes=sorted({str(c) for c in codes}))

    def _cancel(self, claim: Claim, progress: _Progress) -> None:
        plan_json = queue.plan_json_of(self.database, claim)
        rows = queue.stored_days(self.database, claim.job_id)
        result = violations = None
        if rows and plan_json is not None:
            pairs = convert.day_direction_pairs(claim.days, claim.directions)
            result, violations = convert.assemble_week(plan_json, rows, pairs)
        progress.stage, progress.running = "cancelled", []
        queue.finish(
            self.database,
            claim,
            JobStatus.CANCELLED,
            result=result,
            violations=violations,
            is_partial=result is not None,
            progress=progress.as_json(),
        )
        log.info("job cancelled", job=claim.job_id, day_directions_kept=len(rows))


def main() -> None:
    """Entry point of ``python -m app.jobs.worker``: migrate, then work until SIGTERM."""
    settings = ServiceSettings()
    config = get_config()
    configure_logging(config.log_level, config.log_json)
    database = Database(settings.database_url)
    upgrade(database)
    worker = Worker(settings, database)

    def _on_signal(signum: int, _frame: object) -> None:
        # Not worker.stop() here: the handler runs in the main thread, which may be inside
        # stop_event.wait() holding the event's lock, and Event.set() would then deadlock.
        threading.Thread(target=worker.stop, name="stop", daemon=True).start()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    worker.run()
    database.dispose()


if __name__ == "__main__":
    main()
