"""Road-graph and matrix speed, engine agreement and the effect of turn costs.

    uv run python -m benchmarks.roads_bench --out benchmarks/results/roads.json

For the ``drive`` and ``all`` (every highway way, about 18 700 nodes) graphs of the bundled
extract it measures: building the graph from the OSM file and loading it from the cache;
for free-flow routing (road graph) and routing with turn costs (edge-based graph), building
and loading the contraction hierarchy, and 100 x 100 and 1000 x 1000 matrices with each
engine (median of ``--repeats`` runs, the hierarchy already in memory, points snapped to
random road nodes, seed fixed); whether the engines give identical integers; and how much
the realistic settings (``solver.roads.turns.REALISTIC_SETTINGS``) and their parts slow
trips down against free flow (mean ratio over 1000 random pairs and over all pairs).

Writes a JSON file and prints markdown tables. Takes about three minutes on two cores.
Timings on a shared machine vary: the load average is recorded before and after.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import structlog

from solver.domain import LatLon, RoadSettings
from solver.roads import (
    ALL_PROFILE,
    DEFAULT_OSM_FILE,
    DRIVE_PROFILE,
    RoadNetwork,
    RoadProfile,
    ch,
)
from solver.roads.routing import Engine
from solver.roads.turns import (
    OSRM_TURN_PENALTY_S,
    OSRM_U_TURN_PENALTY_S,
    REALISTIC_SETTINGS,
)

SEED = 20_240_601
SIZES = (100, 1000)
NUM_RATIO_PAIRS = 1000
PROFILES: tuple[RoadProfile, ...] = (DRIVE_PROFILE, ALL_PROFILE)


@dataclass(frozen=True, slots=True)
class TurnRoadSettings(RoadSettings):
    """Road settings plus turn costs (read by name until ``RoadSettings`` has them)."""

    turn_penalty_s: float = 0.0
    u_turn_penalty_s: float = 0.0


ROUTINGS: dict[str, RoadSettings] = {
    "free flow": RoadSettings(),
    "turn costs": TurnRoadSettings(**REALISTIC_SETTINGS),
}

EFFECT_VARIANTS: dict[str, RoadSettings] = {
    "speed_factor 0.8": RoadSettings(speed_factor=0.8),
    "OSRM turn costs (7.5 s, u-turn 20 s)": TurnRoadSettings(
        turn_penalty_s=OSRM_TURN_PENALTY_S, u_turn_penalty_s=OSRM_U_TURN_PENALTY_S
    ),
    "speed_factor 0.8 + OSRM turn costs": TurnRoadSettings(
        speed_factor=0.8,
        turn_penalty_s=OSRM_TURN_PENALTY_S,
        u_turn_penalty_s=OSRM_U_TURN_PENALTY_S,
    ),
    "speed_factor 0.8 + intersection 0.5 s (no turns)": RoadSettings(
        speed_factor=0.8, intersection_penalty_s=0.5
    ),
    "realistic (REALISTIC_SETTINGS)": TurnRoadSettings(**REALISTIC_SETTINGS),
}


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def _median_s(action: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    times = []
    result = None
    for _ in range(repeats):
        result, seconds = _timed(action)
        times.append(seconds)
    return result, statistics.median(times)


def _load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux
        return []


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def bench_profile(profile: RoadProfile, repeats: int, engines: list[Engine]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="roads-bench-") as tmp:
        cache_dir = Path(tmp)
        network, build_s = _timed(
            lambda: RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), cache_dir, profile=profile)
        )
        _, load_s = _median_s(
            lambda: RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), cache_dir, profile=profile),
            repeats,
        )
        result: dict[str, Any] = {
            "num_nodes": network.num_nodes,
            "num_edges": network.num_edges,
            "graph_build_s": round(build_s, 3),
            "graph_cached_load_s": round(load_s, 4),
            "routing": {},
        }
        print(f"{profile.name}: {network.num_nodes} nodes, built in {build_s:.1f} s", flush=True)
        points = network.random_node_locations(max(SIZES), np.random.default_rng(SEED))
        for name, settings in ROUTINGS.items():
            result["routing"][name] = bench_routing(
                network.with_settings(settings), points, repeats, engines, cache_dir
            )
    return result


def bench_routing(
    network: RoadNetwork,
    points: list[LatLon],
    repeats: int,
    engines: list[Engine],
    cache_dir: Path,
) -> dict[str, Any]:
    routing = network.router.routing
    result: dict[str, Any] = {
        "is_turn_based": routing.is_turn_based,
        "num_vertices": routing.num_vertices,
        "num_arcs": routing.num_arcs,
        "matrices_s": {},
    }
    if "ch" in engines:
        hierarchy = network.router.hierarchy()  # built and written to cache_dir
        fresh = RoadNetwork(
            network.graph, network.settings, profile=network.profile, cache_dir=cache_dir
        )
        _, ch_load_s = _timed(fresh.router.hierarchy)
        result["ch_build_s"] = round(hierarchy.build_s, 3)
        result["ch_cached_load_s"] = round(ch_load_s, 4)
        result["ch_num_shortcuts"] = hierarchy.num_shortcuts
    tables: dict[str, Any] = {}
    for engine in engines:
        for size in SIZES:
            chosen = points[:size]
            matrices, seconds = _median_s(
                functools.partial(network.matrices, chosen, engine=engine), repeats
            )
            result["matrices_s"][f"{engine} {size}x{size}"] = round(seconds, 4)
            tables[engine] = matrices
            print(
                f"  {'turns' if routing.is_turn_based else 'nodes'} {engine} {size}: "
                f"{seconds:.3f} s",
                flush=True,
            )
    if {"ch", "scipy"} <= tables.keys():
        a, b = tables["ch"], tables["scipy"]
        result["engines_agree"] = {
            "num_pairs": int(a.durations_s.size),
            "durations_differ": int((a.durations_s != b.durations_s).sum()),
            "distances_differ": int((a.distances_m != b.distances_m).sum()),
        }
    return result


def bench_effect(profile: RoadProfile) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="roads-bench-") as tmp:
        network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), Path(tmp), profile=profile)
        points = network.random_node_locations(max(SIZES), np.random.default_rng(SEED + 1))
        free = network.matrices(points).durations_s.astype(np.float64)
        rng = np.random.default_rng(SEED + 2)
        valid = ~np.eye(len(points), dtype=bool) & (free > 0)
        rows, cols = np.nonzero(valid)
        pick = rng.choice(rows.size, NUM_RATIO_PAIRS, replace=False)
        sample = (rows[pick], cols[pick])
        effect: dict[str, Any] = {
            "free_flow_median_s": float(np.median(free[valid])),
            "variants": {},
        }
        for name, settings in EFFECT_VARIANTS.items():
            slower = network.with_settings(settings).matrices(points).durations_s
            slower = slower.astype(np.float64)
            effect["variants"][name] = {
                "mean_ratio_1000_pairs": round(float((slower[sample] / free[sample]).mean()), 3),
                "mean_ratio_all_pairs": round(float((slower[valid] / free[valid]).mean()), 3),
                "ratio_of_totals": round(float(slower[valid].sum() / free[valid].sum()), 3),
            }
    return effect


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| profile | nodes | edges | graph build s | cached load s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, p in report["profiles"].items():
        lines.append(
            f"| {name} | {p['num_nodes']} | {p['num_edges']} | {p['graph_build_s']:.1f} "
            f"| {p['graph_cached_load_s']:.3f} |"
        )
    lines += [
        "",
        "| profile | routing | vertices | arcs | CH build s | CH load s | engine "
        "| 100×100 s | 1000×1000 s | engines differ (of 1M pairs) |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for name, p in report["profiles"].items():
        for routing_name, r in p["routing"].items():
            engines = sorted({key.split()[0] for key in r["matrices_s"]})
            for engine in engines:
                agree = r.get("engines_agree")
                differ = (
                    f"{agree['durations_differ']} times, {agree['distances_differ']} distances"
                    if agree
                    else "n/a"
                )
                lines.append(
                    f"| {name} | {routing_name} | {r['num_vertices']} | {r['num_arcs']} "
                    f"| {r.get('ch_build_s', float('nan')):.2f} "
                    f"| {r.get('ch_cached_load_s', float('nan')):.3f} | {engine} "
                    f"| {r['matrices_s'][f'{engine} 100x100']:.3f} "
                    f"| {r['matrices_s'][f'{engine} 1000x1000']:.3f} | {differ} |"
                )
    lines += [
        "",
        "| settings (drive graph) | mean ratio, 1000 pairs | mean ratio, all pairs "
        "| ratio of totals |",
        "|---|---:|---:|---:|",
    ]
    for name, v in report["effect"]["variants"].items():
        lines.append(
            f"| {name} | {v['mean_ratio_1000_pairs']:.3f} | {v['mean_ratio_all_pairs']:.3f} "
            f"| {v['ratio_of_totals']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/roads.json"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--profiles", nargs="+", default=[p.name for p in PROFILES], choices=["drive", "all"]
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        help="only rewrite the docs/benchmarks.md section from an earlier run's JSON",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    if args.from_json is not None:
        write_docs(json.loads(args.from_json.read_text(encoding="utf-8")), args.from_json)
        return
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    engines: list[Engine] = ["ch", "scipy"] if ch.is_available() else ["scipy"]
    report: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": _load_average(),
        },
        "versions": {p: _version(p) for p in ("numba", "scipy", "numpy", "osmnx")},
        "seed": SEED,
        "repeats": args.repeats,
        "realistic_settings": dict(REALISTIC_SETTINGS),
        "profiles": {},
    }
    for profile in PROFILES:
        if profile.name in args.profiles:
            report["profiles"][profile.name] = bench_profile(profile, args.repeats, engines)
    report["effect"] = bench_effect(DRIVE_PROFILE)
    report["machine"]["load_average_after"] = _load_average()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print()
    print(markdown(report))
    print(
        f"\nload average before {report['machine']['load_average_before']}, "
        f"after {report['machine']['load_average_after']}; written to {args.out}"
    )
    if not args.no_docs:
        write_docs(report, args.out)


def write_docs(report: dict[str, Any], source: Path) -> None:
    """The ``roads`` section of docs/benchmarks.md from a report."""
    from benchmarks.run import DOCS, write_section

    m = report["machine"]
    head = [
        "## Road graph and travel-time matrices",
        "",
        f"`python -m benchmarks.roads_bench` (results: `{source}`): {m['cpu_count']} cores, "
        f"Python {m['python']}, numba {report['versions'].get('numba')}, scipy "
        f"{report['versions'].get('scipy')}; load average {m['load_average_before']} before "
        f"and {m['load_average_after']} after (a shared machine: timings are upper bounds). "
        "`drive`: the drivable graph dagrute routes on; `all`: every highway way of the "
        "extract (about 18 700 nodes), the stand-in for a whole municipality. `ch`: dagrute's "
        "contraction hierarchy (`solver/roads/ch.py`); `scipy`: `scipy.sparse.csgraph.dijkstra`, "
        "the fallback and cross-check. Target: 1000 × 1000 on the `all` graph in ≤ 0.3 s.",
        "",
        "",
    ]
    tail = [
        "",
        "",
        "The last table is the effect of the travel-time settings on trip times against free "
        "flow (OSRM's car profile gives 1.35–1.4 × on the same extract). Turn costs follow "
        "OSRM's car profile (`solver/roads/turns.py`).",
        "",
    ]
    write_section("roads", "\n".join(head) + markdown(report) + "\n".join(tail), DOCS)


if __name__ == "__main__":
    main()
