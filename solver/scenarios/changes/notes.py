"""Helpers for the one-sentence notes each change kind writes about what it did."""

from __future__ import annotations

from collections import Counter

from solver.domain import DAYS, Day, WeekPlan
from solver.scenarios.days import VehicleEstimate, estimated_vehicle_trips

OPTIMISER_CHOSE = "the attendance-day optimiser chose the weekdays"


def counted(n: int, noun: str) -> str:
    """``"1 passenger"``, ``"3 passengers"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def dropped_days(before: WeekPlan, after: WeekPlan) -> Counter[Day]:
    """Per weekday, how many passengers (present in both plans) stopped attending it."""
    old = {p.passenger_id: p.days for p in before.passengers}
    counts: Counter[Day] = Counter()
    for p in after.passengers:
        counts.update(old.get(p.passenger_id, p.days) - p.days)
    return counts


def added_days(before: WeekPlan, after: WeekPlan) -> Counter[Day]:
    """Per weekday, how many passengers (present in both plans) started attending it."""
    old = {p.passenger_id: p.days for p in before.passengers}
    counts: Counter[Day] = Counter()
    for p in after.passengers:
        counts.update(p.days - old.get(p.passenger_id, p.days))
    return counts


def per_day(counts: Counter[Day]) -> str:
    """``"mon 2, fri 5"`` (weekdays with a count), or ``"none"``."""
    return ", ".join(f"{d} {counts[d]}" for d in DAYS if counts[d]) or "none"


def vehicle_ids(plan: WeekPlan) -> set[str]:
    """The ids of ``plan``'s vehicles."""
    return {v.vehicle_id for v in plan.vehicles}


def num_days_changed(before: WeekPlan, after: WeekPlan) -> int:
    """How many passengers attend other weekdays after than before (same passengers)."""
    return sum(
        1 for p, q in zip(before.passengers, after.passengers, strict=True) if p.days != q.days
    )


def _trips(plan: WeekPlan, estimate: VehicleEstimate) -> str:
    trips = estimated_vehicle_trips(plan, estimate)
    return "/".join(str(trips[d]) for d in DAYS)


def weekdays_note(
    head: str, how: str, before: WeekPlan, after: WeekPlan, estimate: VehicleEstimate
) -> str:
    """The note of a change of weekdays: who, how, days dropped and added, vehicle trips."""
    added = added_days(before, after)
    extra = f"; weekdays added: {per_day(added)}" if added else ""
    return (
        f"{head} ({how}); weekdays dropped: {per_day(dropped_days(before, after))}"
        f"{extra}. Estimated vehicle trips mon-fri {_trips(before, estimate)} -> "
        f"{_trips(after, estimate)}."
    )
