"""Tools: the checker over HTTP, travel-time matrices, database migrations."""

from __future__ import annotations

import copy
from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from servicekit import Service, ThreadWorker, service_settings, tiny_plan
from typer.testing import CliRunner

from app.cli import app as cli
from app.db.migrate import current_revision, head_revision
from app.db.models import Base
from app.db.session import Database

C01 = {"lat": 59.8855067, "lon": 10.7884013}
C02 = {"lat": 59.9284895, "lon": 10.7611017}


def test_the_matrix_measures_along_the_roads_and_refuses_points_off_them(
    service: Service,
) -> None:
    response = service.post("/v1/matrix", role="analyst", json={"points": [C01, C02, C01]})
    assert response.status_code == 200, response.text
    durations = response.json()["durations_s"]
    assert durations[0][0] == 0 and durations[0][1] > 60 and durations[0][2] == 0
    assert durations[1][0] == durations[1][2]
    far = service.post("/v1/matrix", json={"points": [C01, {"lat": 61.0, "lon": 9.0}]})
    assert far.status_code == 422
    assert far.json()["errors"][0] | {"message": ""} == {
        "code": "INPUT_OFF_ROAD", "path": "points[1]", "message": "", "id": None,
        "hint": far.json()["errors"][0]["hint"]}  # fmt: skip
    too_many = service.post("/v1/matrix", json={"points": [C01] * 201})
    assert too_many.json()["errors"][0]["code"] == "LIMIT_MATRIX_POINTS"
    nan = service.client.post(
        "/v1/matrix", headers=service.headers(), content=b'{"points": [{"lat": NaN, "lon": 1}]}'
    )
    assert nan.status_code == 422


def test_the_checker_passes_a_solved_result_and_names_what_a_tampered_one_breaks(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    plan = tiny_plan()
    job_id = service.post(
        "/v1/plans", json=plan, params={"day": "mon", "direction": "to_centre"}
    ).json()["id"]
    start_thread_worker(service_settings(sqlite_url), processes=1)
    assert service.wait_for(job_id)["status"] == "succeeded"
    result = service.get(f"/v1/jobs/{job_id}/result").json()
    verdict = service.post("/v1/check", json={"plan": plan, "result": result})
    assert verdict.status_code == 200 and verdict.json() == {"num_violations": 0, "violations": []}
    tampered = copy.deepcopy(result)
    route = tampered["plans"][0]["routes"][0]
    route["stops"][1]["arrival"] = "03:00:00"
    verdict = service.post("/v1/check", json={"plan": plan, "result": tampered}).json()
    assert verdict["num_violations"] > 0
    assert {v["code"] for v in verdict["violations"]} & {
        "CHECK_TRAVEL_TIME",
        "CHECK_SHIFT",
        "CHECK_ROUTE_DURATION",
    }
    bad = service.post("/v1/check", json={"plan": {"centres": 1}, "result": {}}).json()
    assert {e["path"].split(".")[0] for e in bad["errors"]} == {"plan", "result"}


def test_migrations_match_the_models_and_upgrade_is_idempotent(database_url: str) -> None:
    database = Database(database_url)
    assert current_revision(database) == head_revision()
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    database.dispose()
    assert differences == []
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"DAGRUTE_DATABASE_URL": database_url})
    assert result.exit_code == 0 and head_revision() in result.stdout
