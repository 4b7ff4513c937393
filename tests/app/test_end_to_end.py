"""A worker solves submitted plans; every result is re-checked; all result forms answer."""

from __future__ import annotations

from collections.abc import Callable

from servicekit import Service, ThreadWorker, service_settings, tiny_plan


def test_submitted_plan_is_solved_by_a_worker_and_every_form_of_the_result_answers(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    response = service.post("/v1/plans", json=tiny_plan(), params={"day": "mon"})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert response.headers["location"] == f"/v1/jobs/{job_id}"
    start_thread_worker(service_settings(sqlite_url), processes=2)
    job = service.wait_for(job_id)
    assert job["status"] == "succeeded", job
    assert job["num_violations"] == 0
    assert job["progress"]["day_directions_done"] == 2
    assert job["progress"]["cost_so_far"] > 0
    result = service.get(f"/v1/jobs/{job_id}/result").json()
    assert [(p["day"], p["direction"]) for p in result["plans"]] == [
        ("mon", "to_centre"),
        ("mon", "from_centre"),
    ]
    assert result["totals"]["unassigned_trips"] == 0
    day = service.get(f"/v1/jobs/{job_id}/days/mon/to_centre", role="dispatcher")
    assert day.status_code == 200 and day.json() == result["plans"][0]
    geojson = service.get(f"/v1/jobs/{job_id}/geojson")
    assert geojson.headers["content-type"].startswith("application/geo+json")
    assert geojson.json()["features"]
    vehicle_id = result["plans"][0]["routes"][0]["vehicle_id"]
    manifest = service.get(f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}", role="dispatcher")
    assert manifest.status_code == 200, manifest.text
    stops = manifest.json()["routes"][0]["stops"]
    boarded = [p for stop in stops for p in stop["boarding"]]
    assert boarded and all(set(p) >= {"passenger_id", "mobility", "escorts"} for p in boarded)
    html = service.get(
        f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}",
        role="dispatcher",
        headers={"Accept": "text/html"},
    )
    assert html.headers["content-type"].startswith("text/html")
    assert "<table>" in html.text and vehicle_id in html.text
    # Personal data: never cached; the printable page may load and run nothing.
    assert html.headers["cache-control"] == "no-store"
    assert html.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src" not in html.headers["content-security-policy"]
