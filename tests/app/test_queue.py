"""The job queue's lease rules, on SQLite and on PostgreSQL (no solving: rows only)."""

from __future__ import annotations

import json
import threading
import time

from servicekit import tiny_plan

from app.db.models import DayResultRow, Job, JobStatus
from app.db.repositories import JobRepository, PlanRepository
from app.db.session import Database
from app.jobs import queue
from app.jobs.queue import Heartbeat
from app.jobs.reaper import reap

PLAN_JSON = json.dumps(tiny_plan())


def add_job(database: Database, max_attempts: int = 2) -> str:
    with database.write() as session:
        _, job = PlanRepository(session).add_with_job(
            key_id=None,
            plan_json=PLAN_JSON,
            source_format="dagrute",
            source_json=None,
            num_passengers=4,
            num_vehicles=2,
            idempotency_key=None,
            request_sha256="x",
            days=["mon"],
            directions=["to_centre", "from_centre"],
            time_limit_s=2.0,
            max_attempts=max_attempts,
        )
        return job.id


def job_row(database: Database, job_id: str) -> Job:
    with database.read() as session:
        job = JobRepository(session).get(job_id)
        assert job is not None
        return job


DAY_JSON = {
    "day": "mon", "direction": "to_centre", "routes": [], "unassigned": [],
    "kpis": {"vehicles": 0, "passengers": 0, "unassigned": 0, "km": 0.0, "vehicle_hours": 0.0,
             "cost": 0.0, "mean_ride_min": 0.0, "max_ride_min": 0.0, "mean_ride_ratio": 0.0},
    "solve_s": 0.0,
}  # fmt: skip


def test_a_job_is_claimed_once_and_the_claim_counts_an_attempt(database: Database) -> None:
    job_id = add_job(database)
    claim = queue.claim_next(database, "w1", lease_s=30)
    assert claim is not None and claim.job_id == job_id and claim.attempt == 1
    assert queue.claim_next(database, "w2", lease_s=30) is None
    assert job_row(database, job_id).status == "running"


def test_concurrent_claimers_never_share_a_job(database: Database, database_url: str) -> None:
    job_ids = {add_job(database) for _ in range(6)}
    claimed: list[str] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        own = Database(database_url)
        while True:
            claim = queue.claim_next(own, name, lease_s=30)
            if claim is None:
                break
            with lock:
                claimed.append(claim.job_id)
        own.dispose()

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claimed) == sorted(job_ids)


def test_an_expired_lease_makes_the_job_claimable_and_the_old_holder_can_write_nothing(
    database: Database,
) -> None:
    job_id = add_job(database, max_attempts=3)
    first = queue.claim_next(database, "w1", lease_s=30, now=1000.0)
    assert first is not None
    assert queue.claim_next(database, "w2", lease_s=30, now=1010.0) is None
    second = queue.claim_next(database, "w2", lease_s=30, now=time.time())
    assert second is not None and second.job_id == job_id and second.attempt == 2
    assert queue.heartbeat(database, first, 30) is Heartbeat.LOST
    assert not queue.store_day(database, first, 30, "mon", "to_centre", DAY_JSON, [])
    assert not queue.finish(database, first, JobStatus.SUCCEEDED, result={"plans": []})
    assert queue.store_day(database, second, 30, "mon", "to_centre", DAY_JSON, [])
    assert queue.finish(database, second, JobStatus.SUCCEEDED, result={"plans": []})
    assert job_row(database, job_id).status == "succeeded"


def test_reaping_requeues_then_fails_after_the_last_attempt_keeping_solved_days(
    database: Database,
) -> None:
    job_id = add_job(database, max_attempts=2)
    claim = queue.claim_next(database, "w1", lease_s=1)
    assert claim is not None
    assert reap(database, now=time.time() + 5) == 1
    job = job_row(database, job_id)
    assert job.status == "queued" and job.attempts == 1 and job.lease_token is None
    claim = queue.claim_next(database, "w2", lease_s=1)
    assert claim is not None and claim.attempt == 2
    assert queue.store_day(database, claim, 1, "mon", "to_centre", DAY_JSON, [])
    assert reap(database, now=time.time() + 5) == 1
    job = job_row(database, job_id)
    assert job.status == "failed" and job.is_partial
    assert json.loads(job.error_json or "{}")["errors"][0]["code"] == "JOB_WORKER_LOST"
    assert [p["day"] for p in json.loads(job.result_json or "{}")["plans"]] == ["mon"]
    assert queue.claim_next(database, "w3", lease_s=1) is None


def test_a_released_job_goes_back_to_the_queue_without_counting_the_attempt(
    database: Database,
) -> None:
    job_id = add_job(database)
    claim = queue.claim_next(database, "w1", lease_s=30)
    assert claim is not None and queue.release(database, claim)
    job = job_row(database, job_id)
    assert (job.status, job.attempts) == ("queued", 0)


def test_a_cancel_reaches_the_worker_through_its_heartbeat_and_a_dead_worker_is_settled(
    database: Database,
) -> None:
    job_id = add_job(database)
    claim = queue.claim_next(database, "w1", lease_s=1)
    assert claim is not None
    with database.write() as session:
        assert JobRepository(session).request_cancel(job_id)
    assert queue.heartbeat(database, claim, 1) is Heartbeat.CANCEL
    reap(database, now=time.time() + 5)  # the worker died before acting on it
    assert job_row(database, job_id).status == "cancelled"


def test_erasing_a_plan_erases_its_jobs_and_their_results(database: Database) -> None:
    job_id = add_job(database)
    claim = queue.claim_next(database, "w1", lease_s=30)
    assert claim is not None
    assert queue.store_day(database, claim, 30, "mon", "to_centre", DAY_JSON, [])
    with database.write() as session:
        assert PlanRepository(session).delete(claim.plan_id)
    with database.read() as session:
        assert session.get(Job, job_id) is None
        assert session.get(DayResultRow, (job_id, "mon", "to_centre")) is None
    assert queue.heartbeat(database, claim, 30) is Heartbeat.LOST


def test_re_plans_of_one_day_run_one_at_a_time_in_the_order_they_were_recorded(
    database: Database,
) -> None:
    """A re-plan starts from the day's latest version: two at once would lose changes."""
    from app.db.repositories import DayVersionRepository

    week_id = add_job(database)
    with database.write() as session:
        week = session.get(Job, week_id)
        assert week is not None
        week.status = JobStatus.SUCCEEDED.value
        repo = DayVersionRepository(session)
        ids = []
        for day in ("mon", "mon", "tue"):
            _, job = repo.add_replan(
                week, day=day, directions=["to_centre"], changes_json='{"changes": []}',
                note="", key_id=None, role=None, time_limit_s=1.0, max_attempts=2,
            )  # fmt: skip
            ids.append(job.id)
            session.flush()
            time.sleep(0.01)  # distinct created_at, oldest first
    first, second, other_day = ids
    claimed = queue.claim_next(database, "w1", lease_s=30)
    assert claimed is not None and claimed.job_id == first
    # Monday's second re-plan waits for the first; Tuesday's goes ahead.
    claimed_tue = queue.claim_next(database, "w2", lease_s=30)
    assert claimed_tue is not None and claimed_tue.job_id == other_day
    assert queue.claim_next(database, "w3", lease_s=30) is None
    with database.write() as session:
        row = session.get(Job, first)
        assert row is not None
        row.status = JobStatus.SUCCEEDED.value
    claimed = queue.claim_next(database, "w3", lease_s=30)
    assert claimed is not None and claimed.job_id == second
