"""``dagrute serve --demo`` (what ``make run`` starts) as a real process in an empty folder:
it makes its SQLite database and keys under out/, solves the sample week as a job, prints
where to look, and a restart reuses the keys and the job."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from servicekit import SAMPLE, TERMINAL, free_port
from sqlalchemy import func, select

from app.db.models import Plan
from app.db.session import Database

DETAILS = SAMPLE.with_name("oslo-east-details.csv")
CURL_LINE = re.compile(
    r'curl -H "Authorization: Bearer (dgr_[0-9a-f]{16}_[A-Za-z0-9_-]+)" '
    r"(http://127\.0\.0\.1:\d+)/v1/jobs/([0-9a-f-]+)/days/mon/to_centre"
)
STARTUP_TIMEOUT_S = 180.0
SOLVE_TIMEOUT_S = 400.0


def _dagrute() -> list[str]:
    """The installed ``dagrute`` command (``python -m app.cli`` where it is missing)."""
    script = Path(sys.executable).with_name("dagrute")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "app.cli"]


class DemoProcess:
    """``dagrute serve --demo`` in ``folder`` on a free loopback port, its output in a file."""

    def __init__(self, folder: Path, log_path: Path) -> None:
        env = os.environ.copy()
        for name in ("DAGRUTE_DATABASE_URL", "DAGRUTE_HOST", "DAGRUTE_PORT"):
            env.pop(name, None)
        env.update(
            {
                "DAGRUTE_SERVICE_WORKERS": "1",
                "DAGRUTE_WORKERS": "1",
                "DAGRUTE_POLL_S": "0.2",
                "DAGRUTE_HEARTBEAT_S": "0.5",
                "DAGRUTE_LEASE_S": "5",
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.port = free_port()
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [*_dagrute(), "serve", "--demo", "--port", str(self.port)],
            cwd=folder,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for_curl_line(self) -> re.Match[str]:
        """The printed curl command (key, base URL, job id), once it is printed."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            match = CURL_LINE.search(self.output())
            if match:
                return match
            if self.process.poll() is not None:
                raise AssertionError(f"serve --demo exited: {self.output()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"no curl command printed: {self.output()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _wait_until_finished(client: httpx2.Client, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + SOLVE_TIMEOUT_S
    while True:
        job: dict[str, object] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in TERMINAL or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


@pytest.mark.slow
def test_serve_demo_solves_the_sample_week_and_a_restart_reuses_keys_and_job(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "fresh-folder"
    folder.mkdir()
    demo = DemoProcess(folder, tmp_path / "demo-1.log")
    try:
        token, base, job_id = demo.wait_for_curl_line().groups()
        assert base == f"http://127.0.0.1:{demo.port}"
        output = demo.output()
        assert f"{base}/docs" in output and f"{base}/v1/jobs/{job_id}/geojson" in output
        assert f"{base}/v1/jobs/{job_id}/manifests/mon/" in output

        keys_file = folder / "out" / "demo-keys.json"
        assert keys_file.stat().st_mode & 0o777 == 0o600
        tokens = json.loads(keys_file.read_text())
        assert sorted(tokens) == ["admin", "analyst", "dispatcher", "planner"]
        assert tokens["dispatcher"] == token
        assert (folder / "out" / "dagrute.db").is_file()

        with httpx2.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as dispatcher:
            job = _wait_until_finished(dispatcher, job_id)
            assert job["status"] == "succeeded", job
            assert job["num_violations"] == 0

            day = dispatcher.get(f"/v1/jobs/{job_id}/days/mon/to_centre")
            assert day.status_code == 200, day.text
            monday = day.json()
            assert (monday["day"], monday["direction"]) == ("mon", "to_centre")
            assert monday["routes"], monday
            vehicle_id = monday["routes"][0]["vehicle_id"]

            manifest = dispatcher.get(f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}")
            assert manifest.status_code == 200, manifest.text
            assert manifest.json()["vehicle_id"] == vehicle_id
            # The demo sent the sample's details: the dispatcher's manifest names everyone.
            riders = [
                p for r in manifest.json()["routes"] for s in r["stops"] for p in s["boarding"]
            ]
            assert riders and all(p["name"] for p in riders)
            assert any(s["address"] for r in manifest.json()["routes"] for s in r["stops"])
            printable = dispatcher.get(
                f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}", params={"format": "html"}
            )
            assert printable.status_code == 200
            assert printable.headers["content-type"].startswith("text/html")

            # The printed key is a dispatcher's: it reads routes but cannot submit plans.
            refused = dispatcher.post("/v1/plans", content=SAMPLE.read_bytes())
            assert refused.status_code == 403
    finally:
        demo.stop()

    sample = json.loads(SAMPLE.read_text())
    passenger_ids = {p["id"] for p in sample["passengers"]}
    leaked = {pid for pid in passenger_ids if re.search(rf"\b{pid}\b", demo.output())}
    assert not leaked, "passenger ids in the demo's output"
    names = {row.split(";")[1] for row in DETAILS.read_text().splitlines()[1:]}
    assert not [name for name in names if name in demo.output()], "names in the demo's output"

    again = DemoProcess(folder, tmp_path / "demo-2.log")
    try:
        token_2, base_2, job_id_2 = again.wait_for_curl_line().groups()
        assert (token_2, job_id_2) == (token, job_id)
        assert json.loads(keys_file.read_text()) == tokens
        assert keys_file.stat().st_mode & 0o777 == 0o600
        with httpx2.Client(
            base_url=base_2, headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=60
        ) as admin:
            keys = admin.get("/v1/keys").json()
        active = sorted(k["role"] for k in keys if k["revoked_at"] is None)
        assert active == ["admin", "analyst", "dispatcher", "planner"]
    finally:
        again.stop()

    database = Database(f"sqlite:///{folder / 'out' / 'dagrute.db'}")
    try:
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(Plan)) == 1
    finally:
        database.dispose()
