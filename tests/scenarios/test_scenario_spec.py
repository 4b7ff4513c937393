"""The scenarios file: the sample parses, the schema file is current, bad files are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solver.errors import InputError
from solver.scenarios.changes import AddVehicles, CapDays, ChangeCentreHours, ChangeTariff
from solver.scenarios.spec import (
    load_scenarios,
    parse_scenarios,
    scenarios_json_schema,
    scenarios_schema_text,
)

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "data" / "samples" / "bergen-scenarios.json"
SCHEMA = ROOT / "docs" / "schema" / "scenarios.schema.json"


def test_the_bergen_sample_parses_into_changes() -> None:
    batch = load_scenarios(SAMPLE)
    assert len(batch.scenarios) >= 8
    assert batch.costing.operating_weeks == 46
    by_id = {s.scenario_id: s for s in batch.scenarios}
    assert by_id["four-days-opt"].changes == (
        CapDays(4, by_id["four-days-fri"].changes[0].select, "optimise"),  # type: ignore[union-attr]
    )
    staggered = by_id["staggered"].changes[0]
    assert isinstance(staggered, ChangeCentreHours) and staggered.shift_s == 1800
    bus = by_id["wheelchair-bus"].changes[0]
    assert isinstance(bus, AddVehicles) and bus.tariff is not None
    assert bus.tariff.per_year == 150_000.0
    tariff = by_id["contractor-tariff"].changes[0]
    assert isinstance(tariff, ChangeTariff) and tariff.scale == {"per_hour": 1.08, "per_km": 1.08}


def test_the_schema_file_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == scenarios_schema_text(), (
        "run: uv run python scripts/export_schema.py"
    )
    schema = scenarios_json_schema()
    assert schema["title"] == "Scenarios"
    assert "cap_days" in json.dumps(schema)


def issues_of(data: object) -> list[tuple[str, str | None]]:
    with pytest.raises(InputError) as caught:
        parse_scenarios(json.dumps(data) if not isinstance(data, str) else data)
    return [(i.code, i.path) for i in caught.value.issues]


def test_bad_files_name_the_problem_and_where() -> None:
    assert issues_of("{not json") == [("INPUT_MALFORMED_JSON", None)]
    assert issues_of({"scenarios": []})[0][0] == "INPUT_SCHEMA"
    unknown_type = {"scenarios": [{"id": "a", "changes": [{"type": "teleport"}]}]}
    assert issues_of(unknown_type)[0] == ("INPUT_SCHEMA", "scenarios[0].changes[0]")
    bad_days = {"scenarios": [{"id": "a", "changes": [{"type": "cap_days", "max_days": 7}]}]}
    assert issues_of(bad_days)[0] == ("INPUT_SCHEMA", "scenarios[0].changes[0].max_days")
    typo = {"scenarios": [{"id": "a", "changes": [{"type": "age_limit", "maxage": 60}]}]}
    assert issues_of(typo)[0] == ("INPUT_SCHEMA", "scenarios[0].changes[0].maxage")
    twice = {"scenarios": [{"id": "a", "changes": []}, {"id": "a", "changes": []}]}
    assert issues_of(twice) == [("SCENARIO_DUPLICATE_ID", "scenarios[1].id")]
    bad_id = {"scenarios": [{"id": "../x", "changes": []}]}
    assert issues_of(bad_id)[0] == ("INPUT_SCHEMA", "scenarios[0].id")
