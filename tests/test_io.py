"""Plan and result files: round trips, defaults, error messages, GeoJSON, schema files."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.domain import (
    DAYS,
    BreakRule,
    Centre,
    CentreHours,
    DayResult,
    Direction,
    DriverBreak,
    Kpis,
    LatLon,
    MaxRideRule,
    Mobility,
    Passenger,
    Reason,
    RoadSettings,
    Route,
    SeatingLayout,
    ServiceTimes,
    Settings,
    Stop,
    StopKind,
    Tariff,
    TimeWindow,
    Unassigned,
    Vehicle,
    WeekPlan,
    WeekResult,
)
from solver.errors import INPUT_CODES, InputError, Issue
from solver.io import (
    OPERATORS,
    Operator,
    dump_plan,
    dump_result,
    format_hhmm,
    format_hms,
    load_plan,
    load_result,
    parse_hhmm,
    parse_plan,
    parse_result,
    plan_to_json,
    resolve_osm_file,
    result_to_geojson,
    result_to_json,
    schema_files,
)
from solver.io.schemas.limits import lower_bound
from solver.io.schemas.plan import BreakRuleSchema, MaxRideSchema, RoadsSchema, ServiceSchema
from solver.validate import validate

REPO_ROOT = Path(__file__).resolve().parent.parent


def hm(hours: int, minutes: int = 0, seconds: int = 0) -> int:
    return hours * 3600 + minutes * 60 + seconds


# ---------------------------------------------------------------------------- fixtures


def furuset_week() -> WeekPlan:
    """One centre with a short Friday and closed Thursday; a walking passenger; a wheelchair
    passenger with two escorts, own times and a Wednesday address; one minibus with flip
    seats and one own car on three days; non-default settings."""
    usual = CentreHours(TimeWindow(hm(8, 30), hm(9)), TimeWindow(hm(15), hm(15, 30)))
    friday = CentreHours(TimeWindow(hm(8, 30), hm(9)), TimeWindow(hm(13), hm(13, 30, 15)))
    centre = Centre(
        "C1",
        "Furuset dagsenter",
        LatLon(59.941, 10.892),
        {"mon": usual, "tue": usual, "wed": usual, "fri": friday},
    )
    walking = Passenger("P001", LatLon(59.9296, 10.8709), "C1", frozenset({"mon", "wed"}))
    wheelchair = Passenger(
        "P002",
        LatLon(59.95, 10.9),
        "C1",
        frozenset({"mon", "tue", "wed", "fri"}),
        mobility=Mobility.WHEELCHAIR,
        num_escorts=2,
        boarding_s=240,
        max_ride_s=2700,
        earliest_pickup_s=hm(7, 45),
        latest_pickup_s=hm(15, 40, 20),
        earliest_dropoff_s=hm(8, 35),
        latest_dropoff_s=hm(16, 15, 30),
        home_exceptions={"wed": LatLon(59.96, 10.91)},
        birth_year=1961,
        allowed_vehicles=frozenset({"V1"}),
        excluded_vehicles=frozenset({"V2"}),
        ride_alone=True,
        num_escorts_from_centre=1,
    )
    minibus = Vehicle(
        "V1",
        LatLon(59.925, 10.8),
        seats=6,
        wheelchair_places=1,
        days=frozenset(DAYS),
        shift=TimeWindow(hm(6, 30), hm(17, 30)),
        tariff=Tariff(per_km=12.0, per_hour=550.0, per_vehicle_day=900.0),
        layouts=(SeatingLayout(8, 0), SeatingLayout(6, 1)),
        max_route_s=9000,
    )
    car = Vehicle(
        "V2",
        LatLon(59.93, 10.81),
        seats=4,
        wheelchair_places=0,
        days=frozenset({"mon", "wed", "fri"}),
        shift=TimeWindow(hm(7), hm(16)),
        operator="own",
    )
    return WeekPlan(
        centres=(centre,),
        passengers=(walking, wheelchair),
        vehicles=(minibus, car),
        settings=Settings(
            time_limit_s=30.0,
            seed=7,
            max_ride=MaxRideRule(min_s=1500, factor=1.8),
            service=ServiceTimes(boarding_walking_s=50),
            roads=RoadSettings(snap_limit_m=300.0, speed_factor=0.8),
            return_to_depot=False,
        ),
        name="oslo-east sample",
        osm_file="data/osm/oslo-east.osm.pbf",
        incompatible_pairs=(("P001", "P002"),),
    )


def minimal_plan_json() -> dict[str, Any]:
    """The least a plan file needs: one centre, one passenger, one vehicle."""
    return {
        "centres": [
            {
                "id": "C1",
                "location": {"lat": 59.9, "lon": 10.8},
                "arrival_window": {"start": "08:30", "end": "09:00"},
                "departure_window": {"start": "15:00", "end": "15:30"},
            }
        ],
        "passengers": [
            {
                "id": "P001",
                "home": {"lat": 59.91, "lon": 10.81},
                "centre_id": "C1",
                "days": ["mon"],
            }
        ],
        "vehicles": [
            {
                "id": "V1",
                "depot": {"lat": 59.9, "lon": 10.7},
                "seats": 8,
                "shift": {"start": "06:30", "end": "17:30"},
            }
        ],
    }


def one_route_week() -> WeekResult:
    """Monday morning: vehicle V1 picks up P001 and P002 (wheelchair) for centre C1; P003
    unassigned. Tuesday afternoon: no routes."""
    depot, centre = LatLon(59.925, 10.8), LatLon(59.941, 10.892)
    stops = (
        Stop(StopKind.DEPOT, depot, hm(7, 50), hm(7, 50)),
        Stop(
            StopKind.HOME,
            LatLon(59.9296, 10.8709),
            hm(8, 1, 5),
            hm(8, 2, 5),
            pickups=("P001",),
            load_seats=1,
        ),
        Stop(
            StopKind.HOME,
            LatLon(59.95, 10.9),
            hm(8, 10),
            hm(8, 14),
            pickups=("P002",),
            load_seats=3,
            load_wheelchair_places=1,
        ),
        Stop(
            StopKind.CENTRE,
            centre,
            hm(8, 31),
            hm(8, 35, 59),
            dropoffs=("P001", "P002"),
            centre_id="C1",
        ),
        Stop(StopKind.DEPOT, depot, hm(8, 50), hm(8, 50)),
    )
    route = Route(
        "V1",
        stops,
        distance_m=23450,
        duration_s=3600,
        cost=1181.4,
        geometry=((10.8, 59.925), (10.85, 59.93), (10.8709, 59.9296), (10.9, 59.95)),
        layout=SeatingLayout(6, 1),
        breaks=(DriverBreak(hm(8, 10), 600),),
    )
    monday = DayResult(
        "mon",
        Direction.TO_CENTRE,
        (route,),
        (Unassigned("P003", Reason.NO_WHEELCHAIR_VEHICLE, "Add a wheelchair place on mon."),),
        Kpis(1, 2, 1, 23450, 3600, 1181.4, 1234.5, 1790, 1.37),
        solve_s=1.25,
    )
    tuesday = DayResult("tue", Direction.FROM_CENTRE, (), (), Kpis(0, 0, 0, 0, 0, 0.0, 0.0, 0, 0.0))
    return WeekResult((monday, tuesday), name="oslo-east sample", totals={"km": 23.45, "trips": 2})


def issues_of(excinfo: pytest.ExceptionInfo[InputError]) -> tuple[Issue, ...]:
    for issue in excinfo.value.issues:
        assert issue.code in INPUT_CODES
    return excinfo.value.issues


# ------------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:00", 0), ("08:30", hm(8, 30)), ("08:30:15", hm(8, 30, 15)), ("23:59:59", 86399)],
)
def test_parse_hhmm_reads_hours_minutes_and_optional_seconds(text: str, seconds: int) -> None:
    assert parse_hhmm(text) == seconds


@pytest.mark.parametrize("text", ["24:00", "8:30", "08:60", "08:30:60", "0830", "", "08:30 "])
def test_parse_hhmm_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_hhmm(text)


def test_format_hms_and_hhmm_write_two_digit_fields() -> None:
    assert format_hms(hm(8, 5, 3)) == "08:05:03"
    assert format_hhmm(hm(8, 5)) == "08:05"
    assert format_hhmm(hm(8, 5, 3)) == "08:05:03"
    assert format_hms(86399) == "23:59:59"


@pytest.mark.parametrize("seconds", [-1, 86400])
def test_format_hms_refuses_times_outside_the_day(seconds: int) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        format_hms(seconds)


@given(st.integers(0, 86399))
def test_format_and_parse_are_inverse(seconds: int) -> None:
    assert parse_hhmm(format_hms(seconds)) == seconds
    assert parse_hhmm(format_hhmm(seconds)) == seconds


# ---------------------------------------------------------------------- plan round trips


def test_plan_round_trips_through_json() -> None:
    plan = furuset_week()
    assert parse_plan(plan_to_json(plan)) == plan
    assert parse_plan(json.dumps(plan_to_json(plan))) == plan


def test_a_work_limit_is_read_and_written_and_left_out_when_unset() -> None:
    data = minimal_plan_json()
    assert "max_solutions" not in plan_to_json(parse_plan(data))["settings"]
    data["settings"] = {"max_solutions": 250}
    plan = parse_plan(data)
    assert plan.settings.max_solutions == 250
    assert plan_to_json(plan)["settings"]["max_solutions"] == 250
    data["settings"] = {"max_solutions": 0}
    with pytest.raises(InputError) as caught:
        parse_plan(data)
    assert caught.value.issues[0].path == "settings.max_solutions"


SETTING_RANGES = (
    ("max_ride", "min_s"),
    ("max_ride", "factor"),
    ("service", "per_escort_s"),
    ("roads", "snap_limit_m"),
    ("roads", "speed_factor"),
    ("roads", "intersection_penalty_s"),
    ("driver_break", "duration_s"),
)


@pytest.mark.parametrize(("group", "name"), SETTING_RANGES)
def test_a_setting_out_of_its_range_is_refused_alike_in_a_file_and_in_code(
    group: str, name: str
) -> None:
    """The settings' ranges are stated once, in the schemas: the file and ``validate`` agree."""
    data = minimal_plan_json()
    data["settings"] = {group: {name: 1}}
    plan = parse_plan(data)  # inside the range
    assert not [i for i in validate(plan) if i.path == f"settings.{group}.{name}"]
    schema = {
        "max_ride": MaxRideSchema,
        "service": ServiceSchema,
        "roads": RoadsSchema,
        "driver_break": BreakRuleSchema,
    }[group]
    low, low_allowed = lower_bound(schema, name)
    outside = low if not low_allowed else low - 1
    data["settings"] = {group: {name: outside}}
    with pytest.raises(InputError) as caught:
        parse_plan(data)
    assert caught.value.issues[0].path == f"settings.{group}.{name}"
    inner = getattr(plan.settings, group)
    built = replace(
        plan, settings=replace(plan.settings, **{group: replace(inner, **{name: outside})})
    )
    issues = [i for i in validate(built) if i.path == f"settings.{group}.{name}"]
    assert [i.code for i in issues] == ["INPUT_VALUE"]


def test_vehicle_rules_read_from_a_plan_file() -> None:
    data = minimal_plan_json()
    data["passengers"][0].update(
        {
            "allowed_vehicles": ["V1"],
            "excluded_vehicles": ["V9"],
            "ride_alone": True,
            "escorts": 2,
            "escorts_from_centre": 0,
        }
    )
    data["incompatible_pairs"] = [["P1", "P2"]]
    plan = parse_plan(data)
    (passenger,) = plan.passengers
    assert passenger.allowed_vehicles == frozenset({"V1"})
    assert passenger.excluded_vehicles == frozenset({"V9"})
    assert passenger.ride_alone
    assert (passenger.num_escorts, passenger.num_escorts_from_centre) == (2, 0)
    assert plan.incompatible_pairs == (("P1", "P2"),)


def test_an_entrance_limit_is_read_and_written_and_zero_is_rejected() -> None:
    data = minimal_plan_json()
    data["centres"][0]["max_wheelchair_dropoffs"] = 1
    plan = parse_plan(data)
    assert plan.centres[0].max_wheelchair_dropoffs == 1
    assert plan_to_json(plan)["centres"][0]["max_wheelchair_dropoffs"] == 1
    assert "max_wheelchair_dropoffs" not in plan_to_json(parse_plan(minimal_plan_json()))
    data["centres"][0]["max_wheelchair_dropoffs"] = 0
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.code, issue.path) == ("INPUT_SCHEMA", "centres[0].max_wheelchair_dropoffs")
    assert "C1" in str(excinfo.value)


def test_an_empty_allowed_vehicles_list_is_a_schema_error() -> None:
    data = minimal_plan_json()
    data["passengers"][0]["allowed_vehicles"] = []
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    assert [issue.code for issue in excinfo.value.issues] == ["INPUT_SCHEMA"]


def test_plan_round_trips_through_a_file(tmp_path: Path) -> None:
    plan = furuset_week()
    path = tmp_path / "week.json"
    dump_plan(plan, path)
    assert load_plan(path) == plan
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_centre_windows_most_days_share_are_written_once() -> None:
    written = plan_to_json(furuset_week())["centres"][0]
    assert written["arrival_window"] == {"start": "08:30", "end": "09:00"}
    assert written["departure_window"] == {"start": "15:00", "end": "15:30"}
    assert written["open_days"] == ["mon", "tue", "wed", "fri"]
    assert written["days"] == {"fri": {"departure_window": {"start": "13:00", "end": "13:30:15"}}}


def test_unset_optional_passenger_fields_are_left_out() -> None:
    written = plan_to_json(furuset_week())["passengers"][0]
    assert set(written) == {"id", "home", "centre_id", "days", "mobility", "escorts"}


def test_own_windows_and_longest_route_are_written_as_clock_times_and_seconds() -> None:
    written = plan_to_json(furuset_week())
    wheelchair = written["passengers"][1]
    assert (wheelchair["earliest_pickup"], wheelchair["latest_pickup"]) == ("07:45", "15:40:20")
    assert (wheelchair["earliest_dropoff"], wheelchair["latest_dropoff"]) == ("08:35", "16:15:30")
    assert written["vehicles"][0]["max_route_s"] == 9000
    assert "max_route_s" not in written["vehicles"][1]


def test_own_windows_and_longest_route_are_read_from_a_plan_file() -> None:
    data = minimal_plan_json()
    data["passengers"][0] |= {"latest_pickup": "08:10", "earliest_dropoff": "15:45"}
    data["vehicles"][0]["max_route_s"] = 5400
    plan = parse_plan(data)
    assert plan.passengers[0].latest_pickup_s == hm(8, 10)
    assert plan.passengers[0].earliest_dropoff_s == hm(15, 45)
    assert plan.vehicles[0].max_route_s == 5400


def test_a_longest_route_of_zero_is_rejected_naming_the_vehicle() -> None:
    data = minimal_plan_json()
    data["vehicles"][0]["max_route_s"] = 0
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert issue.code == "INPUT_SCHEMA"
    assert issue.path == "vehicles[0].max_route_s"


def test_minimal_plan_gets_the_domain_defaults() -> None:
    plan = parse_plan(minimal_plan_json())
    assert plan.name == "week"
    assert plan.osm_file is None
    assert plan.settings == Settings()
    centre = plan.centres[0]
    assert centre.name == "C1"
    assert set(centre.hours) == set(DAYS)
    passenger = plan.passengers[0]
    assert passenger.mobility is Mobility.WALKING
    assert passenger.num_escorts == 0
    assert passenger.home_exceptions == {}
    vehicle = plan.vehicles[0]
    assert vehicle.days == frozenset(DAYS)
    assert vehicle.wheelchair_places == 0
    assert vehicle.layouts == ()
    assert vehicle.tariff == Tariff()
    assert vehicle.operator == "contractor"
    assert vehicle.max_route_s is None


def test_parse_plan_takes_text_bytes_or_a_dict() -> None:
    data = minimal_plan_json()
    text = json.dumps(data)
    assert parse_plan(text) == parse_plan(text.encode()) == parse_plan(data)
    assert parse_plan(b"\xef\xbb\xbf" + text.encode()) == parse_plan(data)  # UTF-8 BOM


def test_a_schema_link_is_allowed_and_ignored() -> None:
    data = minimal_plan_json() | {"$schema": "../docs/schema/plan.schema.json"}
    assert parse_plan(data) == parse_plan(minimal_plan_json())


def test_centre_day_override_replaces_only_the_window_it_names() -> None:
    data = minimal_plan_json()
    data["centres"][0]["days"] = {"fri": {"arrival_window": {"start": "09:00", "end": "09:30"}}}
    friday = parse_plan(data).centres[0].hours["fri"]
    assert friday.arrival == TimeWindow(hm(9), hm(9, 30))
    assert friday.departure == TimeWindow(hm(15), hm(15, 30))


def test_centre_open_days_can_all_set_their_own_windows() -> None:
    data = minimal_plan_json()
    centre = data["centres"][0]
    window = {"start": "08:00", "end": "08:30"}
    del centre["arrival_window"], centre["departure_window"]
    centre["open_days"] = ["mon"]
    centre["days"] = {"mon": {"arrival_window": window, "departure_window": window}}
    assert parse_plan(data).centres[0].hours == {
        "mon": CentreHours(TimeWindow(hm(8), hm(8, 30)), TimeWindow(hm(8), hm(8, 30)))
    }


latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
locations = st.builds(LatLon, latitudes, longitudes)
times = st.integers(0, 86399)
windows = st.builds(TimeWindow, times, times)
day_sets = st.frozensets(st.sampled_from(DAYS))
ids = st.text(min_size=1, max_size=6)
prices = st.floats(0, 1e6, allow_nan=False)


@st.composite
def centres(draw: st.DrawFn) -> Centre:
    hours = st.builds(CentreHours, windows, windows)
    open_days = draw(st.lists(st.sampled_from(DAYS), unique=True))
    return Centre(
        draw(ids),
        draw(st.text()),
        draw(locations),
        {day: draw(hours) for day in open_days},
        draw(st.none() | st.integers(1, 5)),
    )


passengers = st.builds(
    Passenger,
    passenger_id=ids,
    home=locations,
    centre_id=ids,
    days=day_sets,
    mobility=st.sampled_from(Mobility),
    num_escorts=st.integers(0, 3),
    boarding_s=st.none() | st.integers(0, 3600),
    max_ride_s=st.none() | st.integers(1, 7200),
    earliest_pickup_s=st.none() | times,
    latest_pickup_s=st.none() | times,
    earliest_dropoff_s=st.none() | times,
    latest_dropoff_s=st.none() | times,
    home_exceptions=st.dictionaries(st.sampled_from(DAYS), locations),
    birth_year=st.none() | st.integers(1900, 2100),
    allowed_vehicles=st.none() | st.frozensets(ids, min_size=1, max_size=3),
    excluded_vehicles=st.frozensets(ids, max_size=3),
    ride_alone=st.booleans(),
    num_escorts_from_centre=st.none() | st.integers(0, 3),
)

vehicles = st.builds(
    Vehicle,
    vehicle_id=ids,
    depot=locations,
    seats=st.integers(0, 20),
    wheelchair_places=st.integers(0, 4),
    days=day_sets,
    shift=windows,
    tariff=st.builds(Tariff, prices, prices, prices),
    layouts=st.lists(st.builds(SeatingLayout, st.integers(0, 20), st.integers(0, 4))).map(tuple),
    operator=st.sampled_from(OPERATORS),
    max_route_s=st.none() | st.integers(1, 86400),
)

plan_settings = st.builds(
    Settings,
    time_limit_s=st.floats(0.001, 1e5),
    seed=st.integers(0, 2**31),
    max_ride=st.builds(MaxRideRule, st.integers(0, 7200), st.floats(0.1, 5)),
    service=st.builds(ServiceTimes, *[st.integers(0, 600)] * 5),
    roads=st.builds(
        RoadSettings, st.floats(1, 5000), st.floats(0.1, 2), st.floats(0, 30), st.floats(1, 50)
    ),
    return_to_depot=st.booleans(),
    same_vehicle_both_ways=st.booleans(),
    choose_layouts=st.booleans(),
    driver_break=st.none() | st.builds(BreakRule, st.integers(1, 3600), st.integers(1, 36000)),
)


@settings(max_examples=60, deadline=None)
@given(
    st.builds(
        WeekPlan,
        centres=st.lists(centres(), max_size=3).map(tuple),
        passengers=st.lists(passengers, max_size=4).map(tuple),
        vehicles=st.lists(vehicles, max_size=3).map(tuple),
        settings=plan_settings,
        name=st.text(),
        osm_file=st.none() | st.text(),
        incompatible_pairs=st.lists(st.tuples(ids, ids), max_size=3).map(tuple),
    )
)
def test_any_plan_round_trips(plan: WeekPlan) -> None:
    assert parse_plan(json.dumps(plan_to_json(plan))) == plan


# --------------------------------------------------------------------- plan input errors


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as excinfo:
        parse_plan('{\n  "name": "x",\n  "centres": [,]\n}', source="week.json")
    (issue,) = issues_of(excinfo)
    assert issue.code == "INPUT_MALFORMED_JSON"
    assert "line 3, column 15" in issue.message
    assert "week.json" in issue.message
    assert issue.hint


def test_text_that_is_not_utf8_is_malformed() -> None:
    with pytest.raises(InputError) as excinfo:
        parse_plan(b'{"name": "\xff"}')
    assert excinfo.value.codes == ("INPUT_MALFORMED_JSON",)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        load_plan(tmp_path / "nowhere.json")
    (issue,) = issues_of(excinfo)
    assert issue.code == "INPUT_FILE"
    assert "nowhere.json" in issue.message


def test_unknown_field_names_the_path_and_the_passenger() -> None:
    data = minimal_plan_json()
    data["passengers"][0]["escort"] = 1
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.code, issue.path, issue.id) == ("INPUT_SCHEMA", "passengers[0].escort", "P001")
    assert issue.message == "Passenger P001 has an unknown field 'escort'."
    assert issue.hint == "Did you mean 'escorts'?"


def test_unknown_field_without_a_close_match_lists_the_allowed_ones() -> None:
    data = minimal_plan_json()
    data["settings"] = {"roads": {"colour": "red"}}
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert issue.path == "settings.roads.colour"
    assert issue.id is None
    assert issue.message == "The plan has an unknown field 'settings.roads.colour'."
    assert "snap_limit_m" in issue.hint


def test_escorts_4_is_rejected_naming_the_passenger() -> None:
    data = minimal_plan_json()
    data["passengers"][0]["escorts"] = 4
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.path, issue.id) == ("passengers[0].escorts", "P001")
    assert issue.message == "Passenger P001 has escorts 4, but it must be at most 3."


@pytest.mark.parametrize("text", ["8:30", "24:00", "08.30", "half past eight"])
def test_a_badly_written_time_is_rejected(text: str) -> None:
    data = minimal_plan_json()
    data["vehicles"][0]["shift"]["start"] = text
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.path, issue.id) == ("vehicles[0].shift.start", "V1")
    assert "not a time of day" in issue.message
    assert "HH:MM" in issue.hint


def test_a_coordinate_out_of_range_is_reported_without_its_value() -> None:
    data = minimal_plan_json()
    data["passengers"][0]["home"] = {"lat": 123.456789, "lon": 10.81}
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.path, issue.id) == ("passengers[0].home.lat", "P001")
    assert "123" not in str(excinfo.value)


def test_an_unknown_weekday_is_rejected() -> None:
    data = minimal_plan_json()
    data["passengers"][0]["days"] = ["mon", "sat"]
    data["passengers"][0]["home_exceptions"] = {"sun": {"lat": 59.9, "lon": 10.8}}
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    paths = {issue.path for issue in issues_of(excinfo)}
    assert paths == {"passengers[0].days[1]", "passengers[0].home_exceptions.sun"}


def test_a_wrong_type_says_what_was_expected() -> None:
    data = minimal_plan_json()
    data["vehicles"][0]["seats"] = "8"
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert issue.message == "Vehicle V1 has seats that is not a whole number."


def test_a_missing_nested_field_is_named_by_its_path_below_the_owner() -> None:
    data = minimal_plan_json()
    del data["vehicles"][0]["shift"]["end"]
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.path, issue.id) == ("vehicles[0].shift.end", "V1")
    assert issue.message == "Vehicle V1 lacks the required field 'shift.end'."


def test_a_birth_year_out_of_range_is_not_echoed() -> None:
    data = minimal_plan_json()
    data["passengers"][0]["birth_year"] = 1850
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert "1850" not in str(excinfo.value)
    assert issue.hint == "It must be at least 1900."


def test_a_missing_list_is_named() -> None:
    data = minimal_plan_json()
    del data["vehicles"]
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.path, issue.message) == (
        "vehicles",
        "The plan lacks the required field 'vehicles'.",
    )


def test_a_centre_needs_windows_for_every_open_day() -> None:
    data = minimal_plan_json()
    del data["centres"][0]["departure_window"]
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert (issue.path, issue.id) == ("centres[0]", "C1")
    assert issue.message == "Centre C1 is open on mon but has no departure_window for it."


def test_a_centre_cannot_set_windows_for_a_closed_day() -> None:
    data = minimal_plan_json()
    data["centres"][0]["open_days"] = ["mon"]
    data["centres"][0]["days"] = {"tue": {}}
    with pytest.raises(InputError) as excinfo:
        parse_plan(data)
    (issue,) = issues_of(excinfo)
    assert issue.message == "Centre C1 sets windows for tue, a day it is not open."


def test_every_structural_problem_is_reported_at_once() -> None:
    data = minimal_plan_json()
    data["passengers"].append(dict(data["passengers"][0], id="P002", escorts=-1))
    data["passengers"][0]["mobility"] = "crutches"
    data["vehicles"][0]["seats"] = -2
    data["settings"] = {"time_limit_s": 0}
    with pytest.raises(InputError) as excinfo:
        parse_plan(data, source="week.json")
    found = {(issue.path, issue.id) for issue in issues_of(excinfo)}
    assert found == {
        ("passengers[0].mobility", "P001"),
        ("passengers[1].escorts", "P002"),
        ("vehicles[0].seats", "V1"),
        ("settings.time_limit_s", None),
    }
    lines = str(excinfo.value).splitlines()
    assert len(lines) == 4
    assert all(line.startswith("week.json: INPUT_SCHEMA at ") for line in lines)
    assert all(" Hint: " in line for line in lines)


def test_a_plan_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(InputError) as excinfo:
        parse_plan("[]")
    (issue,) = issues_of(excinfo)
    assert (issue.path, issue.message) == (None, "The plan is not a JSON object.")


def test_input_errors_read_one_line_per_issue_and_survive_pickling() -> None:
    issue = Issue("INPUT_ESCORTS", "Passenger P1 has 5 escorts.", "Use 0 to 3.", "x[0]", "P1")
    error = InputError([issue, Issue("INPUT_NO_VEHICLES", "No vehicles.", "Add one.")])
    assert str(error) == (
        "INPUT_ESCORTS at x[0] (P1): Passenger P1 has 5 escorts. Hint: Use 0 to 3.\n"
        "INPUT_NO_VEHICLES: No vehicles. Hint: Add one."
    )
    copy = pickle.loads(pickle.dumps(error))
    assert copy.issues == error.issues
    with pytest.raises(ValueError, match="at least one issue"):
        InputError([])


# ----------------------------------------------------------------------------- osm_file


def test_osm_file_is_found_beside_the_plan_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans, cwd = tmp_path / "plans", tmp_path / "cwd"
    for folder in (plans, cwd):
        (folder / "osm").mkdir(parents=True)
    (cwd / "osm" / "both.pbf").touch()
    (plans / "osm" / "both.pbf").touch()
    (cwd / "osm" / "cwd-only.pbf").touch()
    monkeypatch.chdir(cwd)
    plan_path = plans / "week.json"
    assert resolve_osm_file(plan_path, "osm/both.pbf") == plans / "osm" / "both.pbf"
    assert resolve_osm_file(plan_path, "osm/cwd-only.pbf") == cwd / "osm" / "cwd-only.pbf"
    assert resolve_osm_file(plan_path, "osm/nowhere.pbf") == plans / "osm" / "nowhere.pbf"
    assert resolve_osm_file(plan_path, str(tmp_path / "x.pbf")) == tmp_path / "x.pbf"
    assert resolve_osm_file(None, "osm/both.pbf") == Path("osm/both.pbf")
    assert resolve_osm_file(plan_path, None) is None


# ------------------------------------------------------------------------------ results


def assert_same_result(got: WeekResult, want: WeekResult) -> None:
    """Equal, except the mean ride time that minutes carry to within 0.003 s."""
    assert len(got.plans) == len(want.plans)
    for got_day, want_day in zip(got.plans, want.plans, strict=True):
        assert got_day.kpis.mean_ride_s == pytest.approx(want_day.kpis.mean_ride_s, abs=0.003)
    same_means = tuple(
        DayResult(
            g.day,
            g.direction,
            g.routes,
            g.unassigned,
            Kpis(**{**vars(g.kpis), "mean_ride_s": w.kpis.mean_ride_s}),
            g.solve_s,
        )
        for g, w in zip(got.plans, want.plans, strict=True)
    )
    assert WeekResult(same_means, got.name, got.totals) == want


def test_result_round_trips_through_json_and_a_file(tmp_path: Path) -> None:
    result = one_route_week()
    assert_same_result(parse_result(result_to_json(result)), result)
    path = tmp_path / "result.json"
    dump_result(result, path)
    assert_same_result(load_result(path), result)


def test_result_json_uses_clock_times_and_human_units() -> None:
    written = result_to_json(one_route_week())
    monday = written["plans"][0]
    stop = monday["routes"][0]["stops"][3]
    assert stop == {
        "kind": "centre",
        "centre_id": "C1",
        "location": {"lat": 59.941, "lon": 10.892},
        "arrival": "08:31:00",
        "departure": "08:35:59",
        "pickups": [],
        "dropoffs": ["P001", "P002"],
        "load": {"seats": 0, "wheelchair_places": 0},
    }
    assert monday["kpis"] == {
        "vehicles": 1,
        "passengers": 2,
        "unassigned": 1,
        "km": 23.45,
        "vehicle_hours": 1.0,
        "cost": 1181.4,
        "mean_ride_min": 20.575,
        "max_ride_min": 29.833,
        "mean_ride_ratio": 1.37,
    }
    assert monday["unassigned"] == [
        {
            "passenger_id": "P003",
            "reason": "UNASSIGNED_NO_WHEELCHAIR_VEHICLE",
            "hint": "Add a wheelchair place on mon.",
        }
    ]
    assert monday["routes"][0]["geometry"]["coordinates"][0] == [10.8, 59.925]
    assert "geometry" not in written["plans"][1]


@given(
    st.integers(0, 10**7),
    st.integers(0, 10**6),
    st.integers(0, 86400),
    st.floats(0, 86400, allow_nan=False),
)
def test_kpis_in_km_hours_and_minutes_come_back_to_the_metre_and_second(
    distance_m: int, vehicle_s: int, max_ride_s: int, mean_ride_s: float
) -> None:
    kpis = Kpis(1, 1, 0, distance_m, vehicle_s, 1.0, mean_ride_s, max_ride_s, 1.0)
    result = WeekResult((DayResult("mon", Direction.TO_CENTRE, (), (), kpis),))
    back = parse_result(result_to_json(result)).plans[0].kpis
    assert (back.distance_m, back.vehicle_s, back.max_ride_s) == (
        distance_m,
        vehicle_s,
        max_ride_s,
    )
    assert back.mean_ride_s == pytest.approx(mean_ride_s, abs=0.003)


def test_result_json_is_stable_once_written() -> None:
    written = result_to_json(one_route_week())
    assert result_to_json(parse_result(written)) == written


def test_result_errors_name_the_route_and_the_stop() -> None:
    written = result_to_json(one_route_week())
    written["plans"][0]["routes"][0]["stops"][1]["arrival"] = "8:01"
    written["plans"][0]["routes"][0]["stops"][2]["kind"] = "school"
    written["plans"][0]["unassigned"][0]["reason"] = "TOO_FAR"
    with pytest.raises(InputError) as excinfo:
        parse_result(written, source="result.json")
    issues = issues_of(excinfo)
    assert [(issue.path, issue.id) for issue in issues] == [
        ("plans[0].routes[0].stops[1].arrival", "V1"),
        ("plans[0].routes[0].stops[2].kind", "V1"),
        ("plans[0].unassigned[0].reason", "P003"),
    ]
    assert issues[0].message.startswith("Stop 2 of the route of vehicle V1 has arrival '8:01'")
    assert issues[1].hint == "Use one of 'depot', 'home' or 'centre'."
    assert issues[2].message.startswith("The unassigned entry of passenger P003 has reason")


def test_malformed_result_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as excinfo:
        parse_result('{"plans": [}')
    (issue,) = issues_of(excinfo)
    assert issue.code == "INPUT_MALFORMED_JSON"
    assert "line 1, column 12" in issue.message


# ------------------------------------------------------------------------------ GeoJSON


def test_geojson_has_a_line_per_route_and_a_point_per_stop() -> None:
    collection = result_to_geojson(one_route_week())
    assert collection["type"] == "FeatureCollection"
    lines = [f for f in collection["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in collection["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == 1
    assert len(points) == 5
    assert lines[0]["properties"] == {
        "day": "mon",
        "direction": "to_centre",
        "vehicle_id": "V1",
        "distance_m": 23450,
        "duration_s": 3600,
        "cost": 1181.4,
        "num_passengers": 2,
        "num_stops": 5,
        "geometry_source": "roads",
    }
    assert lines[0]["geometry"]["coordinates"][0] == [10.8, 59.925]
    home = points[2]
    assert home["geometry"]["coordinates"] == [10.9, 59.95]
    assert home["properties"] | {} == {
        "day": "mon",
        "direction": "to_centre",
        "vehicle_id": "V1",
        "sequence": 2,
        "kind": "home",
        "centre_id": None,
        "arrival": "08:10:00",
        "departure": "08:14:00",
        "num_pickups": 1,
        "num_dropoffs": 0,
        "pickups": ["P002"],
        "dropoffs": [],
    }
    json.dumps(collection, allow_nan=False)


def test_geojson_draws_straight_lines_without_a_road_path() -> None:
    result = one_route_week()
    monday = result.plans[0]
    bare = Route(**{**vars(monday.routes[0]), "geometry": ()})
    result = WeekResult((DayResult("mon", Direction.TO_CENTRE, (bare,), (), monday.kpis),))
    (line,) = [
        f for f in result_to_geojson(result)["features"] if f["geometry"]["type"] == "LineString"
    ]
    assert line["properties"]["geometry_source"] == "straight"
    assert len(line["geometry"]["coordinates"]) == len(bare.stops)


# ------------------------------------------------------------------------ schema files


def test_checked_in_schema_files_are_up_to_date() -> None:
    for name, text in schema_files().items():
        path = REPO_ROOT / "docs" / "schema" / name
        assert path.exists(), f"{path} is missing: run scripts/export_schema.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is out of date: run scripts/export_schema.py"
        )


def test_schema_documents_every_field() -> None:
    for text in schema_files().values():
        schema = json.loads(text)
        for definition in schema["$defs"].values():
            if "properties" not in definition:
                continue  # enums
            for name, prop in definition["properties"].items():
                assert prop.get("description"), f"{definition['title']}.{name} is undocumented"


def test_the_file_operators_are_the_domain_operators() -> None:
    assert set(get_args(Operator)) == set(OPERATORS)
