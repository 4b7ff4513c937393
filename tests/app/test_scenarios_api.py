"""What-if batches over HTTP: POST /v1/scenarios, progress, cancel, comparison, report.

The base week is the tiny plan (four passengers of one Oslo centre, Mondays only, two own
vehicles, 2 s per week) so that a batch of three weeks routes in seconds; a worker thread
runs it through the durable job queue, on SQLite and on PostgreSQL. Every scenario's routes
are re-checked through POST /v1/check, and the comparison's figures are recomputed from them.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from servicekit import Service, ThreadWorker, make_service, service_settings, tiny_plan
from sqlalchemy import text

from app.api.scenarios import MAX_SCENARIOS
from app.db.migrate import alembic_config, current_revision, head_revision, upgrade
from app.db.models import Job
from app.db.repositories import JobRepository, PlanRepository
from app.db.session import Database

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}
NAMES = {"Base week", "One passenger leaves", "Dearer hours, 20 NOK a trip"}


def scenarios_file(first_passenger: str, time_limit_s: float | None = None) -> dict[str, Any]:
    """Two what-ifs: the first passenger leaves; every vehicle +10% an hour and 20 NOK a trip."""
    document: dict[str, Any] = {
        "name": "tiny what-ifs",
        "scenarios": [
            {
                "id": "fewer",
                "name": "One passenger leaves",
                "changes": [
                    {"type": "remove_passengers", "select": {"passenger_ids": [first_passenger]}}
                ],
            },
            {
                "id": "dearer",
                "name": "Dearer hours, 20 NOK a trip",
                "changes": [
                    {"type": "tariff", "scale": {"per_hour": 1.1}, "set": {"per_trip": 20.0}}
                ],
            },
        ],
    }
    if time_limit_s is not None:
        document["time_limit_s"] = time_limit_s
    return document


def batch_body(time_limit_s: float | None = None) -> dict[str, Any]:
    plan = tiny_plan()
    return {"plan": plan, "scenarios": scenarios_file(plan["passengers"][0]["id"], time_limit_s)}


def assert_problem(response: Any, status: int, *codes: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    for error in body["errors"]:
        assert set(error) == {"code", "message", "hint", "path", "id"}
    assert {e["code"] for e in body["errors"]} >= set(codes)
    return body


def wait_for_batch(
    service: Service,
    batch_id: str,
    until: Callable[[dict[str, Any]], bool],
    timeout_s: float = 120.0,
) -> dict[str, Any]:
    """Poll the batch as the analyst until ``until`` holds (or the timeout: the caller asserts)."""
    deadline = time.monotonic() + timeout_s
    while True:
        batch: dict[str, Any] = service.get(f"/v1/scenarios/{batch_id}", role="analyst").json()
        if until(batch) or time.monotonic() > deadline:
            return batch
        time.sleep(0.2)


def finished(batch: dict[str, Any]) -> bool:
    return batch["status"] in ("succeeded", "failed", "cancelled")


@pytest.fixture
def service_db(database_url: str) -> Iterator[tuple[Service, str]]:
    """The app on SQLite and on PostgreSQL, with its database URL (for a worker)."""
    for service in make_service(service_settings(database_url)):
        yield service, database_url


# ------------------------------------------------------------------------ a whole batch


CANARY_ID = "CANARY-SCENARIO-5c1d"


@pytest.fixture
def info_logs() -> Iterator[None]:
    """Logs at INFO on the process's own stderr (fd 2, which capfd reads), whatever earlier
    tests configured; the configuration is restored afterwards."""
    previous = structlog.get_config()
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=sys.__stderr__),
        cache_logger_on_first_use=False,
    )
    yield
    structlog.configure(**previous)


def test_a_batch_is_routed_by_a_worker_and_its_outputs_agree_with_its_routes(
    service_db: tuple[Service, str],
    start_thread_worker: Callable[..., ThreadWorker],
    capfd: pytest.CaptureFixture[str],
    info_logs: None,
) -> None:
    service, database_url = service_db
    body = batch_body()
    # A canary passenger (the one who leaves): neither their id nor their home may be logged.
    body["plan"]["passengers"][0]["id"] = CANARY_ID
    body["scenarios"]["scenarios"][0]["changes"][0]["select"]["passenger_ids"] = [CANARY_ID]
    home = body["plan"]["passengers"][0]["home"]
    home_digits = [f"{home['lat']:.7f}"[-6:], f"{home['lon']:.7f}"[-6:]]
    response = service.post("/v1/scenarios", role="analyst", json=body)
    assert response.status_code == 202, response.text
    batch = response.json()
    assert response.headers["location"] == f"/v1/scenarios/{batch['id']}" == batch["links"]["self"]
    assert batch["status"] == "queued" and batch["num_scenarios"] == 2
    assert batch["progress"]["scenarios_total"] == 3  # the base and two scenarios
    assert batch["progress"]["time_limit_s_per_week"] == 2.0
    assert_problem(
        service.get(batch["links"]["comparison"], role="analyst"), 409, "JOB_NOT_FINISHED"
    )

    start_thread_worker(service_settings(database_url), processes=2)
    batch = wait_for_batch(service, batch["id"], finished)
    assert batch["status"] == "succeeded", batch
    assert batch["num_violations"] == 0 and batch["error"] is None
    progress = batch["progress"]
    assert progress["stage"] == "done" and progress["running"] == []
    assert progress["scenarios_done"] == progress["scenarios_total"] == 3  # three routings
    assert progress["last_done"] in NAMES

    comparison = service.get(batch["links"]["comparison"], role="analyst").json()
    assert comparison["name"] == "tiny what-ifs"
    assert [s["id"] for s in comparison["scenarios"]] == ["base", "fewer", "dearer"]
    assert comparison["run"]["num_solves"] == 3 and comparison["run"]["workers"] == 2
    rows = list(
        csv.DictReader(
            io.StringIO(service.get(batch["links"]["comparison_csv"], role="analyst").text)
        )
    )
    assert [r["scenario_id"] for r in rows] == ["base", "fewer", "dearer"]
    base, fewer, dearer = rows
    assert int(fewer["passengers"]) == int(base["passengers"]) - 1 == 3
    assert float(dearer["contract_extras_week"]) == pytest.approx(20.0 * int(dearer["trips"]))

    for scenario, row in zip(comparison["scenarios"], rows, strict=True):
        assert scenario["checker_violations"] == 0
        links = scenario["files"]
        assert links["result"] == f"/v1/scenarios/{batch['id']}/scenarios/{scenario['id']}/result"
        plan = service.get(links["plan"], role="analyst").json()
        result = service.get(links["result"], role="analyst").json()
        # Everyone attends Monday: every trip is carried, both ways.
        assert (
            int(row["trips"]) == 2 * len(plan["passengers"]) and int(row["unassigned_trips"]) == 0
        )
        # The figures are sums over the routes the batch wrote...
        routes = [route for day in result["plans"] for route in day["routes"]]
        assert int(row["peak_vehicles"]) == max(len(day["routes"]) for day in result["plans"])
        assert float(row["km"]) == pytest.approx(
            sum(day["kpis"]["km"] for day in result["plans"]), abs=0.01
        )
        assert len(routes) >= 2
        # ...and those routes pass the independent checker on the service's roads.
        check = service.post("/v1/check", role="analyst", json={"plan": plan, "result": result})
        assert check.status_code == 200 and check.json()["num_violations"] == 0, check.text
        costs = service.get(links["costs"], role="analyst").json()
        assert costs["operating_weeks"] == comparison["operating_weeks"]
    annual = [float(r["annual_cost"]) for r in rows]
    weekly = [float(r["weekly_cost"]) for r in rows]
    # Weekly figures are rounded to the øre: annual = weekly × weeks within weeks × 0.005 NOK.
    assert annual == pytest.approx([w * comparison["operating_weeks"] for w in weekly], abs=0.25)
    assert float(dearer["weekly_cost"]) > float(base["weekly_cost"])
    missing = service.get(f"/v1/scenarios/{batch['id']}/scenarios/fewer/attendance", role="analyst")
    assert_problem(missing, 404, "NOT_FOUND")  # no weekdays changed

    report = service.get(batch["links"]["report"], role="analyst")
    assert report.headers["content-type"].startswith("text/html")
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    assert "<svg" in report.text and "One passenger leaves" in report.text
    assert "<script" not in report.text and 'src="http' not in report.text
    # The batch is a job like any other for job readers.
    assert service.get(f"/v1/jobs/{batch['id']}", role="analyst").json()["status"] == "succeeded"
    base_plan = service.get(f"/v1/scenarios/{batch['id']}/scenarios/base/plan", role="analyst")
    assert CANARY_ID in base_plan.text  # the analyst gets their own data back...
    logged = capfd.readouterr()
    output = logged.out + logged.err
    assert "scenario job succeeded" in output  # ...while the logs (API, worker, batch) hold
    assert CANARY_ID not in output  # no passenger id
    assert not any(digits in output for digits in home_digits)  # and no coordinate


# ------------------------------------------------------------------------------ roles


def test_only_analysts_and_admins_run_and_read_batches(service: Service) -> None:
    for role in ("planner", "dispatcher"):
        refused = service.post("/v1/scenarios", role=role, json=batch_body())
        assert_problem(refused, 403, "AUTH_FORBIDDEN")
    assert_problem(service.client.post("/v1/scenarios", json=batch_body()), 401, "AUTH_MISSING")
    submitted = service.post("/v1/scenarios", role="admin", json=batch_body())
    assert submitted.status_code == 202, submitted.text
    batch_id = submitted.json()["id"]
    for role in ("planner", "dispatcher"):
        for path in ("", "/comparison", "/comparison.csv", "/report", "/scenarios/base/result"):
            assert_problem(service.get(f"/v1/scenarios/{batch_id}{path}", role=role), 403)
        assert_problem(service.delete(f"/v1/scenarios/{batch_id}", role=role), 403)
    assert service.get(f"/v1/scenarios/{batch_id}", role="analyst").status_code == 200


# ------------------------------------------------------------------------- bad input


def test_every_problem_is_listed_and_a_bad_change_names_its_scenario(service: Service) -> None:
    body = batch_body()
    body["plan"]["passengers"][0]["escorts"] = 9
    body["scenarios"]["scenarios"][1]["changes"][0]["scale"]["per_hour"] = -1
    body["scenarios"]["scenarios"].append({"id": "bad type", "changes": []})
    problem = assert_problem(service.post("/v1/scenarios", role="analyst", json=body), 422)
    by_path = {e["path"]: e for e in problem["errors"]}
    assert "plan.passengers[0].escorts" in by_path
    tariff = by_path["scenarios.scenarios[1].changes[0].scale.per_hour"]
    assert tariff["code"] == "INPUT_SCHEMA" and tariff["id"] == "dearer"
    assert "Scenario dearer" in tariff["message"]
    assert "scenarios.scenarios[2].id" in by_path

    body = batch_body()
    passenger = body["plan"]["passengers"][1]["id"]
    body["scenarios"]["scenarios"] += [
        {"id": "gone", "changes": [{"type": "close_centre", "centre_id": "C99"}]},
        {
            "id": "late",
            "changes": [
                {"type": "remove_passengers", "select": {"passenger_ids": [passenger]}},
                {"type": "optimise_days", "allowed": {passenger: ["tue"]}},
            ],
        },
        {"id": "base", "changes": []},
    ]
    problem = assert_problem(
        service.post("/v1/scenarios", role="analyst", json=body),
        422,
        "SCENARIO_UNKNOWN_CENTRE",
        "SCENARIO_UNKNOWN_PASSENGER",
        "SCENARIO_DUPLICATE_ID",
    )
    assert len(problem["errors"]) == 3
    gone, late, base = problem["errors"]
    assert gone["path"] == "scenarios.scenarios[2].changes[0]" and gone["id"] == "C99"
    assert gone["message"] == "Scenario gone: Centre C99 is not in the week."
    assert late["path"] == "scenarios.scenarios[3].changes[1]" and late["id"] == passenger
    assert late["message"].startswith("Scenario late: ")
    assert base["path"] == "scenarios.scenarios[4].id"
    assert all(e["hint"] for e in problem["errors"])


def test_malformed_bodies_and_limits_are_refused(service: Service) -> None:
    for body in (b"[]", b'{"plan": {}}', b'{"plan": {}, "scenarios": {}, "x": 1}', b"{"):
        response = service.post(
            "/v1/scenarios",
            role="analyst",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert_problem(response, 422)
    as_text = batch_body()
    as_text["scenarios"] = json.dumps(as_text["scenarios"])  # a string is not a scenarios file
    assert_problem(service.post("/v1/scenarios", role="analyst", json=as_text), 422, "INPUT_SCHEMA")
    too_long = batch_body(time_limit_s=10_000)
    problem = assert_problem(
        service.post("/v1/scenarios", role="analyst", json=too_long), 422, "LIMIT_TIME_LIMIT"
    )
    assert problem["errors"][0]["path"] == "scenarios.time_limit_s"
    fleet = batch_body()
    fleet["scenarios"]["scenarios"][0]["changes"] = [
        {"type": "add_vehicles", "like": fleet["plan"]["vehicles"][0]["id"], "count": 10**9}
    ]
    problem = assert_problem(
        service.post("/v1/scenarios", role="analyst", json=fleet), 422, "LIMIT_VEHICLES"
    )
    assert problem["errors"][0]["id"] == "fewer"
    many = batch_body()
    many["scenarios"]["scenarios"] = [
        {"id": f"s{i}", "changes": []} for i in range(MAX_SCENARIOS + 1)
    ]
    assert_problem(service.post("/v1/scenarios", role="analyst", json=many), 422, "LIMIT_SCENARIOS")


# ----------------------------------------------------------------- cancel and lookups


def test_a_queued_batch_is_cancelled_at_once_and_unknown_ids_are_not_found(
    service: Service,
) -> None:
    batch = service.post("/v1/scenarios", role="analyst", json=batch_body()).json()
    cancelled = service.delete(f"/v1/scenarios/{batch['id']}", role="analyst")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert_problem(
        service.delete(f"/v1/scenarios/{batch['id']}", role="analyst"), 409, "JOB_FINISHED"
    )
    assert_problem(
        service.get(f"/v1/scenarios/{batch['id']}/report", role="analyst"), 409, "JOB_NO_RESULT"
    )
    assert_problem(service.get("/v1/scenarios/nope", role="analyst"), 404, "NOT_FOUND")
    plan_job = service.post("/v1/plans", json=tiny_plan()).json()  # a plain solve, not a batch
    assert_problem(service.get(f"/v1/scenarios/{plan_job['id']}", role="analyst"), 404, "NOT_FOUND")
    # Erasing the base plan erases the batch.
    assert service.delete(f"/v1/plans/{batch['plan_id']}").status_code == 204
    assert_problem(service.get(f"/v1/scenarios/{batch['id']}", role="analyst"), 404)


def test_a_running_batch_shows_its_progress_and_stops_when_cancelled(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    batch = service.post("/v1/scenarios", role="analyst", json=batch_body(time_limit_s=60)).json()
    start_thread_worker(service_settings(sqlite_url), processes=1)
    running = wait_for_batch(
        service, batch["id"], lambda b: finished(b) or bool(b["progress"]["running"])
    )
    assert running["status"] == "running", running
    progress = running["progress"]
    assert progress["stage"] == "solving" and progress["scenarios_total"] == 3
    assert len(progress["running"]) == 1  # one solver process: one scenario week at a time
    assert progress["running"][0] in NAMES
    asked = service.delete(f"/v1/scenarios/{batch['id']}", role="analyst")
    assert asked.status_code == 202 and asked.json()["cancel_requested"]
    ended = wait_for_batch(service, batch["id"], finished, timeout_s=30)
    assert ended["status"] == "cancelled" and ended["progress"]["stage"] == "cancelled"
    assert_problem(service.get(f"/v1/scenarios/{batch['id']}/comparison", role="analyst"), 409)


# -------------------------------------------------------------------------- migration


def test_the_migration_keeps_existing_jobs_as_solves_and_downgrades(database: Database) -> None:
    from alembic import command

    command.downgrade(alembic_config(database), "0001")
    assert current_revision(database) == "0001"
    with database.write() as session:
        session.execute(
            text(
                "INSERT INTO plans (id, created_at, source_format, plan_json, num_passengers, "
                "num_vehicles, request_sha256) VALUES ('p1', :now, 'dagrute', '{}', 0, 0, 'x')"
            ),
            {"now": "2026-01-01 00:00:00"},
        )
        session.execute(
            text(
                "INSERT INTO jobs (id, plan_id, status, days, directions, time_limit_s, "
                "created_at, updated_at, attempts, max_attempts, cancel_requested, is_partial) "
                "VALUES ('j1', 'p1', 'succeeded', 'mon', 'to_centre', 2, :now, :now, 1, 3, "
                "false, false)"
            ),
            {"now": "2026-01-01 00:00:00"},
        )
    upgrade(database)
    assert current_revision(database) == head_revision()
    with database.read() as session:
        job = JobRepository(session).get("j1")
        assert isinstance(job, Job) and job.kind == "solve"
    with database.write() as session:
        assert PlanRepository(session).delete("p1")
    command.downgrade(alembic_config(database), "0001")
    upgrade(database)


def test_a_stopping_worker_gives_a_running_batch_back_to_the_queue(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    batch = service.post("/v1/scenarios", role="analyst", json=batch_body(time_limit_s=60)).json()
    worker = start_thread_worker(service_settings(sqlite_url), processes=1)
    running = wait_for_batch(
        service, batch["id"], lambda b: finished(b) or bool(b["progress"]["running"])
    )
    assert running["status"] == "running", running
    worker.stop()
    released = service.get(f"/v1/scenarios/{batch['id']}", role="analyst").json()
    assert released["status"] == "queued" and released["attempts"] == 0  # not counted
