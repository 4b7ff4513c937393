"""Repositories: the queries the API and the CLI make, one class per table group.

The job queue's lease operations (claim, heartbeat, conditional result writes) live in
``app.jobs.queue``; these are the plain reads and writes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.db.models import (
    ACTIVE_STATUSES,
    DEFAULT_ORGANISATION,
    ApiKey,
    DayResultRow,
    DayVersion,
    Job,
    JobKind,
    JobStatus,
    PassengerDetail,
    Plan,
    ScenarioBatchRow,
    ScenarioFileRow,
    VersionKind,
    utcnow,
)
from solver.domain import DAYS


def new_id() -> str:
    """A random UUID4 as text (plan and job ids)."""
    return str(uuid.uuid4())


RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class Page(Generic[RowT]):
    """One page of a list, newest first: its rows and how many match in all."""

    rows: Sequence[RowT]
    total: int


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What a list shows: one organisation's rows, newest first.

    Created in [``created_from``, ``created_to``) when given; ``limit`` of them from
    ``offset``.
    """

    organisation: str
    created_from: datetime | None = None
    created_to: datetime | None = None
    limit: int = 50
    offset: int = 0


def listed(query: Any, model: Any, where: ListFilter, created: Any = None) -> Any:
    """``query`` narrowed to ``where``'s organisation and time range.

    ``created``: the time column (default ``model.created_at``).
    """
    column = model.created_at if created is None else created
    query = query.where(model.organisation == where.organisation)
    if where.created_from is not None:
        query = query.where(column >= where.created_from)
    if where.created_to is not None:
        query = query.where(column < where.created_to)
    return query


def page_of(
    session: Session,
    model: Any,
    filtered: Callable[[Any], Any],
    where: ListFilter,
    created: Any = None,
) -> Page[Any]:
    """One page of ``model``'s rows that ``filtered`` keeps, newest first (then by id).

    ``filtered`` narrows a query (a count or the rows); ``created`` is the time column
    (default ``model.created_at``).
    """
    column = model.created_at if created is None else created
    total = session.scalar(filtered(select(func.count(model.id)))) or 0
    rows = session.scalars(
        filtered(select(model))
        .order_by(column.desc(), model.id.desc())
        .limit(where.limit)
        .offset(where.offset)
    ).all()
    return Page(rows, total)


def _visible(owner: str, organisation: str | None) -> bool:
    """Whether a row of ``owner`` may be seen by ``organisation``.

    None: by anyone (the operator's commands and the workers).
    """
    return organisation is None or owner == organisation


class KeyRepository:
    """API keys."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        key_id: str,
        name: str,
        role: str,
        salt: str,
        secret_sha256: str,
        organisation: str = DEFAULT_ORGANISATION,
    ) -> ApiKey:
        """Store a new key (its hash, never the token) in ``organisation``."""
        key = ApiKey(
            id=key_id,
            name=name,
            role=role,
            organisation=organisation,
            salt=salt,
            secret_sha256=secret_sha256,
        )
        self.session.add(key)
        self.session.flush()
        return key

    def get(self, key_id: str) -> ApiKey | None:
        """The key with this id."""
        return self.session.get(ApiKey, key_id)

    def list(self, organisation: str | None = None) -> Sequence[ApiKey]:
        """Every key (of ``organisation``, when given), oldest first."""
        query = select(ApiKey).order_by(ApiKey.created_at)
        if organisation is not None:
            query = query.where(ApiKey.organisation == organisation)
        return self.session.scalars(query).all()

    def revoke(self, key_id: str, organisation: str | None = None) -> bool:
        """Revoke a key (of ``organisation``); False if there is no such unrevoked key."""
        query = update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        if organisation is not None:
            query = query.where(ApiKey.organisation == organisation)
        result = self.session.execute(query.values(revoked_at=utcnow()))
        return bool(getattr(result, "rowcount", 0))

    def touch(self, key_id: str) -> None:
        """Record that the key was used now."""
        self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow())
        )


def queued_job(
    *,
    plan_id: str,
    key_id: str | None,
    organisation: str,
    kind: JobKind,
    days: Sequence[str],
    directions: Sequence[str],
    time_limit_s: float,
    max_attempts: int,
    previous_job_id: str | None = None,
    progress: dict[str, Any] | None = None,
) -> Job:
    """A new job row, queued now (the one place a job's first state is written)."""
    now = utcnow()
    return Job(
        id=new_id(),
        plan_id=plan_id,
        key_id=key_id,
        organisation=organisation,
        kind=kind.value,
        status=JobStatus.QUEUED.value,
        days=",".join(days),
        directions=",".join(directions),
        time_limit_s=time_limit_s,
        created_at=now,
        updated_at=now,
        attempts=0,
        max_attempts=max_attempts,
        cancel_requested=False,
        is_partial=False,
        previous_job_id=previous_job_id,
        progress_json=None if progress is None else json.dumps(progress),
    )


class PlanRepository:
    """Plans and the jobs made from them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_with_job(
        self,
        *,
        key_id: str | None,
        organisation: str = DEFAULT_ORGANISATION,
        plan_json: str,
        source_format: str,
        source_json: str | None,
        num_passengers: int,
        num_vehicles: int,
        idempotency_key: str | None,
        request_sha256: str,
        days: Sequence[str],
        directions: Sequence[str],
        time_limit_s: float,
        max_attempts: int,
        notes: Sequence[str] = (),
        previous_job_id: str | None = None,
    ) -> tuple[Plan, Job]:
        """Store a plan and queue one job solving it, both in ``organisation``."""
        plan = Plan(
            id=new_id(),
            key_id=key_id,
            organisation=organisation,
            created_at=utcnow(),
            source_format=source_format,
            plan_json=plan_json,
            source_json=source_json,
            num_passengers=num_passengers,
            num_vehicles=num_vehicles,
            idempotency_key=idempotency_key,
            request_sha256=request_sha256,
        )
        job = queued_job(
            plan_id=plan.id,
            key_id=key_id,
            organisation=organisation,
            kind=JobKind.SOLVE,
            days=days,
            directions=directions,
            time_limit_s=time_limit_s,
            max_attempts=max_attempts,
            previous_job_id=previous_job_id,
            progress={
                "stage": "queued",
                "day_directions_done": 0,
                "day_directions_total": len(days) * len(directions),
                "running": [],
                "cost_so_far": None,
                "notes": list(notes),
            },
        )
        self.session.add(plan)
        self.session.flush()
        self.session.add(job)
        self.session.flush()
        return plan, job

    def get(self, plan_id: str, organisation: str | None = None) -> Plan | None:
        """The plan with this id (None when it belongs to another ``organisation``)."""
        plan = self.session.get(Plan, plan_id)
        return plan if plan is not None and _visible(plan.organisation, organisation) else None

    def page(self, where: ListFilter) -> Page[tuple[Plan, list[str]]]:
        """The organisation's plans, newest first, each with its job ids (oldest first)."""
        found = page_of(self.session, Plan, lambda query: listed(query, Plan, where), where)
        plans = found.rows
        jobs: dict[str, list[str]] = {plan.id: [] for plan in plans}
        if jobs:
            for plan_id, job_id in self.session.execute(
                select(Job.plan_id, Job.id)
                .where(Job.plan_id.in_(list(jobs)))
                .order_by(Job.created_at, Job.id)
            ):
                jobs[plan_id].append(job_id)
        return Page([(plan, jobs[plan.id]) for plan in plans], found.total)

    def by_idempotency_key(self, key_id: str, idempotency_key: str) -> Plan | None:
        """The plan a key submitted earlier with this Idempotency-Key."""
        return self.session.scalars(
            select(Plan).where(Plan.key_id == key_id, Plan.idempotency_key == idempotency_key)
        ).first()

    def job_ids(self, plan_id: str) -> list[str]:
        """The plan's jobs, oldest first."""
        return list(
            self.session.scalars(
                select(Job.id).where(Job.plan_id == plan_id).order_by(Job.created_at)
            )
        )

    def delete(self, plan_id: str, organisation: str | None = None) -> bool:
        """Erase the plan, its jobs and their results; False if there is no such plan.

        With ``organisation``, only a plan of that organisation.
        """
        if organisation is not None and self.get(plan_id, organisation) is None:
            return False
        # Explicit, so that erasure never depends on the backend enforcing cascades.
        DetailsRepository(self.session).delete(plan_id)
        job_ids = self.job_ids(plan_id)
        if job_ids:
            self.session.execute(delete(DayVersion).where(DayVersion.week_job_id.in_(job_ids)))
            self.session.execute(delete(DayResultRow).where(DayResultRow.job_id.in_(job_ids)))
            self.session.execute(delete(ScenarioFileRow).where(ScenarioFileRow.job_id.in_(job_ids)))
            self.session.execute(
                delete(ScenarioBatchRow).where(ScenarioBatchRow.job_id.in_(job_ids))
            )
            self.session.execute(delete(Job).where(Job.id.in_(job_ids)))
        result = self.session.execute(delete(Plan).where(Plan.id == plan_id))
        return bool(getattr(result, "rowcount", 0))


class DetailsRepository:
    """A plan's passenger details (:class:`PassengerDetail`): display fields for manifests."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def replace(self, plan_id: str, rows: Sequence[PassengerDetail]) -> None:
        """The plan's details become ``rows`` (earlier ones are erased)."""
        self.delete(plan_id)
        now = utcnow()
        for row in rows:
            row.plan_id = plan_id
            row.updated_at = now
            self.session.add(row)
        self.session.flush()

    def of_plan(self, plan_id: str) -> dict[str, PassengerDetail]:
        """The plan's details by passenger id (empty when none were given)."""
        return {
            row.passenger_id: row
            for row in self.session.scalars(
                select(PassengerDetail)
                .where(PassengerDetail.plan_id == plan_id)
                .order_by(PassengerDetail.passenger_id)
            )
        }

    def delete(self, plan_id: str) -> int:
        """Erase the plan's details; how many passengers had some."""
        result = self.session.execute(
            delete(PassengerDetail).where(PassengerDetail.plan_id == plan_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class JobRepository:
    """Jobs as the API reads them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, job_id: str, organisation: str | None = None) -> Job | None:
        """The job with this id (None when it belongs to another ``organisation``)."""
        job = self.session.get(Job, job_id)
        return job if job is not None and _visible(job.organisation, organisation) else None

    def page(
        self,
        where: ListFilter,
        statuses: Sequence[str] = (),
        kinds: Sequence[str] = (),
    ) -> Page[Job]:
        """The organisation's jobs, newest first (of ``statuses`` and ``kinds`` when given)."""

        def filtered(query: Any) -> Any:
            query = listed(query, Job, where)
            if statuses:
                query = query.where(Job.status.in_(list(statuses)))
            if kinds:
                query = query.where(Job.kind.in_(list(kinds)))
            return query

        return page_of(self.session, Job, filtered, where)

    def plan_of(self, job: Job) -> Plan:
        """The job's plan."""
        plan = self.session.get(Plan, job.plan_id)
        assert plan is not None, "a job's plan is deleted with it"
        return plan

    def count_active(self, key_id: str) -> int:
        """Queued and running jobs of a key."""
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(Job)
                .where(Job.key_id == key_id, Job.status.in_(ACTIVE_STATUSES))
            )
            or 0
        )

    def day_results(self, job_id: str) -> Sequence[DayResultRow]:
        """The job's solved day-directions."""
        return self.session.scalars(select(DayResultRow).where(DayResultRow.job_id == job_id)).all()

    def day_result(self, job_id: str, day: str, direction: str) -> DayResultRow | None:
        """One solved day-direction of the job."""
        return self.session.get(DayResultRow, (job_id, day, direction))

    def cancel_queued(self, job_id: str) -> bool:
        """Cancel a job nobody has claimed; False if it is not queued."""
        now = utcnow()
        result = self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
            .values(
                status=JobStatus.CANCELLED.value,
                cancel_requested=True,
                finished_at=now,
                updated_at=now,
                lease_token=None,
                lease_expires_at=None,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def request_cancel(self, job_id: str) -> bool:
        """Ask the worker of a running job to stop; False if it is not running."""
        result = self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
            .values(cancel_requested=True, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    def counts_by_status(self) -> dict[str, int]:
        """Number of jobs per status (for /metrics)."""
        rows = self.session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
        return {str(status): int(count) for status, count in rows}

    def oldest_queued_created(self) -> Any:
        """When the oldest queued job was submitted (None if none is queued)."""
        return self.session.scalar(
            select(func.min(Job.created_at)).where(Job.status == JobStatus.QUEUED.value)
        )


BOTH_DIRECTIONS = ("to_centre", "from_centre")


class ScenarioRepository:
    """What-if batches: a base plan, its scenarios file and a ``scenarios`` job; outputs."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_with_job(
        self,
        *,
        key_id: str | None,
        organisation: str = DEFAULT_ORGANISATION,
        plan_json: str,
        scenarios_json: str,
        num_passengers: int,
        num_vehicles: int,
        num_scenarios: int,
        request_sha256: str,
        time_limit_s: float,
        max_attempts: int,
        progress: dict[str, Any],
    ) -> tuple[Plan, Job]:
        """Store the base plan and the scenarios, and queue one ``scenarios`` job.

        ``time_limit_s``: seconds per scenario week. Every scenario week is routed on all
        weekdays and both directions, which the job's ``days``/``directions`` record.
        """
        now = utcnow()
        plan = Plan(
            id=new_id(),
            key_id=key_id,
            organisation=organisation,
            created_at=now,
            source_format="dagrute",
            plan_json=plan_json,
            source_json=None,
            num_passengers=num_passengers,
            num_vehicles=num_vehicles,
            idempotency_key=None,
            request_sha256=request_sha256,
        )
        job = queued_job(
            plan_id=plan.id,
            key_id=key_id,
            organisation=organisation,
            kind=JobKind.SCENARIOS,
            days=DAYS,
            directions=BOTH_DIRECTIONS,
            time_limit_s=time_limit_s,
            max_attempts=max_attempts,
            progress=progress,
        )
        self.session.add(plan)
        self.session.flush()
        self.session.add(job)
        self.session.flush()
        self.session.add(
            ScenarioBatchRow(
                job_id=job.id,
                scenarios_json=scenarios_json,
                num_scenarios=num_scenarios,
                created_at=now,
            )
        )
        self.session.flush()
        return plan, job

    def job(self, job_id: str, organisation: str | None = None) -> Job | None:
        """The ``scenarios`` job with this id.

        None for no job, a job of another kind, or a job of another ``organisation``.
        """
        job = self.session.get(Job, job_id)
        if job is None or not _visible(job.organisation, organisation):
            return None
        return job if job.kind == JobKind.SCENARIOS.value else None

    def batch(self, job_id: str) -> ScenarioBatchRow | None:
        """The job's scenarios file."""
        return self.session.get(ScenarioBatchRow, job_id)

    def file(self, job_id: str, path: str) -> str | None:
        """The content of one output file of the job (None: no such file)."""
        row = self.session.get(ScenarioFileRow, (job_id, path))
        return None if row is None else row.content

    def file_paths(self, job_id: str) -> list[str]:
        """Paths of the job's output files, sorted."""
        return sorted(
            self.session.scalars(
                select(ScenarioFileRow.path).where(ScenarioFileRow.job_id == job_id)
            )
        )


class DayVersionRepository:
    """A solved week's day versions (:class:`DayVersion`) and the re-plan jobs that make them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def versions(self, week_job_id: str, day: str) -> Sequence[DayVersion]:
        """Every version of the day after the solved one (1, 2, ...), pending ones included."""
        return self.session.scalars(
            select(DayVersion)
            .where(DayVersion.week_job_id == week_job_id, DayVersion.day == day)
            .order_by(DayVersion.version)
        ).all()

    def get(self, week_job_id: str, day: str, version: int) -> DayVersion | None:
        """One version (None if there is no such version; version 0 is never a row)."""
        return self.session.get(DayVersion, (week_job_id, day, version))

    def current(self, week_job_id: str, day: str, below: int | None = None) -> DayVersion | None:
        """The latest version with a result (below ``below`` when given); None: version 0."""
        query = select(DayVersion).where(
            DayVersion.week_job_id == week_job_id,
            DayVersion.day == day,
            DayVersion.result_json.is_not(None),
        )
        if below is not None:
            query = query.where(DayVersion.version < below)
        return self.session.scalars(query.order_by(DayVersion.version.desc()).limit(1)).first()

    def of_job(self, job_id: str) -> DayVersion | None:
        """The version a ``replan`` job makes."""
        return self.session.scalars(select(DayVersion).where(DayVersion.job_id == job_id)).first()

    def _next_number(self, week_job_id: str, day: str) -> int:
        last = self.session.scalar(
            select(func.max(DayVersion.version)).where(
                DayVersion.week_job_id == week_job_id, DayVersion.day == day
            )
        )
        return int(last or 0) + 1

    def add_replan(
        self,
        week: Job,
        *,
        day: str,
        directions: Sequence[str],
        changes_json: str,
        note: str,
        key_id: str | None,
        role: str | None,
        time_limit_s: float,
        max_attempts: int,
    ) -> tuple[DayVersion, Job]:
        """Queue a ``replan`` job of ``week``'s ``day`` and the version it will fill in."""
        job = queued_job(
            plan_id=week.plan_id,
            key_id=key_id,
            organisation=week.organisation,
            kind=JobKind.REPLAN,
            days=[day],
            directions=directions,
            time_limit_s=time_limit_s,
            max_attempts=max_attempts,
            previous_job_id=week.id,
        )
        self.session.add(job)
        self.session.flush()
        version = DayVersion(
            week_job_id=week.id,
            day=day,
            version=self._next_number(week.id, day),
            kind=VersionKind.REPLAN.value,
            job_id=job.id,
            based_on=0,
            key_id=key_id,
            role=role,
            note=note,
            changes_json=changes_json,
            created_at=job.created_at,
        )
        self.session.add(version)
        self.session.flush()
        return version, job

    def add_restore(
        self,
        week: Job,
        *,
        day: str,
        based_on: int,
        in_force_json: str,
        result_json: str,
        diff_json: str,
        violations_json: str,
        note: str,
        key_id: str | None,
        role: str | None,
    ) -> DayVersion:
        """A new current version with an earlier version's routes and changes in force."""
        version = DayVersion(
            week_job_id=week.id,
            day=day,
            version=self._next_number(week.id, day),
            kind=VersionKind.RESTORE.value,
            job_id=None,
            based_on=based_on,
            key_id=key_id,
            role=role,
            note=note,
            changes_json='{"changes": []}',
            in_force_json=in_force_json,
            result_json=result_json,
            diff_json=diff_json,
            violations_json=violations_json,
            created_at=utcnow(),
        )
        self.session.add(version)
        self.session.flush()
        return version
