"""The audit trail: reads of personal data, changes and refused keys are recorded in the
database (on SQLite and PostgreSQL) with who, what, when and the outcome, never plan
content; admins read their own organisation's; old events are purged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from servicekit import Service, tiny_plan
from sqlalchemy import select
from typer.testing import CliRunner

from app.api.keys import create_key
from app.audit import classify, purge_expired
from app.cli import app as cli
from app.db.models import AuditEvent, utcnow

CANARY = "CANARY-AUDIT-PASSENGER"


def _events(service: Service, role: str = "admin", **params: Any) -> list[dict[str, Any]]:
    response = service.get("/v1/audit", role=role, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_reads_changes_and_refused_keys_are_recorded_without_plan_content(
    service_any_db: Service,
) -> None:
    service = service_any_db
    plan = tiny_plan()
    plan["passengers"][0]["id"] = CANARY
    job = service.post("/v1/plans", json=plan, params={"day": "mon"}).json()
    job_id = job["id"]
    assert service.get(f"/v1/jobs/{job_id}/result", role="dispatcher").status_code == 409
    assert service.get(f"/v1/jobs/{job_id}").status_code == 200  # polling: not recorded
    assert service.get(f"/v1/jobs/{job_id}/days/mon/to_centre", role="analyst").status_code == 403
    bad = service.client.get(
        f"/v1/jobs/{job_id}/result", headers={"X-API-Key": "dgr_0123456789abcdef_" + "x" * 40}
    )
    assert bad.status_code == 401
    assert service.client.get(f"/v1/jobs/{job_id}/result").status_code == 401  # no key at all
    assert service.delete(f"/v1/jobs/{job_id}").status_code == 200
    events = _events(service)
    seen = [(e["action"], e["method"], e["route"], e["role"], e["status"]) for e in events]
    assert seen == [
        ("change", "DELETE", "/v1/jobs/{job_id}", "planner", 200),
        ("refused", "GET", "/v1/jobs/{job_id}/days/{day}/{direction}", "analyst", 403),
        ("read", "GET", "/v1/jobs/{job_id}/result", "dispatcher", 409),
        ("change", "POST", "/v1/plans", "planner", 202),
    ]
    assert all(e["target_id"] == job_id for e in events[:3])
    assert all(CANARY not in str(e) for e in events)
    assert [e["status"] for e in _events(service, action="refused")] == [403]
    with service.client.app.state.database.read() as session:  # type: ignore[attr-defined]
        stored = session.scalars(select(AuditEvent)).all()
        assert all(CANARY not in repr(vars(row)) for row in stored)
        # A key no organisation owns: recorded for the operator, with the id it claimed.
        (unknown,) = [row for row in stored if row.organisation is None]
        assert (unknown.key_id, unknown.status, unknown.action) == (
            "0123456789abcdef",
            401,
            "refused",
        )


def test_admins_read_their_own_organisation_s_events_only(service: Service) -> None:
    database = service.client.app.state.database  # type: ignore[attr-defined]
    other_admin = create_key(database, "other", "admin", "askoy").token
    service.post("/v1/plans", json=tiny_plan(), params={"day": "mon"})
    response = service.client.get("/v1/audit", headers={"Authorization": f"Bearer {other_admin}"})
    assert response.status_code == 200 and response.json()["items"] == []
    assert _events(service)  # the default organisation's admin sees the submission
    for role in ("planner", "dispatcher", "analyst"):
        assert service.get("/v1/audit", role=role).status_code == 403


def test_events_past_their_retention_are_purged(service: Service) -> None:
    database = service.client.app.state.database  # type: ignore[attr-defined]
    with database.write() as session:
        for age_days in (500, 10):
            session.add(
                AuditEvent(
                    at=utcnow() - timedelta(days=age_days),
                    organisation="default",
                    key_id=None,
                    role=None,
                    action="read",
                    method="GET",
                    route="/v1/jobs/{job_id}/result",
                    target_id=None,
                    status=200,
                )
            )
    assert purge_expired(database, retention_days=400) == 1
    assert len(_events(service)) == 1


def test_what_is_recorded() -> None:
    assert classify("GET", "/v1/jobs/{job_id}/manifests/{day}/{vehicle_id}", 200) == "read"
    assert classify("GET", "/v1/jobs/{job_id}", 200) is None
    assert classify("GET", "/v1/jobs", 200) is None
    assert classify("POST", "/v1/check", 200) == "use"
    assert classify("DELETE", "/v1/plans/{plan_id}", 204) == "change"
    assert classify("GET", "/v1/jobs", 401) == "refused"


def test_the_operator_reads_refusals_no_organisation_owns_from_the_cli(
    service: Service, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = "dgr_fedcba9876543210_" + "y" * 40
    assert (
        service.client.get("/v1/jobs/x/result", headers={"X-API-Key": unknown}).status_code == 401
    )
    service.post("/v1/plans", json=tiny_plan(), params={"day": "mon"})
    monkeypatch.setenv("DAGRUTE_DATABASE_URL", sqlite_url)
    orphans = CliRunner().invoke(cli, ["audit", "--organisation", "none"])
    assert orphans.exit_code == 0, orphans.output
    (line,) = orphans.stdout.strip().splitlines()
    assert "refused" in line and "401" in line and "fedcba9876543210" in line
    everyone = CliRunner().invoke(cli, ["audit", "--action", "change"])
    assert "POST /v1/plans" in everyone.stdout and "default" in everyone.stdout
    assert CliRunner().invoke(cli, ["audit", "--action", "peek"]).exit_code != 0
