"""Safe defaults: a private database file in one place, no caching of personal data, a CSP on
every HTML response, and API documentation served without any third-party host."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from servicekit import Service, tiny_plan
from sqlalchemy import text

from app.db.session import Database
from app.headers import DOCS_POLICY, INERT_HTML_POLICY, SecurityHeaders
from app.settings import DEFAULT_DATABASE_FILE, ServiceSettings, service_log_levels
from solver.config import Config

REPOSITORY = Path(__file__).parents[2]
_LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dagrute.db"
    database = Database(f"sqlite:///{path}")
    with database.write() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    database.dispose()
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    for sibling in path.parent.iterdir():  # -wal and -shm, where SQLite kept them
        assert _mode(sibling) & 0o077 == 0, sibling.name


def test_an_existing_database_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    Database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o640


def test_every_command_defaults_to_one_database_that_git_ignores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DAGRUTE_DATABASE_URL", raising=False)
    assert ServiceSettings().database_url == f"sqlite:///./{DEFAULT_DATABASE_FILE.as_posix()}"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(DEFAULT_DATABASE_FILE)], cwd=REPOSITORY, check=False
    )
    assert ignored.returncode == 0, "the default database would be committed"


def test_responses_under_v1_are_never_stored(service: Service) -> None:
    plan = service.post("/v1/plans", json=tiny_plan())
    assert plan.status_code == 202, plan.text
    job = service.get(f"/v1/jobs/{plan.json()['id']}")
    refused = service.client.get("/v1/jobs/unknown")
    for response in (plan, job, refused):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    page = service.client.get("/")
    assert page.headers["cache-control"] != "no-store"  # the page itself holds no data


def test_every_html_response_has_a_content_security_policy(service: Service) -> None:
    for path, policy in (("/docs", DOCS_POLICY), ("/redoc", DOCS_POLICY)):
        response = service.client.get(path)
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == policy
    assert "http" not in DOCS_POLICY  # no other host, in any directive
    page = service.client.get("/")
    assert page.headers["content-security-policy"] not in (DOCS_POLICY, INERT_HTML_POLICY)


def test_html_without_a_policy_of_its_own_gets_the_inert_one() -> None:
    """A manifest, a report or any later HTML route: inline CSS and images, nothing run."""
    app = FastAPI()

    @app.get("/v1/page", response_class=HTMLResponse)
    def page() -> str:
        return "<p>Stops</p>"

    @app.get("/v1/own", response_class=HTMLResponse)
    def own() -> HTMLResponse:
        return HTMLResponse("<p>x</p>", headers={"Content-Security-Policy": "default-src 'self'"})

    app.add_middleware(SecurityHeaders)
    client = TestClient(app)
    assert client.get("/v1/page").headers["content-security-policy"] == INERT_HTML_POLICY
    assert client.get("/v1/own").headers["content-security-policy"] == "default-src 'self'"


def test_api_documentation_loads_only_from_this_service(service: Service) -> None:
    for path in ("/docs", "/redoc"):
        html = service.client.get(path).text
        links = _LINK.findall(html)
        assert links, path
        assert all(link.startswith("/") for link in links), links
        assert "fonts.googleapis" not in html
        for link in links:
            asset = service.client.get(link)
            assert asset.status_code == 200, link
    swagger = service.client.get("/docs").text
    assert '"validatorUrl": null' in swagger  # Swagger UI's online validator is off


def test_the_service_logs_claims_completions_and_refused_keys_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """INFO for dagrute's own logs, uvicorn's access log left to the audit trail."""
    monkeypatch.delenv("DAGRUTE_LOG_LEVEL", raising=False)
    assert service_log_levels(Config()) == ("INFO", "warning")
    monkeypatch.setenv("DAGRUTE_LOG_LEVEL", "DEBUG")
    assert service_log_levels(Config()) == ("DEBUG", "debug")


def test_workers_and_their_solvers_yield_the_cpu_to_the_api() -> None:
    """A worker process adds DAGRUTE_WORKER_NICE (default 10) to its niceness."""
    script = (
        "import os; from app.jobs.worker import lower_priority; "
        "from app.settings import ServiceSettings; "
        "before = os.nice(0); print(lower_priority(ServiceSettings()) - before)"
    )
    for value, expected in ((None, 10), ("3", 3)):
        env = {k: v for k, v in os.environ.items() if k != "DAGRUTE_WORKER_NICE"}
        if value is not None:
            env["DAGRUTE_WORKER_NICE"] = value
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPOSITORY,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(done.stdout.strip()) == min(expected, 19 - os.nice(0)), done.stderr
