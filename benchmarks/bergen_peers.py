"""Peers on the generated Bergen week: one day-direction at a time, on the same road matrices.

dagrute (racing its searches on the cores, as for the other sets), OR-Tools with its default
search on dagrute's model, VROOM and PyVRP each solve the same day-direction of
``generate_week(bergen=True, seed=s)`` within the same time limit, on the same integer travel
times and distances (the road matrices ``solve_week`` builds). Every result goes through
dagrute's checker. Costs are the plan's tariffs in NOK (per vehicle-day, per km, per hour),
for every solver's routes alike; VROOM and PyVRP minimise distance instead, so their NOK
figure is what their routes would cost, not what they aimed at.

What the peers do not model, and the checker counts: maximum ride times, riding alone,
incompatible pairs, allowed vehicles, one boarding time per shared address. They see each
vehicle's current seats and wheelchair places (no flip-seat layouts).

    uv run python -m benchmarks.bergen_peers --seed 1 --days mon --time-limit 30

Writes ``benchmarks/results/bergen-peers.json`` and the ``bergen-peers`` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.adapters import BenchInstance
from benchmarks.peers import PeerRun, solve_ortools_default, solve_pyvrp, solve_vroom
from benchmarks.run import (
    DOCS,
    PEERS,
    RESULTS,
    checked_summary,
    machine,
    write_results,
    write_section,
)
from solver.check import MAX_RIDE_TIME
from solver.config import get_config
from solver.domain import DAYS, Direction, LatLon, RoadSettings
from solver.generate import generate_week
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
from solver.routing.search import SearchParams, solve_day_racing
from solver.straight import StraightMatrices
from solver.validate import plan_places
from solver.week import build_week_matrices

SECTION = "bergen-peers"
METRES_PER_DEGREE_LAT = 111_320.0


def _planar(points: Sequence[LatLon]) -> dict[LatLon, tuple[float, float]]:
    """Metres east and north of the first point (PyVRP wants coordinates; it routes on edges)."""
    lat0, lon0 = points[0].lat, points[0].lon
    east = METRES_PER_DEGREE_LAT * math.cos(math.radians(lat0))
    return {
        p: (round((p.lon - lon0) * east), round((p.lat - lat0) * METRES_PER_DEGREE_LAT))
        for p in points
    }


def bergen_instances(
    seed: int, pairs: Sequence[tuple[str, Direction]]
) -> tuple[list[BenchInstance], dict[str, Any]]:
    """The week's day-directions as benchmark instances on its road matrices, and facts."""
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), get_config().cache_dir)
    plan = generate_week(network, bergen=True, seed=seed)
    week = build_week_matrices(plan, network)
    points = list(dict.fromkeys(place.location for place in plan_places(plan)))
    rows = np.array([week.index_of(p) for p in points], dtype=np.int64)
    matrices = StraightMatrices(
        tuple(points),
        np.asarray(week.durations_s, dtype=np.int64)[np.ix_(rows, rows)],
        np.asarray(week.distances_m, dtype=np.int64)[np.ix_(rows, rows)],
    )
    coords = _planar(points)
    instances = []
    for day, direction in pairs:
        problem = plan.day_problem(day, direction)  # type: ignore[arg-type]
        instances.append(
            BenchInstance(
                name=f"{day} {direction}",
                family="bergen",
                kind="darp",
                problem=problem,
                matrices=matrices,
                coords=coords,
                time_scale=1,
                num_requests=len(problem.passengers),
            )
        )
    facts = {"passengers": len(plan.passengers), "locations": len(points)}
    return instances, facts


def day_summary(instance: BenchInstance, run: PeerRun) -> dict[str, Any]:
    """A solver's run on a day-direction: cost in NOK, km and the checker's findings."""
    kpis = run.result.kpis
    return {
        "cost_nok": round(kpis.cost, 0),
        "km": round(kpis.distance_m / 1000.0, 1),
        **checked_summary(instance, run),
    }


def day_solvers(
    instance: BenchInstance, time_limit_s: float, seed: int, arms: int
) -> dict[str, Callable[[], PeerRun]]:
    """Every solver by name, each a call solving ``instance`` within ``time_limit_s``."""

    def dagrute() -> PeerRun:
        started = time.perf_counter()
        params = SearchParams(time_limit_s=time_limit_s, seed=seed)
        result = solve_day_racing(instance.problem, instance.matrices, params, arms)
        return PeerRun(result, time.perf_counter() - started)

    return {
        "dagrute": dagrute,
        "ortools-default": lambda: solve_ortools_default(instance, time_limit_s, seed),
        "vroom": lambda: solve_vroom(instance, time_limit_s),
        "pyvrp": lambda: solve_pyvrp(instance, time_limit_s, seed),
    }


def run(
    seed: int,
    pairs: Sequence[tuple[str, Direction]],
    time_limit_s: float,
    peers: Sequence[str],
    arms: int,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One record per day-direction: every solver's summary."""
    instances, facts = bergen_instances(seed, pairs)
    records = []
    for instance in instances:
        solvers = day_solvers(instance, time_limit_s, seed, arms)
        results = {}
        for name in ("dagrute", *peers):
            results[name] = day_summary(instance, solvers[name]())
            print(f"  {instance.name} {name}: {results[name]}", flush=True)
        records.append(
            {
                "instance": instance.name,
                "passengers": len(instance.problem.passengers),
                "fleet": len(instance.problem.vehicles),
                "solvers": results,
            }
        )
    return records, facts


def section_markdown(payload: dict[str, Any]) -> str:
    """The docs section: one row per day-direction and solver."""
    m = payload["machine"]
    lines = [
        "## Peers on the Bergen week (one day-direction at a time, same road matrices)",
        "",
        f"Run {payload['date']} with `{payload['command']}`: generated Bergen week seed "
        f"{payload['seed']} ({payload['facts']['passengers']} passengers), **"
        f"{payload['time_limit_s']:g} s per solver and day-direction**, dagrute racing "
        f"{payload['arms']} searches on as many cores, each peer on one core. Machine: "
        f"{m['cores']} cores, {m['cpu']}, Python {m['python']}, OR-Tools {m['ortools']}, "
        f"pyvroom {m['pyvroom']}, PyVRP {m['pyvrp']}.",
        "",
        "| day-direction | passengers | solver | cost NOK | vehicles | km | s | unserved "
        "| ride-time violations | other violations |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for record in payload["results"]:
        for name, r in record["solvers"].items():
            other = {c: n for c, n in r["violation_codes"].items() if c != MAX_RIDE_TIME}
            other_text = ", ".join(f"{n} {c.removeprefix('CHECK_')}" for c, n in other.items())
            lines.append(
                f"| {record['instance']} | {record['passengers']} | {name} | "
                f"{r['cost_nok']:,.0f} | {r['vehicles']} | {r['km']} | {r['wall_s']} | "
                f"{r['unassigned']} | {r['ride_violations']} | {other_text or 0} |"
            )
    lines += [
        "",
        "Every solver's routes are timed and checked by dagrute (`benchmarks/peers.py` times "
        "the peers' visit orders with dagrute's schedule LP, without ride limits where none "
        "holds). Costs use the plan's tariffs for all solvers; VROOM and PyVRP minimise "
        "distance, so compare their km as well. What the peers do not model shows as "
        "violations: ride-time limits, riding alone, incompatible pairs, allowed vehicles, "
        "one boarding time per group home. `benchmarks/bergen_peers.py` says how to run it.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run, write JSON and docs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", default="mon", help="comma-separated weekdays")
    parser.add_argument("--directions", default="to_centre,from_centre")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solver")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated, or 'none'")
    parser.add_argument("--arms", type=int, default=2, help="searches dagrute races at once")
    parser.add_argument("--out", type=Path, default=RESULTS / f"{SECTION}.json")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    peers = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
    if set(peers) - set(PEERS):
        parser.error(f"unknown peers: {', '.join(sorted(set(peers) - set(PEERS)))}")
    days = [d for d in args.days.split(",") if d]
    if set(days) - set(DAYS):
        parser.error(f"unknown days: {', '.join(sorted(set(days) - set(DAYS)))}")
    pairs = [(d, Direction(r)) for d in days for r in args.directions.split(",") if r]
    started = time.perf_counter()
    results, facts = run(args.seed, pairs, args.time_limit, peers, args.arms)
    payload = {
        "set": SECTION,
        "date": dt.date.today().isoformat(),
        "command": "python -m benchmarks.bergen_peers "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "time_limit_s": args.time_limit,
        "seed": args.seed,
        "arms": args.arms,
        "peers": peers,
        "machine": machine(),
        "facts": facts,
        "total_wall_s": round(time.perf_counter() - started, 1),
        "results": results,
    }
    write_results(args.out, payload)
    print(f"wrote {args.out}", flush=True)
    if not args.no_docs:
        write_section(SECTION, section_markdown(payload) + "\n")
        print(f"updated {DOCS}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
