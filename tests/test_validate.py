"""Meaning checks: for each code, a tiny named plan where the rule holds and one where it binds."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from solver.domain import (
    DAYS,
    BreakRule,
    Centre,
    CentreHours,
    LatLon,
    Passenger,
    RoadSettings,
    SeatingLayout,
    Settings,
    TimeWindow,
    Vehicle,
    WeekPlan,
)
from solver.errors import INPUT_CODES, InputError, Issue
from solver.validate import (
    CHECKS,
    PlaceRef,
    plan_places,
    raise_if_invalid,
    snap_issues,
    validate,
)


def hm(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


CENTRE_AT = LatLon(59.90, 10.78)
HOURS = CentreHours(TimeWindow(hm(8, 30), hm(9)), TimeWindow(hm(15), hm(15, 30)))


def centre(centre_id: str = "C1", **changes: Any) -> Centre:
    return replace(Centre(centre_id, centre_id, CENTRE_AT, dict.fromkeys(DAYS, HOURS)), **changes)


def passenger(passenger_id: str = "P1", **changes: Any) -> Passenger:
    base = Passenger(passenger_id, LatLon(59.91, 10.79), "C1", frozenset({"mon", "wed"}))
    return replace(base, **changes)


def vehicle(vehicle_id: str = "V1", **changes: Any) -> Vehicle:
    base = Vehicle(
        vehicle_id,
        LatLon(59.89, 10.77),
        seats=8,
        wheelchair_places=1,
        days=frozenset(DAYS),
        shift=TimeWindow(hm(6, 30), hm(17, 30)),
    )
    return replace(base, **changes)


def sound_plan(**changes: Any) -> WeekPlan:
    """One centre open every weekday, one passenger on mon and wed, one vehicle."""
    plan = WeekPlan(centres=(centre(),), passengers=(passenger(),), vehicles=(vehicle(),))
    return replace(plan, **changes)


def codes(plan: WeekPlan) -> list[str]:
    return [issue.code for issue in validate(plan)]


def only_issue(plan: WeekPlan) -> Issue:
    issues = validate(plan)
    assert len(issues) == 1, issues
    return issues[0]


def test_a_sound_plan_has_no_issues() -> None:
    assert validate(sound_plan()) == []
    raise_if_invalid(sound_plan())


def test_an_empty_passenger_list_is_fine() -> None:
    assert validate(sound_plan(passengers=())) == []


# Each case: the plan where the rule holds (at its edge), and the plan where it binds.
Case = tuple[Callable[[], WeekPlan], Callable[[], WeekPlan], str, str | None]
CASES: dict[str, Case] = {
    "two passengers share an id": (
        lambda: sound_plan(passengers=(passenger("P1"), passenger("P2"))),
        lambda: sound_plan(passengers=(passenger("P1"), passenger("P1"))),
        "passengers[1].id",
        "P1",
    ),
    "two centres share an id": (
        lambda: sound_plan(centres=(centre("C1"), centre("C2"))),
        lambda: sound_plan(centres=(centre("C1"), centre("C1"))),
        "centres[1].id",
        "C1",
    ),
    "two vehicles share an id": (
        lambda: sound_plan(vehicles=(vehicle("V1"), vehicle("V2"))),
        lambda: sound_plan(vehicles=(vehicle("V1"), vehicle("V1"))),
        "vehicles[1].id",
        "V1",
    ),
    "a passenger attends a centre the plan lacks": (
        lambda: sound_plan(passengers=(passenger(centre_id="C1"),)),
        lambda: sound_plan(passengers=(passenger(centre_id="C2"),)),
        "passengers[0].centre_id",
        "P1",
    ),
    "a centre's arrival window ends before it starts": (
        lambda: sound_plan(
            centres=(centre(hours={"mon": replace(HOURS, arrival=TimeWindow(hm(9), hm(9)))}),),
            passengers=(passenger(days=frozenset({"mon"})),),
        ),
        lambda: sound_plan(
            centres=(centre(hours={"mon": replace(HOURS, arrival=TimeWindow(hm(9), hm(8)))}),),
            passengers=(passenger(days=frozenset({"mon"})),),
        ),
        "centres[0].arrival_window",
        "C1",
    ),
    "a passenger attends on a day the centre is closed": (
        lambda: sound_plan(centres=(centre(hours={"mon": HOURS, "wed": HOURS}),)),
        lambda: sound_plan(centres=(centre(hours={"mon": HOURS, "tue": HOURS}),)),
        "passengers[0].days",
        "P1",
    ),
    "a passenger attends on no day": (
        lambda: sound_plan(passengers=(passenger(days=frozenset({"fri"})),)),
        lambda: sound_plan(passengers=(passenger(days=frozenset()),)),
        "passengers[0].days",
        "P1",
    ),
    "a vehicle's shift ends when it starts": (
        lambda: sound_plan(vehicles=(vehicle(shift=TimeWindow(hm(7), hm(7) + 1)),)),
        lambda: sound_plan(vehicles=(vehicle(shift=TimeWindow(hm(7), hm(7))),)),
        "vehicles[0].shift",
        "V1",
    ),
    "the plan has no vehicles": (
        lambda: sound_plan(),
        lambda: sound_plan(vehicles=()),
        "vehicles",
        None,
    ),
    "a vehicle's seats are none of its layouts": (
        lambda: sound_plan(vehicles=(vehicle(layouts=(SeatingLayout(6, 0), SeatingLayout(8, 1))),)),
        lambda: sound_plan(vehicles=(vehicle(layouts=(SeatingLayout(8, 0), SeatingLayout(6, 1))),)),
        "vehicles[0].layouts",
        "V1",
    ),
    "the time limit is zero": (
        lambda: sound_plan(settings=Settings(time_limit_s=0.01)),
        lambda: sound_plan(settings=Settings(time_limit_s=0.0)),
        "settings.time_limit_s",
        None,
    ),
    "a passenger built in code has four escorts": (
        lambda: sound_plan(passengers=(passenger(num_escorts=3),)),
        lambda: sound_plan(passengers=(passenger(num_escorts=4),)),
        "passengers[0].escorts",
        "P1",
    ),
    "a passenger's earliest pickup is after the centre's arrival window": (
        lambda: sound_plan(passengers=(passenger(earliest_pickup_s=hm(9)),)),
        lambda: sound_plan(passengers=(passenger(earliest_pickup_s=hm(9, 1)),)),
        "passengers[0].earliest_pickup",
        "P1",
    ),
    "a passenger's latest drop-off is before the centre's departure window": (
        lambda: sound_plan(passengers=(passenger(latest_dropoff_s=hm(15)),)),
        lambda: sound_plan(passengers=(passenger(latest_dropoff_s=hm(14, 59)),)),
        "passengers[0].latest_dropoff",
        "P1",
    ),
    "a passenger's latest pickup is before the centre's departure window": (
        lambda: sound_plan(passengers=(passenger(latest_pickup_s=hm(15)),)),
        lambda: sound_plan(passengers=(passenger(latest_pickup_s=hm(14, 59)),)),
        "passengers[0].latest_pickup",
        "P1",
    ),
    "a passenger's earliest drop-off is after the centre's arrival window": (
        lambda: sound_plan(passengers=(passenger(earliest_dropoff_s=hm(9)),)),
        lambda: sound_plan(passengers=(passenger(earliest_dropoff_s=hm(9, 1)),)),
        "passengers[0].earliest_dropoff",
        "P1",
    ),
    "a vehicle built in code has a longest route of zero": (
        lambda: sound_plan(vehicles=(vehicle(max_route_s=1),)),
        lambda: sound_plan(vehicles=(vehicle(max_route_s=0),)),
        "vehicles[0].max_route_s",
        "V1",
    ),
    "a vehicle built in code has negative seats": (
        lambda: sound_plan(vehicles=(vehicle(seats=0),)),
        lambda: sound_plan(vehicles=(vehicle(seats=-1),)),
        "vehicles[0].seats",
        "V1",
    ),
    "a home built in code has a latitude beyond 90": (
        lambda: sound_plan(passengers=(passenger(home=LatLon(90.0, 10.0)),)),
        lambda: sound_plan(passengers=(passenger(home=LatLon(91.0, 10.0)),)),
        "passengers[0].home.lat",
        "P1",
    ),
    "a shift built in code ends past midnight": (
        lambda: sound_plan(vehicles=(vehicle(shift=TimeWindow(hm(7), 86399)),)),
        lambda: sound_plan(vehicles=(vehicle(shift=TimeWindow(hm(7), 86400)),)),
        "vehicles[0].shift.end",
        "V1",
    ),
    "a vehicle built in code attends on saturday": (
        lambda: sound_plan(vehicles=(vehicle(days=frozenset({"fri"})),)),
        lambda: sound_plan(vehicles=(vehicle(days=frozenset({"fri", "sat"})),)),
        "vehicles[0].days",
        "V1",
    ),
    "a vehicle built in code has an unknown operator": (
        lambda: sound_plan(vehicles=(vehicle(operator="own"),)),
        lambda: sound_plan(vehicles=(vehicle(operator="taxi"),)),
        "vehicles[0].operator",
        "V1",
    ),
    "settings built in code have no speed": (
        lambda: sound_plan(settings=Settings(roads=RoadSettings(speed_factor=0.01))),
        lambda: sound_plan(settings=Settings(roads=RoadSettings(speed_factor=0.0))),
        "settings.roads.speed_factor",
        None,
    ),
    "settings built in code have a work limit of no solutions": (
        lambda: sound_plan(settings=Settings(max_solutions=1)),
        lambda: sound_plan(settings=Settings(max_solutions=0)),
        "settings.max_solutions",
        None,
    ),
    "settings built in code have a break of no length": (
        lambda: sound_plan(settings=Settings(driver_break=BreakRule(duration_s=1))),
        lambda: sound_plan(settings=Settings(driver_break=BreakRule(duration_s=0))),
        "settings.driver_break.duration_s",
        None,
    ),
    "a passenger built in code has four escorts in the afternoon": (
        lambda: sound_plan(passengers=(passenger(num_escorts_from_centre=0),)),
        lambda: sound_plan(passengers=(passenger(num_escorts_from_centre=4),)),
        "passengers[0].escorts_from_centre",
        "P1",
    ),
    "a passenger is allowed a vehicle the plan lacks": (
        lambda: sound_plan(passengers=(passenger(allowed_vehicles=frozenset({"V1"})),)),
        lambda: sound_plan(passengers=(passenger(allowed_vehicles=frozenset({"V7"})),)),
        "passengers[0].allowed_vehicles",
        "P1",
    ),
    "a passenger excludes a vehicle the plan lacks": (
        lambda: sound_plan(passengers=(passenger(excluded_vehicles=frozenset({"V1"})),)),
        lambda: sound_plan(passengers=(passenger(excluded_vehicles=frozenset({"V7"})),)),
        "passengers[0].excluded_vehicles",
        "P1",
    ),
    "a passenger's allowed vehicles are all excluded": (
        lambda: sound_plan(
            passengers=(
                passenger(
                    allowed_vehicles=frozenset({"V1", "V2"}), excluded_vehicles=frozenset({"V2"})
                ),
            ),
            vehicles=(vehicle("V1"), vehicle("V2")),
        ),
        lambda: sound_plan(
            passengers=(
                passenger(allowed_vehicles=frozenset({"V2"}), excluded_vehicles=frozenset({"V2"})),
            ),
            vehicles=(vehicle("V1"), vehicle("V2")),
        ),
        "passengers[0].allowed_vehicles",
        "P1",
    ),
    "an incompatible pair names a passenger the plan lacks": (
        lambda: sound_plan(
            passengers=(passenger("P1"), passenger("P2")), incompatible_pairs=(("P1", "P2"),)
        ),
        lambda: sound_plan(
            passengers=(passenger("P1"), passenger("P2")), incompatible_pairs=(("P1", "P3"),)
        ),
        "incompatible_pairs[0][1]",
        "P3",
    ),
    "an incompatible pair names one passenger twice": (
        lambda: sound_plan(incompatible_pairs=()),
        lambda: sound_plan(incompatible_pairs=(("P1", "P1"),)),
        "incompatible_pairs[0]",
        "P1",
    ),
}
CASE_CODES: dict[str, str] = {
    "two passengers share an id": "INPUT_DUPLICATE_ID",
    "two centres share an id": "INPUT_DUPLICATE_ID",
    "two vehicles share an id": "INPUT_DUPLICATE_ID",
    "a passenger attends a centre the plan lacks": "INPUT_UNKNOWN_CENTRE",
    "a centre's arrival window ends before it starts": "INPUT_EMPTY_WINDOW",
    "a passenger attends on a day the centre is closed": "INPUT_CENTRE_CLOSED",
    "a passenger attends on no day": "INPUT_NO_DAYS",
    "a vehicle's shift ends when it starts": "INPUT_SHIFT",
    "the plan has no vehicles": "INPUT_NO_VEHICLES",
    "a vehicle's seats are none of its layouts": "INPUT_BAD_LAYOUT",
    "the time limit is zero": "INPUT_TIME_LIMIT",
    "a passenger built in code has four escorts": "INPUT_ESCORTS",
    "a passenger's earliest pickup is after the centre's arrival window": (
        "INPUT_PASSENGER_WINDOW"
    ),
    "a passenger's latest drop-off is before the centre's departure window": (
        "INPUT_PASSENGER_WINDOW"
    ),
    "a passenger's latest pickup is before the centre's departure window": (
        "INPUT_PASSENGER_WINDOW"
    ),
    "a passenger's earliest drop-off is after the centre's arrival window": (
        "INPUT_PASSENGER_WINDOW"
    ),
    "a vehicle built in code has a longest route of zero": "INPUT_VALUE",
    "a vehicle built in code has negative seats": "INPUT_VALUE",
    "a home built in code has a latitude beyond 90": "INPUT_VALUE",
    "a shift built in code ends past midnight": "INPUT_VALUE",
    "a vehicle built in code attends on saturday": "INPUT_VALUE",
    "a vehicle built in code has an unknown operator": "INPUT_VALUE",
    "settings built in code have no speed": "INPUT_VALUE",
    "settings built in code have a work limit of no solutions": "INPUT_VALUE",
    "settings built in code have a break of no length": "INPUT_VALUE",
    "a passenger built in code has four escorts in the afternoon": "INPUT_ESCORTS",
    "a passenger is allowed a vehicle the plan lacks": "INPUT_UNKNOWN_VEHICLE",
    "a passenger excludes a vehicle the plan lacks": "INPUT_UNKNOWN_VEHICLE",
    "a passenger's allowed vehicles are all excluded": "INPUT_NO_ALLOWED_VEHICLE",
    "an incompatible pair names a passenger the plan lacks": "INPUT_UNKNOWN_PASSENGER",
    "an incompatible pair names one passenger twice": "INPUT_BAD_PAIR",
}


def test_unknown_vehicle_hint_suggests_a_close_id() -> None:
    plan = sound_plan(passengers=(passenger(excluded_vehicles=frozenset({"V01"})),))
    issue = only_issue(plan)
    assert "V01" in issue.message and issue.hint == "Did you mean V1?"


@pytest.mark.parametrize("name", list(CASES))
def test_rule_holds(name: str) -> None:
    holds, _, _, _ = CASES[name]
    assert validate(holds()) == []


@pytest.mark.parametrize("name", list(CASES))
def test_rule_binds_naming_the_id_with_a_hint(name: str) -> None:
    _, binds, path, ident = CASES[name]
    issue = only_issue(binds())
    assert issue.code == CASE_CODES[name]
    assert (issue.path, issue.id) == (path, ident)
    if ident is not None:
        assert ident in issue.message
    assert issue.message.endswith(".")
    assert "\n" not in issue.message
    assert issue.hint


def test_every_meaning_code_has_a_case() -> None:
    file_codes = {"INPUT_FILE", "INPUT_MALFORMED_JSON", "INPUT_SCHEMA", "INPUT_OFF_ROAD"}
    assert set(CASE_CODES.values()) == set(INPUT_CODES) - file_codes


def test_many_issues_are_reported_at_once() -> None:
    plan = sound_plan(
        passengers=(
            passenger("P1", centre_id="C9"),
            passenger("P1", days=frozenset(), num_escorts=5),
        ),
        vehicles=(),
        settings=Settings(time_limit_s=-1.0),
    )
    assert sorted(codes(plan)) == [
        "INPUT_DUPLICATE_ID",
        "INPUT_ESCORTS",
        "INPUT_NO_DAYS",
        "INPUT_NO_VEHICLES",
        "INPUT_TIME_LIMIT",
        "INPUT_UNKNOWN_CENTRE",
    ]
    with pytest.raises(InputError) as excinfo:
        raise_if_invalid(plan, source="week.json")
    assert len(str(excinfo.value).splitlines()) == 6


def test_unknown_centre_hint_suggests_a_close_id() -> None:
    plan = sound_plan(centres=(centre("Furuset"),), passengers=(passenger(centre_id="Furuseth"),))
    assert only_issue(plan).hint == "Did you mean Furuset?"


def test_a_window_bad_on_one_day_points_at_that_day() -> None:
    bad = replace(HOURS, departure=TimeWindow(hm(14), hm(13)))
    plan = sound_plan(centres=(centre(hours={"mon": HOURS, "fri": bad, "wed": HOURS}),))
    issue = only_issue(plan)
    assert issue.path == "centres[0].days.fri.departure_window"
    assert "14:00-13:00" in issue.message and "fri" in issue.message


def test_a_passenger_window_issue_lists_the_days_it_binds() -> None:
    late = replace(HOURS, arrival=TimeWindow(hm(9), hm(10)))
    plan = sound_plan(
        centres=(centre(hours={"mon": HOURS, "wed": late}),),
        passengers=(passenger(earliest_pickup_s=hm(9, 30)),),
    )
    issue = only_issue(plan)
    assert issue.message == (
        "Passenger P1's earliest pickup 09:30 is after centre C1's arrival window ends (mon 09:00)."
    )


def test_a_morning_minded_latest_pickup_is_reported_for_the_afternoon_trip() -> None:
    """Own times apply in both directions: a latest pickup of 08:10 empties the afternoon's."""
    issue = only_issue(sound_plan(passengers=(passenger(latest_pickup_s=hm(8, 10)),)))
    assert issue.message == (
        "Passenger P1's latest pickup 08:10 is before centre C1's departure window starts "
        "(mon 15:00, wed 15:00); latest_pickup applies in both directions, here to the "
        "from_centre trip."
    )


def test_own_times_that_clash_with_each_other_are_reported_once() -> None:
    """Earliest pickup after latest drop-off, on every day and in both directions: one issue."""
    plan = sound_plan(
        passengers=(passenger(earliest_pickup_s=hm(8, 45), latest_dropoff_s=hm(8, 40)),)
    )
    issues = validate(plan)
    clashes = [i for i in issues if "after their latest drop-off" in i.message]
    assert len(clashes) == 1
    assert clashes[0].message == (
        "Passenger P1's earliest pickup 08:45 is after their latest drop-off 08:40."
    )
    assert clashes[0].path == "passengers[0].earliest_pickup"


def test_coordinates_never_appear_in_messages() -> None:
    plan = sound_plan(passengers=(passenger(home=LatLon(123.456, math.nan)),))
    issues = validate(plan)
    assert [issue.path for issue in issues] == ["passengers[0].home.lat", "passengers[0].home.lon"]
    assert all("123" not in issue.message for issue in issues)


def test_every_check_is_documented() -> None:
    for check in CHECKS:
        assert check.__doc__ and check.__doc__.split(":")[0].startswith("INPUT_")


# -------------------------------------------------------------------------- off the roads


def test_snap_issues_name_the_place_but_not_its_coordinates() -> None:
    issues = snap_issues(
        [("Passenger P7's home", 812.4), ("Centre C1", 12.0), ("Vehicle V1's depot", 500.0)],
        limit_m=500,
    )
    (issue,) = issues
    assert issue.code == "INPUT_OFF_ROAD"
    assert issue.message == "Passenger P7's home lies 812 m from the nearest road (limit 500 m)."
    assert "settings.roads.snap_limit_m" in issue.hint


def test_snap_issues_carry_id_and_path_of_plan_places() -> None:
    plan = sound_plan(
        passengers=(passenger(home_exceptions={"wed": LatLon(59.95, 10.9)}),),
    )
    places = plan_places(plan)
    assert [place.label for place in places] == [
        "Centre C1",
        "Passenger P1's home",
        "Passenger P1's home on wed",
        "Vehicle V1's depot",
    ]
    distances = [10.0, 10.0, math.inf, 10.0]
    (issue,) = snap_issues(zip(places, distances, strict=True), limit_m=500)
    assert (issue.path, issue.id) == ("passengers[0].home_exceptions.wed", "P1")
    assert issue.message == "Passenger P1's home on wed has no road near it (limit 500 m)."
    assert "59.95" not in issue.message
    assert isinstance(places[0], PlaceRef)
