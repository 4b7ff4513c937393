"""Worker processes started by ``dagrute serve``: started, watched, restarted, stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import structlog

log = structlog.get_logger("app.jobs.supervisor")

PARENT_PID_ENV = "DAGRUTE_PARENT_PID"
"""Set for each worker: the process id of the ``dagrute serve`` that started it."""

RESTART_DELAY_S = 2.0
STOP_TIMEOUT_S = 15.0


class WorkerSupervisor:
    """Keeps ``count`` worker processes (``python -m app.jobs.worker``) running."""

    def __init__(self, count: int, env: dict[str, str] | None = None) -> None:
        self.count = count
        self.env = env
        self._processes: list[subprocess.Popen[bytes]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers running now."""
        with self._lock:
            return [p.pid for p in self._processes if p.poll() is None]

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(self.env if self.env is not None else os.environ)
        # The worker stops (handing its job back) when this process is gone, even by SIGKILL.
        env[PARENT_PID_ENV] = str(os.getpid())
        process = subprocess.Popen([sys.executable, "-m", "app.jobs.worker"], env=env)
        log.info("worker process started", pid=process.pid)
        return process

    def start(self) -> None:
        """Start the workers and a thread that restarts any that dies."""
        with self._lock:
            self._processes = [self._spawn() for _ in range(self.count)]
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stopping.wait(RESTART_DELAY_S):
            with self._lock:
                for i, process in enumerate(self._processes):
                    code = process.poll()
                    if code is not None and not self._stopping.is_set():
                        log.warning(
                            "worker process ended; restarting", pid=process.pid, exit_code=code
                        )
                        self._processes[i] = self._spawn()

    def stop(self) -> None:
        """SIGTERM every worker (each hands its job back), then SIGKILL stragglers."""
        self._stopping.set()
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.info("worker processes stopped")
