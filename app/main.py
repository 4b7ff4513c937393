"""The FastAPI application: ``create_app(settings)``.

Routers per resource under ``/v1``; errors as RFC 9457 problem details; API keys with roles;
Prometheus metrics; a body-size limit. Solving never happens in this process: submissions
become jobs in the database, which worker processes (``dagrute worker``) claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline

from app.api import audit, details, dispatch, health, jobs, keys, plans, scenarios, tools, vroom
from app.audit import PURGE_INTERVAL_S, AuditTrail, purge_expired
from app.db.migrate import upgrade
from app.db.session import Database
from app.errors import BodySizeLimit, InternalErrorGuard, install_error_handlers
from app.headers import SecurityHeaders
from app.jobs.reaper import reap
from app.metrics import Metrics, MetricsMiddleware
from app.roads import RoadsHolder
from app.schemas import PassengerDetailsInput, ResultFigures
from app.settings import ServiceSettings
from app.web.router import web_router
from solver.config import get_config
from solver.io import PlanSchema, ResultSchema
from solver.roads import DEFAULT_OSM_FILE

log = structlog.get_logger("app.main")

API_DESCRIPTION = """
Plans the daily transport of adults with intellectual disabilities between their homes and
municipal day centres. Submit a week plan (`POST /v1/plans`) and get a **job**; a worker
process solves it while the API answers. Poll `GET /v1/jobs/{id}` for status and progress,
then read the result: the week (`/result`), one day-direction for dispatchers
(`/days/{day}/{direction}`), maps (`/geojson`) and driver manifests
(`/manifests/{day}/{vehicle_id}`, JSON or printable HTML).

**Authentication**: an API key, `Authorization: Bearer dgr_...` (or `X-API-Key`). Roles:
`planner` (submit, cancel, read, tools), `dispatcher` (read jobs, routes, manifests),
`analyst` (read, tools, what-if batches: `POST /v1/scenarios`), `admin` (everything, and
keys).

**Errors** are RFC 9457 problem details (`application/problem+json`) with an `errors`
list: `code` (stable), `message`, `hint`, `path` (JSON path) and `id` (the offending object).
Validation reports every problem at once. 413 for large bodies, 422 for bad input and
limits, 429 with `Retry-After` when a key has too many unfinished jobs.

Road data © OpenStreetMap contributors, ODbL 1.0.
"""

REAP_INTERVAL_S = 5.0


def _solver_components() -> dict[str, Any]:
    """The plan and result file schemas (with their parts) as OpenAPI components."""
    components: dict[str, Any] = {}
    for model in (PlanSchema, ResultSchema, ResultFigures, PassengerDetailsInput):
        schema = model.model_json_schema(
            ref_template="#/components/schemas/{model}", mode="validation"
        )
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    components["VroomProblem"] = vroom.VROOM_SCHEMA
    return components


def create_app(
    settings: ServiceSettings | None = None, database: Database | None = None
) -> FastAPI:
    """The HTTP service. Migrations run and the road network loads when it starts."""
    settings = settings or ServiceSettings()
    database = database or Database(settings.database_url)
    roads = RoadsHolder(settings.osm_file or DEFAULT_OSM_FILE, get_config().cache_dir)
    metrics = Metrics(database)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(upgrade, database)
        if settings.preload_roads:
            threading.Thread(target=roads.preload, name="roads-preload", daemon=True).start()
        reaper = asyncio.create_task(_reap_forever(database, settings.audit_retention_days))
        try:
            yield
        finally:
            reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reaper

    # Swagger UI and ReDoc from the copies fastapi-offline ships (/static-offline-docs), not
    # from public CDNs; Swagger UI's online validator off (it would send the schema out).
    app = FastAPIOffline(
        swagger_ui_parameters={"validatorUrl": None},
        title="dagrute",
        version="1",
        summary="Day-centre transport planning: durable solve jobs over HTTP.",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        license_info={"name": "Apache-2.0"},
    )
    app.state.settings = settings
    app.state.database = database
    app.state.roads = roads
    app.state.metrics = metrics
    install_error_handlers(app)
    app.include_router(plans.router)
    app.include_router(details.router)
    app.include_router(vroom.router)
    # Before jobs: its /days/{day}/{direction} would take /days/{day}/versions.
    app.include_router(dispatch.router)
    app.include_router(jobs.router)
    app.include_router(tools.router)
    app.include_router(scenarios.router)
    app.include_router(keys.router)
    app.include_router(audit.router)
    app.include_router(health.health_router(health.metrics_policy(settings.metrics_public)))
    app.include_router(web_router(settings))  # the dispatcher page at /
    # Outermost last: the guard sees everything, metrics see final statuses.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(AuditTrail, database=database)  # sees the route, caller and status
    app.add_middleware(InternalErrorGuard)
    app.add_middleware(SecurityHeaders)  # outermost: the guard's 500s get the headers too

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            license_info=app.license_info,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, part in _solver_components().items():
            components.setdefault(name, part)
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


async def _reap_forever(database: Database, audit_retention_days: int) -> None:
    """Settle jobs whose worker died, every few seconds, even with no worker running.

    Expired audit events are deleted once an hour.
    """
    next_purge = 0.0
    while True:
        await asyncio.sleep(REAP_INTERVAL_S)
        try:
            await run_in_threadpool(reap, database)
            if time.monotonic() >= next_purge:
                purged = await run_in_threadpool(purge_expired, database, audit_retention_days)
                next_purge = time.monotonic() + PURGE_INTERVAL_S
                if purged:
                    log.info("audit events purged", count=purged)
        except Exception as error:  # the database may be briefly unavailable
            log.warning("reaper failed", error_type=type(error).__name__)
