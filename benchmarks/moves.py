"""Hand moves tried at once: how long a dispatcher waits for a move's verdict on a Bergen day.

For each seed, the generated Bergen week's Monday morning is solved (``--publish-limit``
seconds). Then ``--moves`` single moves are drawn with the seed: a served passenger onto
another vehicle that drives that morning, half of them before a stop drawn from its route
and half where the route is cheapest. Each is tried as ``POST .../days/{day}/moves`` tries
it: the changed plan's matrices (``build_week_matrices``, as the service builds them per
request), then :func:`solver.dispatch.edits.preview_moves` (the day's model, the insertion,
the re-timing, the checker). Wall seconds are measured for both parts.

Reported per seed: the median, 90th percentile and largest wall time of a move (matrices
included) and of the preview alone, how many moves hold (no violation), and the violation
codes of those that do not. A move that holds must pass the checker by definition; the
benchmark also re-checks every preview's routes independently (``check_day``) and counts a
disagreement as an error.

    uv run python -m benchmarks.moves --seeds 1,2,3

Writes ``benchmarks/results/moves.json`` and the ``moves`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.replan import DAY, published_morning, run_seeds
from benchmarks.run import machine, save_results
from solver.check import check_day
from solver.dispatch import DayChanges, Move, preview_moves
from solver.roads import RoadNetwork
from solver.week import build_week_matrices


def _quantiles(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": round(float(np.median(values)), 2),
        "p90": round(float(np.percentile(values, 90)), 2),
        "max": round(float(max(values)), 2),
    }


def run_seed(network: RoadNetwork, seed: int, publish_s: float, num_moves: int) -> dict[str, Any]:
    """One seed: publish the morning, then try ``num_moves`` seeded single moves."""
    plan, problem, published = published_morning(network, seed, publish_s)
    rng = np.random.default_rng(seed)
    vehicle_of = {pid: r.vehicle_id for r in published.routes for s in r.stops for pid in s.pickups}
    driving = sorted({r.vehicle_id for r in published.routes})
    stops = {r.vehicle_id: len(r.stops) - 2 for r in published.routes}
    no_changes = DayChanges(DAY, ())
    totals: list[float] = []
    previews: list[float] = []
    holding = 0
    codes: Counter[str] = Counter()
    disagreements = 0
    for k in range(num_moves):
        pid = str(rng.choice(sorted(vehicle_of)))
        target = str(rng.choice([v for v in driving if v != vehicle_of[pid]]))
        position = int(rng.integers(1, max(2, stops[target] + 1))) if k % 2 == 0 else None
        started = time.perf_counter()
        moved_matrices = build_week_matrices(plan, network)
        ready = time.perf_counter()
        preview = preview_moves(
            plan, published, no_changes, [Move(pid, target, position)], moved_matrices
        )
        ended = time.perf_counter()
        totals.append(ended - started)
        previews.append(ended - ready)
        if not preview.violations:
            holding += 1
        codes.update(v.code for v in preview.violations)
        again = check_day(problem, preview.result, moved_matrices)
        if sorted(v.code for v in again) != sorted(v.code for v in preview.violations):
            disagreements += 1
    return {
        "seed": seed,
        "passengers": len(problem.passengers),
        "vehicles": len(driving),
        "moves": num_moves,
        "wall_s": _quantiles(totals),
        "preview_s": _quantiles(previews),
        "holding": holding,
        "violation_codes": dict(codes.most_common()),
        "check_disagreements": disagreements,
    }


def markdown(payload: dict[str, Any]) -> str:
    """The ``moves`` section of docs/benchmarks.md."""
    m = payload["machine"]
    lines = [
        "## Hand moves tried at once",
        "",
        f"Run {payload['date']} with `{payload['command']}`. Machine: {m['cores']} cores, "
        f"{m['cpu']}, load average {payload['load_average']} at the start.",
        "",
        f"The generated Bergen week's Monday morning, published at {payload['publish_s']:g} s; "
        f"then {payload['moves']} single moves per seed (a served passenger onto another "
        "driving vehicle; every other move before a stop drawn from its route, the rest where "
        "the route is cheapest), each tried as `POST .../days/{day}/moves` tries it: the "
        "matrices, then `preview_moves` (model, insertion, re-timing, checker). Seconds are "
        "wall time of one move, matrices included (preview alone in brackets).",
        "",
        "| seed | passengers | vehicles | median s | 90th percentile s | largest s | moves that "
        "hold | violations of the others | checker disagreements |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in payload["results"]:
        w, p = r["wall_s"], r["preview_s"]
        codes = ", ".join(f"{c} {n}" for c, n in r["violation_codes"].items()) or "none"
        lines.append(
            f"| {r['seed']} | {r['passengers']} | {r['vehicles']} | {w['median']} "
            f"({p['median']}) | {w['p90']} ({p['p90']}) | {w['max']} ({p['max']}) | "
            f"{r['holding']} of {r['moves']} | {codes} | {r['check_disagreements']} |"
        )
    lines += [
        "",
        "A move that does not hold is not refused: the dispatcher sees these violations beside "
        "it and cannot keep it as it is. Most moves drawn at random break a rule on a busy "
        "morning: the receiving vehicle is full, or the passenger's ride limit or window "
        "cannot be kept on its route.",
        "",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.moves``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--publish-limit", type=float, default=30.0)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    results, load = run_seeds(
        args.seeds, lambda network, s: run_seed(network, s, args.publish_limit, args.moves)
    )
    payload = {
        "set": "moves",
        "date": time.strftime("%Y-%m-%d"),
        "command": f"python -m benchmarks.moves --seeds {args.seeds} --moves {args.moves}",
        "publish_s": args.publish_limit,
        "moves": args.moves,
        "machine": machine(),
        "load_average": load,
        "results": results,
    }
    save_results("moves", payload, markdown(payload), not args.no_docs)


if __name__ == "__main__":
    main()
