"""Prometheus metrics at /metrics: requests by route template, jobs by status.

Labels are route templates (``/v1/jobs/{job_id}``), never raw paths, so no id of any kind
reaches a metric; job figures are counts read from the database at scrape time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db.models import JobStatus, utcnow
from app.db.repositories import JobRepository
from app.db.session import Database


class _JobCollector(Collector):
    """Jobs per status and the age of the oldest queued job, read at scrape time."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "dagrute_jobs", "Jobs in the database by status.", labels=["status"]
        )
        oldest = GaugeMetricFamily(
            "dagrute_queue_oldest_seconds", "Age of the oldest queued job in seconds (0: none)."
        )
        try:
            with self.database.read() as session:
                repo = JobRepository(session)
                counts = repo.counts_by_status()
                first = repo.oldest_queued_created()
        except Exception:  # the database is down: /health says so; metrics stay up
            return
        for status in JobStatus:
            jobs.add_metric([status.value], counts.get(status.value, 0))
        oldest.add_metric([], max(0.0, (utcnow() - first).total_seconds()) if first else 0.0)
        yield jobs
        yield oldest


class Metrics:
    """The service's metrics, in a registry of their own (one per app)."""

    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "dagrute_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "dagrute_http_request_duration_seconds",
            "Time to answer, by method and route template.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.plans_submitted = Counter(
            "dagrute_plans_submitted",
            "Plans accepted and queued.",
            ["format"],
            registry=self.registry,
        )
        self.registry.register(_JobCollector(database))


class MetricsMiddleware:
    """ASGI middleware counting requests and their latency by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request and count it under its route template."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
