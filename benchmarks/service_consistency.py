"""Service against CLI: the Bergen week, ``consistency: strict``, planned over HTTP and in-process.

The week of ``benchmarks.consistency`` (``generate_week(bergen=True)``, the seed as plan seed,
the given time limit, ``consistency`` = ``strict``) goes as plan JSON through the real service
first: ``dagrute serve`` (uvicorn plus one worker process) on a free loopback port and a
temporary SQLite database (``benchmarks.api_latency.Service``). A small warm-up job makes
sure the worker has loaded the roads; then the week is submitted, its job polled until it
ends and its result read; wall time runs from the POST to the result. The service is stopped,
then the same plan JSON, parsed, is planned in this process by ``solver.week.solve_week`` as
``benchmarks.consistency`` and the CLI plan it. Both weeks go through the independent checker
(``check_week``) and ``solver.week.consistency.measure``.

    uv run python -m benchmarks.service_consistency --seed 1 --time-limit 60

Writes ``out/service_consistency.json`` and the ``service-consistency`` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.api_latency import Service, small_plan, wait_for
from benchmarks.consistency import _solve, week_figures
from benchmarks.run import DOCS, REPO_ROOT, machine, write_section
from solver.check import check_week
from solver.config import get_config
from solver.domain import RoadSettings, WeekResult
from solver.generate import generate_week
from solver.io import parse_plan, parse_result, plan_to_json
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
from solver.week import build_week_matrices
from solver.week.consistency import measure

SECTION = "service-consistency"
OUT = REPO_ROOT / "out" / "service_consistency.json"
OUT_RESULT = REPO_ROOT / "out" / "service_consistency_http_result.json"
WARM_UP_TIMEOUT_S = 120.0
JOB_GRACE_S = 240.0
"""How long past the time limit the benchmark waits for the week's job."""


def bergen_strict(network: RoadNetwork, seed: int, time_limit_s: float) -> dict[str, Any]:
    """The consistency benchmark's week with ``strict`` consistency, as plan JSON."""
    plan = generate_week(network, bergen=True, seed=seed)
    settings = replace(plan.settings, time_limit_s=time_limit_s, seed=seed, consistency="strict")
    plan_json = plan_to_json(replace(plan, settings=settings))
    plan_json.pop("osm_file", None)  # the service always plans on its own roads
    return plan_json


def over_http(plan_json: dict[str, Any], time_limit_s: float) -> dict[str, Any]:
    """Plan ``plan_json`` through ``dagrute serve``: the job, its result JSON and wall time."""
    with tempfile.TemporaryDirectory(prefix="dagrute-bench-service-") as folder:
        service = Service(Path(folder))
        try:
            print(f"service on port {service.port}; warm-up job", flush=True)
            warm = wait_for(service, service.submit(small_plan()), WARM_UP_TIMEOUT_S, running=False)
            if warm["status"] != "succeeded":
                raise RuntimeError(f"the warm-up job ended {warm['status']}: {warm['error']}")
            print("submitting the week", flush=True)
            started = time.perf_counter()
            job_id = service.submit(plan_json)
            job = wait_for(service, job_id, time_limit_s + JOB_GRACE_S, running=False)
            status, result = service.call("GET", f"/v1/jobs/{job_id}/result", service.planner)
            wall_s = time.perf_counter() - started
            if job["status"] != "succeeded" or status != 200:
                raise RuntimeError(f"job {job['status']} ({status}): {job['error']}")
            return {"job": job, "result": result, "wall_s": wall_s, "log": service.output()}
        finally:
            service.stop()


def left_out(result: WeekResult) -> list[str]:
    """Each unassigned trip as "day direction passenger: reason"."""
    return [
        f"{r.day} {r.direction} {u.passenger_id}: {u.reason}"
        for r in result.plans
        for u in r.unassigned
    ]


def http_record(
    plan_json: dict[str, Any], network: RoadNetwork, run: dict[str, Any]
) -> dict[str, Any]:
    """The figures of ``benchmarks.consistency`` for the service's week, checked here."""
    plan = parse_plan(plan_json)
    result = parse_result(run["result"])
    matrices = build_week_matrices(plan, network.with_settings(plan.settings.roads))
    violations = check_week(plan, result, matrices)
    totals = result.totals
    job = run["job"]
    return {
        "mode": "strict",
        "wall_s": round(run["wall_s"], 1),
        "job_elapsed_s": job["progress"]["elapsed_s"],
        "attempts": job["attempts"],
        "notes": job["progress"]["notes"],
        "service_violations": job["num_violations"],
        **week_figures(result, violations),
        "left_out": left_out(result),
        "consistency": measure(result, plan.settings.consistency_tolerance_s, plan).as_dict(),
        "totals_consistency": {k: v for k, v in totals.items() if k.startswith("consistency_")},
    }


def run(seed: int, time_limit_s: float) -> dict[str, Any]:
    """Both records, HTTP first (the service is stopped before the CLI path starts)."""
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), get_config().cache_dir)
    plan_json = bergen_strict(network, seed, time_limit_s)
    service_run = over_http(plan_json, time_limit_s)
    http = http_record(plan_json, network, service_run)
    print(f"  HTTP: {http}", flush=True)
    OUT_RESULT.parent.mkdir(parents=True, exist_ok=True)
    OUT_RESULT.write_text(json.dumps(service_run["result"], indent=1) + "\n")
    solved = _solve(parse_plan(plan_json), network, "strict")
    cli = {**solved["record"], "left_out": left_out(solved["result"])}
    print(f"  CLI: {cli}", flush=True)
    return {
        "seed": seed,
        "passengers": len(plan_json["passengers"]),
        "http": http,
        "cli": cli,
        "service_log_tail": service_run["log"][-4000:],
    }


def markdown(payload: dict[str, Any]) -> str:
    """The docs/benchmarks.md section."""
    m, record = payload["machine"], payload["results"]
    lines = [
        "## Service against CLI: strict consistency over HTTP",
        "",
        f"Run {payload['date']} with `{payload['command']}`: the Bergen week of the consistency "
        f"table (seed {record['seed']}, {record['passengers']} passengers, `consistency: "
        f"strict`, {payload['time_limit_s']:g} s), once submitted to `dagrute serve` (one "
        "worker, SQLite, loopback; a warm-up job first, so the roads are loaded) and once "
        "planned in-process by `solve_week` as the CLI does, one after the other. Machine: "
        f"{m['cores']} cores, {m['cpu']}, load average {payload['load_average']} at the start.",
        "",
        "Both weeks re-checked by `check_week` here (the HTTP week from its result JSON). Wall "
        "s: HTTP from the POST to the result read back (the job's own elapsed time in "
        "brackets); CLI the `solve_week` call.",
        "",
        "| path | cost NOK/week | routes | peak | unassigned trips | violations | single vehicle "
        "| pickups ±10 min | (all days) | consistent | max spread min | wall s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("http", "cli"):
        r, c = record[name], record[name]["consistency"]
        wall = f"{r['wall_s']}" + (f" ({r['job_elapsed_s']})" if name == "http" else "")
        lines.append(
            f"| {name.upper()} | {r['cost']:,.0f} | {r['vehicle_days']} | {r['peak_vehicles']} "
            f"| {r['unassigned_trips']} | {r['violations']} | "
            f"{100 * c['share_single_vehicle']:.1f}% | "
            f"{100 * c['share_pickup_within_tolerance']:.1f}% | "
            f"{100 * c['share_pickup_within_tolerance_all_days']:.1f}% | "
            f"{100 * c['share_consistent']:.1f}% | {c['max_pickup_spread_min']} | {wall} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.service_consistency``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    load = [round(x, 2) for x in os.getloadavg()]
    payload = {
        "set": SECTION,
        "date": time.strftime("%Y-%m-%d"),
        "command": f"python -m benchmarks.service_consistency --seed {args.seed} "
        f"--time-limit {args.time_limit:g}",
        "time_limit_s": args.time_limit,
        "machine": machine(),
        "load_average": load,
        "results": run(args.seed, args.time_limit),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload, indent=2) + "\n")
    print(markdown(payload))
    if not args.no_docs:
        write_section(SECTION, markdown(payload), DOCS)


if __name__ == "__main__":
    main()
