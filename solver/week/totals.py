"""A week's totals: the one place they are made.

Costs and key figures over its day-directions, and consistency and stability figures where
they apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from solver.domain import (
    DAYS,
    DIRECTIONS,
    DayResult,
    NotPlanned,
    NotPlannedReason,
    WeekPlan,
    WeekResult,
)
from solver.routing.read import ride_times
from solver.week.consistency import Consistency, churn, measure


def week_totals(plan: WeekPlan, plans: Sequence[DayResult]) -> dict[str, float]:
    """Week figures; a vehicle's per-day cost counts once per day however many trips it does."""
    tariffs = {v.vehicle_id: v.tariff for v in plan.vehicles}
    used_days = {(d.day, r.vehicle_id) for d in plans for r in d.routes}
    day_cost_counted = sum(
        tariffs[vid].per_vehicle_day for d in plans for r in d.routes for vid in [r.vehicle_id]
    )
    day_cost_once = sum(tariffs[vid].per_vehicle_day for _, vid in used_days)
    num_trips = sum(d.kpis.num_passengers for d in plans)
    all_rides = [ride for d in plans for ride in ride_times(d.routes).values()]
    return {
        "day_directions": len(plans),
        "trips": num_trips,
        "unassigned_trips": sum(d.kpis.num_unassigned for d in plans),
        "peak_vehicles": max((d.kpis.num_vehicles for d in plans), default=0),
        "vehicle_days": len(used_days),
        "km": round(sum(d.kpis.distance_m for d in plans) / 1000.0, 1),
        "vehicle_hours": round(sum(d.kpis.vehicle_s for d in plans) / 3600.0, 2),
        "cost": round(sum(d.kpis.cost for d in plans) - day_cost_counted + day_cost_once, 2),
        "mean_ride_min": round(sum(all_rides) / len(all_rides) / 60.0, 1) if all_rides else 0.0,
        "max_ride_min": round(max(all_rides, default=0) / 60.0, 1),
        "solve_s": round(sum(d.solve_s for d in plans), 2),
    }


def not_planned(
    plans: Sequence[DayResult], requested: Sequence[tuple[str, str]] | None = None
) -> tuple[NotPlanned, ...]:
    """The week's day-directions ``plans`` lacks, in week order, each with why.

    ``requested``: the pairs the solve was asked for (None: those ``plans`` holds); one of
    them without a plan was cut short (a cancelled or failed job), any other was not asked
    for.
    """
    planned = {(p.day, p.direction) for p in plans}
    asked = set(requested) if requested is not None else planned
    return tuple(
        NotPlanned(
            day,
            direction,
            NotPlannedReason.UNFINISHED
            if (day, direction) in asked
            else NotPlannedReason.NOT_REQUESTED,
        )
        for day in DAYS
        for direction in DIRECTIONS
        if (day, direction) not in planned
    )


def week_result(
    plan: WeekPlan,
    plans: Sequence[DayResult],
    previous: WeekResult | None = None,
    requested: Sequence[tuple[str, str]] | None = None,
) -> WeekResult:
    """The week of ``plans`` with its totals: costs, and with consistency on its figures.

    ``previous``: last week's result, to measure how many trips changed (``stability_*``).
    ``requested``: the day-directions asked for (None: those of ``plans``), to say why the
    others have no plan (:func:`not_planned`). The one place a week's totals are made, for the
    CLI and the service alike.
    """
    result = WeekResult(
        plans=tuple(plans),
        name=plan.name,
        totals=week_totals(plan, plans),
        not_planned=not_planned(plans, requested),
    )
    if Consistency(plan.settings.consistency) is Consistency.OFF and previous is None:
        return result
    totals = dict(result.totals)
    figures = measure(result, plan.settings.consistency_tolerance_s, plan).as_dict()
    totals.update({f"consistency_{key}": value for key, value in figures.items()})
    if previous is not None:
        moved = churn(previous, result).as_dict()
        totals.update({f"stability_{key}": value for key, value in moved.items()})
    return replace(result, totals=totals)
