"""The dispatcher's day: day-of changes, re-planned with the least disruption, and the diff.

Each rule has a test where it holds and one where it binds. Every re-plan goes through the
checker against the plan as it stands that day (``Replan.plan``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver.check import check_day
from solver.dispatch import (
    Absence,
    Address,
    Assign,
    CentreLate,
    DayChanges,
    ExtraTrip,
    Replan,
    VehicleLate,
    VehicleUnavailable,
    Why,
    changed_plan,
    published_trips,
    replan_day,
)
from solver.dispatch.replan import replan_week
from solver.domain import DAYS, Direction, Mobility, Pin, WeekPlan
from solver.errors import InputError
from solver.io.changes import changes_to_json, diff_to_json, parse_changes
from solver.params import SolveParams
from solver.routing.search import SearchParams, solve_day
from solver.week import solve_week
from tests.conftest import (
    StraightNetwork,
    centre,
    hm,
    home,
    make_plan,
    passenger,
    plan_matrices,
    vehicle,
)

TO = Direction.TO_CENTRE
SECONDS = 1.5
WEEK_PARAMS = SolveParams(time_limit_s=3.0, seed=1, workers=1)


def week_of_two_vehicles() -> WeekPlan:
    """Eight passengers in two clusters (north and south of centre A), two 4-seat vehicles;
    P9 attends only on Tuesdays; P8 uses a wheelchair."""
    north = [passenger(f"P{i}", home(0.02 + 0.002 * i)) for i in range(1, 5)]
    south = [passenger(f"P{i}", home(-0.02 - 0.002 * i)) for i in range(5, 8)]
    wheelchair = passenger("P8", home(-0.03), mobility=Mobility.WHEELCHAIR)
    extra = passenger("P9", home(0.031), days=frozenset({"tue"}))
    return make_plan(
        [*north, *south, wheelchair, extra],
        [vehicle("V1", seats=4, wheelchair_places=1), vehicle("V2", seats=4, wheelchair_places=1)],
    )


def published(plan: WeekPlan, pins: dict[str, Pin] | None = None) -> tuple:  # type: ignore[type-arg]
    """The Monday morning as published (optionally pinned), and the plan's matrices."""
    matrices = plan_matrices(plan)
    problem = plan.day_problem("mon", TO)
    if pins:
        problem = replace(problem, pins=pins)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=SECONDS, seed=1))
    assert result.unassigned == ()
    return result, matrices


def checked(replan: Replan, matrices: object) -> Replan:
    """Assert the re-plan passes the checker against the day's changed plan."""
    problem = replan.plan.day_problem(replan.result.day, replan.result.direction)
    assert check_day(problem, replan.result, matrices) == []  # type: ignore[arg-type]
    return replan


def replanned(plan: WeekPlan, before: object, changes: DayChanges, matrices: object) -> Replan:
    return checked(
        replan_day(plan, before, changes, matrices, time_limit_s=2.0),  # type: ignore[arg-type]
        matrices,
    )


def test_an_absence_leaves_everyone_else_on_their_vehicle_near_their_pickup() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    out = replanned(plan, before, DayChanges("mon", (Absence("P2", note="ill"),)), matrices)
    after = published_trips(out.result)
    assert "P2" not in after
    old = published_trips(before)
    for pid, trip in after.items():
        assert trip.vehicle_id == old[pid].vehicle_id
        assert abs(trip.pickup_s - old[pid].pickup_s) <= 600
    assert out.diff.num_unaffected == 7
    assert out.diff.num_unaffected_changed == 0
    assert [t.why for t in out.diff.trips if t.passenger_id == "P2"] == [Why.ABSENT]


def test_published_vehicles_bind_where_a_fresh_plan_would_move_passengers() -> None:
    """Published with everyone north on V2 and everyone south on V1 (pinned when solved):
    a fresh plan of the same day may swap them, the re-plan keeps the published vehicles."""
    plan = week_of_two_vehicles()
    pins = {f"P{i}": Pin("V2", None, 0, is_strict=True) for i in range(1, 5)}
    pins |= {f"P{i}": Pin("V1", None, 0, is_strict=True) for i in (5, 6, 7, 8)}
    before, matrices = published(plan, pins)
    out = replanned(plan, before, DayChanges("mon", (Absence("P5"),)), matrices)
    after = published_trips(out.result)
    assert {after[f"P{i}"].vehicle_id for i in range(1, 5)} == {"V2"}
    assert {after[f"P{i}"].vehicle_id for i in (6, 7, 8)} == {"V1"}
    fresh = solve_day(
        changed_plan(plan, DayChanges("mon", (Absence("P5"),)), TO).day_problem("mon", TO),
        matrices,
        SearchParams(time_limit_s=SECONDS, seed=1),
    )
    assert published_trips(fresh) != after  # without the published routes, another plan


def test_an_extra_trip_is_inserted_and_listed() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    out = replanned(plan, before, DayChanges("mon", (ExtraTrip("P9"),)), matrices)
    assert "P9" in published_trips(out.result)
    (trip,) = [t for t in out.diff.trips if t.passenger_id == "P9"]
    assert trip.why is Why.EXTRA_TRIP and trip.vehicle_before is None
    assert out.diff.num_unaffected_changed == 0


def test_another_address_is_where_the_pickup_happens() -> None:
    plan = week_of_two_vehicles()
    before, _ = published(plan)
    elsewhere = home(-0.021, 0.001)
    changes = DayChanges("mon", (Address("P1", elsewhere),))
    matrices = plan_matrices(changed_plan(plan, changes, TO))
    out = replanned(plan, before, changes, matrices)
    (stop,) = [s for r in out.result.routes for s in r.stops if "P1" in s.pickups]
    assert stop.location == elsewhere


def test_a_broken_down_vehicle_serves_no_stop_after_it_breaks() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    # Broken down at its first pickup: it can finish nothing, so everyone it carried moves.
    broken = next(r for r in before.routes if r.stops)
    first_pickup_s = min(s.arrival_s for s in broken.stops if s.pickups)
    changes = DayChanges("mon", (VehicleUnavailable(broken.vehicle_id, first_pickup_s),))
    out = replanned(plan, before, changes, matrices)
    carried = {p for s in broken.stops for p in s.pickups}
    assert not [
        s
        for r in out.result.routes
        if r.vehicle_id == broken.vehicle_id
        for s in r.stops
        if s.departure_s > first_pickup_s
    ]
    moved = {t.passenger_id for t in out.diff.trips if t.why is Why.VEHICLE_UNAVAILABLE}
    assert moved == carried
    served = published_trips(out.result)
    assert carried <= set(served) | {u.passenger_id for u in out.result.unassigned}


def test_a_late_vehicle_starts_late_and_keeps_its_passengers() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    late = next(r.vehicle_id for r in before.routes if r.stops)
    shift_start_s = next(v.shift.start_s for v in plan.vehicles if v.vehicle_id == late)
    out = replanned(plan, before, DayChanges("mon", (VehicleLate(late, 20),)), matrices)
    route = next(r for r in out.result.routes if r.vehicle_id == late)
    assert route.stops[0].departure_s >= shift_start_s + 20 * 60
    old = published_trips(before)
    for pid, trip in published_trips(out.result).items():
        if old[pid].vehicle_id == late:
            assert trip.vehicle_id == late


def test_a_centre_opening_late_moves_every_morning_set_down_after_it() -> None:
    """The centre's arrival window is 08:30-09:00; opening 20 min late, nobody arrives before
    08:50, though most did (the late opening binds)."""
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    assert any(s.arrival_s < hm(8, 50) for r in before.routes for s in r.stops if s.dropoffs)
    out = replanned(plan, before, DayChanges("mon", (CentreLate("A", 20),)), matrices)
    set_downs = [s.arrival_s for r in out.result.routes for s in r.stops if s.dropoffs]
    assert set_downs and min(set_downs) >= hm(8, 50)
    assert out.result.unassigned == ()


def test_pins_give_way_when_keeping_them_would_leave_someone_out() -> None:
    """Only V1 has a wheelchair place; P9 (an extra trip) in a wheelchair must ride alone in a
    narrow window: the published passengers of V1 must move to V2 for P9 to be served."""
    base = week_of_two_vehicles()
    p9 = replace(
        base.passengers[-1],
        mobility=Mobility.WHEELCHAIR,
        ride_alone=True,
        earliest_pickup_s=hm(8, 20),
    )
    plan = base.replace(
        passengers=(*base.passengers[:7], base.passengers[7], p9),
        vehicles=(
            vehicle("V1", seats=4, wheelchair_places=1),
            vehicle("V2", seats=8, wheelchair_places=1),
        ),
    )
    plan = plan.replace(passengers=tuple(p for p in plan.passengers if p.passenger_id != "P8"))
    pins = {f"P{i}": Pin("V1", None, 0, is_strict=True) for i in (1, 2, 3)}
    before, matrices = published(plan, pins)
    plan_v1_only = plan.replace(
        vehicles=(plan.vehicles[0], replace(plan.vehicles[1], wheelchair_places=0))
    )
    out = replanned(plan_v1_only, before, DayChanges("mon", (ExtraTrip("P9"),)), matrices)
    assert "P9" in published_trips(out.result), (out.result.unassigned, out.round)
    assert out.round != "pinned"
    assert out.diff.num_unaffected_changed > 0


@pytest.mark.parametrize(
    ("change", "code", "the_id"),
    [
        (Absence("P42"), "CHANGE_UNKNOWN_PASSENGER", "P42"),
        (Absence("P9"), "CHANGE_NOT_ATTENDING", "P9"),
        (ExtraTrip("P1"), "CHANGE_ALREADY_ATTENDING", "P1"),
        (VehicleUnavailable("V7", hm(8)), "CHANGE_UNKNOWN_VEHICLE", "V7"),
        (VehicleLate("V1", 13 * 60), "CHANGE_TIME", "V1"),
        (CentreLate("Z", 10), "CHANGE_UNKNOWN_CENTRE", "Z"),
    ],
)
def test_a_bad_change_names_its_id_and_how_to_fix_it(
    change: object, code: str, the_id: str
) -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    with pytest.raises(InputError) as error:
        replan_day(plan, before, DayChanges("mon", (change,)), matrices)  # type: ignore[arg-type]
    (issue,) = error.value.issues
    assert (issue.code, issue.id, issue.path) == (code, the_id, "changes[0]")
    assert the_id in issue.message and issue.hint


def test_a_vehicle_that_does_not_drive_that_day_and_every_bad_change_at_once() -> None:
    plan = week_of_two_vehicles()
    plan = plan.replace(vehicles=(plan.vehicles[0], replace(plan.vehicles[1], days=frozenset())))
    before, matrices = published(plan)
    changes = DayChanges("mon", (VehicleLate("V2", 5), Absence("P77"), ExtraTrip("P9")))
    with pytest.raises(InputError) as error:
        replan_day(plan, before, changes, matrices)
    assert error.value.codes == ("CHANGE_VEHICLE_NOT_DRIVING", "CHANGE_UNKNOWN_PASSENGER")


def test_changes_for_a_day_the_week_did_not_plan_are_refused() -> None:
    plan = week_of_two_vehicles()
    network = StraightNetwork()
    week, _ = solve_week(plan, network, days=["mon"], directions=[TO], params=WEEK_PARAMS)
    with pytest.raises(InputError) as error:
        replan_week(plan, week, DayChanges("tue", (Absence("P1"),)), network)
    assert error.value.codes == ("CHANGE_DAY_NOT_PLANNED",)


def test_a_week_replan_changes_only_its_day_and_keeps_the_totals_honest() -> None:
    plan = week_of_two_vehicles()
    network = StraightNetwork()
    week, _ = solve_week(plan, network, days=["mon", "tue"], directions=[TO], params=WEEK_PARAMS)
    out = replan_week(plan, week, DayChanges("tue", (Absence("P9"),)), network, time_limit_s=1.0)
    assert [r.day for r in out.result.plans] == ["mon", "tue"]
    assert out.result.plans[0] == week.plans[0]
    assert "P9" not in published_trips(out.result.plans[1])
    assert out.result.totals["trips"] == week.totals["trips"] - 1
    (replan,) = out.replans
    checked(replan, out.matrices)


def test_the_same_changes_seed_and_work_limit_give_the_same_routes() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    changes = DayChanges("mon", (Absence("P3"), ExtraTrip("P9"), VehicleLate("V1", 5)))
    runs = [
        replan_day(plan, before, changes, matrices, time_limit_s=5.0, max_solutions=50)
        for _ in range(2)
    ]
    assert runs[0].result.routes == runs[1].result.routes


def test_changes_and_diffs_read_and_write_as_json() -> None:
    changes = DayChanges(
        "wed",
        (
            Absence("P1", Direction.FROM_CENTRE, "doctor"),
            ExtraTrip("P2"),
            Address("P3", home(0.01)),
            Assign("P4", "V1", Direction.TO_CENTRE, hm(7, 40), "by hand"),
            VehicleUnavailable("V1", hm(7, 30)),
            VehicleLate("V2", 15),
            CentreLate("A", 30),
        ),
    )
    assert parse_changes(changes_to_json(changes)) == changes
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    out = replanned(plan, before, DayChanges("mon", (Absence("P2"),)), matrices)
    data = diff_to_json(out.diff)
    assert data["unaffected"] == 7 and data["trips"][0]["why"] == "absent"


def test_a_malformed_changes_file_names_the_change() -> None:
    with pytest.raises(InputError) as error:
        parse_changes('{"day": "mon", "changes": [{"kind": "vehicle_late", "vehicle_id": "V1"}]}')
    assert error.value.codes == ("INPUT_SCHEMA",)
    assert "minutes" in str(error.value)
    with pytest.raises(InputError):
        parse_changes('{"day": "sun", "changes": [{"kind": "absence", "passenger_id": "P1"}]}')
    assert DAYS  # the weekdays a change may name


def test_an_absence_moves_no_other_pickup_by_a_minute() -> None:
    """The first round holds unaffected pickups to under a minute: only the absence is listed."""
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    out = replanned(plan, before, DayChanges("mon", (Absence("P3"),)), matrices)
    assert out.round == "exact"
    assert [(t.passenger_id, t.why, t.moved_s) for t in out.diff.trips] == [
        ("P3", Why.ABSENT, None)
    ]
    old = published_trips(before)
    for pid, trip in published_trips(out.result).items():
        assert abs(trip.pickup_s - old[pid].pickup_s) < 60


def test_pickups_move_up_to_ten_minutes_where_holding_them_to_the_minute_leaves_someone_out() -> (
    None
):
    """One vehicle; an extra trip off the route that cannot be picked up first (earliest
    08:22): it fits only if the others' pickups move a few minutes (the centre's window fixes
    the arrival), so the first round leaves it out and the second (+-10 min) serves it,
    moving nobody beyond 10 minutes."""
    base = week_of_two_vehicles()
    detour = replace(base.passengers[-1], home=home(0.024, 0.015), earliest_pickup_s=hm(8, 22))
    plan = base.replace(
        passengers=(*base.passengers[:4], detour),
        vehicles=(vehicle("V1", seats=8),),
        centres=(centre(arrival=(hm(8, 30), hm(8, 35))),),  # no time for a second loop
    )
    before, matrices = published(plan)
    out = replanned(plan, before, DayChanges("mon", (ExtraTrip("P9"),)), matrices)
    assert out.round == "pinned"
    assert "P9" in published_trips(out.result)
    assert out.diff.num_unaffected_changed == 0
    assert any(t.why is Why.KNOCK_ON and abs(t.moved_s or 0) > 60 for t in out.diff.trips)


def test_a_hand_edit_moves_a_passenger_and_keeps_everyone_else() -> None:
    """Assign a passenger to the vehicle that does not carry them: the lock holds."""
    plan = week_of_two_vehicles()
    pins = {f"P{i}": Pin("V1", None, 0, is_strict=True) for i in range(1, 9)}
    before, matrices = published(plan, pins)
    out = replanned(plan, before, DayChanges("mon", (Assign("P2", "V2"),)), matrices)
    after = published_trips(out.result)
    assert after["P2"].vehicle_id == "V2"
    assert [(t.passenger_id, t.why) for t in out.diff.trips if t.changed_vehicle] == [
        ("P2", Why.ASSIGNED)
    ]
    assert out.diff.num_unaffected_changed == 0
    # Two assignments swap two passengers.
    swap = DayChanges("mon", (Assign("P2", "V2"), Assign("P5", "V2"), Assign("P6", "V2")))
    swapped = replanned(plan, before, swap, matrices)
    assert {published_trips(swapped.result)[p].vehicle_id for p in ("P2", "P5", "P6")} == {"V2"}


def test_a_hand_edit_that_cannot_hold_is_refused_naming_the_passenger() -> None:
    """P8 uses a wheelchair; V2 has no wheelchair place: the lock cannot hold."""
    base = week_of_two_vehicles()
    plan = base.replace(vehicles=(base.vehicles[0], replace(base.vehicles[1], wheelchair_places=0)))
    before, matrices = published(plan)
    with pytest.raises(InputError) as error:
        replan_day(plan, before, DayChanges("mon", (Assign("P8", "V2"),)), matrices)
    (issue,) = error.value.issues
    assert issue.code == "CHANGE_LOCK_CANNOT_HOLD" and issue.id == "P8" and "V2" in issue.message
    with pytest.raises(InputError) as unknown:
        replan_day(plan, before, DayChanges("mon", (Assign("P8", "V9"),)), matrices)
    assert unknown.value.codes == ("CHANGE_UNKNOWN_VEHICLE",)


def test_a_pickup_time_set_by_hand_that_no_window_allows_is_refused() -> None:
    """The centre's window is 08:30-09:00: a pickup locked at 10:00 cannot hold."""
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    late = DayChanges("mon", (Assign("P1", "V1", TO, hm(10)),))
    with pytest.raises(InputError) as error:
        replan_day(plan, before, late, matrices, time_limit_s=2.0)
    assert error.value.codes == ("CHANGE_LOCK_CANNOT_HOLD",)
    assert "10:00" in error.value.issues[0].message


def test_a_locked_route_keeps_its_passengers_and_times_and_takes_nobody_else() -> None:
    """V1 loses P2 (absent); P9's extra trip would take the free seat on V1 unless the
    route is locked: then P9 rides V2, and V1's passengers keep their pickups."""
    from solver.dispatch import LockRoute

    plan = week_of_two_vehicles()
    pins = {f"P{i}": Pin("V1" if i <= 4 else "V2", None, 0, is_strict=True) for i in range(1, 9)}
    before, matrices = published(plan, pins)
    base = (Absence("P2"), ExtraTrip("P9"))
    free = replanned(plan, before, DayChanges("mon", base), matrices)
    assert published_trips(free.result)["P9"].vehicle_id == "V1"  # the rule binds here
    locked = replanned(plan, before, DayChanges("mon", (*base, LockRoute("V1", TO))), matrices)
    after, was = published_trips(locked.result), published_trips(before)
    assert after["P9"].vehicle_id == "V2"
    on_v1 = {p for p, t in after.items() if t.vehicle_id == "V1"}
    assert on_v1 == {p for p, t in was.items() if t.vehicle_id == "V1"} - {"P2"}
    for pid in on_v1:
        assert abs(after[pid].pickup_s - was[pid].pickup_s) <= 59
    # A lock on a route whose vehicle is late cannot hold: refused at once.
    from solver.dispatch import VehicleLate, check_changes

    with pytest.raises(InputError) as error:
        check_changes(plan, DayChanges("mon", (VehicleLate("V1", 20), LockRoute("V1"))))
    assert error.value.codes == ("CHANGE_CONFLICT",) and error.value.issues[0].id == "V1"
    with pytest.raises(InputError) as unknown:
        check_changes(plan, DayChanges("mon", (LockRoute("V7"),)))
    assert unknown.value.codes == ("CHANGE_UNKNOWN_VEHICLE",)
    # It reads and writes as JSON like every change.
    text = changes_to_json(DayChanges("mon", (LockRoute("V1", TO, "driver knows them"),)))
    assert parse_changes(text).changes == (LockRoute("V1", TO, "driver knows them"),)


def test_a_change_taken_back_re_places_its_passenger_and_moves_nobody_else() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    absent = replanned(plan, before, DayChanges("mon", (Absence("P3"),)), matrices)
    assert "P3" not in published_trips(absent.result)
    back = replanned(plan, absent.result, DayChanges("mon", (), (Absence("P3"),)), matrices)
    assert "P3" in published_trips(back.result)
    assert [(t.passenger_id, t.why) for t in back.diff.trips if t.passenger_id == "P3"] == [
        ("P3", Why.WITHDRAWN)
    ]
    assert back.diff.num_unaffected_changed == 0


def test_passengers_aboard_a_vehicle_that_breaks_down_are_fetched_where_it_stopped() -> None:
    """V1 breaks down after its second home stop: those aboard wait at that stop and
    another vehicle fetches them there, after the breakdown (not at home, where they no
    longer are); the checker holds the re-plan to that."""
    plan = week_of_two_vehicles()
    pins = {f"P{i}": Pin("V1" if i <= 4 else "V2", None, 0, is_strict=True) for i in range(1, 9)}
    before, matrices = published(plan, pins)
    route = next(r for r in before.routes if r.vehicle_id == "V1")
    homes = [s for s in route.stops if s.pickups]
    second = homes[1]
    from_s = second.departure_s + 30  # on the way to the third stop
    aboard = {p for s in homes[:2] for p in s.pickups}
    changes = DayChanges("mon", (VehicleUnavailable("V1", from_s),))
    out = replanned(plan, before, changes, matrices)  # checked against the rescue plan
    fetched = {
        p: (r.vehicle_id, s)
        for r in out.result.routes
        for s in r.stops
        for p in s.pickups
        if p in aboard
    }
    assert set(fetched) == aboard
    for vehicle_id, stop in fetched.values():
        assert vehicle_id == "V2"
        assert stop.location == second.location and stop.arrival_s >= from_s
    # The rule binds: a re-plan that fetched them at home would fail the checker.
    home_plan = changed_plan(plan, changes, TO).day_problem("mon", TO)
    codes = {v.code for v in check_day(home_plan, out.result, matrices)}
    assert codes, "fetching them where they wait is not what the plan without rescue says"
