"""The job queue in the database: claim under a lease, renew it, write results conditionally.

Rules that keep a job from being lost or run twice to completion:

- **Claim** takes the oldest claimable job (queued, or running with an expired lease, with
  attempts left and no cancel requested) in one write transaction: ``SELECT ... FOR UPDATE
  SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite, then a conditional ``UPDATE``
  that re-checks claimability. The claim counts an attempt and gets a fresh lease token.
- **Every later write** of the worker (heartbeat, progress, a day-direction's result, the
  final result) is ``UPDATE ... WHERE id = ? AND lease_token = ? AND status = 'running'``:
  a worker that lost its lease (it stalled and another claimed the job, or the job was
  deleted) changes nothing and stops.
- **Reaping** (by workers and by the API) settles jobs whose lease expired: back to
  ``queued`` while attempts are left, ``failed`` (``JOB_WORKER_LOST``) after the last one,
  ``cancelled`` when a cancel was asked for. Day-directions already solved are kept (a
  retry solves only the others; a failed or cancelled job keeps them as a partial result).

Times for leases are epoch seconds from the caller's clock (the workers and the API share
one machine or synchronised clocks).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.db.models import (
    DayResultRow,
    DayVersion,
    Job,
    JobKind,
    JobStatus,
    Plan,
    ScenarioBatchRow,
    ScenarioFileRow,
    utcnow,
)
from app.db.repositories import DayVersionRepository
from app.db.session import Database


@dataclass(frozen=True, slots=True)
class Claim:
    """A worker's hold on a job: the lease token proves it in every write."""

    job_id: str
    plan_id: str
    token: str
    attempt: int
    days: tuple[str, ...]
    directions: tuple[str, ...]
    time_limit_s: float
    kind: str = JobKind.SOLVE.value
    previous_job_id: str | None = None


class Heartbeat(Enum):
    """What renewing a lease found."""

    KEPT = "kept"
    LOST = "lost"
    CANCEL = "cancel"


def _claimable(now: float) -> Any:
    return and_(
        or_(
            Job.status == JobStatus.QUEUED.value,
            and_(Job.status == JobStatus.RUNNING.value, Job.lease_expires_at < now),
        ),
        Job.attempts < Job.max_attempts,
        Job.cancel_requested.is_(False),
    )


def _replan_waits(now: float) -> Any:
    """A re-plan waits while another re-plan of the same week's day runs or was queued first.

    A re-plan starts from the day's latest version when it runs: run one at a time, in the
    order they were recorded, each builds on the one before (two at once would both start
    from the same version, and the later would drop the earlier's changes).
    """
    other = aliased(Job)
    return and_(
        Job.kind == JobKind.REPLAN.value,
        exists().where(
            other.kind == JobKind.REPLAN.value,
            other.previous_job_id == Job.previous_job_id,
            other.days == Job.days,
            other.id != Job.id,
            or_(
                and_(other.status == JobStatus.RUNNING.value, other.lease_expires_at >= now),
                and_(
                    other.status == JobStatus.QUEUED.value,
                    other.created_at < Job.created_at,
                    other.attempts < other.max_attempts,
                    other.cancel_requested.is_(False),
                ),
            ),
        ),
    )


def _holding(claim: Claim) -> Any:
    return and_(
        Job.id == claim.job_id,
        Job.lease_token == claim.token,
        Job.status == JobStatus.RUNNING.value,
    )


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def claim_next(
    database: Database, worker_id: str, lease_s: float, now: float | None = None
) -> Claim | None:
    """Claim the oldest claimable job for ``worker_id``; None when there is none."""
    now = time.time() if now is None else now
    token = _new_token()
    with database.write() as session:
        # A dispatcher waits for a re-plan: it goes before weeks and batches queued earlier.
        first = case((Job.kind == JobKind.REPLAN.value, 0), else_=1)
        query = (
            select(Job.id)
            .where(_claimable(now), ~_replan_waits(now))
            .order_by(first, Job.created_at)
            .limit(1)
        )
        if database.is_postgresql:
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, _claimable(now), ~_replan_waits(now))
            .values(
                status=JobStatus.RUNNING.value,
                worker_id=worker_id[:100],
                lease_token=token,
                lease_expires_at=now + lease_s,
                attempts=Job.attempts + 1,
                started_at=func.coalesce(Job.started_at, utcnow()),
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            return None
        job = session.get(Job, job_id)
        assert job is not None
        session.refresh(job)
        return Claim(
            job_id=job.id,
            plan_id=job.plan_id,
            token=token,
            attempt=job.attempts,
            days=tuple(job.days.split(",")),
            directions=tuple(job.directions.split(",")),
            time_limit_s=job.time_limit_s,
            kind=job.kind,
            previous_job_id=job.previous_job_id,
        )


def _new_token() -> str:
    import uuid

    return str(uuid.uuid4())


def _renew(
    session: Session,
    claim: Claim,
    lease_s: float,
    progress: Mapping[str, Any] | None,
    now: float,
) -> bool:
    values: dict[str, Any] = {"lease_expires_at": now + lease_s, "updated_at": utcnow()}
    if progress is not None:
        values["progress_json"] = json.dumps(progress)
    result = session.execute(
        update(Job)
        .where(_holding(claim))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def heartbeat(
    database: Database,
    claim: Claim,
    lease_s: float,
    progress: Mapping[str, Any] | None = None,
    now: float | None = None,
) -> Heartbeat:
    """Renew the lease (and store progress); says whether it is kept, lost or to cancel."""
    now = time.time() if now is None else now
    with database.write() as session:
        if not _renew(session, claim, lease_s, progress, now):
            return Heartbeat.LOST
        cancel = session.scalar(select(Job.cancel_requested).where(Job.id == claim.job_id))
        return Heartbeat.CANCEL if cancel else Heartbeat.KEPT


def store_day(
    database: Database,
    claim: Claim,
    lease_s: float,
    day: str,
    direction: str,
    day_json: Mapping[str, Any],
    violations: Sequence[Mapping[str, Any]],
    progress: Mapping[str, Any] | None = None,
) -> bool:
    """Store one solved day-direction if the lease is still held (False: lost, nothing kept)."""
    with database.write() as session:
        if not _renew(session, claim, lease_s, progress, time.time()):
            return False
        session.merge(
            DayResultRow(
                job_id=claim.job_id,
                day=day,
                direction=direction,
                result_json=json.dumps(day_json),
                violations_json=json.dumps(list(violations)),
                created_at=utcnow(),
            )
        )
        return True


def finish(
    database: Database,
    claim: Claim,
    status: JobStatus,
    *,
    result: Mapping[str, Any] | str | None = None,
    violations: Sequence[Mapping[str, Any]] | None = None,
    error: Mapping[str, Any] | None = None,
    is_partial: bool = False,
    progress: Mapping[str, Any] | None = None,
) -> bool:
    """End the job with ``status`` if the lease is still held (False: lost, nothing written).

    ``result``: the result document, or its JSON text as the solver process wrote it (stored
    as it is: a Bergen week's 10 MB would take about 1.2 s to read and write again).
    """
    now = utcnow()
    values: dict[str, Any] = {
        "status": status.value,
        "finished_at": now,
        "updated_at": now,
        "lease_token": None,
        "lease_expires_at": None,
        "is_partial": is_partial,
    }
    if result is not None:
        values["result_json"] = result if isinstance(result, str) else json.dumps(result)
    if violations is not None:
        values["violations_json"] = json.dumps(list(violations))
    if error is not None:
        values["error_json"] = json.dumps(error)
    if progress is not None:
        values["progress_json"] = json.dumps(progress)
    with database.write() as session:
        result_ = session.execute(
            update(Job)
            .where(_holding(claim))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result_) == 1


def _succeed(
    session: Session, claim: Claim, violations_json: str, progress: Mapping[str, Any]
) -> bool:
    """Mark the claimed job succeeded in ``session`` if the lease holds (False: lost)."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(_holding(claim))
        .values(
            status=JobStatus.SUCCEEDED.value,
            finished_at=now,
            updated_at=now,
            lease_token=None,
            lease_expires_at=None,
            is_partial=False,
            violations_json=violations_json,
            progress_json=json.dumps(progress),
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def finish_scenarios(
    database: Database,
    claim: Claim,
    files: Mapping[str, str],
    violations: Sequence[Mapping[str, Any]],
    progress: Mapping[str, Any],
) -> bool:
    """Succeed a ``scenarios`` job with its output files, in one transaction, if the lease holds.

    ``files``: path in the output folder -> text. False (nothing written) when the lease is lost.
    """
    with database.write() as session:
        if not _succeed(session, claim, json.dumps(list(violations)), progress):
            return False
        for path, content in files.items():
            session.merge(ScenarioFileRow(job_id=claim.job_id, path=path, content=content))
        return True


def finish_replan(
    database: Database,
    claim: Claim,
    *,
    based_on: int,
    in_force_json: str,
    result_json: str,
    diff_json: str,
    violations: Sequence[Mapping[str, Any]],
    progress: Mapping[str, Any],
) -> bool:
    """Succeed a ``replan`` job and fill in its day version, in one transaction.

    Only if the lease holds (False: lost, nothing written).
    """
    violations_json = json.dumps(list(violations))
    with database.write() as session:
        if not _succeed(session, claim, violations_json, progress):
            return False
        session.execute(
            update(DayVersion)
            .where(DayVersion.job_id == claim.job_id)
            .values(
                based_on=based_on,
                in_force_json=in_force_json,
                result_json=result_json,
                diff_json=diff_json,
                violations_json=violations_json,
            )
            .execution_options(synchronize_session=False)
        )
        return True


def release(database: Database, claim: Claim) -> bool:
    """Give a job back to the queue without counting the attempt (worker shutting down)."""
    with database.write() as session:
        result = session.execute(
            update(Job)
            .where(_holding(claim))
            .values(
                status=JobStatus.QUEUED.value,
                attempts=Job.attempts - 1,
                lease_token=None,
                lease_expires_at=None,
                worker_id=None,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1


def requeue(database: Database, claim: Claim, progress: Mapping[str, Any]) -> bool:
    """Give a job back to the queue counting the attempt (its solver process died).

    False (nothing written) when the lease is lost or no attempt is left: the caller then
    fails the job.
    """
    with database.write() as session:
        result = session.execute(
            update(Job)
            .where(_holding(claim), Job.attempts < Job.max_attempts)
            .values(
                status=JobStatus.QUEUED.value,
                lease_token=None,
                lease_expires_at=None,
                worker_id=None,
                progress_json=json.dumps(progress),
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1


def progress_of(database: Database, job_id: str) -> dict[str, Any]:
    """The job's last stored progress (empty before any)."""
    with database.read() as session:
        text = session.scalar(select(Job.progress_json).where(Job.id == job_id))
    loaded = json.loads(text) if text else {}
    return loaded if isinstance(loaded, dict) else {}


def result_json_of(database: Database, job_id: str) -> str | None:
    """A job's week result JSON (None: no such job, or no result)."""
    with database.read() as session:
        return session.scalar(select(Job.result_json).where(Job.id == job_id))


def plan_json_of(database: Database, claim: Claim) -> str | None:
    """The claimed job's plan JSON (None if the plan was deleted meanwhile)."""
    with database.read() as session:
        plan = session.get(Plan, claim.plan_id)
        return plan.plan_json if plan is not None else None


def scenarios_json_of(database: Database, claim: Claim) -> str | None:
    """The claimed ``scenarios`` job's scenarios file (None if erased meanwhile)."""
    with database.read() as session:
        row = session.get(ScenarioBatchRow, claim.job_id)
        return row.scenarios_json if row is not None else None


def stored_days(database: Database, job_id: str) -> list[DayResultRow]:
    """The job's day-directions solved so far (by any attempt)."""
    with database.read() as session:
        return list(
            session.scalars(select(DayResultRow).where(DayResultRow.job_id == job_id)).all()
        )


def expired_jobs(database: Database, now: float | None = None) -> list[str]:
    """Ids of running jobs whose lease has expired."""
    now = time.time() if now is None else now
    with database.read() as session:
        return list(
            session.scalars(
                select(Job.id).where(
                    Job.status == JobStatus.RUNNING.value, Job.lease_expires_at < now
                )
            )
        )


@dataclass(frozen=True)
class ReplanInputs:
    """What a ``replan`` job starts from, read when it runs.

    ``version``: the number it fills in; ``own_changes_json``: the changes its request
    recorded; ``based_on``: the latest version with a result below it (0: the day as the
    week's job solved it), whose day-directions (``published``, result JSON ``plans[i]``
    entries) and changes in force (``in_force_json``, None for version 0) it starts from.
    """

    week_job_id: str
    day: str
    version: int
    own_changes_json: str
    based_on: int
    published: list[dict[str, Any]]
    in_force_json: str | None


def replan_inputs(database: Database, claim: Claim) -> ReplanInputs | None:
    """The inputs of a claimed ``replan`` job (None: its week was erased meanwhile)."""
    with database.read() as session:
        versions = DayVersionRepository(session)
        version = versions.of_job(claim.job_id)
        if version is None:
            return None
        base = versions.current(version.week_job_id, version.day, below=version.version)
        if base is not None and base.result_json is not None:
            published = json.loads(base.result_json)
            based_on, in_force = base.version, base.in_force_json
        else:
            rows = session.scalars(
                select(DayResultRow).where(
                    DayResultRow.job_id == version.week_job_id, DayResultRow.day == version.day
                )
            ).all()
            order = {"to_centre": 0, "from_centre": 1}
            published = [
                json.loads(r.result_json) for r in sorted(rows, key=lambda r: order[r.direction])
            ]
            based_on, in_force = 0, None
        return ReplanInputs(
            week_job_id=version.week_job_id,
            day=version.day,
            version=version.version,
            own_changes_json=version.changes_json,
            based_on=based_on,
            published=published,
            in_force_json=in_force,
        )
