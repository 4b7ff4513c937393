"""The batch runner: preparing, sharing solves, and figures that match the routes written.

Solving tests use the Monday-only tiny week on straight-line matrices (seconds each).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from solver.domain import DistanceBand
from solver.errors import InputError
from solver.scenarios.backends import LocalBackend, make_backend
from solver.scenarios.batch import plan_tasks, prepare_scenarios, run_batch
from solver.scenarios.changes import (
    ApplyContext,
    CapDays,
    ChangeTariff,
    CloseCentre,
    PassengerSelector,
    VehicleSelector,
)
from solver.scenarios.report import write_batch
from solver.scenarios.spec import Scenario
from tests.scenarios.tiny import batch_of, monday_week, tiny_week

OPTIMISED = Scenario("opt", "5 -> 4 optimised", (CapDays(4, PassengerSelector(), "optimise"),))
FRIDAY = Scenario("fri", "5 -> 4 drop Friday", (CapDays(4, PassengerSelector(), ("fri",)),))
CONTRACT_ONLY = Scenario(
    "contract",
    "Contractor paid per trip and band",
    (
        ChangeTariff(
            VehicleSelector(operator="contractor"),
            set={"per_trip": 25.0, "per_week": 200.0, "per_year": 10_000.0},
            distance_bands=(DistanceBand(1500, 60.0), DistanceBand(None, 110.0)),
        ),
    ),
)
DEARER_HOURS = Scenario(
    "dearer", "Contractor +20% an hour", (ChangeTariff(scale={"per_hour": 1.2}),)
)
MERGE = Scenario("merge", "Centre A merged into B", (CloseCentre("A", into="B"),))


def test_an_optimised_day_choice_gets_a_naive_twin() -> None:
    prepared = prepare_scenarios(tiny_week(), batch_of(OPTIMISED), ApplyContext())
    assert [p.scenario_id for p in prepared] == ["base", "opt", "opt.naive"]
    assert prepared[1].naive_twin == "opt.naive"
    assert prepared[2].naive_of == "opt"
    assert all("fri" not in p.days for p in prepared[2].plan.passengers if len(p.days) == 4)


def test_the_naive_twin_is_an_explicit_scenario_when_one_matches() -> None:
    prepared = prepare_scenarios(tiny_week(), batch_of(OPTIMISED, FRIDAY), ApplyContext())
    assert [p.scenario_id for p in prepared] == ["base", "opt", "fri"]
    assert prepared[1].naive_twin == "fri"


def test_weeks_that_route_alike_share_one_solve() -> None:
    prepared = prepare_scenarios(tiny_week(), batch_of(CONTRACT_ONLY, DEARER_HOURS), ApplyContext())
    prepared, tasks = plan_tasks(prepared, 5.0)
    assert [t.task_id for t in tasks] == ["base", "dearer"]
    assert {p.scenario_id: p.task_id for p in prepared} == {
        "base": "base",
        "contract": "base",  # per trip, bands and fixed sums do not change routes
        "dearer": "dearer",  # per hour does
    }


def test_every_scenario_that_cannot_be_prepared_is_reported_at_once() -> None:
    gone = Scenario("gone", "Close a centre that is not there", (CloseCentre("Z"),))
    stranger = Scenario(
        "stranger",
        "Cap an unknown passenger",
        (CapDays(4, PassengerSelector(passenger_ids=("P99",))),),
    )
    with pytest.raises(InputError) as raised:
        prepare_scenarios(tiny_week(), batch_of(gone, FRIDAY, stranger), ApplyContext())
    issues = raised.value.issues
    assert [(i.code, i.path, i.id) for i in issues] == [
        ("SCENARIO_UNKNOWN_CENTRE", "scenarios[0].changes[0]", "Z"),
        ("SCENARIO_UNKNOWN_PASSENGER", "scenarios[2].changes[0]", "P99"),
    ]
    assert issues[0].message.startswith("Scenario gone: ")
    assert issues[1].message.startswith("Scenario stranger: ")


def test_make_backend_picks_dask_only_with_an_address() -> None:
    assert make_backend(3).name == "local"
    assert make_backend(3).workers == 3
    assert make_backend(None, "tcp://nowhere:8786").name == "dask"  # connects on first use


def test_batch_figures_equal_sums_over_the_written_routes(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    result = run_batch(
        monday_week(),
        batch_of(CONTRACT_ONLY, MERGE, time_limit_s=2.0),
        backend=LocalBackend(1),
        progress=lambda what, done, total: calls.append((what, done, total)),
    )
    assert result.num_solves == 2
    assert calls[0] == ("scenarios prepared", 0, 2)
    assert [c[1] for c in calls[1:]] == [1, 2]
    write_batch(result, tmp_path)
    comparison = json.loads((tmp_path / "comparison.json").read_text())
    rows = list(csv.DictReader(io.StringIO((tmp_path / "comparison.csv").read_text())))
    assert [r["scenario_id"] for r in rows] == ["base", "contract", "merge"]
    assert "<svg" in (tmp_path / "report.html").read_text()
    for entry, row in zip(comparison["scenarios"], rows, strict=True):
        folder = tmp_path / "scenarios" / entry["id"]
        routes_json = json.loads((folder / "result.json").read_text())
        costs_json = json.loads((folder / "costs.json").read_text())
        expected = sums_over(routes_json, costs_json, comparison["operating_weeks"])
        f = entry["figures"]
        assert entry["checker_violations"] == 0
        for name, value in expected.items():
            assert f[name] == pytest.approx(value, abs=0.02), (entry["id"], name)
            assert float(row[name]) == pytest.approx(value, abs=0.02), (entry["id"], name)
        assert f["unassigned_trips"] == 0
    base, contract, merge = comparison["scenarios"]
    # Contract-only terms: same routes, dearer by exactly the trip, band and fixed prices.
    assert contract["solved_as"] == "base"
    assert contract["figures"]["km"] == base["figures"]["km"]
    extras = contract["figures"]["contract_extras_week"]
    assert extras > 0
    assert contract["change_vs_base"]["weekly_cost"]["change"] == pytest.approx(extras, abs=0.02)
    assert merge["notes"] == ["Centre A (Centre A) closes; 3 passengers move: 3 to B."]


def sums_over(routes_json: dict, costs_json: dict, weeks: float) -> dict[str, float]:  # type: ignore[type-arg]
    """The comparison figures recomputed from a result.json and its costs.json."""
    tariffs, operators = costs_json["tariffs"], costs_json["operators"]
    plans = routes_json["plans"]
    routes = [(p["day"], r) for p in plans for r in p["routes"]]
    vehicle_days = {(day, r["vehicle_id"]) for day, r in routes}
    weekly = sum(
        tariffs[r["vehicle_id"]]["per_km"] * r["distance_m"] / 1000
        + tariffs[r["vehicle_id"]]["per_hour"] * r["duration_s"] / 3600
        for _, r in routes
    )
    weekly += sum(tariffs[v]["per_vehicle_day"] for _, v in vehicle_days)
    weekly += sum(t["trip_price"] + t["band_price"] for t in costs_json["trips"])
    weekly += sum(t["per_week"] for t in tariffs.values())
    annual = weekly * weeks + sum(t["per_year"] for t in tariffs.values())
    contractor_routes = [r for _, r in routes if operators[r["vehicle_id"]] == "contractor"]
    return {
        "trips": sum(len(s["pickups"]) for _, r in routes for s in r["stops"]),
        "km": sum(r["distance_m"] for _, r in routes) / 1000,
        "vehicle_hours": sum(r["duration_s"] for _, r in routes) / 3600,
        "peak_vehicles": max(len(p["routes"]) for p in plans),
        "vehicle_days": len(vehicle_days),
        "unassigned_trips": sum(len(p["unassigned"]) for p in plans),
        "weekly_cost": weekly,
        "annual_cost": annual,
        "km_contractor": sum(r["distance_m"] for r in contractor_routes) / 1000,
    }
