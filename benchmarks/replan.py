"""The dispatcher's morning: a Bergen day-direction re-planned after the day's changes.

For each seed, the generated Bergen week (``generate_week(bergen=True)``) has its Monday
morning solved (``--publish-limit`` seconds, the routes drivers and passengers were given).
Then the morning's changes: 5 passengers absent (drawn with the seed among those served), 2
extra trips (drawn among those who do not attend on Mondays) and the vehicle with the most
passengers still to pick up at 07:30 broken down from 07:30. The day is re-planned the way
``dagrute replan`` and the service do it (:func:`solver.dispatch.replan.replan_week`: the
changed plan's matrices, then the search, ``--time-limit`` seconds of it), and for comparison
solved afresh (no published routes to keep) with the same budget and with ``--publish-limit``.

Reported per seed: wall seconds of the re-plan (matrices included) and of its search,
unaffected passengers moved (another vehicle, a pickup more than 10 minutes off, or left out)
and their share, the trips listed in the diff, drivers given a new manifest, cost before and
after, passengers left out and the checker's violations; and the same disruption figures for
the fresh plans (the stability the re-plan buys).

    uv run python -m benchmarks.replan --seeds 1,2,3

Writes ``benchmarks/results/replan.json`` and the ``replan`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks.run import machine, save_results
from solver.check import check_day
from solver.config import get_config
from solver.dispatch import (
    Absence,
    DayChanges,
    ExtraTrip,
    VehicleUnavailable,
    changed_plan,
    diff_days,
)
from solver.dispatch.replan import (
    DEFAULT_REPLAN_S,
    DEFAULT_TOLERANCE_S,
    must_move,
    replan_week,
)
from solver.domain import Day, DayProblem, DayResult, Direction, RoadSettings, WeekPlan
from solver.generate import generate_week
from solver.io.times import parse_hhmm
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
from solver.routing.search import SearchParams, solve_day
from solver.travel import TravelTimes
from solver.week import build_week_matrices, week_result

DAY: Day = "mon"
DIRECTION = Direction.TO_CENTRE
NUM_ABSENT = 5
NUM_EXTRA = 2
BREAKDOWN = "07:30"


def morning_changes(plan: WeekPlan, published: DayResult, seed: int) -> DayChanges:
    """5 absences, 2 extra trips and the busiest vehicle at 07:30 broken down (seeded)."""
    rng = np.random.default_rng(seed)
    served = sorted(pid for r in published.routes for s in r.stops for pid in s.pickups)
    absent = rng.choice(served, NUM_ABSENT, replace=False)
    open_centres = {c.centre_id for c in plan.centres if DAY in c.hours}
    others = sorted(
        p.passenger_id for p in plan.passengers if DAY not in p.days and p.centre_id in open_centres
    )
    extra = rng.choice(others, NUM_EXTRA, replace=False)
    from_s = parse_hhmm(BREAKDOWN)
    busiest = max(
        (r for r in published.routes if r.stops),
        key=lambda r: (sum(len(s.pickups) for s in r.stops if s.arrival_s >= from_s), r.vehicle_id),
    )
    return DayChanges(
        DAY,
        (
            *(Absence(str(pid), note="ill") for pid in absent),
            *(ExtraTrip(str(pid)) for pid in extra),
            VehicleUnavailable(busiest.vehicle_id, from_s, note="breakdown"),
        ),
    )


def _fresh(
    plan: WeekPlan,
    published: DayResult,
    changes: DayChanges,
    matrices: TravelTimes,
    seconds: float,
    seed: int,
) -> dict[str, Any]:
    """The changed day solved afresh: its cost and how far it strays from the published."""
    changed = changed_plan(plan, changes, DIRECTION)
    problem = changed.day_problem(DAY, DIRECTION)
    started = time.perf_counter()
    result = solve_day(problem, matrices, SearchParams(time_limit_s=seconds, seed=seed))
    wall_s = time.perf_counter() - started
    depots = {v.vehicle_id: v.depot for v in changed.vehicles}
    moving = must_move(published, changes, matrices, plan.settings.return_to_depot, depots)
    diff = diff_days(published, result, problem, changes, moving, DEFAULT_TOLERANCE_S)
    return {
        "seconds": seconds,
        "wall_s": round(wall_s, 2),
        "cost": round(result.kpis.cost, 0),
        "unaffected_changed": diff.num_unaffected_changed,
        "share_unaffected_changed": round(diff.share_unaffected_changed, 4),
        "new_manifests": len(diff.new_manifests),
        "unassigned": len(result.unassigned),
        "violations": len(check_day(problem, result, matrices)),
    }


def run_seeds(
    seeds: str, run: Callable[[RoadNetwork, int], dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[float]]:
    """``run`` for each of the comma-separated ``seeds`` on the bundled roads.

    Also returns the load average before the first, for the report.
    """
    load = [round(x, 2) for x in os.getloadavg()]
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), get_config().cache_dir)
    return [run(network, int(s)) for s in seeds.split(",")], load


def published_morning(
    network: RoadNetwork, seed: int, publish_s: float
) -> tuple[WeekPlan, DayProblem, DayResult]:
    """The generated Bergen week (``seed``) and its Monday morning solved in ``publish_s``."""
    plan = generate_week(network, bergen=True, seed=seed)
    matrices = build_week_matrices(plan, network)
    problem = plan.day_problem(DAY, DIRECTION)
    published = solve_day(problem, matrices, SearchParams(time_limit_s=publish_s, seed=seed))
    return plan, problem, published


def run_seed(network: RoadNetwork, seed: int, publish_s: float, replan_s: float) -> dict[str, Any]:
    """One seed: publish the morning, make the changes, re-plan and solve afresh."""
    plan, problem, published = published_morning(network, seed, publish_s)
    changes = morning_changes(plan, published, seed)
    week = week_result(plan, [published])
    started = time.perf_counter()
    replanned = replan_week(
        plan, week, changes, network, time_limit_s=replan_s, seed=seed, directions=[DIRECTION]
    )
    wall_s = time.perf_counter() - started
    (day,) = replanned.replans
    diff = day.diff
    violations = check_day(day.plan.day_problem(DAY, DIRECTION), day.result, replanned.matrices)
    broken = next(c for c in changes.changes if isinstance(c, VehicleUnavailable))
    return {
        "seed": seed,
        "passengers": len(problem.passengers),
        "published": {
            "cost": round(published.kpis.cost, 0),
            "vehicles": published.kpis.num_vehicles,
            "unassigned": len(published.unassigned),
        },
        "broken_vehicle_passengers_moved": sum(
            1 for t in diff.trips if t.why == "vehicle_unavailable"
        ),
        "broken_vehicle": broken.vehicle_id,
        "replan": {
            "wall_s": round(wall_s, 2),
            "search_s": round(day.seconds, 2),
            "round": day.round,
            "unaffected": diff.num_unaffected,
            "unaffected_changed": diff.num_unaffected_changed,
            "share_unaffected_changed": round(diff.share_unaffected_changed, 4),
            "trips_listed": len(diff.trips),
            "new_manifests": len(diff.new_manifests),
            "cost": round(diff.cost_after, 0),
            "vehicles": day.result.kpis.num_vehicles,
            "unassigned": len(day.result.unassigned),
            "violations": len(violations),
        },
        "fresh": [
            _fresh(plan, published, changes, replanned.matrices, s, seed)
            for s in (replan_s, publish_s)
        ],
    }


def markdown(payload: dict[str, Any]) -> str:
    """The ``replan`` section of docs/benchmarks.md."""
    m = payload["machine"]
    lines = [
        "## The dispatcher's morning: re-plan after the day's changes",
        "",
        f"Run {payload['date']} with `{payload['command']}`. Machine: {m['cores']} cores, "
        f"{m['cpu']}, load average {payload['load_average']} at the start.",
        "",
        f"The generated Bergen week's Monday morning, published at {payload['publish_s']:g} s; "
        f"then {NUM_ABSENT} absences, {NUM_EXTRA} extra trips and the vehicle with the most "
        f"pickups left at {BREAKDOWN} broken down from then. Re-plan: "
        f"`replan_week` as `dagrute replan` runs it, {payload['replan_s']:g} s of search; wall "
        "time includes the changed plan's matrices. Unaffected moved: passengers no change "
        "concerns who ride another vehicle, are picked up more than 10 min off, or are left "
        "out (target: at most 5 %, within 5 s). Fresh: the changed day solved from scratch "
        "(nothing published to keep) with the re-plan's budget and the publishing budget.",
        "",
        "| seed | passengers | published NOK (vehicles) | re-plan s (search) | unaffected "
        "moved | trips listed | new manifests | NOK after (vehicles) | left out | violations "
        "| fresh same budget: moved, NOK | fresh publish budget: moved, NOK |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in payload["results"]:
        p, q = r["published"], r["replan"]
        fresh = [
            f"{f['unaffected_changed']} ({100 * f['share_unaffected_changed']:.1f} %), "
            f"{f['cost']:,.0f}"
            for f in r["fresh"]
        ]
        lines.append(
            f"| {r['seed']} | {r['passengers']} | {p['cost']:,.0f} ({p['vehicles']}) | "
            f"{q['wall_s']} ({q['search_s']}) | {q['unaffected_changed']} of "
            f"{q['unaffected']} ({100 * q['share_unaffected_changed']:.1f} %) | "
            f"{q['trips_listed']} | {q['new_manifests']} | {q['cost']:,.0f} ({q['vehicles']}) "
            f"| {q['unassigned']} | {q['violations']} | {fresh[0]} | {fresh[1]} |"
        )
    lines += [
        "",
        "NOK after against the fresh plans is the price of stability: with every unaffected "
        "passenger held to their vehicle and pickup, the broken-down vehicle's passengers "
        "(and the extra trips) mostly ride a vehicle of their own, as a replacement vehicle "
        "would in practice, instead of being spread over the other routes; a fresh plan "
        "spreads them, and moves most passengers to do so.",
        "",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.replan``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--publish-limit", type=float, default=30.0)
    parser.add_argument("--time-limit", type=float, default=DEFAULT_REPLAN_S)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    results, load = run_seeds(
        args.seeds, lambda network, s: run_seed(network, s, args.publish_limit, args.time_limit)
    )
    payload = {
        "set": "replan",
        "date": time.strftime("%Y-%m-%d"),
        "command": f"python -m benchmarks.replan --seeds {args.seeds}",
        "publish_s": args.publish_limit,
        "replan_s": args.time_limit,
        "machine": machine(),
        "load_average": load,
        "results": results,
    }
    save_results("replan", payload, markdown(payload), not args.no_docs)


if __name__ == "__main__":
    main()
