"""Health and metrics (public: neither holds personal data)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app.api.deps import get_database, get_metrics, get_roads
from app.db.session import Database
from app.metrics import Metrics
from app.roads import RoadsHolder
from app.schemas import Health
from app.security import PUBLIC, Permission, Policy, require


def _version() -> str:
    try:
        return version("dagrute")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def health_router(metrics_policy: Policy) -> APIRouter:
    """/health and /metrics; /metrics needs an admin key unless metrics are public."""
    router = APIRouter(tags=["operations"])

    @router.get(
        "/health",
        response_model=Health,
        summary="Liveness and readiness: the database answers",
        responses={503: {"description": "The database does not answer.", "model": Health}},
        dependencies=[Depends(PUBLIC)],
    )
    def health(
        database: Annotated[Database, Depends(get_database)],
        roads: Annotated[RoadsHolder, Depends(get_roads)],
    ) -> JSONResponse:
        """Report health."""
        try:
            with database.read() as session:
                session.execute(text("SELECT 1"))
            database_ok = True
        except Exception:
            database_ok = False
        body = Health(
            status="ok" if database_ok else "degraded",
            database="ok" if database_ok else "unavailable",
            roads_loaded=roads.is_loaded,
            version=_version(),
        )
        return JSONResponse(body.model_dump(), status_code=200 if database_ok else 503)

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text."}},
        dependencies=[Depends(metrics_policy)],
    )
    def metrics_endpoint(metrics: Annotated[Metrics, Depends(get_metrics)]) -> Response:
        """Expose metrics."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


def metrics_policy(public: bool) -> Policy:
    """The policy of /metrics."""
    return PUBLIC if public else require(Permission.KEYS_MANAGE)
