"""Writing a solved batch: comparison.csv/json, each scenario's routes, and report.html.

Layout of the output folder::

    comparison.csv            one row per scenario (base first): figures and change vs base
    comparison.json           the same with changes, notes, units and how the batch ran
    report.html               self-contained (inline CSS and SVG charts; no requests)
    scenarios/<id>/plan.json    the week that was solved (plan file format)
    scenarios/<id>/result.json  its routes (result file format; ``dagrute check`` reads it)
    scenarios/<id>/costs.json   contract pricing: per operator, every trip, every tariff
    scenarios/<id>/attendance.csv  weekdays dropped/added per passenger (when days changed)

Every figure in comparison.* is a sum over the routes in result.json and the trip lines in
costs.json (tests check this).

One module on purpose (about 700 lines): every output file of a batch is written from the
same comparison rows, most of it the HTML report's inline charts.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from solver.costs import (
    FIGURE_UNITS,
    PER_OPERATOR_FIGURES,
    Costing,
    costs_to_json,
)
from solver.domain import DAYS, DIRECTIONS, Tariff, WeekPlan
from solver.io import dump_plan, dump_result
from solver.scenarios.batch import BatchResult, ScenarioOutcome
from solver.scenarios.spec import change_to_json

KEY_FIGURES: Final = (
    "annual_cost",
    "priced_annual_cost",
    "annual_cost_contractor",
    "annual_cost_own",
    "cost_per_slot_year",
    "peak_vehicles",
    "peak_vehicles_contractor",
    "vehicle_days",
    "vehicle_hours",
    "km",
    "trips",
    "unassigned_trips",
    "mean_ride_min",
    "max_ride_min",
)
"""Figures shown in the report's summary table, in order."""

ASSUMPTIONS: Final[dict[str, str]] = {
    "annual": "Annual cost = weekly cost × operating weeks + fixed sums per year; the "
    "operating weeks (default 46 = 52 less 6 weeks of holidays) are an assumption.",
    "slot": "Cost per slot = annual cost / weekday slots (a slot: one passenger attending "
    "one weekday a week), Bergen's unit (17 000-35 000 NOK per user per weekday a week per "
    "year in 2025).",
    "contract": "Route cost (per km, per hour, per vehicle-day) is what the routing minimises; "
    "per trip, distance-band and fixed prices are added after routing and do not change routes.",
    "noise": "Each week is routed within a time limit by a heuristic search: differences of "
    "1-2% between scenarios can be search noise. Weeks that route alike (only contract-only "
    "terms differ) share one solve, so their difference is exact. A weekday that routes alike "
    "in several weeks (same passengers, fleet, windows and rules; prices may differ) gets, in "
    "each, the best routes any of them found for it (fewest unassigned trips, then lowest "
    "cost in the week's own tariffs), so an unchanged weekday costs the same and a price rise "
    "never shows as a saving.",
    "days": "Attendance-day optimisation chooses weekdays on a proxy (estimated vehicle trips "
    "per centre and weekday), then the chosen week is routed; its naive twin drops Friday.",
    "unassigned": "Trips nobody in the fleet carries are priced at the fallback fare (a taxi, "
    "per trip; set fallback_fare in the scenarios file) in the priced figures "
    "(priced_weekly_cost, priced_annual_cost), which compare weeks; weekly_cost and "
    "annual_cost are what the fleet costs and leave those trips out. A saving beside "
    "unassigned trips is flagged.",
    "start": "A scenario whose changes only remove passengers, attendance days or trips, add "
    "vehicles or change prices starts its search from the base week's routes less the removed "
    "visits, and keeps that start on any weekday where its search came out dearer (priced, "
    "unassigned trips at the fallback fare): such a scenario is never dearer than that start.",
}


def unassigned_flag(outcome: ScenarioOutcome, base: ScenarioOutcome, fare: float) -> str:
    """A warning beside a saving when the week or the base leaves trips unassigned ('' if not).

    Names both counts and the fare they are priced at in the ``priced_*`` figures.
    """
    own = int(outcome.figures["unassigned_trips"])
    theirs = int(base.figures["unassigned_trips"])
    if not own and not theirs:
        return ""
    return (
        f"{own} unassigned trips here, {theirs} in the base: compare priced_annual_cost "
        f"(each at the fallback fare of {fare:g} NOK)"
    )


def _role(outcome: ScenarioOutcome) -> str:
    s = outcome.scenario
    if s.is_base:
        return "base"
    return "naive twin" if s.naive_of else "scenario"


def change_vs_base(value: float, base: float) -> dict[str, float | None]:
    """The change of a figure against the base: absolute and in percent (None if base 0)."""
    change = round(value - base, 4)
    pct = round(100.0 * change / base, 2) if base else None
    return {"base": base, "value": value, "change": change, "change_pct": pct}


def _all_figure_names() -> list[str]:
    names = list(FIGURE_UNITS)
    for name in PER_OPERATOR_FIGURES:
        names.extend([f"{name}_contractor", f"{name}_own"])
    return names


def comparison_rows(batch: BatchResult) -> list[dict[str, Any]]:
    """One flat row per outcome: ids, figures, and change vs base of the key figures."""
    base = batch.base.figures
    rows = []
    for outcome in batch.outcomes:
        s = outcome.scenario
        row: dict[str, Any] = {
            "scenario_id": s.scenario_id,
            "name": s.name,
            "role": _role(outcome),
            "solved_as": s.task_id,
            "checker_violations": len(outcome.violations),
        }
        row.update({name: outcome.figures[name] for name in _all_figure_names()})
        for name in KEY_FIGURES:
            delta = change_vs_base(outcome.figures[name], base[name])
            row[f"change_{name}"] = delta["change"]
        delta = change_vs_base(outcome.figures["annual_cost"], base["annual_cost"])
        row["change_annual_cost_pct"] = delta["change_pct"]
        delta = change_vs_base(outcome.figures["priced_annual_cost"], base["priced_annual_cost"])
        row["change_priced_annual_cost_pct"] = delta["change_pct"]
        row["starts_from_base"] = s.starts_from_base
        row["start_kept"] = " ".join(outcome.start_kept)
        row["unassigned_flag"] = unassigned_flag(outcome, batch.base, batch.costing.fallback_fare)
        rows.append(row)
    return rows


def _tariff_json(tariff: Tariff) -> dict[str, Any]:
    return {
        "per_km": tariff.per_km,
        "per_hour": tariff.per_hour,
        "per_vehicle_day": tariff.per_vehicle_day,
        "per_trip": tariff.per_trip,
        "per_week": tariff.per_week,
        "per_year": tariff.per_year,
        "distance_bands": [
            {"max_km": None if b.max_m is None else b.max_m / 1000, "price": b.price}
            for b in tariff.distance_bands
        ],
    }


def _attendance_rows(base: WeekPlan, plan: WeekPlan) -> list[dict[str, str]]:
    old = {p.passenger_id: p for p in base.passengers}
    rows = []
    for p in plan.passengers:
        before = old.get(p.passenger_id)
        if before is None or before.days == p.days:
            continue
        rows.append(
            {
                "passenger_id": p.passenger_id,
                "centre_id": p.centre_id,
                "days_before": " ".join(d for d in DAYS if d in before.days),
                "days_after": " ".join(d for d in DAYS if d in p.days),
                "dropped": " ".join(d for d in DAYS if d in before.days - p.days),
                "added": " ".join(d for d in DAYS if d in p.days - before.days),
            }
        )
    return rows


def _scenario_json(outcome: ScenarioOutcome, batch: BatchResult) -> dict[str, Any]:
    s = outcome.scenario
    base = batch.base.figures
    folder = f"scenarios/{s.scenario_id}"
    return {
        "id": s.scenario_id,
        "name": s.name,
        "description": s.description,
        "role": _role(outcome),
        "naive_of": s.naive_of,
        "naive_twin": s.naive_twin,
        "solved_as": s.task_id,
        "routes_from": dict(outcome.routes_from),
        "starts_from_base": s.starts_from_base,
        "start_kept": list(outcome.start_kept),
        "saving": {
            "annual_cost": round(base["annual_cost"] - outcome.figures["annual_cost"], 2),
            "priced_annual_cost": round(
                base["priced_annual_cost"] - outcome.figures["priced_annual_cost"], 2
            ),
            "unassigned_trips": outcome.figures["unassigned_trips"],
            "base_unassigned_trips": base["unassigned_trips"],
            "flag": unassigned_flag(outcome, batch.base, batch.costing.fallback_fare) or None,
        },
        "changes": [change_to_json(c) for c in s.changes],
        "notes": list(s.notes),
        "checker_violations": len(outcome.violations),
        "solve_wall_s": round(outcome.solve_wall_s, 2),
        "figures": dict(outcome.figures),
        "change_vs_base": {
            name: change_vs_base(outcome.figures[name], base[name]) for name in outcome.figures
        },
        "estimated_vehicle_trips": dict(outcome.estimated_trips),
        "vehicles_by_day_direction": {
            f"{d.day} {d.direction}": len(d.routes) for d in outcome.result.plans
        },
        "files": {
            "plan": f"{folder}/plan.json",
            "result": f"{folder}/result.json",
            "costs": f"{folder}/costs.json",
        },
    }


def comparison_json(batch: BatchResult) -> dict[str, Any]:
    """Everything in comparison.json (see the module docstring)."""
    return {
        "name": batch.name,
        "base_name": batch.base_name,
        "operating_weeks": batch.costing.operating_weeks,
        "fallback_fare": batch.costing.fallback_fare,
        "assumptions": ASSUMPTIONS,
        "figure_units": FIGURE_UNITS,
        "run": {
            "backend": batch.backend,
            "workers": batch.workers,
            "num_solves": batch.num_solves,
            "time_limit_s_per_week": batch.time_limit_s,
            "prepare_s": round(batch.prepare_s, 2),
            "wall_s": round(batch.wall_s, 2),
        },
        "scenarios": [_scenario_json(o, batch) for o in batch.outcomes],
    }


def write_batch(batch: BatchResult, out_dir: Path, *, osm_file: str | None = None) -> Path:
    """Write every output file of ``batch`` under ``out_dir``; return report.html's path.

    ``osm_file``: recorded in each plan.json so that ``dagrute check`` finds the roads.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    base_plan = batch.base.scenario.plan
    for outcome in batch.outcomes:
        s = outcome.scenario
        folder = out_dir / "scenarios" / s.scenario_id
        folder.mkdir(parents=True, exist_ok=True)
        plan = s.plan if osm_file is None else s.plan.replace(osm_file=osm_file)
        dump_plan(plan, folder / "plan.json")
        dump_result(outcome.result, folder / "result.json")
        costs = costs_to_json(outcome.costs, batch.costing)
        costs["tariffs"] = {v.vehicle_id: _tariff_json(v.tariff) for v in s.plan.vehicles}
        costs["operators"] = {v.vehicle_id: v.operator for v in s.plan.vehicles}
        _write_json(costs, folder / "costs.json")
        attendance = _attendance_rows(base_plan, s.plan)
        if attendance:
            _write_csv(attendance, folder / "attendance.csv")
    rows = comparison_rows(batch)
    _write_csv(rows, out_dir / "comparison.csv")
    _write_json(comparison_json(batch), out_dir / "comparison.json")
    report = out_dir / "report.html"
    report.write_text(render_html(batch), encoding="utf-8")
    return report


def _write_json(data: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_csv(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


# ------------------------------------------------------------------------------- HTML

CONTRACTOR_COLOUR: Final = "#c2571a"
OWN_COLOUR: Final = "#2f6f9f"
BASE_COLOUR: Final = "#8a8a8a"
SAVING_COLOUR: Final = "#2e7d32"
INCREASE_COLOUR: Final = "#c62828"
SERIES_COLOURS: Final = ("#8a8a8a", "#c2571a", "#2f6f9f", "#6a3d9a")

CSS: Final = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#222;line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.25rem .45rem;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{background:#f4f4f4}
.saving{color:#2e7d32}.increase{color:#c62828}.muted{color:#777;font-size:.85rem}
.warn{color:#c62828;font-weight:600}
section.scenario{border:1px solid #e5e5e5;border-radius:6px;padding:.4rem 1rem 1rem;margin:1rem 0}
code{background:#f4f4f4;padding:0 .2rem;border-radius:3px;font-size:.85em}
ul{margin:.3rem 0}svg text{font-family:inherit}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _fmt(value: float, name: str = "") -> str:
    if name.endswith("_pct"):
        return f"{value:+.1f}%"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1000):
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 1000:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.1f}" if abs(value) >= 10 or name.endswith("_min") else f"{value:.2f}"


def _signed(value: float) -> str:
    if abs(value) < 1e-9:
        return "0"
    text = _fmt(abs(value))
    return f"+{text}" if value > 0 else f"−{text}"


def _delta_class(value: float, lower_is_better: bool = True) -> str:
    if abs(value) < 1e-9:
        return ""
    good = value < 0 if lower_is_better else value > 0
    return "saving" if good else "increase"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return float(step * exponent)
    return float(10 * exponent)  # pragma: no cover


def svg_stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    unit: str,
    reference: float | None = None,
) -> str:
    """A horizontal stacked bar chart as inline SVG (one bar per label)."""
    label_w, bar_h, gap, width = 260, 18, 8, 860
    plot_w = width - label_w - 90
    totals = [sum(s[1][i] for s in series) for i in range(len(labels))]
    top = _nice_max(max([*totals, reference or 0.0]))
    height = 40 + len(labels) * (bar_h + gap) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="600">{_e(title)}</text>',
    ]
    if reference is not None:  # drawn first: bars and labels go over it
        rx = label_w + plot_w * reference / top
        parts.append(
            f'<line x1="{rx:.1f}" y1="28" x2="{rx:.1f}" y2="{height - 26}" stroke="#222" '
            'stroke-dasharray="4 3"/>'
        )
    for i, label in enumerate(labels):
        y = 36 + i * (bar_h + gap)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 5}" font-size="12" '
            f'text-anchor="end">{_e(label[:40])}</text>'
        )
        x = float(label_w)
        for name, values, colour in series:
            w = plot_w * values[i] / top
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{colour}"><title>{_e(name)}: {_fmt(values[i])} {_e(unit)}</title>'
                    "</rect>"
                )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + bar_h - 5}" font-size="11">{_fmt(totals[i])}</text>'
        )
    legend_y = height - 8
    lx = float(label_w)
    for name, _, colour in series:
        parts.append(f'<rect x="{lx}" y="{legend_y - 10}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{legend_y}" font-size="11">{_e(name)}</text>')
        lx += 14 + 8 * len(name) + 16
    if reference is not None:
        parts.append(f'<text x="{lx}" y="{legend_y}" font-size="11">dashed line: base week</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_diverging_bars(
    title: str, labels: Sequence[str], values: Sequence[float], unit: str
) -> str:
    """Horizontal bars left (saving, green) or right (increase, red) of zero."""
    label_w, bar_h, gap, width = 260, 18, 8, 860
    plot_w = width - label_w - 40
    top = _nice_max(max([abs(v) for v in values] + [1.0]))
    zero = label_w + plot_w / 2
    height = 36 + len(labels) * (bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="600">{_e(title)}</text>',
        f'<line x1="{zero}" y1="26" x2="{zero}" y2="{height - 6}" stroke="#444"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 32 + i * (bar_h + gap)
        w = (plot_w / 2) * abs(value) / top
        x = zero - w if value < 0 else zero
        colour = SAVING_COLOUR if value < 0 else INCREASE_COLOUR
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 5}" font-size="12" '
            f'text-anchor="end">{_e(label[:40])}</text>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
            f"<title>{_signed(value)} {_e(unit)}</title></rect>"
        )
        tx, anchor = (x - 4, "end") if value < 0 else (x + w + 4, "start")
        parts.append(
            f'<text x="{tx:.1f}" y="{y + bar_h - 5}" font-size="11" text-anchor="{anchor}">'
            f"{_signed(value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_grouped_columns(
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str,
) -> str:
    """Vertical grouped columns (e.g. vehicles per weekday for base, naive, optimised)."""
    width, height, left, bottom = 520, 230, 36, 40
    plot_h = height - bottom - 40
    top = _nice_max(max([v for _, vals in series for v in vals] + [1.0]))
    group_w = (width - left - 10) / max(1, len(groups))
    col_w = max(4.0, (group_w - 10) / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="600">{_e(title)}</text>',
        f'<text x="0" y="{40 - 6}" font-size="10">{_fmt(top)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" '
        'stroke="#444"/>',
    ]
    for g, group in enumerate(groups):
        gx = left + g * group_w + 5
        for s, (name, values) in enumerate(series):
            h = plot_h * values[g] / top
            x = gx + s * col_w
            colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{col_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{_e(name)} {_e(group)}: '
                f"{_fmt(values[g])} {_e(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{gx + group_w / 2 - 5:.1f}" y="{height - bottom + 14}" font-size="11" '
            f'text-anchor="middle">{_e(group)}</text>'
        )
    lx = float(left)
    for s, (name, _) in enumerate(series):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{lx}" y="{height - 12}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{height - 3}" font-size="11">{_e(name)}</text>')
        lx += 14 + 7 * len(name) + 14
    parts.append("</svg>")
    return "".join(parts)


def _summary_table(batch: BatchResult) -> str:
    base = batch.base.figures
    head = "".join(f"<th>{_e(n.replace('_', ' '))}</th>" for n in KEY_FIGURES)
    rows = []
    for outcome in batch.outcomes:
        s = outcome.scenario
        cells = []
        for name in KEY_FIGURES:
            value = outcome.figures[name]
            text = _fmt(value, name)
            if not s.is_base:
                delta = value - base[name]
                if abs(delta) > 1e-9:
                    text += f'<br><span class="{_delta_class(delta)}">{_signed(delta)}</span>'
            cells.append(f"<td>{text}</td>")
        flag = ' <span class="warn">(checker!)</span>' if outcome.violations else ""
        short = unassigned_flag(outcome, batch.base, batch.costing.fallback_fare)
        if short and not s.is_base:
            flag += f' <span class="warn" title="{_e(short)}">(unassigned trips!)</span>'
        rows.append(
            f'<tr><td><a href="#{_e(s.scenario_id)}">{_e(s.name)}</a>{flag}</td>'
            + "".join(cells)
            + "</tr>"
        )
    return (
        f"<table><thead><tr><th>scenario</th>{head}</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _figures_table(outcome: ScenarioOutcome, base: ScenarioOutcome) -> str:
    rows = []
    for name in _all_figure_names():
        b, v = base.figures[name], outcome.figures[name]
        d = change_vs_base(v, b)
        pct = "" if d["change_pct"] is None else f"{d['change_pct']:+.1f}%"
        cls = _delta_class(v - b)
        unit = FIGURE_UNITS.get(name, FIGURE_UNITS.get(name.rsplit("_", 1)[0], ""))
        rows.append(
            f"<tr><td>{_e(name.replace('_', ' '))} <span class='muted'>{_e(unit)}</span></td>"
            f"<td>{_fmt(b, name)}</td><td>{_fmt(v, name)}</td>"
            f'<td class="{cls}">{_signed(v - b)}</td><td class="{cls}">{pct}</td></tr>'
        )
    return (
        "<table><thead><tr><th>figure</th><th>base</th><th>scenario</th><th>change</th>"
        "<th>%</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _vehicles_by_day(outcome: ScenarioOutcome) -> list[float]:
    counts = {(d.day, str(d.direction)): len(d.routes) for d in outcome.result.plans}
    return [
        float(max(counts.get((day, str(direction)), 0) for direction in DIRECTIONS)) for day in DAYS
    ]


def _day_choice_section(outcome: ScenarioOutcome, batch: BatchResult) -> str:
    s = outcome.scenario
    if s.naive_twin is None:
        return ""
    twin = batch.outcome(s.naive_twin)
    base = batch.base
    estimated = svg_grouped_columns(
        "Estimated vehicle trips per weekday (proxy)",
        list(DAYS),
        [
            ("base", [float(base.estimated_trips[d]) for d in DAYS]),
            ("naive: drop Friday", [float(twin.estimated_trips[d]) for d in DAYS]),
            ("optimised", [float(outcome.estimated_trips[d]) for d in DAYS]),
        ],
        "vehicle trips",
    )
    routed = svg_grouped_columns(
        "Routed: vehicles used per weekday (larger direction)",
        list(DAYS),
        [
            ("base", _vehicles_by_day(base)),
            ("naive: drop Friday", _vehicles_by_day(twin)),
            ("optimised", _vehicles_by_day(outcome)),
        ],
        "vehicles",
    )
    o, n = outcome.figures, twin.figures
    rows = "".join(
        f"<tr><td>{_e(name.replace('_', ' '))}</td><td>{_fmt(n[name], name)}</td>"
        f"<td>{_fmt(o[name], name)}</td>"
        f'<td class="{_delta_class(o[name] - n[name])}">{_signed(o[name] - n[name])}</td></tr>'
        for name in (
            "peak_vehicles",
            "vehicle_days",
            "vehicle_hours",
            "km",
            "annual_cost",
            "unassigned_trips",
        )
    )
    return (
        "<h3>Which weekday to drop: optimised vs naive "
        f"(<a href='#{_e(twin.scenario.scenario_id)}'>{_e(twin.scenario.name)}</a>)</h3>"
        f"<table><thead><tr><th>figure</th><th>naive</th><th>optimised</th><th>change</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>{estimated} {routed}"
        f"<p class='muted'>Per passenger: <code>scenarios/{_e(s.scenario_id)}/attendance.csv"
        "</code> lists the weekdays each passenger drops.</p>"
    )


def _scenario_section(outcome: ScenarioOutcome, batch: BatchResult) -> str:
    s = outcome.scenario
    changes = "".join(
        f"<li><code>{_e(json.dumps(change_to_json(c), ensure_ascii=False))}</code></li>"
        for c in s.changes
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in s.notes)
    violations = (
        f'<p class="warn">Checker: {len(outcome.violations)} violation(s), e.g. '
        f"{_e(outcome.violations[0].message)}</p>"
        if outcome.violations
        else "<p class='muted'>Checker: 0 violations.</p>"
    )
    shared = (
        f"<p class='muted'>Routes shared with <a href='#{_e(s.task_id)}'>{_e(s.task_id)}</a> "
        "(the weeks route alike; only contract-only terms differ).</p>"
        if s.task_id != s.scenario_id
        else ""
    )
    borrowed = "".join(
        f"<li>{_e(day)}: the routes of <a href='#{_e(source)}'>{_e(source)}</a></li>"
        for day, source in outcome.routes_from.items()
    )
    if borrowed:
        shared += (
            "<p class='muted'>Weekdays routed alike in another week, whose routes are cheaper "
            "here (in this week's tariffs, unassigned trips at the fallback fare):</p>"
            f"<ul>{borrowed}</ul>"
        )
    if s.starts_from_base:
        kept = ", ".join(outcome.start_kept)
        shared += (
            "<p class='muted'>Routed from the base week's routes less the removed visits; "
            + (
                f"on {_e(kept)} the search came out dearer and that start was kept."
                if kept
                else "the search improved on that start every weekday."
            )
            + "</p>"
        )
    folder = f"scenarios/{s.scenario_id}"
    files = (
        f"<p class='muted'>Routes behind these numbers: <a href='{folder}/result.json'>"
        f"result.json</a>, <a href='{folder}/plan.json'>plan.json</a>, "
        f"<a href='{folder}/costs.json'>costs.json</a>.</p>"
    )
    vehicles = svg_grouped_columns(
        "Vehicles used per weekday (larger direction)",
        list(DAYS),
        [("base", _vehicles_by_day(batch.base)), (s.name[:30], _vehicles_by_day(outcome))],
        "vehicles",
    )
    description = f"<p>{_e(s.description)}</p>" if s.description else ""
    changes_html = f"<h3>Changes</h3><ul>{changes}</ul>" if changes else ""
    notes_html = f"<h3>What they did</h3><ul>{notes}</ul>" if notes else ""
    return (
        f'<section class="scenario" id="{_e(s.scenario_id)}"><h2>{_e(s.name)} '
        f"<span class='muted'>({_e(s.scenario_id)})</span></h2>{description}"
        f"{changes_html}{notes_html}{violations}{shared}"
        f"{_day_choice_section(outcome, batch)}"
        f"<h3>Figures against the base</h3>{_figures_table(outcome, batch.base)}"
        f"{vehicles}{files}</section>"
    )


def _series(
    outcomes: Sequence[ScenarioOutcome], name: str, figure: str, colour: str
) -> tuple[str, list[float], str]:
    return (name, [float(o.figures[figure]) for o in outcomes], colour)


def render_html(batch: BatchResult) -> str:
    """The self-contained report: summary, charts, then one section per scenario."""
    outcomes = list(batch.outcomes)
    labels = [o.scenario.name for o in outcomes]
    annual = svg_stacked_bars(
        "Annual transport cost (NOK)",
        labels,
        [
            (
                "contractor",
                [o.figures["annual_cost_contractor"] for o in outcomes],
                CONTRACTOR_COLOUR,
            ),
            ("own vehicles", [o.figures["annual_cost_own"] for o in outcomes], OWN_COLOUR),
        ],
        "NOK a year",
        reference=batch.base.figures["annual_cost"],
    )
    change = svg_diverging_bars(
        "Change of annual cost against the base (NOK)",
        labels[1:],
        [o.figures["annual_cost"] - batch.base.figures["annual_cost"] for o in outcomes[1:]],
        "NOK a year",
    )
    peak = svg_stacked_bars(
        "Peak vehicles (most in one day-direction)",
        labels,
        [
            (
                "contractor",
                [o.figures["peak_vehicles_contractor"] for o in outcomes],
                CONTRACTOR_COLOUR,
            ),
            ("own vehicles", [o.figures["peak_vehicles_own"] for o in outcomes], OWN_COLOUR),
        ],
        "vehicles",
        reference=batch.base.figures["peak_vehicles"],
    )
    slot = svg_stacked_bars(
        "Cost per passenger per weekday slot per year (NOK, Bergen's unit)",
        labels,
        [("cost per slot", [o.figures["cost_per_slot_year"] for o in outcomes], BASE_COLOUR)],
        "NOK",
        reference=batch.base.figures["cost_per_slot_year"],
    )
    assumptions = "".join(f"<li>{_e(text)}</li>" for text in ASSUMPTIONS.values())
    run = (
        f"{batch.num_solves} week(s) routed for {len(outcomes)} scenario rows on "
        f"{_e(batch.backend)} with {batch.workers} worker(s); {batch.time_limit_s:g} s per "
        f"scenario week; batch wall time {batch.wall_s:.0f} s (preparing {batch.prepare_s:.0f} s)."
    )
    borrowed = ", ".join(f"{day} ({source})" for day, source in batch.base.routes_from.items())
    if borrowed:
        run += (
            f" The base week's routes on {_e(borrowed)} come from routing the scenario named: "
            "that weekday routes alike there, and its routes are better for the base too."
        )
    sections = "".join(_scenario_section(o, batch) for o in outcomes[1:])
    short = [o.scenario.name for o in outcomes if o.figures["unassigned_trips"]]
    warning = (
        f"<p class='warn'>{len(short)} of {len(outcomes)} weeks leave trips unassigned "
        f"({_e(', '.join(short))}): their weekly and annual costs leave those trips out; the "
        f"priced figures charge each at the fallback fare of "
        f"{batch.costing.fallback_fare:g} NOK (a taxi), so compare those. Raise the time "
        "limit per scenario week (a first solution needs time) or the fleet.</p>"
        if short
        else ""
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>dagrute scenarios: {_e(batch.name)}</title><style>{CSS}</style></head><body>"
        f"<h1>What-if scenarios: {_e(batch.name)}</h1>"
        f"<p>Base: <b>{_e(batch.base_name)}</b>. {run}</p>"
        f"<p>Operating weeks a year: {batch.costing.operating_weeks:g}.</p>{warning}"
        f"<h2>Summary</h2><p class='muted'>Changes against the base under each figure "
        "(green: lower, red: higher).</p>"
        f"{_summary_table(batch)}{annual}{change}{peak}{slot}"
        f"<h2>Assumptions</h2><ul>{assumptions}</ul>"
        f"{sections}"
        "<p class='muted'>Made by dagrute. Road data © OpenStreetMap contributors, ODbL 1.0."
        "</p></body></html>\n"
    )


def costing_note(costing: Costing) -> str:
    """One line on how weekly costs become annual ones."""
    return f"annual = weekly × {costing.operating_weeks:g} operating weeks + fixed per year"
