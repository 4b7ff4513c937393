"""A week submitted with ``consistency: strict`` comes back as consistent as the CLI plans it.

The service plans a job as one ``solve_week`` call (issue "One way to plan a week"); this is
the small version of ``benchmarks/service_consistency.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from servicekit import Service, ThreadWorker, service_settings, tiny_plan

from solver.config import get_config
from solver.dispatch import Absence, DayChanges
from solver.dispatch.replan import replan_week
from solver.io import parse_plan, parse_result, result_to_json
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
from solver.week import solve_week

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


def test_a_work_limited_week_comes_back_the_same_over_http_as_from_the_planner(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    """With ``settings.max_solutions`` binding before the clock, the service's job and the
    week planner the CLI runs give the same routes: one planner, one outcome."""
    plan = tiny_plan(num_passengers=8, days=("mon", "tue"), time_limit_s=120.0)
    for i, passenger in enumerate(plan["passengers"]):
        passenger["days"] = list(WEEKS[i % len(WEEKS)][:2])
    plan["settings"]["max_solutions"] = 25
    response = service.post("/v1/plans", json=plan)
    assert response.status_code == 202, response.text
    start_thread_worker(service_settings(sqlite_url), processes=2)
    job = service.wait_for(response.json()["id"], timeout_s=120)
    assert job["status"] == "succeeded", job
    over_http = service.get(f"/v1/jobs/{job['id']}/result").json()

    week_plan = parse_plan(plan)
    network = RoadNetwork.load(DEFAULT_OSM_FILE, week_plan.settings.roads, get_config().cache_dir)
    planned, _ = solve_week(week_plan, network, workers=2, geometry=network.path_geometry)
    in_process = result_to_json(planned)
    assert routes_of(over_http) == routes_of(in_process)
    assert over_http["totals"]["cost"] == in_process["totals"]["cost"]


def routes_of(result: dict[str, Any]) -> list[tuple[str, str, str, list[Any]]]:
    """Each route's day, direction, vehicle and stops (kind, times, who boards and alights)."""
    return [
        (
            day["day"],
            day["direction"],
            route["vehicle_id"],
            [
                (s["kind"], s["arrival"], s["departure"], s["pickups"], s["dropoffs"])
                for s in route["stops"]
            ],
        )
        for day in result["plans"]
        for route in day["routes"]
    ]


def test_a_work_limited_replan_comes_back_the_same_over_http_as_from_the_cli_s_planner(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    """The day's changes re-planned by a worker and by ``replan_week`` (what ``dagrute
    replan`` calls), under a binding work limit, give the same routes."""
    plan = tiny_plan(num_passengers=8, time_limit_s=60.0)
    plan["settings"]["max_solutions"] = 25
    response = service.post("/v1/plans", json=plan, params={"day": "mon"})
    assert response.status_code == 202, response.text
    start_thread_worker(service_settings(sqlite_url), processes=2)
    job = service.wait_for(response.json()["id"], timeout_s=120)
    assert job["status"] == "succeeded", job
    week_json = service.get(f"/v1/jobs/{job['id']}/result").json()
    absent = sorted(p for r in week_json["plans"][0]["routes"] for s in r["stops"]
                    for p in s["pickups"])[0]  # fmt: skip
    body = {"changes": [{"kind": "absence", "passenger_id": absent}], "time_limit_s": 30}
    queued = service.post(f"/v1/jobs/{job['id']}/days/mon/changes", role="dispatcher", json=body)
    assert queued.status_code == 202, queued.text
    replan_job = service.wait_for(queued.json()["links"]["job"].rsplit("/", 1)[1])
    assert replan_job["status"] == "succeeded", replan_job
    version = service.get(queued.json()["links"]["self"], role="dispatcher").json()

    week_plan = parse_plan(plan)
    network = RoadNetwork.load(DEFAULT_OSM_FILE, week_plan.settings.roads, get_config().cache_dir)
    changes = DayChanges("mon", (Absence(absent),))
    replanned = replan_week(
        week_plan,
        parse_result(week_json),
        changes,
        network,
        geometry=network.path_geometry,
        time_limit_s=30.0,
        seed=week_plan.settings.seed,
        max_solutions=week_plan.settings.max_solutions,
        workers=2,
    )
    in_process = result_to_json(replanned.result)
    over_http = {"plans": version["plans"]}
    in_process_day = {"plans": [p for p in in_process["plans"] if p["day"] == "mon"]}
    assert routes_of(over_http) == routes_of(in_process_day)
