"""Counterfactual hints: one tiny plan per relaxation, where that relaxation is the one that
serves the passenger left out, and one where none does.

Distances on the straight-line matrices: 0.01 degree latitude is about 1.45 km of road, about
174 s at 30 km/h; ``home(0.15)`` is about 43 minutes from centre A.
"""

from __future__ import annotations

import json
from dataclasses import replace

from solver.check import check_day
from solver.domain import (
    Counterfactual,
    DayProblem,
    DayResult,
    Direction,
    Mobility,
    Reason,
    Relaxation,
    Settings,
    Unassigned,
    WeekPlan,
)
from solver.io import parse_result, result_to_json
from solver.week import solve_week
from solver.week.explain import (
    RELAXATIONS,
    ExtraVehicle,
    LiftIncompatibility,
    LiftRideAlone,
    LongerMaxRide,
    LongerShifts,
    WiderCentreWindow,
    WiderEntrance,
    explain_day,
)
from tests.conftest import (
    StraightNetwork,
    centre,
    hm,
    home,
    make_plan,
    passenger,
    plan_matrices,
    solve_checked,
    vehicle,
)

EXPLAIN_SECONDS = 3.0


def explained(
    plan: WeekPlan, direction: Direction = Direction.TO_CENTRE
) -> tuple[DayProblem, DayResult, dict[str, Unassigned]]:
    """Solve Monday, explain it, check the explained result; entries by passenger."""
    problem, result = solve_checked(plan, direction)
    matrices = plan_matrices(plan)
    entries = explain_day(problem, result, matrices, EXPLAIN_SECONDS)
    with_hints = replace(result, unassigned=entries)
    assert check_day(problem, with_hints, matrices) == []
    return problem, result, {u.passenger_id: u for u in entries}


def counterfactual(entries: dict[str, Unassigned], pid: str) -> Counterfactual:
    found = entries[pid].counterfactual
    assert found is not None, entries[pid]
    return found


def test_relaxations_are_tried_rules_first_then_hours_then_fleet() -> None:
    assert [r.code for r in RELAXATIONS] == [
        Relaxation.RIDE_ALONE,
        Relaxation.INCOMPATIBLE_PAIR,
        Relaxation.MAX_RIDE,
        Relaxation.CENTRE_WINDOW,
        Relaxation.WHEELCHAIR_ENTRANCE,
        Relaxation.SHIFT,
        Relaxation.EXTRA_VEHICLE,
    ]


def test_ride_alone_lifted_serves_the_passenger_who_had_to_ride_alone() -> None:
    """One vehicle, no time for two 43-minute trips: P1 alone or P2 and P3 together."""
    plan = make_plan(
        [
            passenger("P1", home(0.15), ride_alone=True),
            passenger("P2", home(0.151)),
            passenger("P3", home(0.152)),
        ],
        [vehicle("V1")],
    )
    _, result, entries = explained(plan)
    assert [u.passenger_id for u in result.unassigned] == ["P1"]
    assert entries["P1"].reason is Reason.FLEET_EXHAUSTED
    found = counterfactual(entries, "P1")
    assert found.code is Relaxation.RIDE_ALONE
    assert "did not have to ride alone" in found.hint and "mon" in found.hint


def test_incompatibility_lifted_names_the_partner() -> None:
    """P1 and P2 may not ride together, and one vehicle has time for one trip only."""
    plan = make_plan(
        [passenger("P1", home(0.15)), passenger("P2", home(0.151))],
        [vehicle("V1")],
        incompatible_pairs=(("P1", "P2"),),
    )
    _, result, entries = explained(plan)
    assert len(result.unassigned) == 1
    left_out = result.unassigned[0].passenger_id
    partner = {"P1": "P2", "P2": "P1"}[left_out]
    found = counterfactual(entries, left_out)
    assert found.code is Relaxation.INCOMPATIBLE_PAIR
    assert f"without the incompatibility with {partner}" in found.hint


def test_longer_max_ride_serves_a_passenger_whose_direct_trip_is_too_long() -> None:
    """The direct trip takes 43 minutes; P1 may ride 40, 50 with the relaxation."""
    plan = make_plan([passenger("P1", home(0.15), max_ride_s=40 * 60)], [vehicle("V1")])
    _, _, entries = explained(plan)
    assert entries["P1"].reason is Reason.RIDE_TIME_TOO_SHORT
    found = counterfactual(entries, "P1")
    assert found.code is Relaxation.MAX_RIDE
    assert found.hint == (
        "Served on mon if the maximum ride time were 10 minutes longer (50 min instead of 40)."
    )


def test_wider_centre_window_serves_a_passenger_ready_too_late() -> None:
    """P1 is ready at 08:55, six minutes from the centre, which takes arrivals until 09:00."""
    plan = make_plan(
        [passenger("P1", home(0.02), earliest_pickup_s=hm(8, 55))],
        [vehicle("V1")],
        centres=[centre("C03")],
    )
    plan = replace(plan, passengers=tuple(replace(p, centre_id="C03") for p in plan.passengers))
    _, _, entries = explained(plan)
    assert entries["P1"].reason is Reason.WINDOW_UNREACHABLE
    found = counterfactual(entries, "P1")
    assert found.code is Relaxation.CENTRE_WINDOW
    assert found.hint == "Served if C03's arrival window on mon closed 15 minutes later (09:15)."


def test_wider_entrance_serves_a_wheelchair_user_the_ramp_had_no_time_for() -> None:
    """Two wheelchair users, a van each, one ramp, one minute of arrivals: one is left out."""
    plan = make_plan(
        [
            passenger("C1", home(0.01), mobility=Mobility.WHEELCHAIR),
            passenger("C2", home(0.01, 0.002), mobility=Mobility.WHEELCHAIR),
        ],
        [vehicle("V1", seats=0, wheelchair_places=1), vehicle("V2", seats=0, wheelchair_places=1)],
        centres=[replace(centre("C03", arrival=(hm(8, 30), hm(8, 31))), max_wheelchair_dropoffs=1)],
    )
    plan = replace(plan, passengers=tuple(replace(p, centre_id="C03") for p in plan.passengers))
    problem, result = solve_checked(plan)
    assert [u.reason for u in result.unassigned] == [Reason.FLEET_EXHAUSTED]
    matrices = plan_matrices(plan)
    entries = explain_day(problem, result, matrices, EXPLAIN_SECONDS, relaxations=RELAXATIONS)
    found = entries[0].counterfactual
    assert found is not None
    assert found.code is Relaxation.CENTRE_WINDOW  # a wider window comes first ...
    only_entrance = explain_day(
        problem, result, matrices, EXPLAIN_SECONDS, relaxations=(WiderEntrance(),)
    )
    found = only_entrance[0].counterfactual
    assert found is not None and found.code is Relaxation.WHEELCHAIR_ENTRANCE
    assert found.hint == "Served on mon if C03 could set down 2 wheelchair users at a time."
    assert (
        WiderEntrance().relax(replace(problem, direction=Direction.FROM_CENTRE), [], matrices)
        is None
    )


def test_longer_shift_serves_a_passenger_the_shift_starts_too_late_for() -> None:
    """V7 starts at 08:00, about 90 minutes' drive and service before P1 reaches the centre."""
    plan = make_plan([passenger("P1", home(0.15))], [vehicle("V7", shift=(hm(8), hm(18)))])
    _, _, entries = explained(plan)
    assert entries["P1"].reason is Reason.WINDOW_UNREACHABLE
    found = counterfactual(entries, "P1")
    assert found.code is Relaxation.SHIFT
    assert found.hint == "Served if V7's shift on mon started 30 minutes earlier."


def test_extra_vehicle_serves_passengers_at_opposite_ends() -> None:
    """Two passengers 43 minutes from the centre on opposite sides, one vehicle."""
    plan = make_plan(
        [passenger("P1", home(0.15)), passenger("P2", home(-0.15))], [vehicle("V1", seats=6)]
    )
    _, result, entries = explained(plan)
    assert len(result.unassigned) == 1
    found = counterfactual(entries, result.unassigned[0].passenger_id)
    assert found.code is Relaxation.EXTRA_VEHICLE
    assert (
        found.hint == "Served with one more vehicle like V1 on mon (6 seats, 0 wheelchair places)."
    )


def test_extra_vehicle_with_a_wheelchair_place_when_none_drives_that_day() -> None:
    plan = make_plan(
        [passenger("P1", home(0.02), mobility=Mobility.WHEELCHAIR)], [vehicle("CAR", seats=4)]
    )
    _, _, entries = explained(plan)
    assert entries["P1"].reason is Reason.NO_WHEELCHAIR_VEHICLE
    found = counterfactual(entries, "P1")
    assert found.code is Relaxation.EXTRA_VEHICLE
    assert "like CAR but with a wheelchair place" in found.hint
    assert "1 wheelchair place)" in found.hint


def test_no_relaxation_helps_says_so() -> None:
    """P1 must be home by 15:05, 43 minutes from a centre that lets them leave at 15:00."""
    plan = make_plan([passenger("P1", home(0.15), latest_dropoff_s=hm(15, 5))], [vehicle("V1")])
    _, _, entries = explained(plan, Direction.FROM_CENTRE)
    assert entries["P1"].reason is Reason.WINDOW_UNREACHABLE
    found = counterfactual(entries, "P1")
    assert found.code is Relaxation.NONE
    assert found.hint.startswith("None of the changes tried (maximum ride 10 min longer;")
    assert found.hint.endswith(
        "served the passenger on mon in a short search; the reason above stands."
    )
    assert "shifts 30 min longer" in found.hint and "one more vehicle" in found.hint


def test_reasons_a_relaxed_copy_cannot_lift_get_no_counterfactual() -> None:
    plan = make_plan([passenger("P1", home(0.02), num_escorts=3)], [vehicle(seats=3)])
    _, result, entries = explained(plan)
    assert entries["P1"].reason is Reason.TOO_MANY_SEATS
    assert entries["P1"].counterfactual is None
    assert entries["P1"] == result.unassigned[0]


def test_no_time_no_counterfactual() -> None:
    plan = make_plan([passenger("P1", home(0.15))], [vehicle("V7", shift=(hm(8), hm(18)))])
    problem, result = solve_checked(plan)
    assert explain_day(problem, result, plan_matrices(plan), 0.1) == result.unassigned


def test_rule_relaxations_apply_only_where_a_passenger_left_out_has_the_rule() -> None:
    """Nobody rides alone or is incompatible with a traveller: those copies are not solved."""
    plan = make_plan(
        [passenger("P1", home(0.15)), passenger("P2", home(0.02), days=frozenset({"tue"}))],
        [vehicle("V1")],
        incompatible_pairs=(("P1", "P2"),),
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(plan)
    assert LiftRideAlone().relax(problem, problem.passengers, matrices) is None
    assert LiftIncompatibility().relax(problem, problem.passengers, matrices) is None
    assert LongerMaxRide().relax(problem, (), matrices) is None
    assert WiderCentreWindow().relax(problem, (), matrices) is None
    assert LongerMaxRide().relax(problem, problem.passengers, matrices) is not None


def test_shift_and_extra_vehicle_need_a_vehicle() -> None:
    plan = make_plan([passenger("P1", home(0.15))], [vehicle("V1", days=frozenset({"tue"}))])
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(plan)
    assert LongerShifts().relax(problem, problem.passengers, matrices) is None
    assert ExtraVehicle().relax(problem, problem.passengers, matrices) is None


def test_result_json_carries_the_counterfactual() -> None:
    plan = make_plan([passenger("P1", home(0.15))], [vehicle("V7", shift=(hm(8), hm(18)))])
    plan = plan.replace(settings=Settings(time_limit_s=20.0))
    result, matrices = solve_week(
        plan, StraightNetwork(), days=["mon"], directions=[Direction.TO_CENTRE], workers=1
    )
    day = result.plans[0]
    assert check_day(plan.day_problem("mon", Direction.TO_CENTRE), day, matrices) == []
    entry = day.unassigned[0]
    assert entry.counterfactual is not None
    assert entry.counterfactual.code is Relaxation.SHIFT
    data = result_to_json(result)
    assert data["plans"][0]["unassigned"][0]["counterfactual"] == {
        "code": "RELAX_SHIFT",
        "hint": "Served if V7's shift on mon started 30 minutes earlier.",
    }
    assert parse_result(json.dumps(data)).plans[0].unassigned[0] == entry


def test_passengers_left_out_together_are_credited_each_with_their_own_relaxation() -> None:
    """P1 is ready too late for the centre, P2's direct trip exceeds their ride limit: one
    relaxed copy per relaxation serves each in turn."""
    plan = make_plan(
        [
            passenger("P1", home(0.02), earliest_pickup_s=hm(8, 55)),
            passenger("P2", home(0.15), max_ride_s=40 * 60),
        ],
        [vehicle("V1"), vehicle("V2")],
    )
    _, result, entries = explained(plan)
    assert {u.passenger_id for u in result.unassigned} == {"P1", "P2"}
    assert counterfactual(entries, "P1").code is Relaxation.CENTRE_WINDOW
    assert counterfactual(entries, "P2").code is Relaxation.MAX_RIDE


def test_explanations_repeat_for_a_fixed_seed() -> None:
    plan = make_plan(
        [passenger("P1", home(0.15)), passenger("P2", home(-0.15))], [vehicle("V1", seats=6)]
    )
    problem, result = solve_checked(plan)
    matrices = plan_matrices(plan)
    first = explain_day(problem, result, matrices, EXPLAIN_SECONDS, seed=3)
    assert explain_day(problem, result, matrices, EXPLAIN_SECONDS, seed=3) == first
