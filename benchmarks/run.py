"""Run a benchmark set: dagrute and its peers on the same instances, matrices and limits.

Usage::

    uv run --group bench python -m benchmarks.run --set cordeau-a --time-limit 30 --seed 1 \\
        [--instances a2-16,a5-40] [--peers ortools-default,vroom,pyvrp] [--jobs 2] \\
        [--out benchmarks/results/cordeau-a.json]

Writes the JSON results and (re)writes the set's section of docs/benchmarks.md. Every result,
dagrute's and each peer's, is re-verified by ``solver.check.check_day``. The procedure is in
benchmarks/README.md.

One module on purpose (about 650 lines): besides the set runner it holds what every other
benchmark reuses (``machine``, ``write_section``, the docs sections), so they report alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.adapters import (
    BENCH_DIR,
    BenchInstance,
    load_cordeau_bks,
    load_solomon_bks,
    original_cost,
    read_cordeau,
    read_hdarp,
    read_solomon,
)
from benchmarks.peers import PeerRun, solve_ortools_default, solve_pyvrp, solve_vroom
from benchmarks.verify import verify_original
from solver.check import MAX_RIDE_TIME, check_day
from solver.routing.bounds import vehicle_bound_parts
from solver.routing.search import SearchParams, solve_day_racing

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS = REPO_ROOT / "docs" / "benchmarks.md"
RESULTS = REPO_ROOT / "benchmarks" / "results"
SETS = ("cordeau-a", "cordeau-b", "hdarp", "solomon", "bergen")
DOC_SECTIONS = (
    "bergen-peers",
    "consistency",
    "anytime",
    "scaling",
    "roads",
    "scenarios",
    "api",
    "replan",
    "moves",
)
"""Sections of docs/benchmarks.md written by the other benchmark scripts, in this order."""
PEERS = ("ortools-default", "vroom", "pyvrp")
SOLOMON_SAMPLE = ("C101", "C201", "R101", "R201", "RC101", "RC201")
HDARP_SAMPLE = ("a9-72hetIUY", "a10-80hetIUY")
TITLES = {
    "cordeau-a": "Cordeau (2006) DARP, a-instances",
    "cordeau-b": "Cordeau (2006) DARP, b-instances",
    "hdarp": "Malheiros et al. (2021) heterogeneous DARP",
    "solomon": "Solomon (1987) VRPTW",
    "bergen": "dagrute's Bergen week (generated, 305 passengers, 11 centres)",
}


def bench_dir() -> Path:
    """The instances' folder: ``DAGRUTE_BENCH_DIR`` or ``/work/shared/bench``."""
    return Path(os.environ.get("DAGRUTE_BENCH_DIR", BENCH_DIR))


# ------------------------------------------------------------------------------ instances


def instance_paths(set_name: str, wanted: Sequence[str] | None) -> list[Path]:
    """The instance files of a set (all, or the ``wanted`` names, or the set's sample)."""
    root = bench_dir()
    if set_name.startswith("cordeau"):
        prefix = set_name[-1]
        paths = sorted(
            (root / "cordeau-darp").glob(f"{prefix}*.txt"), key=lambda p: _natural(p.stem)
        )
    elif set_name == "hdarp":
        paths = sorted(
            (root / "hdarp-malheiros2021").glob("a*.txt"), key=lambda p: _natural(p.stem)
        )
        if not wanted:
            wanted = HDARP_SAMPLE
    elif set_name == "solomon":
        paths = sorted((root / "solomon").glob("*.txt"), key=lambda p: _natural(p.stem))
        paths = [p for p in paths if re.fullmatch(r"R?C?\d+", p.stem)]
        if not wanted:
            wanted = SOLOMON_SAMPLE
    else:
        raise ValueError(set_name)
    if wanted and list(wanted) != ["all"]:
        names = {w.replace("hetIUY", "") for w in wanted}
        paths = [p for p in paths if p.stem in names or p.stem.replace("hetIUY", "") in names]
        if len(paths) != len(names):
            raise SystemExit(f"Unknown instances among {', '.join(sorted(names))}.")
    return paths


def _natural(name: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def read_instance(set_name: str, path: Path) -> BenchInstance:
    """Read one instance of a set, with its best-known value where the set has one."""
    root = bench_dir()
    if set_name.startswith("cordeau"):
        return read_cordeau(path, load_cordeau_bks(root / "cordeau-darp" / "bks.csv"))
    if set_name == "hdarp":
        return read_hdarp(path)
    return read_solomon(path, load_solomon_bks(root / "solomon" / "BKS_vroom-scripts_VRPTW.json"))


# ------------------------------------------------------------------------------- solving


def _gap(cost: float, best: float | None) -> float | None:
    """Percent above ``best`` (``best`` is given to 2 decimals: -0.00 reads as 0.00)."""
    return None if best is None else round(100.0 * (cost - best) / best, 2) + 0.0


def checked_summary(instance: BenchInstance, run: PeerRun) -> dict[str, Any]:
    """What every benchmark reports of a solver's run: size, time and the checker's findings."""
    violations = check_day(instance.problem, run.result, instance.matrices)
    codes = Counter(v.code for v in violations)
    return {
        "vehicles": len(run.result.routes),
        "unassigned": len(run.result.unassigned),
        "wall_s": round(run.wall_s, 2),
        "violations": sum(codes.values()),
        "ride_violations": codes.get(MAX_RIDE_TIME, 0),
        "violation_codes": dict(sorted(codes.items())),
        "feasible": not violations and not run.result.unassigned,
        "timing": run.timing,
        "note": run.note,
    }


def _summarise(instance: BenchInstance, run: PeerRun, path: Path) -> dict[str, Any]:
    checked = checked_summary(instance, run)
    cost = original_cost(instance, run.result)
    original = verify_original(
        path, instance.family, run.result, instance.time_scale, instance.skipped
    )
    return {
        "cost": round(cost, 3),
        "gap_pct": _gap(cost, instance.bks),
        "gap_distance_pct": _gap(cost, instance.bks_distance),
        **checked,
        "original_violations": len(original),
        "original_problems": original[:5],
        "feasible": checked["feasible"] and not original,
    }


def run_instance(
    set_name: str,
    path: Path,
    time_limit_s: float,
    seed: int,
    peers: Sequence[str],
    arms: int = 1,
) -> dict[str, Any]:
    """Every solver on one instance; a JSON-ready record.

    ``arms``: searches dagrute races at once (``solver.routing.search.solve_day_racing``), one core
    each; the peers run on one core.
    """
    instance = read_instance(set_name, path)
    bound = vehicle_bound_parts(instance.problem, instance.matrices)
    solvers: dict[str, Callable[[], PeerRun]] = {
        "dagrute": lambda: _dagrute(instance, time_limit_s, seed, arms),
        "ortools-default": lambda: solve_ortools_default(instance, time_limit_s, seed),
        "vroom": lambda: solve_vroom(instance, time_limit_s),
        "pyvrp": lambda: solve_pyvrp(instance, time_limit_s, seed),
    }
    results = {}
    for name in ("dagrute", *peers):
        results[name] = _summarise(instance, solvers[name](), path)
        print(
            f"  {instance.name:>8} {name:<16} cost {results[name]['cost']:>9.2f} "
            f"gap {results[name]['gap_pct']} veh {results[name]['vehicles']} "
            f"{results[name]['wall_s']} s viol {results[name]['violations']}",
            flush=True,
        )
    return {
        "instance": instance.name,
        "requests": instance.num_requests,
        "expressible_requests": len(instance.problem.passengers),
        "skipped": list(instance.skipped),
        "notes": list(instance.notes),
        "fleet": len(instance.problem.vehicles),
        "bks": instance.bks,
        "bks_vehicles": instance.bks_vehicles,
        "bks_distance": instance.bks_distance,
        "bks_distance_vehicles": instance.bks_distance_vehicles,
        "vehicle_lower_bound": bound.vehicles,
        "solvers": results,
    }


def _dagrute(instance: BenchInstance, time_limit_s: float, seed: int, arms: int) -> PeerRun:
    started = time.perf_counter()
    result = solve_day_racing(
        instance.problem,
        instance.matrices,
        SearchParams(time_limit_s=time_limit_s, seed=seed),
        arms,
    )
    return PeerRun(result, time.perf_counter() - started)


def _run_one(args: tuple[str, Path, float, int, tuple[str, ...], int]) -> dict[str, Any]:
    return run_instance(*args)


def run_set(
    set_name: str,
    wanted: Sequence[str] | None,
    time_limit_s: float,
    seed: int,
    peers: Sequence[str],
    jobs: int,
    arms: int = 1,
) -> list[dict[str, Any]]:
    """Every instance of a set, ``jobs`` instances at a time (``arms`` processes each)."""
    tasks = [
        (set_name, p, time_limit_s, seed, tuple(peers), arms)
        for p in instance_paths(set_name, wanted)
    ]
    if jobs <= 1:
        return [_run_one(task) for task in tasks]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_run_one, tasks))


# -------------------------------------------------------------------------------- Bergen


def run_bergen(seeds: Sequence[int], time_limit_s: float) -> list[dict[str, Any]]:
    """The generated Bergen week per seed, solved by ``solve_week`` as the CLI does."""
    from solver.check import check_week
    from solver.config import get_config
    from solver.domain import RoadSettings
    from solver.generate import generate_week
    from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
    from solver.week import solve_week

    loaded = time.perf_counter()
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), get_config().cache_dir)
    load_s = time.perf_counter() - loaded
    records = []
    for seed in seeds:
        plan = generate_week(network, bergen=True, seed=seed)
        plan = plan.replace(settings=replace(plan.settings, time_limit_s=time_limit_s, seed=seed))
        started = time.perf_counter()
        result, matrices = solve_week(plan, network)
        wall_s = time.perf_counter() - started
        violations = check_week(plan, result, matrices)
        days = []
        for day_result in result.plans:
            problem = plan.day_problem(day_result.day, day_result.direction)
            bound = vehicle_bound_parts(problem, matrices)
            kpis = day_result.kpis
            days.append(
                {
                    "day": day_result.day,
                    "direction": str(day_result.direction),
                    "passengers": len(problem.passengers),
                    "vehicles": kpis.num_vehicles,
                    "vehicle_lower_bound": bound.vehicles,
                    "bound_parts": {
                        "aboard_seats": bound.aboard_seats,
                        "aboard_wheelchairs": bound.aboard_wheelchairs,
                        "conflicts": bound.conflicts,
                        "seat_time": bound.seat_time,
                    },
                    "fleet": len(problem.vehicles),
                    "unassigned": kpis.num_unassigned,
                    "cost": kpis.cost,
                    "km": round(kpis.distance_m / 1000.0, 1),
                    "solve_s": round(day_result.solve_s, 2),
                }
            )
            print(f"  bergen seed {seed} {days[-1]}", flush=True)
        records.append(
            {
                "seed": seed,
                "wall_s": round(wall_s, 1),
                "network_load_s": round(load_s, 1),
                "time_limit_s": time_limit_s,
                "violations": len(violations),
                "violation_codes": dict(Counter(v.code for v in violations)),
                "totals": dict(result.totals),
                "days": days,
            }
        )
    return records


# ------------------------------------------------------------------------------- reports


def machine() -> dict[str, Any]:
    """Cores, CPU model, Python and library versions of this run."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("ortools", "pyvroom", "pyvrp"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        **versions,
    }


def _fmt_gap(gap: float | None) -> str:
    return "–" if gap is None else f"{gap:+.2f}"


def _viol(record: dict[str, Any]) -> str:
    """Checker violations + unserved, and the original-instance check's count if not 0."""
    text = str(record["violations"] + record["unassigned"])
    if record["original_violations"]:
        text += f" (+{record['original_violations']} in the original)"
    return text


def _peer_cell(record: dict[str, Any], gap_key: str) -> str:
    gap = record.get(gap_key)
    cell = f"{record['cost']:.2f}"
    if gap is not None:
        cell += f" ({gap:+.1f}%)"
    cell += f" · {record['vehicles']} veh · {record['wall_s']:.1f} s"
    if record["feasible"]:
        return cell + " · ok"
    problems = []
    if record["ride_violations"]:
        problems.append(f"{record['ride_violations']} ride")
    other = record["violations"] - record["ride_violations"]
    if other:
        problems.append(f"{other} other")
    if record["unassigned"]:
        problems.append(f"{record['unassigned']} unserved")
    if record["original_violations"]:
        problems.append(f"{record['original_violations']} in the original")
    return cell + " · ✗ " + ", ".join(problems)


def _summary_rows(
    records: Sequence[dict[str, Any]], solvers: Sequence[str], gap_key: str
) -> list[str]:
    lines = []
    for name in solvers:
        rows = [r["solvers"][name] for r in records if name in r["solvers"]]
        gaps = [row[gap_key] for row in rows if row[gap_key] is not None]
        feasible_gaps = [
            row[gap_key] for row in rows if row[gap_key] is not None and row["feasible"]
        ]
        feasible = sum(row["feasible"] for row in rows)
        mean_gap = f"{statistics.fmean(gaps):+.2f}" if gaps else "–"
        worst_gap = f"{max(gaps):+.2f}" if gaps else "–"
        feasible_mean = f"{statistics.fmean(feasible_gaps):+.2f}" if feasible_gaps else "–"
        lines.append(
            f"| {name} | {feasible}/{len(rows)} | {mean_gap} | {worst_gap} | {feasible_mean} | "
            f"{sum(row['ride_violations'] for row in rows)} | "
            f"{sum(row['violations'] - row['ride_violations'] for row in rows)} | "
            f"{sum(row['unassigned'] for row in rows)} | "
            f"{statistics.fmean(row['wall_s'] for row in rows):.1f} |"
        )
    return lines


def section_markdown(set_name: str, payload: dict[str, Any]) -> str:
    """The docs/benchmarks.md section of one set."""
    info = payload["machine"]
    head = [
        f"## {TITLES[set_name]}",
        "",
        f"Run {payload['date']} with `{payload['command']}`: seed {payload['seed']}, "
        f"**{payload['time_limit_s']:g} s per solver and instance**"
        + (f", {payload['jobs']} instances at a time" if payload.get("jobs", 1) > 1 else "")
        + (
            f", dagrute racing {payload['arms']} searches on as many cores"
            if payload.get("arms", 1) > 1
            else ""
        )
        + f". Machine: {info['cores']} cores, {info['cpu']}, Python {info['python']}, "
        f"OR-Tools {info['ortools']}, pyvroom {info['pyvroom']}, PyVRP {info['pyvrp']}.",
        "",
    ]
    if set_name == "bergen":
        return "\n".join(head + _bergen_markdown(payload["results"])) + "\n"
    records = payload["results"]
    peers = payload["peers"]
    solvers = ["dagrute", *peers]
    gap_key = "gap_distance_pct" if set_name == "solomon" else "gap_pct"
    lines = list(head)
    if set_name == "solomon":
        lines.append(
            "| instance | BKS distance (veh) | BKS veh-first (veh) | dagrute | gap % | veh (LB) "
            "| s | viol | " + " | ".join(peers) + " |"
        )
        lines.append("|---" * (8 + len(peers)) + "|")
        for r in records:
            d = r["solvers"]["dagrute"]
            lines.append(
                f"| {r['instance']} | {r['bks_distance']} ({r['bks_distance_vehicles']}) | "
                f"{r['bks']} ({r['bks_vehicles']}) | {d['cost']:.2f} | {_fmt_gap(d[gap_key])} | "
                f"{d['vehicles']} ({r['vehicle_lower_bound']}) | {d['wall_s']:.1f} | "
                f"{_viol(d)} | "
                + " | ".join(_peer_cell(r["solvers"][p], gap_key) for p in peers)
                + " |"
            )
    elif set_name == "hdarp":
        lines.append(
            "| instance | requests (expressible) | fleet | dagrute | veh (LB) | s | viol | "
            + " | ".join(peers)
            + " |"
        )
        lines.append("|---" * (7 + len(peers)) + "|")
        for r in records:
            d = r["solvers"]["dagrute"]
            lines.append(
                f"| {r['instance']} | {r['requests']} ({r['expressible_requests']}) | "
                f"{r['fleet']} | {d['cost']:.2f} | {d['vehicles']} ({r['vehicle_lower_bound']}) | "
                f"{d['wall_s']:.1f} | {_viol(d)} | "
                + " | ".join(_peer_cell(r["solvers"][p], gap_key) for p in peers)
                + " |"
            )
    else:
        lines.append(
            "| instance | BKS | dagrute | gap % | veh (LB) | s | viol | " + " | ".join(peers) + " |"
        )
        lines.append("|---" * (7 + len(peers)) + "|")
        for r in records:
            d = r["solvers"]["dagrute"]
            lines.append(
                f"| {r['instance']} | {r['bks']} | {d['cost']:.2f} | {_fmt_gap(d[gap_key])} | "
                f"{d['vehicles']} ({r['vehicle_lower_bound']}) | {d['wall_s']:.1f} | "
                f"{_viol(d)} | "
                + " | ".join(_peer_cell(r["solvers"][p], gap_key) for p in peers)
                + " |"
            )
    lines += [
        "",
        "| solver | feasible | mean gap % | worst gap % | mean gap % (feasible only) | "
        "ride-time violations | other violations | unserved | mean s |",
        "|---|---|---|---|---|---|---|---|---|",
        *_summary_rows(records, solvers, gap_key),
        "",
    ]
    for note in _set_notes(set_name, records):
        lines += [note, ""]
    return "\n".join(lines) + "\n"


def _set_notes(set_name: str, records: Sequence[dict[str, Any]]) -> list[str]:
    notes = [
        "Costs are in the instance's own units, recomputed with exact Euclidean distances along "
        "each route's stops; the solvers optimised on distances rounded to 1/1000 and on travel "
        "times rounded **up** (1/60 min for DARP, 1/20 unit for Solomon), so every route the "
        "checker passes is feasible with the exact times too, while a rounded-up leg can cost "
        "a little slack against solutions computed in floating point. A second check reads the "
        "instance file again and verifies every route in the file's own units with exact times "
        "(`benchmarks/verify.py`); its findings would show as 'in the original'. `viol`: "
        "checker violations plus unserved passengers; `veh (LB)`: vehicles used (dagrute's "
        "vehicle lower bound, `solver/routing/bounds.py`). Peer cells: cost (gap) · vehicles · "
        "seconds · ok or what dagrute's checker found (`ride`: passengers over their maximum "
        "ride time; peers do not model it). A peer's cost below the BKS comes from breaking rules.",
    ]
    if set_name.startswith("cordeau"):
        notes.append(
            "BKS: `/work/shared/bench/cordeau-darp/bks.csv`, transcribed from the literature "
            "(a-set values widely reproduced, b-set less certain: see the file's header)."
        )
    if set_name == "solomon":
        notes.append(
            "Gap is to the best known *distance-only* value (vroom-scripts `_distance`, the "
            "objective dagrute minimises here: per-km cost only, a fixed fleet of the "
            "instance's size); the literature's usual BKS minimises vehicles first and is "
            "shown beside it with its vehicle count."
        )
    if set_name == "hdarp":
        skipped = {r["instance"]: len(r["skipped"]) for r in records}
        notes.append(
            "No best-known values exist for these instances. dagrute's two capacities carry "
            "resource 1 (staff/escort seats, as 'seats') and resource 2 (patient seats, as "
            "'wheelchair places'), an exact encoding; requests needing resource 3 (stretcher) "
            "or 4 (wheelchair place) cannot be expressed and are left out of every solver's "
            "instance: "
            + ", ".join(f"{name}: {count} left out" for name, count in skipped.items())
            + ". Costs are therefore not comparable with the paper's."
        )
    return notes


def _bergen_markdown(records: Sequence[dict[str, Any]]) -> list[str]:
    lines = [
        "`solve_week` (both cores, all ten day-directions) on `generate_week(bergen=True, "
        "seed=s)` over the bundled road extract; wall time includes matrices and the final "
        "timing, not the road graph (loaded once, from cache). LB: dagrute's vehicle lower "
        "bound per day-direction (`solver/routing/bounds.py`); it is weak here, as the arrival "
        "windows let one vehicle make several trips, so the gap between vehicles and LB says more "
        "about the bound than about the plan.",
        "",
    ]
    for record in records:
        totals = record["totals"]
        lines += [
            f"### Seed {record['seed']}: {record['wall_s']} s wall (limit "
            f"{record['time_limit_s']:g} s), {record['violations']} checker violations, "
            f"{int(totals.get('unassigned_trips', 0))} unassigned trips, "
            f"cost {totals.get('cost', 0):,.0f} NOK, {totals.get('km', 0)} km, "
            f"peak {int(totals.get('peak_vehicles', 0))} vehicles",
            "",
            "| day | direction | passengers | vehicles | LB | fleet | unassigned | cost NOK | km "
            "| solve s |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for d in record["days"]:
            lines.append(
                f"| {d['day']} | {d['direction']} | {d['passengers']} | {d['vehicles']} | "
                f"{d['vehicle_lower_bound']} | {d['fleet']} | {d['unassigned']} | "
                f"{d['cost']:,.0f} | {d['km']} | {d['solve_s']} |"
            )
        lines.append("")
    return lines


DOC_HEADER = """# Benchmarks

Quality and speed of dagrute against best-known values and peer solvers (OR-Tools with its
default search, VROOM, PyVRP) on the same instances, the same integer matrices and the same
time limits, in the same run. Every solver's routes are re-verified by dagrute's independent
checker. How to run and read these: [benchmarks/README.md](../benchmarks/README.md). Each
section below is rewritten by `python -m benchmarks.run --set NAME`.
"""


def write_results(path: Path, payload: object) -> None:
    """Write a benchmark's results JSON (indented, one trailing newline), folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def save_results(set_name: str, payload: dict[str, Any], markdown: str, docs: bool) -> None:
    """Write ``benchmarks/results/<set>.json`` and print the section.

    With ``docs``, also put the section in docs/benchmarks.md.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{set_name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    print(markdown)
    if docs:
        write_section(set_name, markdown, DOCS)


def write_section(set_name: str, markdown: str, path: Path = DOCS) -> None:
    """Replace (or add) the set's section between its markers in docs/benchmarks.md."""
    start, end = f"<!-- bench:{set_name}:start -->", f"<!-- bench:{set_name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_HEADER
    block = f"{start}\n{markdown}{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        order = [*SETS, *DOC_SECTIONS]
        sections = [(s, f"<!-- bench:{s}:start -->") for s in order]
        later = [marker for s, marker in sections[order.index(set_name) + 1 :] if marker in text]
        if later:
            at = text.index(later[0])
            text = text[:at] + block + "\n\n" + text[at:]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the set(s), write JSON and docs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, choices=[*SETS, "all"])
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solver")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instances", help="comma-separated names, or 'all' (default: the set's)")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated, or 'none'")
    parser.add_argument("--jobs", type=int, default=1, help="instances solved at once")
    parser.add_argument(
        "--arms",
        type=int,
        default=2,
        help="searches dagrute races per instance, one core each (jobs x arms <= cores)",
    )
    parser.add_argument("--bergen-seeds", default="1,2,3")
    parser.add_argument("--bergen-time-limit", type=float, default=60.0)
    parser.add_argument("--out", type=Path, help="JSON results (one set only)")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    peers = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
    unknown = set(peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    wanted = args.instances.split(",") if args.instances else None
    sets = list(SETS) if args.set == "all" else [args.set]
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    for set_name in sets:
        print(f"{set_name}:", flush=True)
        started = time.perf_counter()
        if set_name == "bergen":
            seeds = [int(s) for s in args.bergen_seeds.split(",")]
            results = run_bergen(seeds, args.bergen_time_limit)
            limit = args.bergen_time_limit
        else:
            results = run_set(
                set_name,
                wanted if len(sets) == 1 else None,
                args.time_limit,
                args.seed,
                peers,
                args.jobs,
                args.arms,
            )
            limit = args.time_limit
        payload = {
            "set": set_name,
            "date": dt.date.today().isoformat(),
            "command": command,
            "time_limit_s": limit,
            "seed": args.seed,
            "jobs": args.jobs if set_name != "bergen" else 1,
            "arms": args.arms if set_name != "bergen" else 1,
            "peers": peers if set_name != "bergen" else [],
            "machine": machine(),
            "total_wall_s": round(time.perf_counter() - started, 1),
            "results": results,
        }
        out = args.out if args.out and len(sets) == 1 else RESULTS / f"{set_name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}", flush=True)
        if not args.no_docs:
            write_section(set_name, section_markdown(set_name, payload))
            print(f"updated {DOCS}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
