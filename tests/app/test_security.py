"""API keys and roles: every route declares a policy, and each policy is enforced."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from servicekit import Service, service_settings
from sqlalchemy import select
from starlette.routing import Mount, Route
from typer.testing import CliRunner

from app.cli import app as cli
from app.db.models import ApiKey
from app.main import create_app
from app.security import PUBLIC, ROLE_PERMISSIONS, Permission, Policy, Role, hash_secret

# The access policy of every route: add a line here when adding a route.
EXPECTED: dict[tuple[str, str], Permission | None] = {
    ("POST", "/v1/plans"): Permission.PLANS_WRITE,
    ("GET", "/v1/plans"): Permission.JOBS_READ,
    ("GET", "/v1/jobs"): Permission.JOBS_READ,
    ("GET", "/v1/plans/{plan_id}"): Permission.JOBS_READ,
    ("DELETE", "/v1/plans/{plan_id}"): Permission.PLANS_WRITE,
    ("PUT", "/v1/plans/{plan_id}/details"): Permission.DETAILS_WRITE,
    ("GET", "/v1/plans/{plan_id}/details"): Permission.DETAILS_READ,
    ("DELETE", "/v1/plans/{plan_id}/details"): Permission.DETAILS_WRITE,
    ("POST", "/v1/vroom"): Permission.PLANS_WRITE,
    ("GET", "/v1/jobs/{job_id}"): Permission.JOBS_READ,
    ("DELETE", "/v1/jobs/{job_id}"): Permission.PLANS_WRITE,
    ("GET", "/v1/jobs/{job_id}/result"): Permission.JOBS_READ,
    ("GET", "/v1/jobs/{job_id}/geojson"): Permission.ROUTES_READ,
    ("GET", "/v1/jobs/{job_id}/days/{day}/{direction}"): Permission.ROUTES_READ,
    ("GET", "/v1/jobs/{job_id}/manifests/{day}/{vehicle_id}"): Permission.ROUTES_READ,
    ("POST", "/v1/jobs/{job_id}/days/{day}/changes"): Permission.ROUTES_EDIT,
    ("POST", "/v1/jobs/{job_id}/days/{day}/moves"): Permission.ROUTES_EDIT,
    ("GET", "/v1/jobs/{job_id}/days/{day}/versions"): Permission.ROUTES_READ,
    ("GET", "/v1/jobs/{job_id}/days/{day}/versions/{version}"): Permission.ROUTES_READ,
    ("POST", "/v1/jobs/{job_id}/days/{day}/versions/{version}/restore"): Permission.ROUTES_EDIT,
    ("POST", "/v1/check"): Permission.TOOLS_USE,
    ("POST", "/v1/matrix"): Permission.TOOLS_USE,
    ("POST", "/v1/import/passengers"): Permission.TOOLS_USE,
    ("POST", "/v1/scenarios"): Permission.SCENARIOS_RUN,
    ("GET", "/v1/scenarios/{job_id}"): Permission.SCENARIOS_RUN,
    ("DELETE", "/v1/scenarios/{job_id}"): Permission.SCENARIOS_RUN,
    ("GET", "/v1/scenarios/{job_id}/comparison"): Permission.SCENARIOS_RUN,
    ("GET", "/v1/scenarios/{job_id}/comparison.csv"): Permission.SCENARIOS_RUN,
    ("GET", "/v1/scenarios/{job_id}/report"): Permission.SCENARIOS_RUN,
    ("GET", "/v1/scenarios/{job_id}/scenarios/{scenario_id}/{part}"): Permission.SCENARIOS_RUN,
    ("POST", "/v1/keys"): Permission.KEYS_MANAGE,
    ("GET", "/v1/keys"): Permission.KEYS_MANAGE,
    ("DELETE", "/v1/keys/{key_id}"): Permission.KEYS_MANAGE,
    ("GET", "/v1/audit"): Permission.AUDIT_READ,
    ("GET", "/health"): None,
    ("GET", "/metrics"): None,
    ("GET", "/"): None,  # the dispatcher page: no data in it
    ("GET", "/static/{path:path}"): None,  # its scripts, styles and images
    ("GET", "/v1/roads"): Permission.ROUTES_READ,
    ("GET", "/v1/jobs/{job_id}/days/{day}/{direction}/timeline"): Permission.ROUTES_READ,
}
# FastAPI's own documentation routes: public, no data.
DOCS_ROUTES = {
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/static-offline-docs",  # Swagger UI's and ReDoc's own files (fastapi-offline)
}


def app_routes(app: object) -> list[tuple[str, set[str], object]]:
    """(path, methods, route) of every route, routers included (lazy in newer FastAPI)."""
    routes = app.routes  # type: ignore[attr-defined]
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before lazy router inclusion
        return [(r.path, set(getattr(r, "methods", None) or ()), r) for r in routes]
    return [(c.path, set(c.methods or ()), c) for c in iter_route_contexts(routes)]


def declared_policies(route: object) -> list[Policy]:
    found: list[Policy] = []
    dependant = getattr(route, "dependant", None) or route.original_route.dependant  # type: ignore[attr-defined]
    stack = list(dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Policy):
            found.append(dependant.call)
        stack.extend(dependant.dependencies)
    return found


def test_every_route_declares_exactly_the_expected_policy(sqlite_url: str) -> None:
    app = create_app(service_settings(sqlite_url))
    seen: dict[tuple[str, str], Permission | None] = {}
    for path, methods, route in app_routes(app):
        original = getattr(route, "original_route", route)
        if path in DOCS_ROUTES:  # public documentation, whatever serves it
            assert not isinstance(original, APIRoute) or declared_policies(route) == [], path
            continue
        if isinstance(original, APIRoute):
            policies = declared_policies(route)
            assert len(policies) == 1, f"{path} declares {len(policies)} policies"
            for method in methods:
                seen[(method, path)] = policies[0].permission
        else:
            assert isinstance(original, (Route, Mount)) and path in DOCS_ROUTES, path
    assert seen == EXPECTED


def _concrete(path: str) -> str:
    return re.sub(
        r"\{[^}]+\}",
        lambda m: (
            "mon"
            if m.group(0) == "{day}"
            else ("to_centre" if m.group(0) == "{direction}" else "x")
        ),
        path,
    )


def test_protected_routes_refuse_missing_wrong_and_underprivileged_keys(
    service: Service,
) -> None:
    for (method, path), permission in EXPECTED.items():
        if permission is None:
            continue
        url = _concrete(path)
        response = service.client.request(method, url)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["errors"][0]["code"] == "AUTH_MISSING"
        bad = service.client.request(method, url, headers={"X-API-Key": "dgr_0000_nope"})
        assert bad.json()["errors"][0]["code"] == "AUTH_INVALID"
        for role in Role:
            if permission in ROLE_PERMISSIONS[role]:
                continue
            denied = service.client.request(method, url, headers=service.headers(role.value))
            assert denied.status_code == 403, (method, path, role)
            assert denied.json()["errors"][0]["code"] == "AUTH_FORBIDDEN"


def test_roles_grant_what_the_readme_says() -> None:
    assert ROLE_PERMISSIONS[Role.DISPATCHER] == {
        Permission.JOBS_READ,
        Permission.ROUTES_READ,
        Permission.ROUTES_EDIT,
        Permission.DETAILS_READ,
        Permission.DETAILS_WRITE,
    }
    assert Permission.DETAILS_WRITE in ROLE_PERMISSIONS[Role.PLANNER]
    assert Permission.DETAILS_READ not in ROLE_PERMISSIONS[Role.PLANNER]
    assert not {Permission.DETAILS_READ, Permission.DETAILS_WRITE} & ROLE_PERMISSIONS[Role.ANALYST]
    assert Permission.PLANS_WRITE in ROLE_PERMISSIONS[Role.PLANNER]
    assert Permission.KEYS_MANAGE not in ROLE_PERMISSIONS[Role.PLANNER]
    assert Permission.SCENARIOS_RUN in ROLE_PERMISSIONS[Role.ANALYST]
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert PUBLIC.permission is None


def test_admins_create_list_and_revoke_keys_and_only_salted_hashes_are_stored(
    service: Service,
) -> None:
    created = service.post("/v1/keys", role="admin", json={"name": "desk", "role": "dispatcher"})
    assert created.status_code == 201
    key = created.json()
    token = key["token"]
    assert token.startswith(f"dgr_{key['id']}_")
    listed = service.get("/v1/keys", role="admin").json()
    assert key["id"] in {k["id"] for k in listed} and all("token" not in k for k in listed)
    database = service.client.app.state.database  # type: ignore[attr-defined]
    with database.read() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.id == key["id"])).one()
        stored = " ".join(str(v) for v in (row.salt, row.secret_sha256, row.name, row.role))
    secret = token.split("_", 2)[2]
    assert secret not in stored and row.secret_sha256 == hash_secret(row.salt, secret)
    reader = {"Authorization": f"Bearer {token}"}
    assert service.client.get("/v1/jobs/x", headers=reader).status_code == 404
    assert service.delete(f"/v1/keys/{key['id']}", role="admin").status_code == 204
    assert service.client.get("/v1/jobs/x", headers=reader).status_code == 401
    assert (
        service.post("/v1/keys", role="admin", json={"name": "x", "role": "boss"}).status_code
        == 422
    )


def test_the_cli_bootstraps_an_admin_key(sqlite_url: str, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("DAGRUTE_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(cli, ["keys", "create", "--role", "admin", "--name", "ops"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    listed = CliRunner().invoke(cli, ["keys", "list"])
    assert token.split("_")[1] in listed.stdout and "admin" in listed.stdout
    bad = CliRunner().invoke(cli, ["keys", "create", "--role", "boss"])
    assert bad.exit_code != 0
