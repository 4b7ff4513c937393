"""A week submitted with ``consistency: strict`` comes back as consistent as the CLI plans it.

The service plans a job as one ``solve_week`` call (issue "One way to plan a week"); this is
the small version of ``benchmarks/service_consistency.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from servicekit import Service, ThreadWorker, service_settings, tiny_plan

WEEKS = (("mon", "tue", "wed"), ("mon", "wed"), ("tue", "wed"), ("mon", "tue"))
"""Attendance patterns, in turn: the days differ, so a planner ignoring consistency is free to
seat a passenger in another vehicle on another day."""


def test_strict_week_over_http_keeps_each_passenger_in_one_vehicle(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    plan = tiny_plan(num_passengers=12, days=("mon", "tue", "wed"), time_limit_s=6.0)
    for i, passenger in enumerate(plan["passengers"]):
        passenger["days"] = list(WEEKS[i % len(WEEKS)])
    plan["settings"]["consistency"] = "strict"
    response = service.post("/v1/plans", json=plan)
    assert response.status_code == 202, response.text
    start_thread_worker(service_settings(sqlite_url), processes=2)
    job = service.wait_for(response.json()["id"], timeout_s=60)
    assert job["status"] == "succeeded", job
    assert job["num_violations"] == 0
    result = service.get(f"/v1/jobs/{job['id']}/result").json()
    # The whole week through the checker (the job's count checks each day-direction alone).
    verdict = service.post("/v1/check", json={"plan": plan, "result": result}).json()
    assert verdict == {"num_violations": 0, "violations": []}
    totals = result["totals"]
    assert totals["unassigned_trips"] == 0
    assert totals["consistency_share_single_vehicle"] >= 0.95
    vehicles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for day in result["plans"]:
        for route in day["routes"]:
            for stop in route["stops"]:
                for passenger_id in stop["pickups"]:
                    vehicles[(passenger_id, day["direction"])].add(route["vehicle_id"])
    assert len(vehicles) == 2 * len(plan["passengers"])
    assert {key: ids for key, ids in vehicles.items() if len(ids) > 1} == {}
