"""One sentence per applied change, saying what it did to the week (for reports).

Computed from the plan before and after the change, so a note can never disagree with the
week that was solved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from solver.domain import DAYS, Day, WeekPlan
from solver.scenarios.changes import (
    AddVehicles,
    AgeLimit,
    CapDays,
    Change,
    ChangeCentreHours,
    ChangeTariff,
    CloseCentre,
    Growth,
    MaxRide,
    ModifyVehicles,
    OptimiseDays,
    RemovePassengers,
    RemoveVehicles,
)
from solver.scenarios.days import estimated_vehicle_trips


def _count(n: int, noun: str) -> str:
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


def _per_day(counts: Counter[Day]) -> str:
    return ", ".join(f"{d} {counts[d]}" for d in DAYS if counts[d]) or "none"


def _trips(plan: WeekPlan, change: CapDays | OptimiseDays) -> str:
    trips = estimated_vehicle_trips(plan, change.estimate)
    return "/".join(str(trips[d]) for d in DAYS)


def explain_change(change: Change, before: WeekPlan, after: WeekPlan) -> str:
    """What ``change`` did, turning ``before`` into ``after``, in one sentence."""
    old_passengers = {p.passenger_id for p in before.passengers}
    new_passengers = {p.passenger_id for p in after.passengers}
    match change:
        case CapDays() | OptimiseDays():
            changed = sum(
                1
                for p, q in zip(before.passengers, after.passengers, strict=True)
                if p.days != q.days
            )
            how = (
                "the attendance-day optimiser chose the weekdays"
                if isinstance(change, OptimiseDays) or change.drop == "optimise"
                else f"dropping {', '.join(change.drop)} first, then the latest weekdays"
            )
            head = (
                f"{_count(changed, 'passenger')} cut to {change.max_days} weekdays"
                if isinstance(change, CapDays)
                else f"{_count(changed, 'passenger')} moved to other weekdays"
            )
            added = added_days(before, after)
            extra = f"; weekdays added: {_per_day(added)}" if added else ""
            return (
                f"{head} ({how}); weekdays dropped: {_per_day(dropped_days(before, after))}"
                f"{extra}. Estimated vehicle trips mon-fri {_trips(before, change)} -> "
                f"{_trips(after, change)}."
            )
        case AgeLimit():
            leaving = len(old_passengers - new_passengers)
            unknown = sum(1 for p in before.passengers if p.birth_year is None)
            born = change.reference_year - change.max_age
            return (
                f"{_count(leaving, 'passenger')} aged {change.max_age}+ in "
                f"{change.reference_year} (born {born} or earlier) leave; "
                f"{_count(unknown, 'passenger')} without a birth year stay."
            )
        case RemovePassengers():
            return f"{_count(len(old_passengers - new_passengers), 'passenger')} leave."
        case CloseCentre():
            old_centre = {p.passenger_id: p.centre_id for p in before.passengers}
            moved: Counter[str] = Counter(
                p.centre_id
                for p in after.passengers
                if old_centre.get(p.passenger_id) == change.centre_id
            )
            name = before.centre(change.centre_id).name
            where = ", ".join(f"{n} to {c}" for c, n in sorted(moved.items())) or "nobody"
            return (
                f"Centre {change.centre_id} ({name}) closes; "
                f"{_count(sum(moved.values()), 'passenger')} move: {where}."
            )
        case ChangeCentreHours():
            changed_ids = [
                a.centre_id
                for a, b in zip(before.centres, after.centres, strict=True)
                if a.hours != b.hours
            ]
            shift = f" shifted {change.shift_s // 60:+d} min" if change.shift_s else " set"
            return (
                f"Windows of {_count(len(changed_ids), 'centre')} ({', '.join(changed_ids)})"
                f"{shift}."
            )
        case AddVehicles():
            new = [v for v in after.vehicles if v.vehicle_id not in _ids(before)]
            kinds = ", ".join(
                f"{v.vehicle_id} ({v.operator}, {v.seats} seats + {v.wheelchair_places} "
                "wheelchair places)"
                for v in new
            )
            return f"{_count(len(new), 'vehicle')} added: {kinds}."
        case RemoveVehicles():
            gone = sorted(_ids(before) - _ids(after))
            return f"{_count(len(gone), 'vehicle')} removed: {', '.join(gone) or 'none'}."
        case ModifyVehicles():
            changed_vehicles = [
                a.vehicle_id for a, b in zip(before.vehicles, after.vehicles, strict=True) if a != b
            ]
            return f"{_count(len(changed_vehicles), 'vehicle')} modified."
        case ChangeTariff():
            changed_vehicles = [
                a.vehicle_id
                for a, b in zip(before.vehicles, after.vehicles, strict=True)
                if a.tariff != b.tariff
            ]
            parts = [f"{k} = {v:g}" for k, v in change.set.items()] + [
                f"{k} × {v:g}" for k, v in change.scale.items()
            ]
            if change.distance_bands is not None:
                parts.append(f"{len(change.distance_bands)} distance bands")
            if change.scale_bands is not None:
                parts.append(f"band prices × {change.scale_bands:g}")
            return (
                f"Tariff of {_count(len(changed_vehicles), 'vehicle')} changed: "
                f"{'; '.join(parts) or 'nothing'}."
            )
        case MaxRide():
            rule = after.settings.max_ride
            cleared = " (passengers' own limits cleared)" if change.clear_passenger_limits else ""
            return (
                f"Maximum ride: the larger of {rule.min_s // 60} min and {rule.factor:g} × the "
                f"direct time{cleared}."
            )
        case Growth():
            new_ids = sorted(new_passengers - old_passengers)
            by_centre = Counter(p.centre_id for p in after.passengers if p.passenger_id in new_ids)
            where = ", ".join(f"{n} at {c}" for c, n in sorted(by_centre.items()))
            return f"{_count(len(new_ids), 'new passenger')} (seed {change.seed}): {where}."


def _ids(plan: WeekPlan) -> set[str]:
    return {v.vehicle_id for v in plan.vehicles}


def explain_all(plans: Sequence[WeekPlan], changes: Sequence[Change]) -> list[str]:
    """One note per change; ``plans`` holds the week before each change and after the last."""
    return [explain_change(change, plans[i], plans[i + 1]) for i, change in enumerate(changes)]
