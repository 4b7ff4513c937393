"""Repositories: the queries the API and the CLI make, one class per table group.

The job queue's lease operations (claim, heartbeat, conditional result writes) live in
``app.jobs.queue``; these are the plain reads and writes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.db.models import (
    ACTIVE_STATUSES,
    ApiKey,
    DayResultRow,
    Job,
    JobKind,
    JobStatus,
    Plan,
    ScenarioBatchRow,
    ScenarioFileRow,
    utcnow,
)
from solver.domain import DAYS


def new_id() -> str:
    """A random UUID4 as text (plan and job ids)."""
    return str(uuid.uuid4())


class KeyRepository:
    """API keys."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key_id: str, name: str, role: str, salt: str, secret_sha256: str) -> ApiKey:
        """Store a new key (its hash, never the token)."""
        key = ApiKey(id=key_id, name=name, role=role, salt=salt, secret_sha256=secret_sha256)
        self.session.add(key)
        self.session.flush()
        return key

    def get(self, key_id: str) -> ApiKey | None:
        """The key with this id."""
        return self.session.get(ApiKey, key_id)

    def list(self) -> Sequence[ApiKey]:
        """Every key, oldest first."""
        return self.session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; False if there is no such (unrevoked) key."""
        result = self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    def touch(self, key_id: str) -> None:
        """Record that the key was used now."""
        self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow())
        )


class PlanRepository:
    """Plans and the jobs made from them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_with_job(
        self,
        *,
        key_id: str | None,
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
        """Store a plan and queue one job solving it."""
        plan = Plan(
            id=new_id(),
            key_id=key_id,
            created_at=utcnow(),
            source_format=source_format,
            plan_json=plan_json,
            source_json=source_json,
            num_passengers=num_passengers,
            num_vehicles=num_vehicles,
            idempotency_key=idempotency_key,
            request_sha256=request_sha256,
        )
        now = utcnow()
        job = Job(
            id=new_id(),
            plan_id=plan.id,
            key_id=key_id,
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
            progress_json=json.dumps(
                {
                    "stage": "queued",
                    "day_directions_done": 0,
                    "day_directions_total": len(days) * len(directions),
                    "running": [],
                    "cost_so_far": None,
                    "notes": list(notes),
                }
            ),
        )
        self.session.add(plan)
        self.session.flush()
        self.session.add(job)
        self.session.flush()
        return plan, job

    def get(self, plan_id: str) -> Plan | None:
        """The plan with this id."""
        return self.session.get(Plan, plan_id)

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

    def delete(self, plan_id: str) -> bool:
        """Erase the plan, its jobs and their results; False if there is no such plan."""
        job_ids = self.job_ids(plan_id)
        if job_ids:
            # Explicit, so that erasure never depends on the backend enforcing cascades.
            self.session.execute(delete(DayResultRow).where(DayResultRow.job_id.in_(job_ids)))
            self.session.execute(delete(ScenarioFileRow).where(ScenarioFileRow.job_id.in_(job_ids)))
            self.session.execute(
                delete(ScenarioBatchRow).where(ScenarioBatchRow.job_id.in_(job_ids))
            )
            self.session.execute(delete(Job).where(Job.id.in_(job_ids)))
        result = self.session.execute(delete(Plan).where(Plan.id == plan_id))
        return bool(getattr(result, "rowcount", 0))


class JobRepository:
    """Jobs as the API reads them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, job_id: str) -> Job | None:
        """The job with this id."""
        return self.session.get(Job, job_id)

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
            created_at=now,
            source_format="dagrute",
            plan_json=plan_json,
            source_json=None,
            num_passengers=num_passengers,
            num_vehicles=num_vehicles,
            idempotency_key=None,
            request_sha256=request_sha256,
        )
        job = Job(
            id=new_id(),
            plan_id=plan.id,
            key_id=key_id,
            kind=JobKind.SCENARIOS.value,
            status=JobStatus.QUEUED.value,
            days=",".join(DAYS),
            directions=",".join(BOTH_DIRECTIONS),
            time_limit_s=time_limit_s,
            created_at=now,
            updated_at=now,
            attempts=0,
            max_attempts=max_attempts,
            cancel_requested=False,
            is_partial=False,
            progress_json=json.dumps(progress),
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

    def job(self, job_id: str) -> Job | None:
        """The ``scenarios`` job with this id (None for no job, or a job of another kind)."""
        job = self.session.get(Job, job_id)
        return job if job is not None and job.kind == JobKind.SCENARIOS.value else None

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
