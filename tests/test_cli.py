"""The command line end to end, on the bundled road graph: generate, solve, check, bad input.

Each solve's result goes through ``dagrute check`` (the independent checker) as a user would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solver.cli import EXIT_INPUT, EXIT_VIOLATIONS
from solver.config import get_config
from tests.clikit import run, use_shared_roads_cache

SAMPLE = Path(__file__).parents[1] / "data" / "samples" / "oslo-east-week.json"


@pytest.fixture(autouse=True)
def cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """One road-graph cache for all CLI tests (the first test builds it), one worker."""
    monkeypatch.setenv("DAGRUTE_WORKERS", "1")
    use_shared_roads_cache(tmp_path_factory, monkeypatch)
    yield
    get_config.cache_clear()


@pytest.fixture
def small_plan(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    """A generated week of 12 passengers at 2 centres (seed 3) as JSON."""
    path = tmp_path / "plan.json"
    code, output = run(
        "generate", "--passengers", "12", "--centres", "2", "--seed", "3", "--out", path
    )
    assert code == 0, output
    return json.loads(path.read_text())


def write(tmp_path: Path, data: object, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def solve_one(
    plan: Path, out: Path, day: str = "mon", direction: str = "to_centre"
) -> dict[str, Any]:
    """``dagrute solve`` of one day-direction (8 s): the result's only plan."""
    code, output = run(
        "solve", plan, "--out", out, "--day", day, "--direction", direction, "--time-limit", "8"
    )
    assert code == 0, output
    result = json.loads(out.read_text())
    assert [(p["day"], p["direction"]) for p in result["plans"]] == [(day, direction)]
    plan_result: dict[str, Any] = result["plans"][0]
    return plan_result


def test_sample_week_solves_every_passenger_with_zero_violations(tmp_path: Path) -> None:
    """The README's first command: the bundled week, all days and directions."""
    out, geojson = tmp_path / "r.json", tmp_path / "routes.geojson"
    code, output = run("solve", SAMPLE, "--out", out, "--geojson", geojson, "--time-limit", "40")
    assert code == 0, output
    assert "Checker: 0 violation(s)" in output
    result = json.loads(out.read_text())
    assert len(result["plans"]) == 10
    assert result["totals"]["unassigned_trips"] == 0
    assert all(p["unassigned"] == [] for p in result["plans"])
    route = result["plans"][0]["routes"][0]
    assert len(route["geometry"]["coordinates"]) > len(route["stops"])  # follows the roads
    features = json.loads(geojson.read_text())["features"]
    assert {f["geometry"]["type"] for f in features} == {"LineString", "Point"}
    code, output = run("check", SAMPLE, out)
    assert code == 0, output
    assert "0 violations" in output


def test_one_day_one_direction_and_tampered_result_fails_check(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    plan = write(tmp_path, small_plan)
    out = tmp_path / "r.json"
    solve_one(plan, out, "tue", "from_centre")
    result = json.loads(out.read_text())
    stop = result["plans"][0]["routes"][0]["stops"][1]
    stop["arrival"] = "03:00:00"  # before the centre opens, before the vehicle left
    tampered = write(tmp_path, result, "tampered.json")
    code, output = run("check", plan, tampered)
    assert code == EXIT_VIOLATIONS
    assert "CHECK_" in output


def test_check_finds_a_deleted_day_direction_and_figures_that_do_not_add_up(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    """``dagrute check`` says the result is broken, naming each thing the file gets wrong."""
    plan = write(tmp_path, small_plan)
    out = tmp_path / "r.json"
    solve_one(plan, out, "tue", "from_centre")
    result = json.loads(out.read_text())
    assert len(result["not_planned"]) == 9  # the others were not asked for
    assert {n["reason"] for n in result["not_planned"]} == {"NOT_PLANNED_NOT_REQUESTED"}
    code, output = run("check", plan, out)
    assert code == 0, output

    deleted = result | {"plans": []}
    code, output = run("check", plan, write(tmp_path, deleted, "deleted.json"))
    assert code == EXIT_VIOLATIONS
    assert "The result is broken" in output
    assert "CHECK_DAY_DIRECTION_MISSING tue from_centre" in output

    figures = json.loads(out.read_text())
    figures["plans"][0]["routes"][0]["cost"] = 1.0
    figures["totals"]["trips"] = 1
    code, output = run("check", plan, write(tmp_path, figures, "figures.json"))
    assert code == EXIT_VIOLATIONS
    for expected in ("CHECK_ROUTE_COST", "CHECK_KPIS", "CHECK_TOTALS week"):
        assert expected in output


def test_check_of_a_malformed_result_file_blames_the_result_not_the_plan(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    plan = write(tmp_path, small_plan)
    broken = write(tmp_path, {"name": "week", "plans": [{"day": "mon"}]}, "broken.json")
    code, output = run("check", plan, broken)
    assert code == EXIT_INPUT
    assert "in the result file" in output
    assert "problem(s) in the plan" not in output


def test_generate_can_limit_wheelchair_set_downs_at_every_centre(tmp_path: Path) -> None:
    path = tmp_path / "limited.json"
    code, output = run(
        "generate",
        "--passengers",
        "8",
        "--centres",
        "2",
        "--wheelchair-dropoffs",
        "1",
        "--out",
        path,
    )
    assert code == 0, output
    centres = json.loads(path.read_text())["centres"]
    assert [c["max_wheelchair_dropoffs"] for c in centres] == [1, 1]
    code, output = run("generate", "--wheelchair-dropoffs", "0", "--out", path)
    assert code != 0
    assert "wheelchair-dropoffs" in output


def test_malformed_json_is_an_input_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"centres": [,]}')
    code, output = run("solve", path, "--out", tmp_path / "r.json")
    assert code == EXIT_INPUT
    assert "INPUT_MALFORMED_JSON" in output
    assert "line 1" in output
    assert "Traceback" not in output


def test_duplicate_ids_and_unknown_centre_are_reported_together(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    small_plan["passengers"][1]["id"] = small_plan["passengers"][0]["id"]
    small_plan["passengers"][2]["centre_id"] = "NOWHERE"
    code, output = run("solve", write(tmp_path, small_plan), "--out", tmp_path / "r.json")
    assert code == EXIT_INPUT
    assert "INPUT_DUPLICATE_ID" in output
    assert small_plan["passengers"][0]["id"] in output
    assert "INPUT_UNKNOWN_CENTRE" in output
    assert small_plan["passengers"][2]["id"] in output


def test_location_off_the_road_network_names_the_passenger_not_the_place(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    victim = small_plan["passengers"][4]
    victim["home"] = {"lat": 59.5, "lon": 10.5}  # in the Oslofjord area, far from the extract
    code, output = run("solve", write(tmp_path, small_plan), "--out", tmp_path / "r.json")
    assert code == EXIT_INPUT
    assert "INPUT_OFF_ROAD" in output
    assert victim["id"] in output
    assert "59.5" not in output and "10.5" not in output


def test_wheelchair_passenger_without_wheelchair_vehicle_is_unassigned_with_reason(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    for vehicle in small_plan["vehicles"]:
        if vehicle["wheelchair_places"]:
            vehicle["days"] = ["tue", "wed", "thu", "fri"]
    rider = small_plan["passengers"][0]
    rider["mobility"] = "wheelchair"
    rider["days"] = ["mon"]
    unassigned = solve_one(write(tmp_path, small_plan), tmp_path / "r.json")["unassigned"]
    reasons = {u["passenger_id"]: u["reason"] for u in unassigned}
    assert reasons[rider["id"]] == "UNASSIGNED_NO_WHEELCHAIR_VEHICLE"


def test_window_that_cannot_be_met_is_unassigned_with_reason(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    centre = small_plan["centres"][0]
    centre["arrival_window"] = {"start": "06:00", "end": "06:01"}
    centre.pop("days", None)
    for p in small_plan["passengers"]:
        p.pop("earliest_pickup", None)  # else validation rejects the plan (tested elsewhere)
    plan = solve_one(write(tmp_path, small_plan), tmp_path / "r.json")
    reasons = {u["passenger_id"]: u["reason"] for u in plan["unassigned"]}
    at_centre = [
        p["id"]
        for p in small_plan["passengers"]
        if p["centre_id"] == centre["id"] and "mon" in p["days"]
    ]
    assert at_centre
    assert all(reasons[pid] == "UNASSIGNED_WINDOW_UNREACHABLE" for pid in at_centre)


def test_missing_osm_file_is_a_roads_error(tmp_path: Path, small_plan: dict) -> None:  # type: ignore[type-arg]
    small_plan["osm_file"] = "nowhere.osm.pbf"
    code, output = run("solve", write(tmp_path, small_plan), "--out", tmp_path / "r.json")
    assert code == 3
    assert "ROADS_FILE_NOT_FOUND" in output


def test_unknown_day_option_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("solve", SAMPLE, "--out", tmp_path / "r.json", "--day", "sat")
    assert code == 2
    assert "not a weekday" in output


def test_replan_keeps_everyone_else_and_names_a_bad_change(
    tmp_path: Path,
    small_plan: dict,  # type: ignore[type-arg]
) -> None:
    """``dagrute replan``: an absence and a late vehicle on a solved Monday morning."""
    plan = write(tmp_path, small_plan)
    week = tmp_path / "week.json"
    day = solve_one(plan, week)
    route = next(r for r in day["routes"] if r["stops"])
    absent = next(pid for stop in route["stops"] for pid in stop.get("pickups", []))
    changes = {
        "day": "mon",
        "changes": [
            {"kind": "absence", "passenger_id": absent, "note": "ill"},
            {"kind": "vehicle_late", "vehicle_id": route["vehicle_id"], "minutes": 5},
        ],
    }
    out, diff = tmp_path / "week2.json", tmp_path / "diff.json"
    code, output = run(
        "replan", plan, week, write(tmp_path, changes, "changes.json"), "--out", out,
        "--diff", diff, "--time-limit", "2",
    )  # fmt: skip
    assert code == 0, output
    assert "Checker: 0 violation(s)" in output
    (day_diff,) = json.loads(diff.read_text())
    assert day_diff["unaffected_changed"] == 0
    assert [t["why"] for t in day_diff["trips"] if t["passenger_id"] == absent] == ["absent"]
    replanned = json.loads(out.read_text())["plans"][0]
    assert absent not in {
        p for r in replanned["routes"] for s in r["stops"] for p in s.get("pickups", [])
    }
    changes["changes"].append({"kind": "absence", "passenger_id": "NOBODY"})
    code, output = run("replan", plan, week, write(tmp_path, changes, "bad.json"), "--out", out)
    assert code == EXIT_INPUT
    assert "CHANGE_UNKNOWN_PASSENGER" in output and "NOBODY" in output
