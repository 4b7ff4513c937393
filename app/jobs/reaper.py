"""Settle jobs whose worker stopped renewing its lease (killed, crashed, machine lost).

Run by every worker before it looks for work and by the API every few seconds, so that no
job stays ``running`` long after its lease expired, even when no worker is left.
"""

from __future__ import annotations

import json
import time

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import convert
from app.db.models import DayResultRow, Job, JobStatus, Plan, utcnow
from app.db.session import Database
from app.errors import SERVICE_CODES, error_item, problem_body
from app.jobs.queue import expired_jobs

log = structlog.get_logger("app.jobs.reaper")


def reap(database: Database, now: float | None = None) -> int:
    """Requeue, fail or cancel every running job whose lease has expired; return how many."""
    now = time.time() if now is None else now
    settled = 0
    for job_id in expired_jobs(database, now):
        with database.write() as session:
            job = session.get(Job, job_id, with_for_update=database.is_postgresql)
            if job is None or job.status != JobStatus.RUNNING.value:
                continue
            if job.lease_expires_at is None or job.lease_expires_at >= now:
                continue
            stamp = utcnow()
            job.lease_token = None
            job.lease_expires_at = None
            job.updated_at = stamp
            if job.cancel_requested or job.attempts >= job.max_attempts:
                _settle(session, job, cancelled=job.cancel_requested)
                job.finished_at = stamp
            else:
                job.status = JobStatus.QUEUED.value
                job.worker_id = None
                progress = json.loads(job.progress_json or "{}")
                progress.update(stage="queued", running=[])
                job.progress_json = json.dumps(progress)
            settled += 1
            log.warning("lease expired", job=job_id, attempts=job.attempts, status=job.status)
    return settled


def _settle(session: Session, job: Job, *, cancelled: bool) -> None:
    """End ``job`` as cancelled or failed (worker lost), keeping solved day-directions."""
    rows = list(session.scalars(select(DayResultRow).where(DayResultRow.job_id == job.id)))
    plan = session.get(Plan, job.plan_id)
    if rows and plan is not None:
        pairs = convert.day_direction_pairs(job.days.split(","), job.directions.split(","))
        result, violations = convert.assemble_week(plan.plan_json, rows, pairs)
        job.result_json = json.dumps(result)
        job.violations_json = json.dumps(violations)
        job.is_partial = True
    progress = json.loads(job.progress_json or "{}")
    progress.update(stage="cancelled" if cancelled else "failed", running=[])
    job.progress_json = json.dumps(progress)
    if cancelled:
        job.status = JobStatus.CANCELLED.value
        return
    job.status = JobStatus.FAILED.value
    message = SERVICE_CODES["JOB_WORKER_LOST"]
    job.error_json = json.dumps(
        problem_body(
            500,
            "internal",
            f"The job's worker stopped {job.attempts} times; the job was given up.",
            [
                error_item(
                    "JOB_WORKER_LOST",
                    message,
                    "Submit the plan again; if it happens again, tell the operator (workers "
                    "may be running out of memory).",
                )
            ],
        )
    )
