"""Jobs survive: a worker killed with SIGKILL mid-solve, a restart of the whole service, a
cancel in the middle of a job. Real processes; generous timeouts for slow machines."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

from servicekit import (
    ServeProcess,
    Service,
    ThreadWorker,
    WorkerProcess,
    is_gone,
    make_service,
    service_settings,
    tiny_plan,
    wait_for_job,
)

from app.api.keys import create_key
from app.db.session import Database


def test_a_worker_killed_mid_solve_leaves_no_solver_behind_and_the_job_is_rerun(
    database_url: str, start_worker_process: Callable[..., WorkerProcess]
) -> None:
    for service in make_service(service_settings(database_url)):
        job_id = service.post(
            "/v1/plans", json=tiny_plan(time_limit_s=3), params={"day": "mon"}
        ).json()["id"]
        first = start_worker_process(database_url)
        job = wait_for_job(service.get, job_id, statuses=("running",), timeout_s=60)
        deadline = time.monotonic() + 30
        while not job["progress"]["running"] and time.monotonic() < deadline:
            time.sleep(0.1)
            job = service.get(f"/v1/jobs/{job_id}").json()
        assert job["status"] == "running" and job["progress"]["running"], job
        solvers = [
            int(pid)
            for pid in re.findall(r"solver process ready\s+parent=\d+ pid=(\d+)", first.output())
        ]
        assert solvers, first.output()
        first.kill()
        deadline = time.monotonic() + 10
        while not all(is_gone(pid) for pid in solvers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(is_gone(pid) for pid in solvers), "solvers outlived their killed worker"
        start_worker_process(database_url)
        job = wait_for_job(service.get, job_id, timeout_s=60)
        assert job["status"] == "succeeded", job
        assert job["attempts"] == 2 and job["num_violations"] == 0
        result = service.get(f"/v1/jobs/{job_id}/result").json()
        assert len(result["plans"]) == 2


def test_a_solver_process_killed_mid_job_is_retried_and_the_job_succeeds(
    database_url: str, start_worker_process: Callable[..., WorkerProcess]
) -> None:
    for service in make_service(service_settings(database_url)):
        job_id = service.post(
            "/v1/plans", json=tiny_plan(time_limit_s=6), params={"day": "mon"}
        ).json()["id"]
        worker = start_worker_process(database_url)
        ready = r"solver process ready\s+parent=\d+ pid=(\d+)"
        deadline = time.monotonic() + 60
        while not re.search(ready, worker.output()) and time.monotonic() < deadline:
            time.sleep(0.1)
        solver = int(re.findall(ready, worker.output())[0])
        os.kill(solver, signal.SIGKILL)
        job = wait_for_job(service.get, job_id, timeout_s=90)
        assert job["status"] == "succeeded", (job, worker.output()[-3000:])
        assert job["attempts"] == 2 and job["num_violations"] == 0
        progress = job["progress"]
        assert progress["attempt"] == 2 and progress["running"] == []
        assert progress["day_directions_done"] == progress["day_directions_total"] == 2
        assert len(progress["notes"]) == 1
        assert "attempt 1: the solver process ended unexpectedly (signal 9)" in progress["notes"][0]
        assert is_gone(solver) and worker.process.poll() is None  # the worker lived on
        assert len(re.findall(ready, worker.output())) == 2
        result = service.get(f"/v1/jobs/{job_id}/result").json()
        assert [(p["day"], p["direction"]) for p in result["plans"]] == [
            ("mon", "to_centre"),
            ("mon", "from_centre"),
        ]


def test_queued_jobs_run_after_the_service_restarts(sqlite_url: str, tmp_path: Path) -> None:
    database = Database(sqlite_url)
    token = create_key(database, "planner", "planner").token
    database.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    log = tmp_path / "serve.log"
    serve = ServeProcess(sqlite_url, log, workers=0)
    try:
        job_id = serve.client.post(
            "/v1/plans", json=tiny_plan(), params={"day": "mon"}, headers=headers
        ).json()["id"]
        assert serve.client.get(f"/v1/jobs/{job_id}", headers=headers).json()["status"] == "queued"
    finally:
        serve.stop()
    serve = ServeProcess(sqlite_url, log, workers=1)
    try:
        job = wait_for_job(lambda p: serve.client.get(p, headers=headers), job_id)
        assert job["status"] == "succeeded", (job, serve.output()[-3000:])
        result = serve.client.get(f"/v1/jobs/{job_id}/result", headers=headers).json()
        assert [p["day"] for p in result["plans"]] == ["mon", "mon"]
    finally:
        serve.stop()


def test_cancelling_a_running_job_keeps_the_day_directions_already_solved(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    job_id = service.post(
        "/v1/plans", json=tiny_plan(time_limit_s=8), params={"day": "mon"}
    ).json()["id"]
    start_thread_worker(service_settings(sqlite_url), processes=1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = service.get(f"/v1/jobs/{job_id}").json()
        if job["progress"]["day_directions_done"] >= 1 or (
            job["status"] != "queued" and job["status"] != "running"
        ):
            break
        time.sleep(0.1)
    assert job["status"] == "running" and job["progress"]["day_directions_done"] == 1, job
    response = service.delete(f"/v1/jobs/{job_id}")
    assert response.status_code == 202 and response.json()["cancel_requested"]
    job = service.wait_for(job_id, timeout_s=30)
    assert job["status"] == "cancelled" and job["is_partial"], job
    result = service.get(f"/v1/jobs/{job_id}/result")
    assert result.headers["dagrute-partial"] == "true"
    assert [(p["day"], p["direction"]) for p in result.json()["plans"]] == [("mon", "to_centre")]


def test_workers_stop_when_serve_is_killed_and_hand_their_job_back(
    sqlite_url: str, tmp_path: Path
) -> None:
    database = Database(sqlite_url)
    token = create_key(database, "planner", "planner").token
    headers = {"Authorization": f"Bearer {token}"}
    serve = ServeProcess(sqlite_url, tmp_path / "serve.log", workers=1)
    try:
        job_id = serve.client.post(
            "/v1/plans", json=tiny_plan(time_limit_s=20), params={"day": "mon"}, headers=headers
        ).json()["id"]
        wait_for_job(lambda p: serve.client.get(p, headers=headers), job_id, ("running",))
        workers = [
            int(pid) for pid in re.findall(r"worker process started\s+pid=(\d+)", serve.output())
        ]
        solvers = [
            int(pid)
            for pid in re.findall(r"solver process ready\s+parent=\d+ pid=(\d+)", serve.output())
        ]
        assert workers, serve.output()[-3000:]
        serve.process.kill()
        serve.process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while not all(map(is_gone, workers + solvers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(map(is_gone, workers + solvers)), "a worker or solver outlived dagrute serve"
    finally:
        serve.stop()
    # The worker handed its job back: it is queued again, its attempt not counted.
    serve = ServeProcess(sqlite_url, tmp_path / "serve.log", workers=0)
    try:
        job = serve.client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        assert job["status"] == "queued" and job["attempts"] == 0, job
    finally:
        serve.stop()
        database.dispose()
