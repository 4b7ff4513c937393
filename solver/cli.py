"""The ``dagrute`` command line: read -> solve -> check -> write.

Exit codes: 0 done; 1 the checker found violations; 2 bad input (each issue named);
3 a road-network problem.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from solver.check import Violation, advise_week, check_day, check_result
from solver.config import configure_logging, get_config
from solver.dispatch.replan import DEFAULT_REPLAN_S, Replan, replan_week
from solver.domain import DAYS, DIRECTIONS, Day, Direction, RoadSettings, WeekPlan, WeekResult
from solver.errors import InputError
from solver.generate import BERGEN_ASSUMPTIONS, generate_week
from solver.io import (
    dump_plan,
    dump_result,
    load_plan,
    load_result,
    resolve_osm_file,
    result_to_geojson,
)
from solver.io.changes import diff_to_json, load_changes
from solver.io.times import format_hhmm
from solver.params import SolveParams, process_started
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork, RoadsError
from solver.week import build_week_matrices, solve_week

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="dagrute: plan day-centre transport on real roads.",
)
# Wide enough for the summary table when output goes to a file or CI log.
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

EXIT_VIOLATIONS = 1
EXIT_INPUT = 2
EXIT_ROADS = 3


def _fail_input(error: InputError, document: str = "the plan") -> NoReturn:
    err.print(f"[bold red]Input error[/]: {len(error.issues)} problem(s) in {document}")
    for issue in error.issues:
        where = f" at {issue.path}" if issue.path else ""
        who = f" ({issue.id})" if issue.id else ""
        err.print(f"  [red]{issue.code}[/]{where}{who}: {issue.message}")
        if issue.hint:
            err.print(f"      hint: {issue.hint}")
    raise typer.Exit(EXIT_INPUT)


def _fail_roads(error: RoadsError) -> NoReturn:
    err.print(f"[bold red]Road network error[/] {error.code}: {error.message}")
    err.print(f"      hint: {error.hint}")
    raise typer.Exit(EXIT_ROADS)


def _load_plan(path: Path) -> WeekPlan:
    try:
        return load_plan(path)
    except InputError as error:
        _fail_input(error)


def _osm_path(plan_path: Path, plan: WeekPlan, osm: Path | None) -> Path:
    if osm is not None:
        return osm
    if plan.osm_file:
        return resolve_osm_file(plan_path, plan.osm_file)
    return DEFAULT_OSM_FILE


def _load_network(osm_file: Path, plan: WeekPlan) -> RoadNetwork:
    try:
        return RoadNetwork.load(osm_file, plan.settings.roads, get_config().cache_dir)
    except RoadsError as error:
        _fail_roads(error)


def _print_violations(violations: list[Violation]) -> None:
    for v in violations:
        where = "week" if v.day is None else f"{v.day} {v.direction}"
        err.print(f"  [red]{v.code}[/] {where}: {v.message}")


def _summary(result: WeekResult) -> Table:
    table = Table(title=f"dagrute: {result.name}")
    for column in (
        "day",
        "direction",
        "vehicles",
        "passengers",
        "unassigned",
        "km",
        "vehicle h",
        "cost NOK",
        "mean ride min",
        "max ride min",
    ):
        table.add_column(column, justify="right" if column not in ("day", "direction") else "left")
    for plan in result.plans:
        k = plan.kpis
        table.add_row(
            plan.day,
            str(plan.direction),
            str(k.num_vehicles),
            str(k.num_passengers),
            str(k.num_unassigned),
            f"{k.distance_m / 1000:.1f}",
            f"{k.vehicle_s / 3600:.1f}",
            f"{k.cost:,.0f}",
            f"{k.mean_ride_s / 60:.1f}",
            f"{k.max_ride_s / 60:.1f}",
        )
    t = result.totals
    table.add_section()
    table.add_row(
        "week",
        "",
        f"peak {int(t.get('peak_vehicles', 0))}",
        str(int(t.get("trips", 0))),
        str(int(t.get("unassigned_trips", 0))),
        f"{t.get('km', 0):.1f}",
        f"{t.get('vehicle_hours', 0):.1f}",
        f"{t.get('cost', 0):,.0f}",
        f"{t.get('mean_ride_min', 0):.1f}",
        f"{t.get('max_ride_min', 0):.1f}",
    )
    return table


def _print_consistency(result: WeekResult) -> None:
    t = result.totals
    if "consistency_share_consistent" not in t:
        return
    out.print(
        f"Consistency: {t['consistency_share_single_vehicle']:.1%} of passengers (2+ days) ride "
        f"one vehicle all week, {t['consistency_share_pickup_within_tolerance']:.1%} have "
        f"pickups within the tolerance, {t['consistency_share_consistent']:.1%} both."
    )
    if "stability_churn_share" in t:
        out.print(
            f"Stability against last week: {int(t['stability_vehicle_changed'])} trips changed "
            f"vehicle, {int(t['stability_pickup_moved_over_threshold'])} moved over 10 min "
            f"in {int(t['stability_compared_trips'])} trips compared: "
            f"{int(t['stability_churned_passengers'])} of "
            f"{int(t['stability_compared_passengers'])} passengers churned "
            f"({t['stability_churn_share']:.1%})."
        )


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log timings.")] = False,
) -> None:
    """Plan day-centre transport on real roads."""
    config = get_config()
    configure_logging("INFO" if verbose else config.log_level, config.log_json)


@app.command()
def solve(
    plan_file: Annotated[Path, typer.Argument(help="Week plan JSON.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the result JSON.")],
    geojson: Annotated[
        Path | None, typer.Option(help="Also write the routes as GeoJSON here.")
    ] = None,
    day: Annotated[
        list[str] | None, typer.Option(help="Solve only this weekday (mon..fri); repeatable.")
    ] = None,
    direction: Annotated[
        list[str] | None,
        typer.Option(help="Solve only this direction (to_centre, from_centre); repeatable."),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(help="Seconds for the whole solve, roads included (default: the plan's)."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the plan's).")] = None,
    osm: Annotated[Path | None, typer.Option(help="OSM file (.osm.pbf or .osm).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes solving day-directions in parallel.")
    ] = None,
    consistency: Annotated[
        str | None,
        typer.Option(help="off, soft or strict: one vehicle and pickup time all week."),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(help="Last week's result JSON: keep routes close to it (stability)."),
    ] = None,
) -> None:
    """Solve a week (or some days/directions) and check the result."""
    started = process_started()  # Python's start and the imports count against the limit
    plan = _load_plan(plan_file)
    days = _parse_days(day)
    directions = _parse_directions(direction)
    settings = plan.settings
    params = SolveParams.from_settings(
        settings,
        time_limit_s=time_limit,
        seed=seed,
        workers=workers or get_config().workers or None,
    )
    if consistency is not None:
        if consistency not in ("off", "soft", "strict"):
            raise typer.BadParameter("Use off, soft or strict.", param_hint="--consistency")
        settings = replace(settings, consistency=consistency)
    last_week = None
    if previous is not None:
        try:
            last_week = load_result(previous)
        except InputError as error:
            _fail_input(error)
    plan = plan.replace(settings=settings)
    with err.status("Loading the road network..."):
        network = _load_network(_osm_path(plan_file, plan, osm), plan)
    num_solves = len(days or DAYS) * len(directions or DIRECTIONS)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("Solving day-directions", total=num_solves)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, description=f"Solved {what}" if done else what)

        try:
            result, matrices = solve_week(
                plan,
                network,
                days=days,
                directions=directions,
                geometry=network.path_geometry,
                progress=progress,
                params=params,
                deadline=params.deadline(started),
                previous=last_week,
            )
        except InputError as error:
            _fail_input(error)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    dump_result(result, out_file)
    if geojson is not None:
        geojson.parent.mkdir(parents=True, exist_ok=True)
        geojson.write_text(json.dumps(result_to_geojson(result)), encoding="utf-8")
    out.print(_summary(result))
    _print_consistency(result)
    violations = check_result(plan, result, matrices)
    wall = time.perf_counter() - started
    out.print(
        f"Wrote {out_file}" + (f" and {geojson}" if geojson else "") + f" in {wall:.1f} s. "
        f"Checker: {len(violations)} violation(s)."
    )
    _print_advisories(advise_week(plan, result, matrices))
    if violations:
        _print_violations(violations)
        raise typer.Exit(EXIT_VIOLATIONS)


def _print_advisories(findings: Sequence[Violation]) -> None:
    """One line per advisory code with its count (rules the solver does not yet guarantee)."""
    for code, count in sorted(Counter(f.code for f in findings).items()):
        out.print(f"Advisory: {count} trip(s) {ADVISORY_WORDS.get(code, code)} ({code}).")


ADVISORY_WORDS = {"CHECK_PAST_DESTINATION": "ride past their destination"}
"""How an advisory code reads in the CLI's one-line summary."""


@app.command()
def check(
    plan_file: Annotated[Path, typer.Argument(help="Week plan JSON.")],
    result_file: Annotated[Path, typer.Argument(help="Result JSON to verify.")],
    osm: Annotated[Path | None, typer.Option(help="OSM file (.osm.pbf or .osm).")] = None,
) -> None:
    """Re-verify a result against the plan and the roads; exit 1 if anything is violated."""
    plan = _load_plan(plan_file)
    try:
        result = load_result(result_file)
    except InputError as error:
        _fail_input(error, f"the result file {result_file}: it is broken, not the plan")
    network = _load_network(_osm_path(plan_file, plan, osm), plan)
    try:
        matrices = build_week_matrices(plan, network)
    except InputError as error:
        _fail_input(error)
    violations = check_result(plan, result, matrices)
    if violations:
        err.print(
            f"[bold red]The result is broken[/]: {len(violations)} violation(s) in "
            f"{result_file} against {plan_file}"
        )
        _print_violations(violations)
        raise typer.Exit(EXIT_VIOLATIONS)
    num_routes = sum(len(p.routes) for p in result.plans)
    out.print(f"OK: {len(result.plans)} day-direction(s), {num_routes} route(s), 0 violations.")
    _print_advisories(advise_week(plan, result, matrices))


@app.command()
def replan(
    plan_file: Annotated[Path, typer.Argument(help="Week plan JSON the week was solved for.")],
    result_file: Annotated[Path, typer.Argument(help="The solved week's result JSON.")],
    changes_file: Annotated[
        Path, typer.Argument(help="The day's changes JSON (see docs/dispatch.md).")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the new result JSON.")],
    direction: Annotated[
        list[str] | None,
        typer.Option(help="Re-plan only this direction (default: both); repeatable."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(help="Seconds of searching per direction.")
    ] = DEFAULT_REPLAN_S,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the plan's).")] = None,
    diff: Annotated[
        Path | None, typer.Option(help="Also write what changed for whom (JSON) here.")
    ] = None,
    osm: Annotated[Path | None, typer.Option(help="OSM file (.osm.pbf or .osm).")] = None,
) -> None:
    """Re-plan one day of a solved week after the day's changes, disturbing as few as possible.

    Every passenger the changes leave alone keeps their vehicle and a pickup within 10 minutes
    of the published one unless that is impossible; the output says who moves and which
    drivers need a new manifest.
    """
    plan = _load_plan(plan_file)
    try:
        week = load_result(result_file)
    except InputError as error:
        _fail_input(error, f"the result file {result_file}")
    try:
        changes = load_changes(changes_file)
    except InputError as error:
        _fail_input(error, f"the changes file {changes_file}")
    network = _load_network(_osm_path(plan_file, plan, osm), plan)
    try:
        replanned = replan_week(
            plan,
            week,
            changes,
            network,
            directions=_parse_directions(direction),
            geometry=network.path_geometry,
            time_limit_s=time_limit,
            seed=plan.settings.seed if seed is None else seed,
            workers=get_config().workers or None,
        )
    except InputError as error:
        _fail_input(error, f"the changes file {changes_file}")
    out_file.parent.mkdir(parents=True, exist_ok=True)
    dump_result(replanned.result, out_file)
    violations: list[Violation] = []
    for day_replan in replanned.replans:
        _print_diff(day_replan)
        day_problem = day_replan.plan.day_problem(changes.day, day_replan.result.direction)
        violations.extend(check_day(day_problem, day_replan.result, replanned.matrices))
    if diff is not None:
        diff.parent.mkdir(parents=True, exist_ok=True)
        diff.write_text(
            json.dumps([diff_to_json(r.diff) for r in replanned.replans], indent=2),
            encoding="utf-8",
        )
    out.print(
        f"Wrote {out_file}" + (f" and {diff}" if diff else "") + ". "
        f"Checker: {len(violations)} violation(s)."
    )
    if violations:
        _print_violations(violations)
        raise typer.Exit(EXIT_VIOLATIONS)


def _print_diff(day_replan: Replan) -> None:
    """A re-planned day-direction for the dispatcher: who moves, which manifests are new."""
    d = day_replan.diff
    out.print(
        f"[bold]{d.day} {d.direction}[/]: {len(d.trips)} trip(s) changed; "
        f"{d.num_unaffected_changed} of {d.num_unaffected} unaffected passengers moved "
        f"(vehicle, or pickup over 10 min); {len(day_replan.result.unassigned)} left out; "
        f"cost {d.cost_before:,.0f} -> {d.cost_after:,.0f} NOK; "
        f"{day_replan.seconds:.1f} s."
    )
    table = Table("passenger", "why", "vehicle", "pickup", "moved (min)")
    for trip in d.trips:
        before = "-" if trip.pickup_before_s is None else format_hhmm(trip.pickup_before_s)
        after = "-" if trip.pickup_after_s is None else format_hhmm(trip.pickup_after_s)
        vehicles = f"{trip.vehicle_before or '-'} -> {trip.vehicle_after or '-'}"
        moved = "" if trip.moved_s is None else f"{trip.moved_s / 60:+.0f}"
        table.add_row(trip.passenger_id, str(trip.why), vehicles, f"{before} -> {after}", moved)
    if d.trips:
        out.print(table)
    for unassigned in day_replan.result.unassigned:
        out.print(f"Left out: {unassigned.passenger_id} {unassigned.reason}: {unassigned.hint}")
    out.print(f"New manifests for: {', '.join(d.new_manifests) or 'nobody'}")


@app.command()
def generate(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the plan JSON.")],
    passengers: Annotated[int, typer.Option(help="Number of passengers.")] = 60,
    centres: Annotated[int, typer.Option(help="Number of centres.")] = 4,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    bergen: Annotated[
        bool, typer.Option(help="Reproduce Bergen 2025: 305 passengers, 11 centres.")
    ] = False,
    osm: Annotated[
        Path | None, typer.Option(help="OSM file to place locations on (default: bundled).")
    ] = None,
    wheelchair_dropoffs: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Give every centre this max_wheelchair_dropoffs (wheelchair users set down "
            "at one time); default: no limit.",
        ),
    ] = None,
) -> None:
    """Generate a realistic synthetic week on a road graph."""
    osm_file = osm or DEFAULT_OSM_FILE
    try:
        network = RoadNetwork.load(osm_file, RoadSettings(), get_config().cache_dir)
    except RoadsError as error:
        _fail_roads(error)
    plan = generate_week(
        network, num_passengers=passengers, num_centres=centres, seed=seed, bergen=bergen
    )
    if osm is not None:
        plan = plan.replace(osm_file=str(osm.resolve()))
    if wheelchair_dropoffs is not None:
        limited = tuple(
            replace(c, max_wheelchair_dropoffs=wheelchair_dropoffs) for c in plan.centres
        )
        plan = plan.replace(centres=limited)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    dump_plan(plan, out_file)
    wheelchairs = sum(p.needs_wheelchair_place for p in plan.passengers)
    out.print(
        f"Wrote {out_file}: {len(plan.centres)} centres, {len(plan.passengers)} passengers "
        f"({wheelchairs} in wheelchairs), {len(plan.vehicles)} vehicles."
    )
    if bergen:
        out.print("Assumptions:")
        for key, text in BERGEN_ASSUMPTIONS.items():
            out.print(f"  - {key}: {text}")


@app.command()
def scenarios(
    plan_file: Annotated[Path, typer.Argument(help="Base week plan JSON.")],
    scenarios_file: Annotated[Path, typer.Argument(help="Scenarios JSON (see README).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report and results.")],
    time_limit: Annotated[
        float | None,
        typer.Option(
            help="Seconds per scenario week (default: the scenarios file's, else the plan's)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Scenario weeks solved at once in local processes (default: "
            "DAGRUTE_WORKERS, else cores up to 4); ignored when DAGRUTE_DASK_ADDRESS is set."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the plan's).")] = None,
    osm: Annotated[Path | None, typer.Option(help="OSM file (.osm.pbf or .osm).")] = None,
) -> None:
    """Solve what-if scenarios against a base week; write a comparison and report.html."""
    # Imported here: the scenarios package pulls in CP-SAT and the report writer.
    from solver.scenarios import load_scenarios, make_backend, run_batch, write_batch

    plan = _load_plan(plan_file)
    if seed is not None:
        plan = plan.replace(settings=replace(plan.settings, seed=seed))
    try:
        batch = load_scenarios(scenarios_file)
    except InputError as error:
        _fail_input(error)
    osm_file = _osm_path(plan_file, plan, osm)
    with err.status("Loading the road network..."):
        network = _load_network(osm_file, plan)
    config = get_config()
    backend = make_backend(workers or config.workers or None, config.dask_address)
    with (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} weeks"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar,
        backend,
    ):
        task = bar.add_task("Preparing scenarios (changes, day choice, matrices)", total=None)

        def progress(what: str, done: int, total: int) -> None:
            label = f"Solved {what}" if done else f"Solving {total} scenario weeks"
            bar.update(task, completed=done, total=total, description=label)

        try:
            result = run_batch(
                plan,
                batch,
                network=network,
                backend=backend,
                time_limit_s=time_limit,
                progress=progress,
            )
        except InputError as error:
            _fail_input(error)
    report = write_batch(result, out_dir, osm_file=str(osm_file.resolve()))
    table = Table(title=f"dagrute scenarios: {result.name}")
    columns = (
        "scenario",
        "peak veh.",
        "veh.-days",
        "veh. h",
        "km",
        "unassigned",
        "annual NOK",
        "change",
        "priced change",
        "NOK/slot/yr",
        "checker",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "scenario" else "right")
    base = result.base.figures
    for outcome in result.outcomes:
        f = outcome.figures
        change = f["annual_cost"] - base["annual_cost"]
        priced = f["priced_annual_cost"] - result.base.figures["priced_annual_cost"]
        short = f["unassigned_trips"] or base["unassigned_trips"]
        table.add_row(
            outcome.scenario.name,
            f"{f['peak_vehicles']:.0f}",
            f"{f['vehicle_days']:.0f}",
            f"{f['vehicle_hours']:.1f}",
            f"{f['km']:.0f}",
            f"{f['unassigned_trips']:.0f}",
            f"{f['annual_cost']:,.0f}",
            "" if outcome.scenario.is_base else f"{change:+,.0f}",
            "" if outcome.scenario.is_base else f"{priced:+,.0f}" + (" !" if short else ""),
            f"{f['cost_per_slot_year']:,.0f}",
            str(len(outcome.violations)),
        )
    out.print(table)
    num_violations = sum(len(o.violations) for o in result.outcomes)
    if any(o.figures["unassigned_trips"] for o in result.outcomes):
        out.print(
            "! Unassigned trips: 'annual NOK' leaves them out; 'priced change' charges each "
            f"at the fallback fare of {result.costing.fallback_fare:g} NOK (a taxi): compare "
            "that one."
        )
    out.print(
        f"Wrote {report} and comparison.csv/json in {out_dir}: {result.num_solves} week(s) "
        f"routed on {result.backend} ({result.workers} worker(s)) in {result.wall_s:.1f} s. "
        f"Checker: {num_violations} violation(s)."
    )
    if num_violations:
        for outcome in result.outcomes:
            _print_violations(list(outcome.violations))
        raise typer.Exit(EXIT_VIOLATIONS)


def _parse_days(values: list[str] | None) -> list[Day] | None:
    if not values:
        return None
    days: list[Day] = []
    for value in values:
        lowered = value.lower()
        if lowered not in DAYS:
            raise typer.BadParameter(f"{value!r} is not a weekday; use one of {', '.join(DAYS)}.")
        days.append(lowered)
    return days


def _parse_directions(values: list[str] | None) -> list[Direction] | None:
    if not values:
        return None
    try:
        return [Direction(v.lower()) for v in values]
    except ValueError:
        raise typer.BadParameter("Use to_centre or from_centre.") from None


if __name__ == "__main__":
    app()
