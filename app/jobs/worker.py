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

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import structlog

from app import convert
from app.db.migrate import upgrade
from app.db.models import JobKind, JobStatus
from app.db.session import Database
from app.errors import input_problem, roads_problem
from app.jobs import queue
from app.jobs.problems import internal_problem
from app.jobs.queue import Claim, Heartbeat
from app.jobs.reaper import reap
from app.jobs.scenarios import ScenarioJobRunner
from app.jobs.solving import (
    DayOutcome,
    Failure,
    ReplanTask,
    SolverProcess,
    WeekTask,
    load_roads,
)
from app.jobs.supervisor import PARENT_PID_ENV
from app.settings import ServiceSettings, service_log_levels
from solver.config import configure_logging, get_config
from solver.dispatch.changes import DayChanges, still_in_force
from solver.domain import Day, Direction, WeekPlan, WeekResult
from solver.errors import InputError
from solver.io.changes import changes_to_json, parse_changes, parse_in_force
from solver.roads import DEFAULT_OSM_FILE, RoadsError
from solver.week import default_workers

log = structlog.get_logger("app.jobs.worker")

WAIT_STEP_S = 0.1
"""How often the worker looks at its solver process while a job runs."""

PARENT_CHECK_S = 0.5
"""How often a worker started by ``dagrute serve`` checks that serve is still there."""

MIN_ATTEMPT_S = 1.0
"""The least time an attempt is given, even when the job's own limit has run out."""


def _problem_of(claim: Claim, failure: Failure) -> Mapping[str, Any]:
    """The job's error for a solve that raised: bad input, roads, or internal (logged)."""
    if isinstance(failure.error, InputError):
        return input_problem(failure.error, what="The plan").body()
    if isinstance(failure.error, RoadsError):
        return roads_problem(failure.error).body()
    log.error(
        "solve failed", job=claim.job_id, error_type=failure.error_type, frames=failure.frames
    )
    return internal_problem("JOB_INTERNAL")


class SolverRunner:
    """Starts each job attempt's solver process; keeps the road network loaded for them.

    The worker loads the road network once; each solve forks a process from it
    (:class:`app.jobs.solving.SolverProcess`) that starts at once with the network and plans
    the job's missing day-directions as one week, with ``processes`` processes of its own.
    """

    def __init__(self, processes: int, osm_file: Path, cache_dir: Path) -> None:
        self.processes = processes
        self.osm_file = osm_file
        self.cache_dir = cache_dir
        self.current: SolverProcess | None = None

    def ensure_started(self) -> None:
        """Load the road network (once) so solves can start from it."""
        load_roads(self.osm_file, self.cache_dir)

    def start(self, task: WeekTask | ReplanTask) -> SolverProcess:
        """Start planning ``task`` in a new solver process."""
        self.ensure_started()
        self.terminate()
        self.current = SolverProcess(task)
        return self.current

    def terminate(self) -> None:
        """Stop the solve in hand, if any (its search is lost)."""
        if self.current is not None:
            self.current.kill()
            self.current = None


@dataclass(frozen=True)
class _Solved:
    """A job's day-directions, all stored, and the checker's rules across days on the week.

    ``week_violations`` and ``week_json`` (the week's result, as the solver process wrote
    it) are None where no week was planned now (all were stored before).
    """

    week_violations: list[dict[str, Any]] | None
    week_json: str | None = None


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
    labels: list[str] = field(default_factory=list)
    """The day-directions stored so far ("mon to_centre")."""

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
        self.runner = SolverRunner(
            processes or config.workers or default_workers(),
            settings.osm_file or DEFAULT_OSM_FILE,
            config.cache_dir,
        )
        self.stop_event = threading.Event()
        self.scenarios = ScenarioJobRunner(
            settings,
            database,
            processes=self.runner.processes,
            osm_file=self.runner.osm_file,
            cache_dir=self.runner.cache_dir,
            stop_event=self.stop_event,
        )

    # ------------------------------------------------------------------------ main loop

    def run(self, max_jobs: int | None = None) -> None:
        """Claim and solve jobs until :attr:`stop_event` is set (or ``max_jobs`` are done)."""
        log.info("worker started", worker=self.worker_id, processes=self.runner.processes)
        self.runner.ensure_started()
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
            self.runner.terminate()
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
        if claim.kind == JobKind.REPLAN.value:
            self._replan(claim)
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
        rows = queue.stored_days(self.database, claim.job_id)
        progress = _Progress(
            total=len(pairs),
            done=len(rows),
            attempt=claim.attempt,
            cost_so_far=convert.stored_cost(rows),
            labels=[f"{row.day} {row.direction}" for row in rows],
            notes=list(queue.progress_of(self.database, claim.job_id).get("notes", [])),
        )
        previous = self._previous_week(claim)
        outcome = self._solve(claim, plan, pairs, progress, started, previous)
        if outcome is None:
            return
        rows = queue.stored_days(self.database, claim.job_id)
        result: dict[str, Any] | str
        if outcome.week_json is not None:
            result = outcome.week_json  # stored as the solver process wrote it
            violations = convert.stored_violations(rows, pairs)
        else:
            result, violations = convert.assemble_week(plan_json, rows, pairs, previous)
        # Each stored day-direction holds its own violations; the rules across days come
        # from the solver process, which saw the whole week.
        violations = violations + (outcome.week_violations or [])
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
        plan: WeekPlan,
        pairs: list[tuple[Day, Direction]],
        progress: _Progress,
        started: float,
        previous: WeekResult | None,
    ) -> _Solved | None:
        """Plan the missing day-directions as one week; what came of it once all are stored.

        ``previous``: the earlier job's week whose routes this one keeps (``previous_job``).

        None when the job ended otherwise (failed, cancelled, released, lease lost, or given
        back to the queue after its solver process died).
        """
        rows = queue.stored_days(self.database, claim.job_id)
        stored = {(row.day, row.direction) for row in rows}
        pending = [
            (day, direction) for day, direction in pairs if (day, str(direction)) not in stored
        ]
        if not pending:
            return _Solved(week_violations=None)
        kept = convert.stored_week(plan, rows, pairs) if rows else None
        # A resumed attempt has the missing share of the budget; the first has all of it.
        share = len(pending) / len(pairs) if rows else 1.0
        limit_s = max(MIN_ATTEMPT_S, claim.time_limit_s * share - (time.monotonic() - started))
        task = WeekTask(
            token=claim.token,
            plan=plan,
            days=tuple(dict.fromkeys(day for day, _ in pending)),
            directions=tuple(dict.fromkeys(direction for _, direction in pending)),
            time_limit_s=limit_s,
            workers=self.runner.processes,
            kept=kept,
            previous=previous,
        )
        solver = self.runner.start(task)
        hard_deadline = time.monotonic() + limit_s + self.settings.job_grace_s
        next_beat = 0.0
        finished = False
        week_violations: list[dict[str, Any]] | None = None
        week_json: str | None = None
        labels = [f"{day} {direction}" for day, direction in pending]
        while not finished:
            events = solver.poll()
            if not events and solver.exit_code() is not None:
                events = solver.poll()  # what it sent just before it ended
                if not events:
                    self._solver_died(claim, progress, solver.exit_code())
                    return None
            for event in events:
                kind = event[0]
                if kind == "ready":
                    progress.running = [label for label in labels if label not in progress.labels]
                elif kind == "progress":
                    progress.stage = "solving"
                elif kind == "day":
                    outcome: DayOutcome = event[1]
                    progress.done += 1
                    progress.labels.append(f"{outcome.day} {outcome.direction}")
                    progress.running = [label for label in labels if label not in progress.labels]
                    progress.cost_so_far = (progress.cost_so_far or 0.0) + outcome.cost
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
                    log.info(
                        "day-direction stored",
                        job=claim.job_id,
                        day=outcome.day,
                        direction=outcome.direction,
                    )
                elif kind == "failed":
                    self.runner.terminate()
                    self._fail(claim, _problem_of(claim, event[1]))
                    return None
                elif kind == "done":
                    finished, week_violations, week_json = True, event[1], event[2]
            if finished:
                break
            tended = self._tend(claim, progress, next_beat, hard_deadline)
            if tended is None:
                return None
            next_beat = tended
            time.sleep(WAIT_STEP_S)
        self.runner.terminate()
        return _Solved(week_violations, week_json)

    def _tend(
        self, claim: Claim, progress: _Progress, next_beat: float, hard_deadline: float
    ) -> float | None:
        """Between two looks at the solver: stop, renew the lease, watch cancel and clock.

        Returns when the lease is next to be renewed, or None when the job ended otherwise
        (released on stop, lease lost, cancelled, or failed with ``JOB_TIMEOUT``).
        """
        now = time.monotonic()
        if self.stop_event.is_set():
            self.runner.terminate()
            queue.release(self.database, claim)
            log.info("job released", job=claim.job_id)
            return None
        if now >= next_beat:
            beat = queue.heartbeat(self.database, claim, self.settings.lease_s, progress.as_json())
            if beat is Heartbeat.LOST:
                self._lost(claim)
                return None
            if beat is Heartbeat.CANCEL:
                self.runner.terminate()
                self._cancel(claim, progress)
                return None
            next_beat = now + self.settings.heartbeat_s
        if now > hard_deadline:
            self.runner.terminate()
            self._fail(claim, internal_problem("JOB_TIMEOUT"))
            return None
        return next_beat

    def _replan(self, claim: Claim) -> None:
        """Re-plan one day of a solved week after the changes in force (a ``replan`` job).

        Starts from the day's latest version (read now, not when the job was queued, so a
        re-plan queued behind another builds on it) and fills in the job's own version.
        """
        started = time.monotonic()
        log.info("re-plan claimed", job=claim.job_id, attempt=claim.attempt)
        inputs = queue.replan_inputs(self.database, claim)
        plan_json = queue.plan_json_of(self.database, claim)
        if inputs is None or plan_json is None:  # the week was erased meanwhile
            return
        try:
            plan = convert.plan_from_stored(plan_json)
            own = parse_changes(inputs.own_changes_json, "stored changes")
            earlier = parse_in_force(inputs.in_force_json) if inputs.in_force_json else ()
            published = convert.parse_result_document(
                {"name": plan.name, "plans": inputs.published}, "stored day"
            )
        except InputError as error:
            self._fail(claim, input_problem(error, what="The stored plan").body())
            return
        # Changes taken back leave the changes in force; the re-plan re-places whom they named.
        kept = still_in_force(earlier, own.withdrawn)
        in_force = DayChanges(own.day, (*kept, *own.changes), own.withdrawn)
        planned = [str(p.direction) for p in published.plans]
        directions = tuple(Direction(d) for d in claim.directions if d in planned)
        task = ReplanTask(
            token=claim.token,
            plan=plan,
            published=published,
            changes=in_force,
            directions=directions,
            time_limit_s=claim.time_limit_s,
            workers=self.runner.processes,
        )
        progress = _Progress(total=len(directions), attempt=claim.attempt, stage="re-planning")
        solver = self.runner.start(task)
        budget_s = claim.time_limit_s * max(1, len(directions)) + self.settings.job_grace_s
        ended = self._wait_for(claim, solver, progress, started + budget_s)
        self.runner.terminate()
        if ended is None:
            return
        if ended[0] == "failed":
            failure: Failure = ended[1]
            if isinstance(failure.error, InputError):
                self._fail(claim, input_problem(failure.error, what="The changes").body())
            else:
                self._fail(claim, _problem_of(claim, failure))
            return
        _, days, diffs, violations = ended
        replanned = {d["direction"]: d for d in days}
        day_jsons = [replanned.get(d["direction"], d) for d in inputs.published]
        progress.done, progress.stage = len(days), "done"
        if queue.finish_replan(
            self.database,
            claim,
            based_on=inputs.based_on,
            in_force_json=json.dumps(changes_to_json(replace(in_force, withdrawn=()))),
            result_json=json.dumps(day_jsons),
            diff_json=json.dumps(diffs),
            violations=violations,
            progress=progress.as_json(),
        ):
            log.info(
                "re-plan succeeded",
                job=claim.job_id,
                version=inputs.version,
                based_on=inputs.based_on,
                violations=len(violations),
                seconds=round(time.monotonic() - started, 2),
            )

    def _wait_for(
        self, claim: Claim, solver: SolverProcess, progress: _Progress, deadline: float
    ) -> tuple[Any, ...] | None:
        """The solver process's last event (``done`` or ``failed``), renewing the lease.

        None when the job ended otherwise meanwhile (released, cancelled, lease lost, timed
        out, or the solver process died).
        """
        next_beat = 0.0
        while True:
            events = solver.poll()
            if not events and solver.exit_code() is not None:
                events = solver.poll()
                if not events:
                    self._solver_died(claim, progress, solver.exit_code())
                    return None
            for event in events:
                if event[0] in ("done", "failed"):
                    return event
            tended = self._tend(claim, progress, next_beat, deadline)
            if tended is None:
                return None
            next_beat = tended
            time.sleep(WAIT_STEP_S)

    def _previous_week(self, claim: Claim) -> WeekResult | None:
        """The earlier job's week whose routes this job keeps (``previous_job_id``).

        None without one; an earlier job erased since the submission is planned without it.
        """
        if claim.previous_job_id is None:
            return None
        text = queue.result_json_of(self.database, claim.previous_job_id)
        return None if text is None else convert.stored_result(text)

    def _solver_died(self, claim: Claim, progress: _Progress, exit_code: int | None) -> None:
        """The solver process ended without a word (killed, out of memory): try again.

        The job goes back to the queue with this attempt counted; the next attempt re-plans
        only the day-directions not stored yet. After the last attempt the job fails with
        ``JOB_SOLVER_DIED``, keeping what was stored as a partial result.
        """
        self.runner.terminate()
        how = (
            f"signal {-exit_code}"
            if exit_code is not None and exit_code < 0
            else f"exit code {exit_code}"
        )
        note = (
            f"attempt {claim.attempt}: the solver process ended unexpectedly ({how}) with "
            f"{progress.done} of {progress.total} day-directions stored; the others are "
            "planned again"
        )
        progress.notes.append(note)
        progress.stage, progress.running = "queued", []
        log.warning(
            "solver process died", job=claim.job_id, attempt=claim.attempt, exit_code=exit_code
        )
        if queue.requeue(self.database, claim, progress.as_json()):
            return None
        self._fail(claim, internal_problem("JOB_SOLVER_DIED"))
        return None

    # ---------------------------------------------------------------------- endings

    def _lost(self, claim: Claim) -> None:
        self.runner.terminate()
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


def _stop_when_orphaned(worker: Worker, parent_pid: int) -> None:
    """Stop ``worker`` once the ``dagrute serve`` that started it is gone (even by SIGKILL)."""
    while not worker.stop_event.wait(PARENT_CHECK_S):
        if os.getppid() != parent_pid:
            log.warning("dagrute serve is gone; worker stopping", worker=worker.worker_id)
            worker.stop()
            return


def lower_priority(settings: ServiceSettings) -> int:
    """Add ``settings.worker_nice`` to this process's niceness; return the new niceness.

    The solvers, forked from the worker, inherit it: on a machine the worker shares with the
    API, the API's answers come first (docs/benchmarks.md, "HTTP API read latency").
    """
    return os.nice(settings.worker_nice)


def main() -> None:
    """Entry point of ``python -m app.jobs.worker``: migrate, then work until SIGTERM."""
    settings = ServiceSettings()
    lower_priority(settings)
    config = get_config()
    configure_logging(service_log_levels(config)[0], config.log_json)
    database = Database(settings.database_url)
    upgrade(database)
    worker = Worker(settings, database)

    def _on_signal(signum: int, _frame: object) -> None:
        # Not worker.stop() here: the handler runs in the main thread, which may be inside
        # stop_event.wait() holding the event's lock, and Event.set() would then deadlock.
        threading.Thread(target=worker.stop, name="stop", daemon=True).start()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    parent = os.environ.get(PARENT_PID_ENV)
    if parent:
        threading.Thread(
            target=_stop_when_orphaned, args=(worker, int(parent)), name="parent", daemon=True
        ).start()
    worker.run()
    database.dispose()


if __name__ == "__main__":
    main()
