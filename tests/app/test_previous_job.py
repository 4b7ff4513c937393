"""Stability over HTTP: a plan names an earlier job (``previous_job``) whose routes it keeps,
as the CLI's ``--previous`` does; a job that cannot serve is refused, naming it."""

from __future__ import annotations

from collections.abc import Callable

from servicekit import Service, ThreadWorker, service_settings, tiny_plan


def vehicles_of(result: dict) -> dict[tuple[str, str, str], str]:  # type: ignore[type-arg]
    """(passenger, day, direction) -> vehicle, from a week result JSON."""
    return {
        (pid, plan["day"], plan["direction"]): route["vehicle_id"]
        for plan in result["plans"]
        for route in plan["routes"]
        for stop in route["stops"]
        for pid in stop["pickups"]
    }


def test_a_plan_keeps_the_routes_of_the_job_it_names_and_counts_what_changed(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    plan = tiny_plan(num_passengers=5, days=("mon", "tue"), time_limit_s=4)
    first_id = service.post("/v1/plans", json=plan, params={"day": ["mon", "tue"]}).json()["id"]
    start_thread_worker(service_settings(sqlite_url), processes=1)
    assert service.wait_for(first_id)["status"] == "succeeded"
    response = service.post(
        "/v1/plans", json=plan, params={"day": ["mon", "tue"], "previous_job": first_id}
    )
    assert response.status_code == 202, response.text
    assert response.json()["previous_job_id"] == first_id
    job = service.wait_for(response.json()["id"])
    assert job["status"] == "succeeded" and job["num_violations"] == 0, job
    first = service.get(f"/v1/jobs/{first_id}/result").json()
    second = service.get(f"/v1/jobs/{job['id']}/result").json()
    totals = second["totals"]
    assert totals["unassigned_trips"] == 0
    assert totals["stability_compared_trips"] == len(vehicles_of(first))
    # The same week again: every passenger keeps the vehicle of the earlier job.
    assert totals["stability_vehicle_changed"] == 0
    assert vehicles_of(second) == vehicles_of(first)


def test_a_previous_job_that_has_no_week_is_refused_naming_it(service: Service) -> None:
    queued = service.post("/v1/plans", json=tiny_plan(), params={"day": "mon"}).json()["id"]
    for job_id in (queued, "no-such-job"):
        response = service.post(
            "/v1/plans", json=tiny_plan(), params={"day": "mon", "previous_job": job_id}
        )
        assert response.status_code == 422, response.text
        (error,) = response.json()["errors"]
        assert error["code"] == "INPUT_PREVIOUS_JOB" and error["id"] == job_id
        assert job_id in error["message"] and error["hint"]
