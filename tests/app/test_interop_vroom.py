"""VROOM's JSON format in and out."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from servicekit import Service, ThreadWorker, service_settings

from app.interop.vroom import plan_from_vroom, vroom_output
from solver.domain import DayResult, Direction, Kpis, LatLon, Mobility, Route, Stop, StopKind
from solver.errors import InputError

CENTRE = [10.7884013, 59.8855067]
DEPOT = [10.7700, 59.8925]
HOME_A = [10.7828, 59.9057]
HOME_B = [10.8040, 59.8913]

SHIPMENTS: dict[str, Any] = {
    "vehicles": [{"id": 7, "start": DEPOT, "end": DEPOT, "capacity": [6, 1],
                  "time_window": [23400, 63000], "costs": {"fixed": 900, "per_hour": 550}}],
    "shipments": [
        {"amount": [1, 0], "pickup": {"id": 11, "location": HOME_A},
         "delivery": {"id": 12, "location": CENTRE, "time_windows": [[28800, 30600]]}},
        {"amount": [1, 1], "dagrute": {"escorts": 1, "max_ride_s": 2700},
         "pickup": {"id": 21, "location": HOME_B, "service": 240,
                    "time_windows": [[25200, 29000]]},
         "delivery": {"id": 22, "location": CENTRE, "time_windows": [[28800, 30600]]}},
    ],
    "dagrute": {"day": "tue", "time_limit_s": 2},
}  # fmt: skip
JOBS: dict[str, Any] = {
    "vehicles": [{"id": 1, "start": DEPOT, "end": CENTRE, "capacity": [8]}],
    "jobs": [{"id": 5, "location": HOME_A, "pickup": [3]},
             {"id": 6, "location": HOME_B, "pickup": [0, 1], "service": 120}],
}  # fmt: skip


def test_shipments_become_passengers_with_escorts_wheelchairs_windows_and_ride_limits() -> None:
    problem = plan_from_vroom(SHIPMENTS)
    plan = problem.plan
    assert (problem.day, problem.direction) == ("tue", Direction.TO_CENTRE)
    assert [c.centre_id for c in plan.centres] == ["C1"]
    assert plan.centres[0].hours["tue"].arrival.start_s == 28800
    walking, wheelchair = plan.passengers
    assert (walking.mobility, walking.num_escorts) == (Mobility.WALKING, 0)
    assert (wheelchair.mobility, wheelchair.num_escorts) == (Mobility.WHEELCHAIR, 1)
    assert (wheelchair.max_ride_s, wheelchair.boarding_s) == (2700, 240)
    assert (wheelchair.earliest_pickup_s, wheelchair.latest_pickup_s) == (25200, 29000)
    vehicle = plan.vehicles[0]
    assert (vehicle.vehicle_id, vehicle.seats, vehicle.wheelchair_places) == ("7", 6, 1)
    assert vehicle.tariff.per_vehicle_day == 900 and plan.settings.return_to_depot
    assert plan.settings.time_limit_s == 2


def test_jobs_go_to_the_vehicles_common_end_and_routes_stay_open() -> None:
    problem = plan_from_vroom(JOBS)
    plan = problem.plan
    assert plan.centres[0].location == LatLon(lat=CENTRE[1], lon=CENTRE[0])
    assert [p.num_escorts for p in plan.passengers] == [2, 0]
    assert plan.passengers[1].needs_wheelchair_place
    assert not plan.settings.return_to_depot


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d["vehicles"][0].update(breaks=[{"id": 1}]), "VROOM_UNSUPPORTED"),
        (
            lambda d: (
                d["shipments"][0].update(skills=[3])
                or d["vehicles"].append({"id": 8, "start": DEPOT, "skills": []})
            ),
            "VROOM_UNSUPPORTED",
        ),
        (
            lambda d: d["shipments"][0]["pickup"].update(time_windows=[[0, 10], [20, 30]]),
            "VROOM_UNSUPPORTED",
        ),
        (
            lambda d: d["shipments"][0]["delivery"].update(time_windows=[[90000, 90001]]),
            "VROOM_TIME_WINDOW",
        ),
        (lambda d: d["shipments"][1].update(amount=[1, 2]), "VROOM_AMOUNT"),
        (lambda d: d["shipments"][1]["dagrute"].update(escorts=3), "VROOM_AMOUNT"),
        (lambda d: d["shipments"][1]["pickup"].update(id=11), "VROOM_DUPLICATE_ID"),
        (lambda d: d.update(matrices={}), "VROOM_UNSUPPORTED"),
        (lambda d: d["vehicles"][0].pop("start"), "VROOM_UNSUPPORTED"),
    ],
)
def test_what_dagrute_cannot_honour_is_refused_with_a_code_and_path(
    change: Callable[[dict[str, Any]], object], code: str
) -> None:
    document = copy.deepcopy(SHIPMENTS)
    change(document)
    with pytest.raises(InputError) as caught:
        plan_from_vroom(document)
    assert code in caught.value.codes
    assert all(issue.path for issue in caught.value.issues)


def test_output_follows_vroom_steps_loads_and_unassigned() -> None:
    problem = plan_from_vroom(SHIPMENTS)
    home_a = LatLon(lat=HOME_A[1], lon=HOME_A[0])
    centre = LatLon(lat=CENTRE[1], lon=CENTRE[0])
    depot = LatLon(lat=DEPOT[1], lon=DEPOT[0])
    route = Route("7", (
        Stop(StopKind.DEPOT, depot, 28000, 28000),
        Stop(StopKind.HOME, home_a, 28300, 28360, pickups=("shipment-11",), load_seats=1),
        Stop(StopKind.CENTRE, centre, 28900, 28945, dropoffs=("shipment-11",), centre_id="C1"),
        Stop(StopKind.DEPOT, depot, 29300, 29300),
    ), distance_m=9000, duration_s=1300, cost=1100.0)  # fmt: skip
    from solver.domain import Reason, Unassigned

    result = DayResult("tue", Direction.TO_CENTRE, (route,), (
        Unassigned("shipment-21", Reason.FLEET_EXHAUSTED, "Add a vehicle."),),
        Kpis(1, 1, 1, 9000, 1300, 1100.0, 540.0, 540, 1.2))  # fmt: skip
    output = vroom_output(problem, result)
    steps = output["routes"][0]["steps"]
    assert [s["type"] for s in steps] == ["start", "pickup", "delivery", "end"]
    assert [s.get("id") for s in steps] == [None, 11, 12, None]
    assert [s["load"] for s in steps] == [[0, 0], [1, 0], [0, 0], [0, 0]]
    assert output["routes"][0]["vehicle"] == 7
    assert {(u["id"], u["type"]) for u in output["unassigned"]} == {
        (21, "pickup"),
        (22, "delivery"),
    }
    assert output["summary"]["unassigned"] == 2 and output["code"] == 0


def test_a_vroom_problem_is_solved_and_answered_in_vroom_format(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    response = service.post("/v1/vroom", json=SHIPMENTS)
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["days"], job["directions"]) == (["tue"], ["to_centre"])
    start_thread_worker(service_settings(sqlite_url), processes=1)
    assert service.wait_for(job["id"])["status"] == "succeeded"
    output = service.get(f"/v1/jobs/{job['id']}/result", params={"format": "vroom"}).json()
    assert output["summary"]["unassigned"] == 0
    visited = {(s["type"], s["id"]) for r in output["routes"] for s in r["steps"] if "id" in s}
    assert visited == {("pickup", 11), ("delivery", 12), ("pickup", 21), ("delivery", 22)}
    bad = service.post("/v1/vroom", json={"vehicles": []})
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "VROOM_SCHEMA"
