"""What-ifs that compare like with like: removals start from the base routes; unserved trips
are priced at the fallback fare.

Found on a generated Bergen week at 30 s a week: an age limit (it only removes passengers)
came out 1.1 % and 4.9 % dearer than the base with seeds 1 and 2, and the base left 646 of
2,544 trips unserved while the report compared costs as if those trips were free.
Straight-line matrices, the tiny weeks of :mod:`tests.scenarios.tiny`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from solver.check import check_week
from solver.costs import DEFAULT_FALLBACK_FARE, Costing, figures, price_week
from solver.domain import DAYS, Reason, Unassigned, WeekPlan, WeekResult
from solver.scenarios import batch as batch_module
from solver.scenarios.batch import (
    BASE_ID,
    LocalBackend,
    _read_starts,
    keep_cheaper_start,
    priced_day_cost,
    run_batch,
)
from solver.scenarios.changes import (
    KINDS,
    AgeLimit,
    ChangeKind,
    Growth,
    RemoveVehicles,
    VehicleSelector,
    apply_change,
    starts_from_base,
)
from solver.scenarios.report import write_batch
from solver.scenarios.spec import Scenario, parse_scenarios
from tests.conftest import plan_matrices
from tests.scenarios.tiny import GridNodes, batch_of, monday_week, routed, tiny_week

AGE_62 = Scenario("age-62", "Age limit 62", (AgeLimit(62, 2025),))


def priced_week(plan: WeekPlan, result: WeekResult) -> float:
    return price_week(plan, result, plan_matrices(plan)).priced_weekly_cost(Costing())


# ------------------------------------------------------------------- the registry flag


def test_every_change_kind_decides_whether_the_base_routes_are_a_start() -> None:
    field = {f.name: f for f in dataclasses.fields(ChangeKind)}["base_routes_feasible"]
    assert field.default is dataclasses.MISSING  # a new kind cannot register without it
    assert {name for name, kind in KINDS.items() if kind.base_routes_feasible} == {
        "add_vehicles",
        "age_limit",
        "cap_days",
        "remove_passengers",
        "tariff",
    }
    assert starts_from_base(AGE_62.changes)
    assert not starts_from_base((AgeLimit(62, 2025), Growth(2)))


# ------------------------------------------------- a removal is never dearer than the base


def test_a_removal_starts_from_the_base_routes_and_is_never_dearer_than_the_base(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Holds: the age limit (P1 and P4 leave) is routed from the base's routes, and comes
    out no dearer than the base, priced with unserved trips at the fallback fare."""
    starts: dict[str, WeekResult | None] = {}
    real = batch_module.solve_week

    def spy(plan: WeekPlan, *args: Any, **kwargs: Any) -> Any:
        starts[plan.name] = kwargs.get("start")
        return real(plan, *args, **kwargs)

    monkeypatch.setattr(batch_module, "solve_week", spy)
    growth = Scenario("growth", "Two more", (Growth(2, seed=3),))
    result = run_batch(
        tiny_week(),
        batch_of(AGE_62, growth, time_limit_s=2.0),
        backend=LocalBackend(1),
        context=batch_module.ApplyContext(locations=GridNodes()),
    )
    base, age, grown = (result.outcome(i) for i in (BASE_ID, "age-62", "growth"))
    assert age.scenario.starts_from_base and not grown.scenario.starts_from_base
    assert starts["Base week"] is None and starts["Two more"] is None
    start = starts["Age limit 62"]
    assert start is not None and start.name == "Base week"  # the base's own routes
    assert {p for d in start.plans for r in d.routes for s in r.stops for p in s.pickups} == {
        p.passenger_id for p in base.scenario.plan.passengers
    }
    assert age.figures["priced_weekly_cost"] <= base.figures["priced_weekly_cost"] + 0.01
    assert age.figures["trips"] < base.figures["trips"]
    assert age.violations == ()


def test_a_search_dearer_than_its_start_gives_way_to_the_start() -> None:
    """Binds: the scenario's routes came from a poor search (only the small van, so trips
    are left out or driven dearer), dearer than the base's routes less the removed
    passengers; the start is kept on every such weekday, and the week costs no more than
    that start, less than the poor search."""
    base = tiny_week()
    scenario = apply_change(base, AgeLimit(62, 2025))
    base_routes = routed(base, ("V1", "V2", "V3"))
    poor = routed(scenario, ("V3",))
    matrices = plan_matrices(base)
    costing = Costing()
    starts = _read_starts(scenario, base_routes, matrices, seed=1)
    assert all(s is not None for s in starts.values())
    start_week = WeekResult(plans=tuple(s for s in starts.values() if s is not None))
    start_cost = priced_week(scenario, start_week)
    poor_cost = priced_week(scenario, poor)
    assert poor_cost > start_cost  # without the start, the scenario would be dearer
    week, kept, refused = keep_cheaper_start(scenario, poor, starts, matrices, costing)
    assert kept and refused == ()
    assert priced_week(scenario, week) <= start_cost + 0.01
    assert priced_week(scenario, week) < poor_cost
    for day in DAYS:
        own = [d for d in poor.plans if d.day == day]
        start = [s for (d, _), s in starts.items() if d == day and s is not None]
        chosen = [d for d in week.plans if d.day == day]
        cost = priced_day_cost(scenario, chosen, matrices, costing)
        assert cost <= priced_day_cost(scenario, start, matrices, costing) + 0.01, day
        assert cost <= priced_day_cost(scenario, own, matrices, costing) + 0.01, day
    assert check_week(scenario, week, matrices) == []
    # The start is the base's routes less the passengers who left: no dearer than the base.
    assert start_cost <= priced_week(base, base_routes) + 0.01


def test_the_start_cannot_serve_a_passenger_the_change_removed() -> None:
    base = monday_week()
    scenario = apply_change(base, AgeLimit(62, 2025))  # P1 (1950) and P4 (1970) leave
    starts = _read_starts(scenario, routed(base, ("V1", "V2")), plan_matrices(base), seed=1)
    carried = {
        p for s in starts.values() if s for r in s.routes for x in r.stops for p in x.pickups
    }
    assert carried <= {p.passenger_id for p in scenario.passengers}
    assert carried  # the others keep their places in the base's routes


# ----------------------------------------------------------- unserved trips are priced


def _with_trips_left_out(plan: WeekPlan, result: WeekResult) -> tuple[WeekResult, int]:
    """``result`` with Monday morning's routes dropped and their passengers unassigned."""
    plans = []
    left = 0
    for d in result.plans:
        if d.day == "mon" and str(d.direction) == "to_centre":
            out = [p for r in d.routes for s in r.stops for p in s.pickups]
            left = len(out)
            unassigned = tuple(Unassigned(pid, Reason.FLEET_EXHAUSTED, "left out") for pid in out)
            d = replace(d, routes=(), unassigned=d.unassigned + unassigned)
        plans.append(d)
    return replace(result, plans=tuple(plans)), left


def test_a_week_without_unassigned_trips_costs_the_same_priced_or_not() -> None:
    plan = monday_week()
    result = routed(plan, ("V1", "V2"))
    f = figures(price_week(plan, result, plan_matrices(plan)), Costing())
    assert f["unassigned_trips"] == 0
    assert f["unassigned_cost_week"] == 0
    assert f["priced_weekly_cost"] == f["weekly_cost"]
    assert f["priced_annual_cost"] == f["annual_cost"]


def test_unassigned_trips_are_priced_at_the_fallback_fare_not_free() -> None:
    """Binds: leaving Monday morning's passengers out makes the fleet cheaper, but priced at
    the fare (a taxi each) the week is dearer than carrying them."""
    plan = monday_week()
    result = routed(plan, ("V1", "V2"))
    short, left = _with_trips_left_out(plan, result)
    assert left > 0
    costing = Costing(operating_weeks=46, fallback_fare=600.0)
    full = figures(price_week(plan, result, plan_matrices(plan)), costing)
    cut = figures(price_week(plan, short, plan_matrices(plan)), costing)
    assert cut["annual_cost"] < full["annual_cost"]  # "free" unserved trips look like a saving
    assert cut["unassigned_cost_week"] == pytest.approx(600.0 * left)
    assert cut["priced_weekly_cost"] == pytest.approx(cut["weekly_cost"] + 600.0 * left)
    assert cut["priced_annual_cost"] == pytest.approx(cut["annual_cost"] + 600.0 * left * 46)
    assert cut["priced_annual_cost"] > full["priced_annual_cost"]


def test_the_report_flags_unassigned_trips_beside_the_saving(tmp_path: Path) -> None:
    """Binds: without the wheelchair minibus, P4's two trips are left out; the fleet's annual
    cost falls, the priced one (a taxi each way) shows why, and the saving is flagged."""
    no_wheelchair = Scenario(
        "no-minibus", "Own minibus gone", (RemoveVehicles(VehicleSelector(("V2",))),)
    )
    batch = replace(batch_of(no_wheelchair, time_limit_s=2.0), costing=Costing(fallback_fare=900.0))
    result = run_batch(monday_week(), batch, backend=LocalBackend(1))
    write_batch(result, tmp_path)
    comparison = json.loads((tmp_path / "comparison.json").read_text())
    assert comparison["fallback_fare"] == 900.0
    base, cut = comparison["scenarios"]
    assert set(cut["saving"]) >= {"annual_cost", "priced_annual_cost", "unassigned_trips", "flag"}
    unassigned = cut["figures"]["unassigned_trips"]
    assert unassigned == 2 and base["figures"]["unassigned_trips"] == 0
    assert cut["figures"]["priced_annual_cost"] == pytest.approx(
        cut["figures"]["annual_cost"] + 900.0 * unassigned * comparison["operating_weeks"],
        abs=0.05,
    )
    assert cut["saving"]["flag"] and "900" in cut["saving"]["flag"]
    assert base["saving"]["flag"] is None
    assert "(unassigned trips!)" in (tmp_path / "report.html").read_text()
    assert cut["saving"]["priced_annual_cost"] == pytest.approx(
        base["figures"]["priced_annual_cost"] - cut["figures"]["priced_annual_cost"], abs=0.05
    )
    costs = json.loads((tmp_path / "scenarios" / "no-minibus" / "costs.json").read_text())
    assert costs["fallback_fare"] == 900.0


def test_the_fallback_fare_is_read_from_the_scenarios_file() -> None:
    spec = {"scenarios": [{"id": "a", "changes": []}]}
    assert parse_scenarios(spec).costing.fallback_fare == DEFAULT_FALLBACK_FARE
    spec["fallback_fare"] = 650
    assert parse_scenarios(spec).costing.fallback_fare == 650.0
