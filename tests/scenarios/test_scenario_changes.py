"""Each change type on the tiny week: pure functions, no solving."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from solver.domain import DistanceBand, LatLon, SeatingLayout, Tariff, TimeWindow
from solver.errors import InputError
from solver.scenarios.changes import (
    AddVehicles,
    AgeLimit,
    ApplyContext,
    CapDays,
    ChangeCentreHours,
    ChangeTariff,
    CloseCentre,
    Growth,
    MaxRide,
    ModifyVehicles,
    PassengerSelector,
    RemovePassengers,
    RemoveVehicles,
    VehicleSelector,
    apply_change,
    apply_changes,
    apply_changes_steps,
    group_home_ids,
    naive_keep,
)
from solver.scenarios.explain import explain_all
from tests.conftest import centre, hm, passenger
from tests.scenarios.tiny import CENTRE_C, FIVE, GROUP_HOME, GridNodes, tiny_week


def days_of(plan, pid):  # type: ignore[no-untyped-def]
    return next(p.days for p in plan.passengers if p.passenger_id == pid)


def test_base_week_is_never_modified() -> None:
    base = tiny_week()
    before = tiny_week()
    apply_changes(base, [CapDays(4, PassengerSelector(num_days=(5,))), AgeLimit()])
    assert base == before


def test_cap_days_drops_friday_for_five_day_passengers_only() -> None:
    plan = apply_change(tiny_week(), CapDays(4, PassengerSelector(num_days=(5,)), ("fri",)))
    for pid in ("P1", "P2", "P4"):
        assert days_of(plan, pid) == FIVE - {"fri"}
    assert days_of(plan, "P3") == {"mon", "wed", "fri"}  # 3 days: not selected


def test_cap_days_without_the_preferred_day_drops_the_latest_weekdays() -> None:
    assert naive_keep(frozenset({"mon", "wed", "fri"}), 2, ("fri",)) == {"mon", "wed"}
    assert naive_keep(frozenset({"mon", "tue", "wed"}), 2, ("fri",)) == {"mon", "tue"}
    assert naive_keep(frozenset({"mon", "tue", "wed"}), 2, ("mon", "fri")) == {"tue", "wed"}


def test_cap_days_selects_group_home_residents_and_centres() -> None:
    assert group_home_ids(tiny_week()) == {"P1", "P2"}
    plan = apply_change(tiny_week(), CapDays(4, PassengerSelector(group_home=True)))
    assert days_of(plan, "P4") == FIVE
    assert days_of(plan, "P1") == FIVE - {"fri"}
    plan = apply_change(tiny_week(), CapDays(4, PassengerSelector(centre_ids=("B",))))
    assert days_of(plan, "P1") == FIVE
    assert days_of(plan, "P4") == FIVE - {"fri"}


def test_cap_days_optimised_keeps_the_number_of_days() -> None:
    plan = apply_change(tiny_week(), CapDays(4, PassengerSelector(num_days=(5,)), "optimise"))
    for pid in ("P1", "P2", "P4"):
        assert len(days_of(plan, pid)) == 4
    # Residents of one group home drop the same weekday (one stop fewer).
    assert days_of(plan, "P1") == days_of(plan, "P2")


def test_age_limit_removes_the_old_and_keeps_unknown_birth_years() -> None:
    base = tiny_week()
    steps = apply_changes_steps(base, [AgeLimit(max_age=62, reference_year=2025)])
    kept = {p.passenger_id for p in steps[-1].passengers}
    assert kept == {"P2", "P3", "P4"}  # P1 (1950) and P5 (1962, turns 63) leave; P3 unknown
    note = explain_all(steps, [AgeLimit()])[0]
    assert note.startswith("2 passengers aged 62+ in 2025 (born 1963 or earlier) leave")
    assert "1 passenger without a birth year stay" in note


def test_remove_passengers_draws_a_seeded_sample() -> None:
    change = RemovePassengers(PassengerSelector(centre_ids=("A",)), count=2, seed=4)
    first = apply_change(tiny_week(), change)
    again = apply_change(tiny_week(), change)
    assert first == again
    assert len(first.passengers) == 3
    assert {"P4", "P5"} <= {p.passenger_id for p in first.passengers}


def test_close_centre_merges_into_the_named_centre() -> None:
    plan = apply_change(tiny_week(), CloseCentre("A", into="B"))
    assert [c.centre_id for c in plan.centres] == ["B"]
    assert {p.centre_id for p in plan.passengers} == {"B"}


def three_centres():  # type: ignore[no-untyped-def]
    base = tiny_week()
    return base.replace(centres=(*base.centres, centre("C", CENTRE_C)))


def test_close_centre_moves_each_passenger_to_the_nearest_centre_with_room() -> None:
    # Straight line: B is nearer than C to every A home. B has 1 passenger on mon/wed/fri and
    # 2 on tue/thu now, and 3 places a day: room for P3 (mon/wed/fri) but not for the group
    # home P1 + P2 (5 days), who move together to C.
    plan = apply_change(three_centres(), CloseCentre("A", capacity={"B": 3}))
    moved = {p.passenger_id: p.centre_id for p in plan.passengers if p.passenger_id < "P4"}
    assert moved == {"P1": "C", "P2": "C", "P3": "B"}


def test_close_centre_uses_road_travel_times_when_given() -> None:
    def c_is_nearest(origins: list[LatLon], destinations: list[LatLon]) -> npt.NDArray[np.float64]:
        return np.array([[10.0 if d == CENTRE_C else 99.0 for d in destinations] for _ in origins])

    plan = apply_change(three_centres(), CloseCentre("A"), ApplyContext(travel=c_is_nearest))
    assert {p.centre_id for p in plan.passengers if p.passenger_id < "P4"} == {"C"}


def test_close_centre_without_room_names_scenario_and_passenger() -> None:
    with pytest.raises(InputError) as caught:
        apply_changes(tiny_week(), [CloseCentre("A", capacity={"B": 1})], scenario_id="squeeze")
    issue = caught.value.issues[0]
    assert issue.code == "SCENARIO_NO_ROOM"
    assert issue.message.startswith("Scenario squeeze: Passenger P")
    assert issue.path == "changes[0]"


def test_unknown_ids_name_the_scenario_and_the_id() -> None:
    cases = [
        (CapDays(4, PassengerSelector(passenger_ids=("P99",))), "SCENARIO_UNKNOWN_PASSENGER"),
        (CloseCentre("Z"), "SCENARIO_UNKNOWN_CENTRE"),
        (RemoveVehicles(VehicleSelector(vehicle_ids=("V9",))), "SCENARIO_UNKNOWN_VEHICLE"),
        (AddVehicles(like="V9"), "SCENARIO_UNKNOWN_VEHICLE"),
    ]
    for change, code in cases:
        with pytest.raises(InputError) as caught:
            apply_changes(tiny_week(), [AgeLimit(), change], scenario_id="s7")
        issue = caught.value.issues[0]
        assert issue.code == code
        assert "Scenario s7" in issue.message
        assert issue.id in issue.message
        assert issue.path == "changes[1]"


def test_staggered_openings_shift_every_second_centre() -> None:
    plan = apply_change(tiny_week(), ChangeCentreHours("every_second", shift_s=30 * 60))
    a, b = plan.centres
    assert a.hours["mon"].arrival == TimeWindow(hm(8, 30), hm(9))
    assert b.hours["mon"].arrival == TimeWindow(hm(9), hm(9, 30))
    assert b.hours["fri"].departure == TimeWindow(hm(15, 30), hm(16))


def test_centre_hours_set_on_some_days_and_past_midnight_is_an_error() -> None:
    window = TimeWindow(hm(9), hm(9, 20))
    plan = apply_change(tiny_week(), ChangeCentreHours(("A",), arrival=window, days=("fri",)))
    assert plan.centre("A").hours["fri"].arrival == window
    assert plan.centre("A").hours["mon"].arrival == TimeWindow(hm(8, 30), hm(9))
    with pytest.raises(InputError, match="SCENARIO_BAD_CHANGE"):
        apply_changes(tiny_week(), [ChangeCentreHours("all", shift_s=16 * 3600)])


def test_add_vehicles_copies_a_vehicle_with_new_ids_and_depot() -> None:
    plan = apply_change(tiny_week(), AddVehicles(count=2, like="V2", at_centre="B"))
    added = plan.vehicles[3:]
    assert [v.vehicle_id for v in added] == ["X001", "X002"]
    assert all(v.depot == plan.centre("B").location for v in added)
    assert all(v.operator == "own" and v.wheelchair_places == 2 for v in added)


def test_add_vehicles_described_in_full_needs_seats_tariff_and_depot() -> None:
    tariff = Tariff(per_hour=500.0, per_year=100_000.0)
    plan = apply_change(
        tiny_week(), AddVehicles(seats=6, wheelchair_places=1, tariff=tariff, at_centre="A")
    )
    assert plan.vehicles[-1].tariff == tariff
    assert plan.vehicles[-1].shift == plan.vehicles[0].shift
    with pytest.raises(InputError, match="needs seats and tariff"):
        apply_changes(tiny_week(), [AddVehicles(at_centre="A")])


def test_remove_and_modify_vehicles() -> None:
    plan = apply_change(tiny_week(), RemoveVehicles(VehicleSelector(operator="contractor")))
    assert [v.vehicle_id for v in plan.vehicles] == ["V2"]
    vans = VehicleSelector(seats=3, wheelchair_places=2)
    plan = apply_change(tiny_week(), RemoveVehicles(vans))
    assert [v.vehicle_id for v in plan.vehicles] == ["V1", "V2"]
    plan = apply_change(
        tiny_week(),
        ModifyVehicles(VehicleSelector(vehicle_ids=("V2",)), layout=SeatingLayout(8, 0)),
    )
    assert (plan.vehicles[1].seats, plan.vehicles[1].wheelchair_places) == (8, 0)
    with pytest.raises(InputError, match="has no layout of 5 seats"):
        apply_changes(
            tiny_week(),
            [ModifyVehicles(VehicleSelector(vehicle_ids=("V2",)), layout=SeatingLayout(5, 0))],
        )
    plan = apply_change(
        tiny_week(), ModifyVehicles(VehicleSelector(vehicle_ids=("V1",)), operator="own")
    )
    assert plan.vehicles[0].operator == "own"


def test_tariff_set_then_scale_for_selected_operator() -> None:
    bands = (DistanceBand(None, 300.0), DistanceBand(5000, 150.0))
    change = ChangeTariff(
        VehicleSelector(operator="contractor"),
        set={"per_trip": 20.0},
        scale={"per_hour": 1.1},
        distance_bands=bands,
    )
    plan = apply_change(tiny_week(), change)
    contractor = plan.vehicles[0].tariff
    assert contractor.per_hour == pytest.approx(660.0)
    assert contractor.per_trip == 20.0
    assert contractor.distance_bands == (DistanceBand(5000, 150.0), DistanceBand(None, 300.0))
    assert plan.vehicles[1].tariff == tiny_week().vehicles[1].tariff  # own: unchanged
    with pytest.raises(InputError, match="Tariff field per_mile does not exist"):
        apply_changes(tiny_week(), [ChangeTariff(set={"per_mile": 1.0})])


def test_max_ride_rule_and_clearing_own_limits() -> None:
    base = tiny_week()
    base = base.replace(passengers=(passenger("P9", GROUP_HOME, "A", max_ride_s=600),))
    plan = apply_change(base, MaxRide(min_s=1500, factor=1.5, clear_passenger_limits=True))
    assert (plan.settings.max_ride.min_s, plan.settings.max_ride.factor) == (1500, 1.5)
    assert all(p.max_ride_s is None for p in plan.passengers)


def test_growth_is_seeded_and_draws_like_existing_passengers() -> None:
    context = ApplyContext(locations=GridNodes())
    first = apply_change(tiny_week(), Growth(6, seed=3), context)
    again = apply_change(tiny_week(), Growth(6, seed=3), context)
    other = apply_change(tiny_week(), Growth(6, seed=4), context)
    assert first == again
    assert first != other
    new = first.passengers[5:]
    assert [p.passenger_id for p in new] == [f"N{i:03d}" for i in range(1, 7)]
    existing = tiny_week().passengers
    for p in new:
        assert p.home in GridNodes().nodes
        assert any(
            (p.centre_id, p.days, p.mobility, p.num_escorts)
            == (q.centre_id, q.days, q.mobility, q.num_escorts)
            for q in existing
        )
    assert len({p.home for p in new}) == 6


def test_growth_needs_road_nodes() -> None:
    with pytest.raises(InputError) as caught:
        apply_changes(tiny_week(), [Growth(2)], scenario_id="grow")
    assert caught.value.codes == ("SCENARIO_NEEDS_ROADS",)


def test_a_scenario_week_that_is_not_valid_is_reported() -> None:
    with pytest.raises(InputError) as caught:
        apply_changes(tiny_week(), [RemoveVehicles(VehicleSelector())], scenario_id="no-fleet")
    assert caught.value.codes == ("SCENARIO_INVALID_PLAN",)
    assert "Scenario no-fleet: INPUT_NO_VEHICLES" in caught.value.issues[0].message


def test_notes_say_what_each_change_did() -> None:
    changes = [
        CapDays(4, PassengerSelector(num_days=(5,))),
        CloseCentre("A", into="B"),
        AddVehicles(like="V3"),
        ChangeTariff(VehicleSelector(operator="own"), set={"per_trip": 5.0}),
    ]
    notes = explain_all(apply_changes_steps(tiny_week(), changes), changes)
    assert notes[0].startswith("3 passengers cut to 4 weekdays (dropping fri first")
    assert "weekdays dropped: fri 3" in notes[0]
    assert notes[1] == "Centre A (Centre A) closes; 3 passengers move: 3 to B."
    assert notes[2].startswith("1 vehicle added: X001 (contractor, 3 seats + 2 wheelchair")
    assert notes[3] == "Tariff of 1 vehicle changed: per_trip = 5."
