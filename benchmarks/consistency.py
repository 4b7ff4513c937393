"""Consistency and stability on the generated Bergen week: what predictability costs.

For each seed, the same Bergen week (``generate_week(bergen=True)``) is solved three times with
the same time limit, with ``consistency`` = ``off``, ``soft`` and ``strict``; the price of
consistency is each mode's weekly cost against ``off``. Then "next week" is made from it
(passengers leave, new ones arrive, some change weekdays) and solved ``strict`` twice: once
from scratch and once with the strict week as ``previous`` (stability); churn counts the
passengers present in both weeks whose vehicle changed or whose pickup moved by more than 10
minutes on a weekday they ride in both. Every week goes through the checker.

    uv run python -m benchmarks.consistency --seeds 1 --time-limit 60

Writes ``benchmarks/results/consistency.json`` and the ``consistency`` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from benchmarks.run import DOCS, RESULTS, machine, write_section
from solver.check import Violation, check_week
from solver.config import get_config
from solver.domain import DAYS, Day, RoadSettings, WeekPlan, WeekResult
from solver.generate import generate_week
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
from solver.scenarios.changes import (
    ApplyContext,
    Growth,
    PassengerSelector,
    RemovePassengers,
    apply_change,
)
from solver.week import solve_week
from solver.week.consistency import churn, measure

MODES = ("off", "soft", "strict")
LEAVING = 8
ARRIVING = 12
CHANGING_DAYS = 10


def next_week(plan: WeekPlan, network: RoadNetwork, seed: int) -> WeekPlan:
    """``plan`` a week later: some passengers leave, new ones arrive, some move a weekday."""
    context = ApplyContext(locations=network)
    changed = apply_change(
        plan, RemovePassengers(PassengerSelector(), count=LEAVING, seed=seed), context
    )
    changed = apply_change(changed, Growth(ARRIVING, seed=seed, id_prefix="NEW"), context)
    rng = np.random.default_rng(seed)
    movable = [p for p in changed.passengers if 1 < len(p.days) < len(DAYS)]
    chosen = {
        movable[i].passenger_id
        for i in rng.choice(len(movable), size=min(CHANGING_DAYS, len(movable)), replace=False)
    }
    passengers = []
    for passenger in changed.passengers:
        if passenger.passenger_id in chosen:
            days = sorted(passenger.days, key=DAYS.index)
            free = [d for d in DAYS if d not in passenger.days]
            dropped: Day = days[int(rng.integers(len(days)))]
            added: Day = free[int(rng.integers(len(free)))]
            passenger = replace(passenger, days=(passenger.days - {dropped}) | {added})
        passengers.append(passenger)
    return replace(changed, passengers=tuple(passengers), name=f"{plan.name} (next week)")


def _solve(
    plan: WeekPlan, network: RoadNetwork, mode: str, previous: WeekResult | None = None
) -> dict[str, Any]:
    plan = replace(plan, settings=replace(plan.settings, consistency=mode))
    started = time.perf_counter()
    result, matrices = solve_week(plan, network, previous=previous)
    wall_s = time.perf_counter() - started
    violations = check_week(plan, result, matrices)
    report = measure(result, plan.settings.consistency_tolerance_s, plan)
    return {
        "result": result,
        "record": {
            "mode": mode,
            "previous": previous is not None,
            "wall_s": round(wall_s, 1),
            **week_figures(result, violations),
            "consistency": report.as_dict(),
        },
    }


def week_figures(result: WeekResult, violations: Sequence[Violation]) -> dict[str, Any]:
    """What every consistency benchmark records of a checked week."""
    totals = result.totals
    return {
        "violations": len(violations),
        "violation_codes": dict(Counter(v.code for v in violations)),
        "cost": round(float(totals.get("cost", 0.0)), 0),
        # Vehicles summed over day-directions (shown as "routes"; not the costed vehicle-days).
        "vehicle_days": int(sum(r.kpis.num_vehicles for r in result.plans)),
        "peak_vehicles": int(totals.get("peak_vehicles", 0)),
        "km": totals.get("km"),
        "unassigned_trips": int(totals.get("unassigned_trips", 0)),
    }


def run(seeds: Sequence[int], time_limit_s: float) -> list[dict[str, Any]]:
    """The records of every seed (see the module docstring)."""
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), get_config().cache_dir)
    records = []
    for seed in seeds:
        plan = generate_week(network, bergen=True, seed=seed)
        plan = replace(plan, settings=replace(plan.settings, time_limit_s=time_limit_s, seed=seed))
        weeks: dict[str, dict[str, Any]] = {}
        for mode in MODES:
            weeks[mode] = _solve(plan, network, mode)
            print(f"  seed {seed} {mode}: {weeks[mode]['record']}", flush=True)
        later = next_week(plan, network, seed + 100)
        fresh = _solve(later, network, "strict")
        stable = _solve(later, network, "strict", previous=weeks["strict"]["result"])
        base = weeks["off"]["record"]["cost"]
        modes = []
        for mode in MODES:
            record = weeks[mode]["record"]
            record["price_pct"] = round(100.0 * (record["cost"] / base - 1.0), 2) if base else None
            modes.append(record)
        stability = []
        for label, solved in (("from scratch", fresh), ("with previous week", stable)):
            moved = churn(weeks["strict"]["result"], solved["result"]).as_dict()
            stability.append({"run": label, **solved["record"], "churn": moved})
            print(f"  seed {seed} next week {label}: churn {moved}", flush=True)
        records.append(
            {
                "seed": seed,
                "passengers": len(plan.passengers),
                "next_week": {
                    "leaving": LEAVING,
                    "arriving": ARRIVING,
                    "changing_a_day": CHANGING_DAYS,
                },
                "modes": modes,
                "stability": stability,
            }
        )
    return records


def markdown(payload: dict[str, Any]) -> str:
    """The docs/benchmarks.md section."""
    m = payload["machine"]
    lines = [
        "## Consistency and stability (generated Bergen week)",
        "",
        f"Run {payload['date']} with `{payload['command']}`: {payload['time_limit_s']:g} s per "
        f"week, both cores. Machine: {m['cores']} cores, {m['cpu']}, load average "
        f"{payload['load_average']} at the start.",
        "",
        "`consistency`: share of passenger-directions with two or more days that ride one "
        "vehicle all week (single vehicle), whose pickups lie within ±10 min of each other "
        "(spread ≤ 20 min) on the days their centre keeps the same window (some centres close "
        "30 min earlier on Fridays, which moves those afternoon pickups by design; the share "
        "over all days is given too), and both (consistent). Price: weekly cost against `off`. "
        "Routes: vehicles driving, summed over the ten day-directions (a vehicle driving both "
        "ways on a day counts twice; the cost counts its day once).",
        "",
    ]
    for record in payload["results"]:
        lines += [
            f"### Seed {record['seed']} ({record['passengers']} passengers)",
            "",
            "| consistency | cost NOK/week | price | routes | peak | unassigned trips "
            "| single vehicle | pickups ±10 min | (all days) | consistent | max spread min "
            "| violations | s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in record["modes"]:
            c = r["consistency"]
            lines.append(
                f"| {r['mode']} | {r['cost']:,.0f} | {r['price_pct']:+.1f}% | {r['vehicle_days']} "
                f"| {r['peak_vehicles']} | {r['unassigned_trips']} | "
                f"{100 * c['share_single_vehicle']:.1f}% | "
                f"{100 * c['share_pickup_within_tolerance']:.1f}% | "
                f"{100 * c['share_pickup_within_tolerance_all_days']:.1f}% | "
                f"{100 * c['share_consistent']:.1f}% | {c['max_pickup_spread_min']} | "
                f"{r['violations']} | {r['wall_s']} |"
            )
        nw = record["next_week"]
        lines += [
            "",
            f"Next week: {nw['leaving']} passengers leave, {nw['arriving']} arrive, "
            f"{nw['changing_a_day']} move one weekday; solved `strict`. Churn against this "
            "week's strict routes (passengers in both weeks, on weekdays they ride in both):",
            "",
            "| next week | compared | vehicle changed | pickup moved > 10 min | churn | cost "
            "NOK/week | consistent | violations | s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in record["stability"]:
            ch = r["churn"]
            lines.append(
                f"| {r['run']} | {ch['compared_passengers']} passengers, "
                f"{ch['compared_trips']} trips | {ch['vehicle_changed']} trips | "
                f"{ch['pickup_moved_over_threshold']} trips | {ch['churned_passengers']} "
                f"passengers ({100 * float(ch['churn_share']):.1f}%) | "
                f"{r['cost']:,.0f} | {100 * r['consistency']['share_consistent']:.1f}% | "
                f"{r['violations']} | {r['wall_s']} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.consistency``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    load = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    results = run(seeds, args.time_limit)
    payload = {
        "set": "consistency",
        "date": time.strftime("%Y-%m-%d"),
        "command": f"python -m benchmarks.consistency --seeds {args.seeds} "
        f"--time-limit {args.time_limit:g}",
        "time_limit_s": args.time_limit,
        "machine": machine(),
        "load_average": load,
        "total_wall_s": round(time.perf_counter() - started, 1),
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "consistency.json").write_text(json.dumps(payload, indent=2) + "\n")
    if not args.no_docs:
        write_section("consistency", markdown(payload), DOCS)


if __name__ == "__main__":
    main()
