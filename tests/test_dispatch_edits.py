"""Hand edits with immediate feedback: a move is made at once, re-timed and checked.

Each rule has a test where it holds (a move that fits: no violation, nobody else moves) and
one where it binds (a move that breaks a rule comes back with the checker's violations).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver.check import check_day
from solver.dispatch import Absence, DayChanges, Move, preview_moves, published_trips, replan_day
from solver.domain import Pin
from solver.errors import InputError
from tests.test_dispatch import TO, published, week_of_two_vehicles

NO_CHANGES = DayChanges("mon", ())


def vehicle_of(result: object) -> dict[str, str]:
    return {pid: trip.vehicle_id for pid, trip in published_trips(result).items()}  # type: ignore[arg-type]


def test_a_move_that_fits_is_re_timed_checked_and_moves_nobody_else() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    where = vehicle_of(before)
    mover = next(p for p, v in sorted(where.items()) if p != "P8")
    target = "V2" if where[mover] == "V1" else "V1"
    preview = preview_moves(plan, before, NO_CHANGES, [Move(mover, target)], matrices)
    after = vehicle_of(preview.result)
    assert after[mover] == target
    assert {p: v for p, v in after.items() if p != mover} == {
        p: v for p, v in where.items() if p != mover
    }
    assert preview.violations == () and preview.is_timed
    assert preview.vehicles == ("V1", "V2")
    assert preview.cost_before == before.kpis.cost
    assert preview.cost_after == preview.result.kpis.cost
    problem = plan.day_problem("mon", TO)
    assert check_day(problem, preview.result, matrices) == []
    # Kept as assign changes (locks at the previewed pickup), the re-plan holds them.
    (assign,) = preview.assignments()
    assert (assign.passenger_id, assign.vehicle_id, assign.direction) == (mover, target, TO)
    assert assign.pickup_s == published_trips(preview.result)[mover].pickup_s
    replanned = replan_day(plan, before, DayChanges("mon", (assign,)), matrices, time_limit_s=2.0)
    assert vehicle_of(replanned.result)[mover] == target


def test_a_move_that_breaks_a_rule_comes_back_with_the_violations() -> None:
    """V2 has no wheelchair place: moving P8 (wheelchair) onto it is shown, not accepted."""
    base = week_of_two_vehicles()
    plan = base.replace(vehicles=(base.vehicles[0], replace(base.vehicles[1], wheelchair_places=0)))
    before, matrices = published(plan)
    assert vehicle_of(before)["P8"] == "V1"
    preview = preview_moves(plan, before, NO_CHANGES, [Move("P8", "V2")], matrices)
    assert vehicle_of(preview.result)["P8"] == "V2"
    codes = {v.code for v in preview.violations}
    assert "CHECK_WHEELCHAIR_PLACES" in codes, codes
    assert any("V2" in v.message for v in preview.violations)


def test_a_position_puts_the_boarding_before_that_stop_and_two_moves_swap() -> None:
    plan = week_of_two_vehicles()
    pins = {f"P{i}": Pin("V1" if i <= 4 else "V2", None, 0, is_strict=True) for i in range(1, 9)}
    before, matrices = published(plan, pins)
    route = next(r for r in before.routes if len(r.stops) > 3)
    other = next(r for r in before.routes if r.vehicle_id != route.vehicle_id)
    mover = other.stops[1].pickups[0]
    preview = preview_moves(
        plan, before, NO_CHANGES, [Move(mover, route.vehicle_id, position=1)], matrices
    )
    moved = next(r for r in preview.result.routes if r.vehicle_id == route.vehicle_id)
    assert mover in moved.stops[1].pickups  # boards first
    # A swap is two moves.
    a, b = route.stops[1].pickups[0], other.stops[1].pickups[0]
    swap = [Move(a, other.vehicle_id), Move(b, route.vehicle_id)]
    swapped = vehicle_of(preview_moves(plan, before, NO_CHANGES, swap, matrices).result)
    assert (swapped[a], swapped[b]) == (other.vehicle_id, route.vehicle_id)


def test_a_bad_move_names_the_passenger_or_vehicle() -> None:
    plan = week_of_two_vehicles()
    before, matrices = published(plan)
    cases = [
        ([Move("P42", "V1")], "CHANGE_UNKNOWN_PASSENGER"),
        ([Move("P1", "V9")], "CHANGE_UNKNOWN_VEHICLE"),
        ([Move("P1", "V1"), Move("P1", "V2")], "CHANGE_CONFLICT"),
        ([Move("P1", "V1", position=0)], "CHANGE_POSITION"),
    ]
    for moves, code in cases:
        with pytest.raises(InputError) as error:
            preview_moves(plan, before, NO_CHANGES, moves, matrices)
        assert code in error.value.codes, (moves, error.value.codes)
    absent = DayChanges("mon", (Absence("P1"),))
    with pytest.raises(InputError) as error:
        preview_moves(plan, before, absent, [Move("P1", "V2")], matrices)
    assert error.value.issues[0].id == "P1"


def test_a_locked_route_takes_no_moved_passenger_and_gives_none_away() -> None:
    from solver.dispatch import LockRoute

    plan = week_of_two_vehicles()
    pins = {f"P{i}": Pin("V1" if i <= 4 else "V2", None, 0, is_strict=True) for i in range(1, 9)}
    before, matrices = published(plan, pins)
    locked = DayChanges("mon", (LockRoute("V1"),))
    onto = preview_moves(plan, before, locked, [Move("P5", "V1")], matrices)
    assert any(v.passenger_id == "P5" and v.vehicle_id == "V1" for v in onto.violations)
    with pytest.raises(InputError) as error:
        preview_moves(plan, before, locked, [Move("P1", "V2")], matrices)
    assert error.value.codes == ("CHANGE_CONFLICT",) and error.value.issues[0].id == "P1"
