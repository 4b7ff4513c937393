"""The attendance-day optimiser on tiny cases whose optimum is known."""

from __future__ import annotations

from collections import Counter

from solver.domain import DAYS, Mobility
from solver.scenarios.changes import (
    CapDays,
    OptimiseDays,
    PassengerSelector,
    apply_change,
)
from solver.scenarios.days import VehicleEstimate, choose_days, estimated_vehicle_trips
from tests.conftest import home, make_plan, passenger, vehicle
from tests.scenarios.tiny import FIVE

ONE_PER_TRIP = VehicleEstimate(people_per_vehicle_trip=1.0, wheelchairs_per_vehicle_trip=1)


def five_day_passengers(n: int, **kwargs: object):  # type: ignore[no-untyped-def]
    """``n`` five-day passengers at centre A, each at an address of their own."""
    return make_plan(
        [passenger(f"P{i}", home(0.002 * i, 0.001), **kwargs) for i in range(1, n + 1)],
        [vehicle()],
    )


def test_proxy_counts_vehicle_trips_per_centre_and_weekday() -> None:
    plan = make_plan(
        [
            passenger("P1", home(0.01), num_escorts=2),  # 3 people
            passenger("P2", home(0.02), num_escorts=3),  # 4 people
            passenger("P3", home(0.03), mobility=Mobility.WHEELCHAIR),
            passenger("P4", home(0.04), mobility=Mobility.WHEELCHAIR, days=frozenset({"mon"})),
            passenger("P5", home(0.05), mobility=Mobility.WHEELCHAIR, days=frozenset({"mon"})),
        ],
        [vehicle()],
    )
    # Monday: 10 people -> 2 trips at 5.5; 3 wheelchairs -> 2 trips at 2. Other days:
    # 8 people -> 2 trips.
    assert estimated_vehicle_trips(plan) == dict.fromkeys(DAYS, 2)
    # Tighter vehicles: 4 people a trip -> 3 trips on Monday, 2 on the other days.
    trips = estimated_vehicle_trips(plan, VehicleEstimate(4.0, 1))
    assert trips == {"mon": 3, "tue": 2, "wed": 2, "thu": 2, "fri": 2}


def test_five_to_four_days_spreads_the_dropped_day_and_beats_dropping_friday() -> None:
    """Five one-person passengers, one person a vehicle trip: the optimum drops each weekday
    once (4 trips every day); dropping Friday for all keeps a peak of 5."""
    plan = five_day_passengers(5)
    select = PassengerSelector(num_days=(5,))
    optimised = apply_change(plan, CapDays(4, select, "optimise", ONE_PER_TRIP))
    naive = apply_change(plan, CapDays(4, select, ("fri",), ONE_PER_TRIP))
    dropped = Counter(d for p in optimised.passengers for d in FIVE - p.days)
    assert dropped == Counter(DAYS)
    assert max(estimated_vehicle_trips(optimised, ONE_PER_TRIP).values()) == 4
    assert max(estimated_vehicle_trips(naive, ONE_PER_TRIP).values()) == 5


def test_optimiser_reports_optimal_status_and_is_deterministic() -> None:
    plan = five_day_passengers(7)
    flexible = {p.passenger_id: (3, p.days) for p in plan.passengers}
    first = choose_days(plan, flexible, ONE_PER_TRIP)
    again = choose_days(plan, flexible, ONE_PER_TRIP)
    assert first.days == again.days
    assert first.status == "OPTIMAL"
    assert first.peak == 5  # 7 passengers × 3 days = 21 trips over 5 days: at least 5
    assert all(len(days) == 3 for days in first.days.values())


def test_group_home_residents_keep_the_same_weekdays() -> None:
    """Two residents of one home and a large vehicle: the peak is 1 whatever they choose, so
    the stops decide: both drop the same weekday (their home is visited on 4 days, not 5)."""
    shared = home(0.01)
    plan = make_plan([passenger("P1", shared), passenger("P2", shared)], [vehicle()])
    choice = choose_days(plan, {"P1": (4, FIVE), "P2": (4, FIVE)})
    assert choice.days["P1"] == choice.days["P2"]


def test_allowed_weekdays_and_other_passengers_are_respected() -> None:
    """P1 may only come Tue/Wed/Thu (2 of them); P2 (Tue) and P3 (Tue, Wed) stay as they are.
    With one person a trip, only Wed + Thu keeps the peak at 2 (Tuesday already has 2)."""
    plan = make_plan(
        [
            passenger("P1", home(0.01), days=frozenset({"mon", "fri"})),
            passenger("P2", home(0.02), days=frozenset({"tue"})),
            passenger("P3", home(0.03), days=frozenset({"wed", "tue"})),
        ],
        [vehicle()],
    )
    change = OptimiseDays(
        PassengerSelector(passenger_ids=("P1",)),
        allowed={"P1": frozenset({"tue", "wed", "thu"})},
        estimate=ONE_PER_TRIP,
    )
    optimised = apply_change(plan, change)
    assert optimised.passengers[0].days == {"wed", "thu"}
    assert optimised.passengers[1:] == plan.passengers[1:]
    assert max(estimated_vehicle_trips(optimised, ONE_PER_TRIP).values()) == 2
