"""Helpers and fixtures for the HTTP service: a database per test (SQLite file, or PostgreSQL when
DAGRUTE_TEST_POSTGRES_URL is set), an app with keys for every role, tiny plans on the
bundled roads, and worker processes.

PostgreSQL tests skip only when DAGRUTE_TEST_POSTGRES_URL is unset outside CI; in CI (CI set)
they fail instead, so that a broken database set-up cannot pass unnoticed.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.api.keys import create_key
from app.db.migrate import upgrade
from app.db.session import Database, normalise_url
from app.jobs.worker import Worker
from app.main import create_app
from app.settings import ServiceSettings
from solver.config import get_config

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "oslo-east-week.json"
POSTGRES_ENV = "DAGRUTE_TEST_POSTGRES_URL"
TERMINAL = ("succeeded", "failed", "cancelled")


def tiny_plan(
    *,
    num_passengers: int = 4,
    days: tuple[str, ...] = ("mon",),
    time_limit_s: float = 2.0,
    name: str = "tiny week",
) -> dict[str, Any]:
    """Passengers of centre C01 of the sample week (real Oslo roads), one wheelchair user
    with an escort among them, two vehicles; attending ``days`` only."""
    sample = json.loads(SAMPLE.read_text())
    centre = copy.deepcopy(sample["centres"][0])
    passengers = [p for p in sample["passengers"] if p["centre_id"] == centre["id"]]
    chosen = copy.deepcopy(passengers[:num_passengers])
    for passenger in chosen:
        passenger["days"] = list(days)
    vehicles = copy.deepcopy(sample["vehicles"][:2])
    return {
        "name": name,
        "centres": [centre],
        "passengers": chosen,
        "vehicles": vehicles,
        "settings": {**sample["settings"], "time_limit_s": time_limit_s},
    }


# ------------------------------------------------------------------------------ databases


def _postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set in CI: .ci/run must start PostgreSQL.")
        return None
    return url


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = _postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (set by .ci/run)")
    return url


def _fresh_postgres_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """Create a database of its own on the server; return its URL and a dropper."""
    admin = normalise_url(server_url)
    name = f"dagrute_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()

    def drop() -> None:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    url = make_url(str(admin)).set(database=name)
    return url.render_as_string(hide_password=False), drop


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dagrute.db'}"
        migrate(url)
        yield url
        return
    server = request.getfixturevalue("postgres_server_url")
    url, drop = _fresh_postgres_database(server)
    migrate(url)
    yield url
    drop()


def migrate(url: str) -> None:
    database = Database(url)
    upgrade(database)
    database.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A Database on each backend, closed after the test."""
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'dagrute.db'}"
    migrate(url)
    return url


# ---------------------------------------------------------------------------------- apps


@pytest.fixture(scope="session", autouse=True)
def roads_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One road-graph cache for the service tests (built once, a few seconds)."""
    folder = Path(os.environ.get("DAGRUTE_TEST_CACHE_DIR", "")) or (
        tmp_path_factory.getbasetemp() / "app-roads-cache"
    )
    old = os.environ.get("DAGRUTE_CACHE_DIR")
    os.environ["DAGRUTE_CACHE_DIR"] = str(folder)
    get_config.cache_clear()
    yield folder
    if old is None:
        os.environ.pop("DAGRUTE_CACHE_DIR", None)
    else:
        os.environ["DAGRUTE_CACHE_DIR"] = old
    get_config.cache_clear()


def service_settings(database_url: str, **changes: Any) -> ServiceSettings:
    """Settings for tests: fast leases and polling."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "lease_s": 4.0,
        "heartbeat_s": 0.5,
        "poll_s": 0.2,
        "preload_roads": False,
    }
    values.update(changes)
    return ServiceSettings(**values)


class Service:
    """An app under TestClient, with one key per role."""

    def __init__(self, client: TestClient, keys: dict[str, str]) -> None:
        self.client = client
        self.keys = keys

    def headers(self, role: str = "planner", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}", **extra}

    def get(self, path: str, role: str = "planner", **kwargs: Any) -> Any:
        return self.client.get(
            path, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs
        )

    def post(self, path: str, role: str = "planner", **kwargs: Any) -> Any:
        return self.client.post(
            path, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs
        )

    def put(self, path: str, role: str = "planner", **kwargs: Any) -> Any:
        return self.client.put(
            path, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs
        )

    def delete(self, path: str, role: str = "planner", **kwargs: Any) -> Any:
        return self.client.delete(path, headers=self.headers(role), **kwargs)

    def wait_for(
        self, job_id: str, statuses: tuple[str, ...] = TERMINAL, timeout_s: float = 90.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            job: dict[str, Any] = self.get(f"/v1/jobs/{job_id}").json()
            if job["status"] in statuses or time.monotonic() > deadline:
                return job
            time.sleep(0.2)


def make_service(settings: ServiceSettings) -> Iterator[Service]:
    app = create_app(settings)
    with TestClient(app) as client:
        database = app.state.database
        keys = {
            role: create_key(database, role, role).token
            for role in ("planner", "dispatcher", "analyst", "admin")
        }
        yield Service(client, keys)
    app.state.database.dispose()


@pytest.fixture
def service(sqlite_url: str) -> Iterator[Service]:
    """The app on a fresh SQLite database, no worker."""
    yield from make_service(service_settings(sqlite_url))


@pytest.fixture
def service_any_db(database_url: str) -> Iterator[Service]:
    """The app on SQLite and on PostgreSQL, no worker."""
    yield from make_service(service_settings(database_url))


# ------------------------------------------------------------------------------- workers


class ThreadWorker:
    """A worker running in a thread of the test process (its solvers are processes)."""

    def __init__(self, settings: ServiceSettings, processes: int = 1) -> None:
        self.database = Database(settings.database_url)
        self.worker = Worker(
            settings, self.database, processes=processes, worker_id=f"test-{uuid.uuid4().hex[:6]}"
        )
        self.thread = threading.Thread(target=self.worker.run, daemon=True)

    def start(self) -> ThreadWorker:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(timeout=30)
        self.database.dispose()


@pytest.fixture
def start_thread_worker() -> Iterator[Callable[..., ThreadWorker]]:
    started: list[ThreadWorker] = []

    def start(settings: ServiceSettings, processes: int = 1) -> ThreadWorker:
        worker = ThreadWorker(settings, processes).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


class WorkerProcess:
    """``python -m app.jobs.worker`` as a real subprocess, its log in a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.jobs.worker"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for service subprocesses: this database, fast leases, the test cache."""
    env = os.environ.copy()
    env.update(
        {
            "DAGRUTE_DATABASE_URL": database_url,
            "DAGRUTE_LEASE_S": "3",
            "DAGRUTE_HEARTBEAT_S": "0.5",
            "DAGRUTE_POLL_S": "0.2",
            "DAGRUTE_WORKERS": "1",
            "DAGRUTE_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@pytest.fixture
def start_worker_process(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(database_url: str, **extra: str) -> WorkerProcess:
        worker = WorkerProcess(
            service_env(database_url, **extra), tmp_path / f"worker-{len(started)}.log"
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """``dagrute serve`` as a real subprocess on a free loopback port, its log in a file."""

    def __init__(self, database_url: str, log_path: Path, workers: int, **extra: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("ab")
        env = service_env(
            database_url, DAGRUTE_SERVICE_WORKERS=str(workers), DAGRUTE_PORT=str(self.port), **extra
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self.client = httpx2.Client(base_url=self.base, timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.client.get("/health").status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.output()[-2000:]}")
            time.sleep(0.2)
        raise AssertionError("serve did not answer within 60 s")

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wait_for_job(
    get: Callable[[str], Any],
    job_id: str,
    statuses: tuple[str, ...] = TERMINAL,
    timeout_s: float = 90.0,
) -> dict[str, Any]:
    """Poll ``get(path)`` (returning a response) until the job reaches one of ``statuses``."""
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = get(f"/v1/jobs/{job_id}").json()
        if job["status"] in statuses or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def is_gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie awaiting its reaper counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status
