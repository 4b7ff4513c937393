"""``dagrute scenarios`` end to end on the bundled road graph: a tiny week, two scenarios.

The week is a generated one (12 passengers, 2 centres) cut to Mondays so that each scenario
week routes in seconds. Every scenario result is re-checked with ``dagrute check``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from solver.cli import EXIT_INPUT
from solver.config import get_config
from tests.clikit import run, use_shared_roads_cache

SCENARIOS = {
    "name": "tiny what-ifs",
    "scenarios": [
        {
            "id": "age-62",
            "name": "Age limit 62",
            "changes": [{"type": "age_limit", "max_age": 62, "reference_year": 2025}],
        },
        {
            "id": "dearer",
            "name": "Contractor +10% an hour, 20 NOK a trip",
            "changes": [
                {
                    "type": "tariff",
                    "select": {"operator": "contractor"},
                    "scale": {"per_hour": 1.1},
                    "set": {"per_trip": 20.0},
                }
            ],
        },
    ],
}


@pytest.fixture(autouse=True)
def cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The road-graph cache the other CLI tests share, and no Dask cluster."""
    monkeypatch.delenv("DAGRUTE_DASK_ADDRESS", raising=False)
    use_shared_roads_cache(tmp_path_factory, monkeypatch)
    yield
    get_config.cache_clear()


@pytest.fixture
def monday_plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    code, output = run(
        "generate", "--passengers", "12", "--centres", "2", "--seed", "3", "--out", path
    )
    assert code == 0, output
    plan = json.loads(path.read_text())
    for passenger in plan["passengers"]:
        passenger["days"] = ["mon"]
        passenger.pop("home_exceptions", None)
    path.write_text(json.dumps(plan))
    return path


def test_scenarios_command_writes_checked_results_and_a_report(
    tmp_path: Path, monday_plan: Path
) -> None:
    scenarios = tmp_path / "scenarios.json"
    scenarios.write_text(json.dumps(SCENARIOS))
    out = tmp_path / "out"
    code, output = run(
        "scenarios", monday_plan, scenarios, "--out", out, "--time-limit", "3", "--workers", "2"
    )
    assert code == 0, output
    assert "Checker: 0 violation(s)" in output
    assert "on local (2 worker(s))" in output
    rows = list(csv.DictReader(io.StringIO((out / "comparison.csv").read_text())))
    assert [r["scenario_id"] for r in rows] == ["base", "age-62", "dearer"]
    base, age, dearer = rows
    assert int(age["passengers"]) < int(base["passengers"])  # birth years 1945-2005
    assert int(age["trips"]) == 2 * int(age["passengers"])  # everyone served, both ways
    assert float(dearer["contract_extras_week"]) == pytest.approx(
        20.0 * int(dearer["trips_contractor"])
    )
    report = (out / "report.html").read_text()
    assert "<svg" in report and "Age limit 62" in report
    assert "<script" not in report and 'src="http' not in report  # self-contained
    for scenario in ("base", "age-62", "dearer"):
        folder = out / "scenarios" / scenario
        code, output = run("check", folder / "plan.json", folder / "result.json")
        assert code == 0, output


def test_scenarios_command_names_an_unknown_id(tmp_path: Path, monday_plan: Path) -> None:
    bad = {"scenarios": [{"id": "gone", "changes": [{"type": "close_centre", "centre_id": "C9"}]}]}
    scenarios = tmp_path / "bad.json"
    scenarios.write_text(json.dumps(bad))
    code, output = run("scenarios", monday_plan, scenarios, "--out", tmp_path / "out")
    assert code == EXIT_INPUT
    assert "SCENARIO_UNKNOWN_CENTRE" in output
    assert "Scenario gone: Centre C9 is not in the week." in output
