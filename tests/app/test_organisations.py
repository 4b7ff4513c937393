"""Organisations: a key sees only its own organisation's plans, jobs, results, batches and
keys, through every route; an analyst reads results without passenger ids or places.

Every route with a stored resource's id in its path is tried with that id of organisation
A, by every role of organisation B (404, or 403 where the role lacks the permission, never
anything else), then by A's admin (never 404). A new route with an id and no line in
``ROUTE_IDS`` fails the first test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from servicekit import Service, ThreadWorker, service_settings, tiny_plan
from test_scenarios_api import batch_body
from test_security import EXPECTED

from app.api.keys import create_key
from app.security import ROLE_PERMISSIONS, Role

# Which stored resource fills each route's id: add a line when adding a route with an id.
ROUTE_IDS: dict[tuple[str, str], str] = {
    ("GET", "/v1/plans/{plan_id}"): "plan",
    ("DELETE", "/v1/plans/{plan_id}"): "plan",
    ("PUT", "/v1/plans/{plan_id}/details"): "plan",
    ("GET", "/v1/plans/{plan_id}/details"): "plan",
    ("DELETE", "/v1/plans/{plan_id}/details"): "plan",
    ("GET", "/v1/jobs/{job_id}"): "job",
    ("DELETE", "/v1/jobs/{job_id}"): "job",
    ("GET", "/v1/jobs/{job_id}/result"): "job",
    ("GET", "/v1/jobs/{job_id}/geojson"): "job",
    ("GET", "/v1/jobs/{job_id}/days/{day}/{direction}"): "job",
    ("GET", "/v1/jobs/{job_id}/days/{day}/{direction}/timeline"): "job",
    ("GET", "/v1/jobs/{job_id}/manifests/{day}/{vehicle_id}"): "job",
    ("POST", "/v1/jobs/{job_id}/days/{day}/changes"): "job",
    ("POST", "/v1/jobs/{job_id}/days/{day}/moves"): "job",
    ("GET", "/v1/jobs/{job_id}/days/{day}/versions"): "job",
    ("GET", "/v1/jobs/{job_id}/days/{day}/versions/{version}"): "job",
    ("POST", "/v1/jobs/{job_id}/days/{day}/versions/{version}/restore"): "job",
    ("GET", "/v1/scenarios/{job_id}"): "batch",
    ("DELETE", "/v1/scenarios/{job_id}"): "batch",
    ("GET", "/v1/scenarios/{job_id}/comparison"): "batch",
    ("GET", "/v1/scenarios/{job_id}/comparison.csv"): "batch",
    ("GET", "/v1/scenarios/{job_id}/report"): "batch",
    ("GET", "/v1/scenarios/{job_id}/scenarios/{scenario_id}/{part}"): "batch",
    ("DELETE", "/v1/keys/{key_id}"): "key",
}
NOT_STORED = {("GET", "/static/{path:path}")}  # the page's own files: no organisation's data
ORGANISATIONS = ("bergen", "askoy")
FIXED = {
    "{day}": "mon",
    "{direction}": "to_centre",
    "{vehicle_id}": "V1",
    "{part}": "plan",
    "{version}": "0",
}


def test_every_route_with_an_id_says_which_resource_it_names() -> None:
    with_ids = {route for route in EXPECTED if "{" in route[1]} - NOT_STORED
    assert with_ids == set(ROUTE_IDS), "add the new route to ROUTE_IDS"


def _url(path: str, ids: dict[str, str], resource: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(0)
        if name in FIXED:
            return FIXED[name]
        if name == "{scenario_id}":
            return "fewer"
        return ids[resource]

    return re.sub(r"\{[^}]+\}", fill, path)


def _keys(service: Service, organisation: str) -> dict[Role, str]:
    database = service.client.app.state.database  # type: ignore[attr-defined]
    return {
        role: create_key(database, f"{organisation}-{role.value}", role.value, organisation).token
        for role in Role
    }


def _call(service: Service, method: str, url: str, token: str) -> Any:
    body = {"passengers": []} if method == "PUT" else None  # the details: none
    return service.client.request(
        method, url, json=body, headers={"Authorization": f"Bearer {token}"}
    )


def test_no_route_shows_or_changes_another_organisations_data(service_any_db: Service) -> None:
    service = service_any_db
    a, b = (_keys(service, name) for name in ORGANISATIONS)
    submitted = _call_json(service, "/v1/plans?day=mon", tiny_plan(), a[Role.PLANNER])
    batch = _call_json(service, "/v1/scenarios", batch_body(), a[Role.ANALYST])
    spare = create_key(
        service.client.app.state.database,  # type: ignore[attr-defined]
        "spare",
        "dispatcher",
        ORGANISATIONS[0],
    )
    ids = {"plan": submitted["plan_id"], "job": submitted["id"], "batch": batch["id"]}
    ids["key"] = spare.id
    for (method, path), resource in ROUTE_IDS.items():
        url = _url(path, ids, resource)
        permission = EXPECTED[(method, path)]
        for role, token in b.items():
            response = _call(service, method, url, token)
            allowed = permission in ROLE_PERMISSIONS[role]
            expected = 404 if allowed else 403
            assert response.status_code == expected, (method, url, role, response.text)
    # The same ids are there for their own organisation (reads first, erasure last).
    order = sorted(
        ROUTE_IDS, key=lambda route: (route[0] == "DELETE", route[1] == "/v1/plans/{plan_id}")
    )
    for method, path in order:
        url = _url(path, ids, ROUTE_IDS[(method, path)])
        response = _call(service, method, url, a[Role.ADMIN])
        assert response.status_code in (200, 202, 204, 409), (method, url, response.text)
    # Keys: an admin lists, makes and revokes only its own organisation's.
    listed = service.client.get("/v1/keys", headers={"Authorization": f"Bearer {b[Role.ADMIN]}"})
    assert {k["organisation"] for k in listed.json()} == {ORGANISATIONS[1]}
    made = service.client.post(
        "/v1/keys",
        json={"name": "desk", "role": "dispatcher"},
        headers={"Authorization": f"Bearer {b[Role.ADMIN]}"},
    )
    assert made.status_code == 201 and made.json()["organisation"] == ORGANISATIONS[1]


def _call_json(service: Service, url: str, body: Any, token: str) -> dict[str, Any]:
    response = service.client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_previous_job_of_another_organisation_cannot_be_named(service: Service) -> None:
    a, b = (_keys(service, name) for name in ORGANISATIONS)
    job = _call_json(service, "/v1/plans?day=mon", tiny_plan(), a[Role.PLANNER])
    response = service.client.post(
        "/v1/plans",
        json=tiny_plan(),
        params={"day": "mon", "previous_job": job["id"]},
        headers={"Authorization": f"Bearer {b[Role.PLANNER]}"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "INPUT_PREVIOUS_JOB"


def test_an_analyst_reads_a_result_without_passenger_ids_or_places(
    service: Service,
    sqlite_url: str,
    start_thread_worker: Callable[..., ThreadWorker],
) -> None:
    role = "analyst"
    plan = tiny_plan(num_passengers=3, time_limit_s=3)
    job_id = service.post("/v1/plans", json=plan, params={"day": "mon"}).json()["id"]
    start_thread_worker(service_settings(sqlite_url), processes=1)
    assert service.wait_for(job_id)["status"] == "succeeded"
    full = service.get(f"/v1/jobs/{job_id}/result")
    assert full.status_code == 200 and "stops" in full.text
    figures = service.get(f"/v1/jobs/{job_id}/result", role=role)
    assert figures.status_code == 200
    body = figures.json()
    assert body["figures_only"] is True
    assert body["totals"] == full.json()["totals"]
    text = figures.text
    for passenger in plan["passengers"]:
        assert passenger["id"] not in text
        assert str(passenger["home"]["lat"]) not in text
    assert sum(r["num_trips"] for p in body["plans"] for r in p["routes"]) == 6  # 3 each way
    for path in ("geojson", "days/mon/to_centre", "manifests/mon/V1"):
        assert service.get(f"/v1/jobs/{job_id}/{path}", role=role).status_code == 403
    vroom = service.get(f"/v1/jobs/{job_id}/result", role=role, params={"format": "vroom"})
    assert vroom.status_code == 403
    assert json.loads(full.text)["plans"][0]["routes"]


def test_plans_and_jobs_are_listed_newest_first_paged_and_filtered(
    service_any_db: Service,
) -> None:
    service = service_any_db
    a, b = (_keys(service, name) for name in ORGANISATIONS)
    submitted = [
        _call_json(service, "/v1/plans?day=mon", tiny_plan(name=f"week {n}"), a[Role.PLANNER])
        for n in range(3)
    ]
    cancelled = submitted[0]["id"]
    assert _call(service, "DELETE", f"/v1/jobs/{cancelled}", a[Role.PLANNER]).status_code == 200

    def listed(path: str, token: str, **params: Any) -> dict[str, Any]:
        response = service.client.get(
            path, params=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    jobs = listed("/v1/jobs", a[Role.DISPATCHER])
    assert [j["id"] for j in jobs["items"]] == [s["id"] for s in reversed(submitted)]
    assert jobs["total"] == 3
    page = listed("/v1/jobs", a[Role.DISPATCHER], limit=2, offset=2)
    assert [j["id"] for j in page["items"]] == [cancelled] and page["total"] == 3
    queued = listed("/v1/jobs", a[Role.ANALYST], status="queued")
    assert {j["id"] for j in queued["items"]} == {s["id"] for s in submitted[1:]}
    both = listed("/v1/jobs", a[Role.ANALYST], status=["queued", "cancelled"], kind="solve")
    assert both["total"] == 3
    later = listed("/v1/jobs", a[Role.PLANNER], created_from="2999-01-01T00:00:00Z")
    assert later["total"] == 0 and later["items"] == []
    earlier = listed("/v1/jobs", a[Role.PLANNER], created_to="2999-01-01")
    assert earlier["total"] == 3
    plans = listed("/v1/plans", a[Role.PLANNER])
    assert [p["id"] for p in plans["items"]] == [s["plan_id"] for s in reversed(submitted)]
    assert plans["items"][-1]["job_ids"] == [cancelled]
    assert listed("/v1/jobs", b[Role.ADMIN])["total"] == 0  # another organisation's
    assert listed("/v1/plans", b[Role.PLANNER])["items"] == []
    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"status": "lost"}):
        response = service.client.get(
            "/v1/jobs", params=bad, headers={"Authorization": f"Bearer {a[Role.ADMIN]}"}
        )
        assert response.status_code == 422, bad


def test_only_the_analyst_who_sent_a_batch_reads_its_passengers_back(service: Service) -> None:
    keys = _keys(service, ORGANISATIONS[0])
    batch = _call_json(service, "/v1/scenarios", batch_body(), keys[Role.ANALYST])
    database = service.client.app.state.database  # type: ignore[attr-defined]
    colleague = create_key(database, "colleague", "analyst", ORGANISATIONS[0]).token
    for part in ("plan", "result", "costs", "attendance"):
        url = f"/v1/scenarios/{batch['id']}/scenarios/base/{part}"
        assert _call(service, "GET", url, colleague).status_code == 403, part
        assert _call(service, "GET", url, keys[Role.ANALYST]).status_code == 409  # not run yet
    summary = _call(service, "GET", f"/v1/scenarios/{batch['id']}", colleague)
    assert summary.status_code == 200  # the batch itself, its comparison and report: any analyst
