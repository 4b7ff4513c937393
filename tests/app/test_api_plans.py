"""Submitting plans: 202 with a job, every problem at once, limits, idempotency, the per-key
cap, cancelling and erasing. No worker runs here: jobs stay queued."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from servicekit import Service, make_service, service_settings, tiny_plan

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def assert_problem(response: object, status: int, *codes: str) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict = response.json()  # type: ignore[attr-defined,type-arg]
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    for error in body["errors"]:
        assert set(error) == {"code", "message", "hint", "path", "id"}
    assert {e["code"] for e in body["errors"]} >= set(codes)
    return body


def test_a_plan_is_queued_as_a_job_with_its_location(service: Service) -> None:
    response = service.post("/v1/plans", json=tiny_plan())
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] == "queued" and job["progress"]["day_directions_total"] == 10
    assert service.get(job["links"]["self"]).json()["id"] == job["id"]
    plan = service.get(job["links"]["plan"]).json()
    assert plan["job_ids"] == [job["id"]] and plan["num_passengers"] == 4


def test_day_and_direction_narrow_what_is_solved(service: Service) -> None:
    job = service.post(
        "/v1/plans", json=tiny_plan(), params={"day": ["tue", "mon"], "direction": "to_centre"}
    ).json()
    assert (job["days"], job["directions"]) == (["mon", "tue"], ["to_centre"])


def test_every_problem_of_a_bad_plan_is_listed_with_its_path_and_id(service: Service) -> None:
    plan = tiny_plan()
    plan["passengers"][0]["escorts"] = 9
    plan["passengers"][1]["centre_id"] = "NOPE"
    plan["vehicles"][0]["shift"] = {"start": "25:00", "end": "17:00"}
    body = assert_problem(service.post("/v1/plans", json=plan), 422, "INPUT_SCHEMA")
    paths = {e["path"] for e in body["errors"]}
    assert {"passengers[0].escorts", "vehicles[0].shift.start"} <= paths
    plan = tiny_plan()
    plan["passengers"][1]["centre_id"] = "NOPE"
    plan["vehicles"] = []
    body = assert_problem(
        service.post("/v1/plans", json=plan), 422, "INPUT_UNKNOWN_CENTRE", "INPUT_NO_VEHICLES"
    )
    unknown = next(e for e in body["errors"] if e["code"] == "INPUT_UNKNOWN_CENTRE")
    assert unknown["id"] == plan["passengers"][1]["id"]


def test_malformed_bodies_get_problems_not_server_errors(service: Service) -> None:
    bad = [b"{", b"[]", b"null", b'{"centres": 3}', "ø".encode("latin-1"), b'"x"']
    for body in bad:
        response = service.post(
            "/v1/plans", content=body, headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 422)
    assert_problem(
        service.post("/v1/plans", content=b"", headers={"Content-Type": "application/json"}),
        422,
        "INPUT_MALFORMED_JSON",
    )
    assert_problem(
        service.post("/v1/plans", content=b"a,b", headers={"Content-Type": "text/csv"}),
        415,
        "REQUEST_MEDIA_TYPE",
    )
    assert_problem(
        service.post("/v1/plans", json=tiny_plan(), params={"day": "sat"}), 422, "REQUEST_PARAMETER"
    )


def test_a_home_off_the_roads_is_refused_at_submission(service: Service) -> None:
    plan = tiny_plan()
    plan["passengers"][2]["home"] = {"lat": 60.5, "lon": 11.5}
    body = assert_problem(service.post("/v1/plans", json=plan), 422, "INPUT_OFF_ROAD")
    assert body["errors"][0]["path"] == "passengers[2].home"
    assert "60.5" not in json.dumps(body)


@pytest.fixture
def small_service(sqlite_url: str) -> Iterator[Service]:
    settings = service_settings(
        sqlite_url,
        max_passengers=3,
        max_vehicles=1,
        max_time_limit_s=60,
        max_body_bytes=20_000,
        max_active_jobs_per_key=2,
        retry_after_s=17,
    )
    yield from make_service(settings)


def test_limits_on_passengers_vehicles_time_and_body_size(small_service: Service) -> None:
    plan = tiny_plan()
    plan["settings"]["time_limit_s"] = 600
    body = assert_problem(
        small_service.post("/v1/plans", json=plan),
        422,
        "LIMIT_PASSENGERS",
        "LIMIT_VEHICLES",
        "LIMIT_TIME_LIMIT",
    )
    assert body["type"].endswith("limit-exceeded")
    huge = tiny_plan(num_passengers=2)
    huge["name"] = "x" * 30_000
    assert_problem(small_service.post("/v1/plans", json=huge), 413, "LIMIT_BODY_SIZE")


def test_a_key_with_too_many_unfinished_jobs_gets_429_with_retry_after(
    small_service: Service,
) -> None:
    plan = tiny_plan(num_passengers=2)
    plan["vehicles"] = plan["vehicles"][:1]
    for _ in range(2):
        assert small_service.post("/v1/plans", json=plan).status_code == 202
    response = small_service.post("/v1/plans", json=plan)
    assert_problem(response, 429, "LIMIT_ACTIVE_JOBS")
    assert response.headers["retry-after"] == "17"
    # Another key has its own cap.
    assert small_service.post("/v1/plans", json=plan, role="admin").status_code == 202


def test_the_same_idempotency_key_and_body_give_the_same_job(service: Service) -> None:
    headers = {"Idempotency-Key": "submit-42"}
    first = service.post("/v1/plans", json=tiny_plan(), headers=headers)
    again = service.post("/v1/plans", json=tiny_plan(), headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = service.post("/v1/plans", json=tiny_plan(num_passengers=3), headers=headers)
    assert_problem(other, 422, "IDEMPOTENCY_KEY_REUSED")
    # Keys are per API key: another caller may use the same string.
    assert (
        service.post("/v1/plans", json=tiny_plan(), headers=headers, role="admin").json()["id"]
        != first.json()["id"]
    )


def test_cancelling_a_queued_job_is_immediate_and_a_finished_one_is_refused(
    service: Service,
) -> None:
    job = service.post("/v1/plans", json=tiny_plan()).json()
    response = service.delete(f"/v1/jobs/{job['id']}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert_problem(service.delete(f"/v1/jobs/{job['id']}"), 409, "JOB_FINISHED")
    assert_problem(service.get(f"/v1/jobs/{job['id']}/result"), 409, "JOB_NO_RESULT")


def test_results_of_a_queued_job_are_not_there_yet(service: Service) -> None:
    job = service.post("/v1/plans", json=tiny_plan()).json()
    for path in ("result", "geojson", "days/mon/to_centre", "manifests/mon/V001"):
        assert_problem(service.get(f"/v1/jobs/{job['id']}/{path}"), 409)
    assert_problem(service.get(f"/v1/jobs/{job['id']}/days/sat/to_centre"), 422)
    assert_problem(service.get("/v1/jobs/no-such-job"), 404, "NOT_FOUND")


def test_erasing_a_plan_removes_it_and_its_jobs(service: Service) -> None:
    job = service.post("/v1/plans", json=tiny_plan()).json()
    assert service.delete(f"/v1/plans/{job['plan_id']}").status_code == 204
    assert_problem(service.get(f"/v1/jobs/{job['id']}"), 404)
    assert_problem(service.get(f"/v1/plans/{job['plan_id']}"), 404)
    assert_problem(service.delete(f"/v1/plans/{job['plan_id']}"), 404)


def test_the_plan_osm_file_is_ignored_with_a_note(service: Service) -> None:
    plan = tiny_plan()
    plan["osm_file"] = "/etc/passwd"
    job = service.post("/v1/plans", json=plan).json()
    assert any("osm_file is ignored" in note for note in job["progress"]["notes"])


def test_unknown_routes_and_methods_answer_problems(service: Service) -> None:
    assert_problem(service.client.get("/v2/nothing"), 404, "NOT_FOUND")
    assert_problem(service.client.put("/v1/plans"), 405, "METHOD_NOT_ALLOWED")


def test_health_and_metrics_answer_without_a_key(service: Service) -> None:
    health = service.client.get("/health").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    service.post("/v1/plans", json=tiny_plan())
    metrics = service.client.get("/metrics").text
    assert 'dagrute_jobs{status="queued"} 1.0' in metrics
    assert 'route="/v1/plans"' in metrics
