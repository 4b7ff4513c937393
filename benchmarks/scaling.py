"""Scaling: generated weeks of 60 to 2000 passengers on the bundled roads, planned by solve_week.

For each size, ``generate_week(num_passengers=n, num_centres=round(n / 25), seed=s)`` on the
bundled road graph (``data/osm``; about one centre per 25 passengers, as Bergen has 11 for
305; the fleet sized by the generator from the busiest day), written to a plan file, then
planned in a **fresh process** that does what ``dagrute solve`` does: start the clock, read
the plan, load the roads, ``solve_week`` with the size's limit (the limit counts loading and
matrices), drawing geometry included, then ``check_week``. A fresh process per size keeps
each size's peak memory its own.

Recorded per size: wall seconds of the whole child command (Python start and imports
included) and of the solve's own clock, the phases, cost, vehicles, trips requested and
served, unassigned trips by reason code, the checker's violations, and peak memory:
``resource.getrusage`` ``ru_maxrss`` of the child process itself (``RUSAGE_SELF``) and of its
largest waited-for child (``RUSAGE_CHILDREN``: the worker processes that solve
day-directions; the largest one, not a sum).

    uv run --group bench python -m benchmarks.scaling          # about 30 min
    uv run --group bench python -m benchmarks.scaling --passengers 60,300 --limits 5,10 --smoke

Writes ``benchmarks/results/scaling.json``, ``docs/img/scaling.svg`` and the ``scaling``
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.consistency import week_figures
from benchmarks.plots import IMG, new_figure, save
from benchmarks.run import DOCS, REPO_ROOT, RESULTS, machine, write_results, write_section
from solver.check import check_week
from solver.config import get_config
from solver.domain import DAYS, Direction, RoadSettings
from solver.generate import generate_week
from solver.io.plan import dump_plan, load_plan
from solver.params import SolveParams
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
from solver.week import solve_week

SECTION = "scaling"
DEFAULT_PASSENGERS = (60, 300, 1000, 2000)
DEFAULT_LIMITS = (60.0, 60.0, 300.0, 600.0)
PASSENGERS_PER_CENTRE = 25
"""About Bergen's ratio (305 passengers in 11 centres)."""
CHILD_GRACE_S = 900.0
"""How long past its limit a size's process may run before it is stopped and recorded."""
KIB_PER_MIB = 1024
SMOKE_NOTE = (
    "**Smoke run: not a measurement; replaced by the quiet run.** Small sizes and short "
    "limits on a loaded machine, only to show that the script and this section work."
)


def _max_rss_mib(who: int) -> float:
    """Peak resident memory of ``who`` (``RUSAGE_SELF``/``RUSAGE_CHILDREN``); Linux gives KiB."""
    return round(resource.getrusage(who).ru_maxrss / KIB_PER_MIB, 1)


def solve_one(plan_file: Path, time_limit_s: float, seed: int) -> dict[str, Any]:
    """In the child: plan ``plan_file`` as ``dagrute solve`` would, check it, measure it."""
    started = time.perf_counter()
    plan = load_plan(plan_file)
    loaded = time.perf_counter()
    network = RoadNetwork.load(DEFAULT_OSM_FILE, plan.settings.roads, get_config().cache_dir)
    roads_done = time.perf_counter()
    params = SolveParams.from_settings(plan.settings, time_limit_s=time_limit_s, seed=seed)
    result, matrices = solve_week(
        plan,
        network,
        geometry=network.path_geometry,
        params=params,
        deadline=params.deadline(started),
    )
    solved = time.perf_counter()
    violations = check_week(plan, result, matrices)
    checked = time.perf_counter()
    requested = sum(len(plan.day_problem(d, r).passengers) for d in DAYS for r in Direction)
    reasons = Counter(u.reason.value for d in result.plans for u in d.unassigned)
    served = int(result.totals.get("trips", 0))
    return {
        "passengers": len(plan.passengers),
        "centres": len(plan.centres),
        "fleet": len(plan.vehicles),
        "time_limit_s": time_limit_s,
        "trips_requested": requested,
        "trips_served": served,
        "served_share": round(served / requested, 4) if requested else None,
        "unassigned_reasons": dict(sorted(reasons.items())),
        **week_figures(result, violations),
        "command_s": round(checked - started, 1),
        "phases_s": {
            "read_plan": round(loaded - started, 2),
            "roads": round(roads_done - loaded, 2),
            "solve_week": round(solved - roads_done, 1),
            "check": round(checked - solved, 1),
        },
        "max_rss_self_mib": _max_rss_mib(resource.RUSAGE_SELF),
        "max_rss_children_mib": _max_rss_mib(resource.RUSAGE_CHILDREN),
    }


def run_size(
    plan_file: Path, num_passengers: int, num_centres: int, time_limit_s: float, seed: int
) -> dict[str, Any]:
    """In the parent: one size's fresh process, its wall time and its record (or failure)."""
    with tempfile.TemporaryDirectory() as scratch:
        record_file = Path(scratch) / "record.json"
        command = [
            sys.executable,
            "-m",
            "benchmarks.scaling",
            "--child",
            str(plan_file),
            "--time-limit",
            f"{time_limit_s:g}",
            "--seed",
            str(seed),
            "--record",
            str(record_file),
        ]
        started = time.perf_counter()
        try:
            done = subprocess.run(command, cwd=REPO_ROOT, timeout=time_limit_s + CHILD_GRACE_S)
            failure = None if done.returncode == 0 else f"exit code {done.returncode}"
        except subprocess.TimeoutExpired:
            failure = f"stopped after {time_limit_s + CHILD_GRACE_S:g} s"
        wall_s = round(time.perf_counter() - started, 1)
        record: dict[str, Any] = {
            "passengers": num_passengers,
            "centres": num_centres,
            "time_limit_s": time_limit_s,
        }
        if failure is None and record_file.exists():
            record.update(json.loads(record_file.read_text(encoding="utf-8")))
        else:
            record["failure"] = failure or "no record written"
    record["wall_s"] = wall_s
    if "command_s" in record:
        # Python's start and the imports (OR-Tools, numba, osmnx's dependencies): no clock
        # inside the process sees them.
        record["startup_s"] = round(wall_s - record["command_s"], 1)
    return record


def run(
    sizes: Sequence[int], limits: Sequence[float], seed: int, per_centre: int
) -> list[dict[str, Any]]:
    """Generate every size's week, then plan each in its own process."""
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), get_config().cache_dir)
    records = []
    with tempfile.TemporaryDirectory() as plans:
        for num_passengers, limit_s in zip(sizes, limits, strict=True):
            num_centres = max(1, round(num_passengers / per_centre))
            plan = generate_week(
                network, num_passengers=num_passengers, num_centres=num_centres, seed=seed
            )
            plan_file = Path(plans) / f"{plan.name}.json"
            dump_plan(plan, plan_file)
            record = run_size(plan_file, num_passengers, num_centres, limit_s, seed)
            records.append(record)
            print(f"  {num_passengers} passengers, {limit_s:g} s: {record}", flush=True)
    return records


# ------------------------------------------------------------------------------ reporting


def _reasons(record: dict[str, Any]) -> str:
    reasons = record.get("unassigned_reasons") or {}
    return ", ".join(f"{n} {c.removeprefix('UNASSIGNED_')}" for c, n in reasons.items()) or "–"


def markdown(payload: dict[str, Any], figure: str | None) -> str:
    """The docs section: the figure and one row per size."""
    m = payload["machine"]
    lines = ["## Scaling: generated weeks of 60 to 2000 passengers", ""]
    if payload["smoke"]:
        lines += [SMOKE_NOTE, ""]
    lines += [
        f"Run {payload['date']} with `{payload['command']}` ({payload['total_wall_s']:g} s in "
        f"all): `generate_week` seed {payload['seed']} on the bundled roads (`data/osm`), one "
        f"centre per {payload['passengers_per_centre']} passengers, the generator's fleet; "
        "each size planned by `solve_week` in a fresh process, both cores, then checked. "
        f"Machine: {m['cores']} cores, {m['cpu']}, load average {payload['load_average']} at "
        f"the start, Python {m['python']}, OR-Tools {m['ortools']}.",
        "",
        "`wall s`: the whole child process (Python start, imports, reading the plan, roads, "
        "matrices, search, drawing geometry, checker); `start-up s`: the part of it before "
        "the process's own clock starts (Python and imports); `solve s`: the `solve_week` call, "
        "whose limit counts roads and matrices as `dagrute solve` does. Memory: peak resident "
        "set (`getrusage` `ru_maxrss`) of the planning process itself and of its largest "
        "worker process (`RUSAGE_CHILDREN`: the largest, not the sum).",
        "",
    ]
    if figure:
        lines += [f"![Wall time and served share against passengers]({figure})", ""]
    lines += [
        "| passengers | centres | fleet | limit s | wall s | start-up s | solve s | cost NOK/week "
        "| peak vehicles | vehicle-days | trips served | unassigned trips (reasons) "
        "| violations | MiB process | MiB largest worker |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in payload["results"]:
        if "failure" in r:
            lines.append(
                f"| {r['passengers']} | {r['centres']} | – | {r['time_limit_s']:g} | "
                f"{r['wall_s']} | | failed: {r['failure']} | | | | | | | | |"
            )
            continue
        share = "–" if r["served_share"] is None else f"{100 * r['served_share']:.1f} %"
        lines.append(
            f"| {r['passengers']} | {r['centres']} | {r['fleet']} | {r['time_limit_s']:g} | "
            f"{r['wall_s']} | {r.get('startup_s', '–')} | {r['phases_s']['solve_week']} | "
            f"{r['cost']:,.0f} | "
            f"{r['peak_vehicles']} | {r['vehicle_days']} | {r['trips_served']} of "
            f"{r['trips_requested']} ({share}) | {r['unassigned_trips']} ({_reasons(r)}) | "
            f"{r['violations']} | {r['max_rss_self_mib']:,.0f} | "
            f"{r['max_rss_children_mib']:,.0f} |"
        )
    lines += ["", "`benchmarks/scaling.py` says how to run it.", ""]
    return "\n".join(lines)


def plot(payload: dict[str, Any], path: Path) -> Path:
    """Wall time (with the limit) and served share against passengers."""
    figure = new_figure(2, height_in=3.5)
    timing, share = figure.axes
    done = [r for r in payload["results"] if "failure" not in r]
    xs = [r["passengers"] for r in done]
    timing.plot(xs, [r["wall_s"] for r in done], marker="o", label="wall s (whole process)")
    timing.plot(xs, [r["phases_s"]["solve_week"] for r in done], marker="s", label="solve_week s")
    timing.plot(
        xs, [r["time_limit_s"] for r in done], linestyle="--", color="grey", label="time limit"
    )
    timing.set_ylabel("seconds")
    timing.legend(fontsize="small")
    share.plot(xs, [100 * (r["served_share"] or 0.0) for r in done], marker="o")
    share.set_ylabel("trips served, %")
    share.set_ylim(top=100.5)
    suffix = " — SMOKE RUN" if payload["smoke"] else ""
    timing.set_title("Wall time" + suffix)
    share.set_title("Served share" + suffix)
    for axes in figure.axes:
        axes.set_xscale("log")
        axes.set_xticks(xs, [str(x) for x in xs])
        axes.minorticks_off()
        axes.set_xlabel("passengers (log scale)")
        axes.grid(True, alpha=0.3)
    return save(figure, path)


# ----------------------------------------------------------------------------------- main


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line; run every size (or, with ``--child``, plan one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passengers", default=",".join(map(str, DEFAULT_PASSENGERS)))
    parser.add_argument(
        "--limits",
        default=",".join(f"{x:g}" for x in DEFAULT_LIMITS),
        help="seconds per size, one per --passengers entry",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-centre", type=int, default=PASSENGERS_PER_CENTRE)
    parser.add_argument("--smoke", action="store_true", help="label the docs as a smoke run")
    parser.add_argument("--out", type=Path, default=RESULTS / f"{SECTION}.json")
    parser.add_argument("--figure", type=Path, default=IMG / "scaling.svg")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--record", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--render", type=Path, help="only redraw the figure and docs from this results JSON"
    )
    args = parser.parse_args(argv)
    if args.render is not None:
        return report(json.loads(args.render.read_text(encoding="utf-8")), args)
    if args.child is not None:
        record = solve_one(args.child, args.time_limit, args.seed)
        args.record.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        return 0
    sizes = [int(x) for x in args.passengers.split(",") if x]
    limits = _floats(args.limits)
    if len(limits) == 1:
        limits *= len(sizes)
    if len(limits) != len(sizes):
        parser.error("give one limit, or one per --passengers entry")
    load = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    results = run(sizes, limits, args.seed, args.per_centre)
    payload = {
        "set": SECTION,
        "date": time.strftime("%Y-%m-%d"),
        "command": "python -m benchmarks.scaling "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "smoke": args.smoke,
        "seed": args.seed,
        "passengers_per_centre": args.per_centre,
        "machine": machine(),
        "load_average": load,
        "total_wall_s": round(time.perf_counter() - started, 1),
        "results": results,
    }
    write_results(args.out, payload)
    print(f"wrote {args.out}", flush=True)
    return report(payload, args)


def report(payload: dict[str, Any], args: argparse.Namespace) -> int:
    """Draw the figure and write the docs section; 1 if a size failed or broke a rule."""
    results = payload["results"]
    figure = plot(payload, args.figure)
    print(f"wrote {figure}", flush=True)
    if not args.no_docs:
        write_section(SECTION, markdown(payload, os.path.relpath(figure, DOCS.parent)) + "\n")
        print(f"updated {DOCS}", flush=True)
    failed = [r for r in results if "failure" in r or r["violations"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
