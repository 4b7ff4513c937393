"""The dispatcher page at ``/``, its static files, and the two API routes only it needs.

``GET /`` and ``GET /static/...`` are public: they hold no data. Everything the page shows
comes from the API with the dispatcher's key (``GET /v1/jobs/...``, the day-direction, the
manifests, and here ``GET /v1/roads`` and the day-direction's ``/timeline``). The page runs
under a Content-Security-Policy that allows only this service (plus the tile host when
``DAGRUTE_TILE_URL`` is set), so it cannot load or send anything elsewhere.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from app import convert
from app.api.deps import get_database, get_roads, not_found, problem_responses
from app.api.jobs import JobId
from app.db.repositories import JobRepository
from app.db.session import Database
from app.errors import ApiProblem, error_item
from app.roads import RoadsHolder
from app.schemas import DirectionName
from app.security import PUBLIC, Caller, Permission, require
from app.settings import ServiceSettings, tile_source
from app.web.roads_layer import roads_geojson
from app.web.timeline import DayTimeline, Point, day_timeline, stop_points
from solver import Day, LatLon
from solver.roads import RoadNetwork

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
PAGE_FILE = WEB_DIR / "page.html"
TILE_URL_MARK = "%DAGRUTE_TILE_URL%"
"""Where page.html takes the (escaped) tile URL setting."""
GZIP_MIN_BYTES = 1024
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def content_security_policy(tile_url: str) -> str:
    """The page's Content-Security-Policy for the tile URL setting (empty: none).

    Scripts, styles, data and images from this service only, plus the tile host's images when
    a tile URL is set; no frames, plugins, foreign forms or base URLs.
    """
    images = "'self' data:" + (f" {tile_source(tile_url)}" if tile_url else "")
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file under static/, read once: its bytes (and gzipped copy), type and ETag."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


def _gzipped(body: bytes) -> bytes | None:
    return gzip.compress(body, mtime=0) if len(body) >= GZIP_MIN_BYTES else None


def load_static(folder: Path = STATIC_DIR) -> dict[str, StaticFile]:
    """Every file below ``folder`` by its relative POSIX path (only these are ever served)."""
    files: dict[str, StaticFile] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        body = path.read_bytes()
        media_type = MEDIA_TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        files[path.relative_to(folder).as_posix()] = StaticFile(
            body, _gzipped(body), media_type, etag
        )
    return files


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "").lower()


def _not_modified(request: Request, etag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    return etag in [tag.strip() for tag in wanted.split(",")] or wanted.strip() == "*"


def cached_response(
    request: Request,
    body: bytes,
    gzipped: bytes | None,
    media_type: str,
    etag: str,
    cache_control: str,
) -> Response:
    """``body`` (gzipped when the client takes it), or 304 when the client has this ETag."""
    headers = {**COMMON_HEADERS, "ETag": etag, "Cache-Control": cache_control}
    headers["Vary"] = "Accept-Encoding"
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if gzipped is not None and _accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        return Response(gzipped, media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


class RoadsLayer:
    """The road network's GeoJSON layer, built once per network (a fraction of a second)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._file_hash: str | None = None
        self._file: StaticFile | None = None

    def get(self, network: RoadNetwork) -> StaticFile:
        """The layer of ``network`` as JSON bytes, gzipped copy and ETag."""
        with self._lock:
            if self._file is None or self._file_hash != network.file_hash:
                body = json.dumps(roads_geojson(network.graph), separators=(",", ":")).encode()
                etag = f'"roads-{network.file_hash[:16]}-{hashlib.sha256(body).hexdigest()[:8]}"'
                self._file = StaticFile(body, _gzipped(body), "application/geo+json", etag)
                self._file_hash = network.file_hash
            return self._file


StaticPath = Annotated[
    str, PathParam(min_length=1, max_length=200, description="A file of the page.")
]


def web_router(settings: ServiceSettings) -> APIRouter:
    """The page, its files, ``GET /v1/roads`` and the day-direction timeline."""
    router = APIRouter()
    page = PAGE_FILE.read_text(encoding="utf-8").replace(
        TILE_URL_MARK, escape(settings.tile_url, quote=True)
    )
    page_headers = {
        **COMMON_HEADERS,
        "Content-Security-Policy": content_security_policy(settings.tile_url),
        "Cache-Control": "no-cache",
        "X-Frame-Options": "DENY",
    }
    static_files = load_static()
    roads_layer = RoadsLayer()

    @router.get(
        "/",
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[Depends(PUBLIC)],
    )
    def dispatcher_page() -> HTMLResponse:
        """The dispatcher page (no data in it: it asks for a key and reads the API)."""
        return HTMLResponse(page, headers=page_headers)

    @router.get(
        "/static/{path:path}",
        include_in_schema=False,
        dependencies=[Depends(PUBLIC)],
    )
    def static_file(request: Request, path: StaticPath) -> Response:
        """A file of the page: only the files shipped in app/web/static are served."""
        found = static_files.get(path)
        if found is None:
            raise not_found("file", path[:200])
        return cached_response(
            request, found.body, found.gzipped, found.media_type, found.etag, "no-cache"
        )

    @router.get(
        "/v1/roads",
        tags=["dispatch"],
        summary="The road network as simplified GeoJSON (the map's offline base layer)",
        description="Every street of the service's road extract once, simplified to within "
        "a few metres, as one MultiLineString per class (`major`, `main`, `minor` by "
        "free-flow speed), with `bbox` and the data's `attribution` (© OpenStreetMap "
        "contributors, ODbL 1.0). Gzipped when the client accepts it; ETag for revalidation.",
        responses={
            **problem_responses(503),
            200: {"description": "A FeatureCollection.", "content": {"application/geo+json": {}}},
            304: {"description": "Not modified (If-None-Match)."},
        },
    )
    def get_roads_layer(
        request: Request,
        _caller: Annotated[Caller, Depends(require(Permission.ROUTES_READ))],
        roads: Annotated[RoadsHolder, Depends(get_roads)],
    ) -> Response:
        """Read the road network's map layer."""
        layer = roads_layer.get(roads.get())
        return cached_response(
            request, layer.body, layer.gzipped, layer.media_type, layer.etag, "private, no-cache"
        )

    @router.get(
        "/v1/jobs/{job_id}/days/{day}/{direction}/timeline",
        response_model=DayTimeline,
        tags=["dispatch"],
        summary="When each vehicle of a day-direction drives, waits and serves its stops",
        description="Per route, in order: `drive` (to the stop, for the road network's "
        "travel time under the plan's road settings), `wait` (there early, before service "
        "starts) and `stop` (boarding and alighting), in seconds after midnight; `stop` is "
        "the stop's position in the route, as in the manifest.",
        responses=problem_responses(404, 409, 503),
    )
    def get_timeline(
        job_id: JobId,
        day: Day,
        direction: DirectionName,
        caller: Annotated[Caller, Depends(require(Permission.ROUTES_READ))],
        database: Annotated[Database, Depends(get_database)],
        roads: Annotated[RoadsHolder, Depends(get_roads)],
    ) -> DayTimeline:
        """Read a day-direction's timeline."""
        with database.read() as session:
            repo = JobRepository(session)
            job = repo.get(job_id, caller.organisation)
            if job is None:
                raise not_found("job", job_id)
            row = repo.day_result(job_id, day, direction)
            status, days, directions = job.status, job.days.split(","), job.directions.split(",")
            plan_json = repo.plan_of(job).plan_json if row is not None else ""
            day_json = json.loads(row.result_json) if row is not None else None
        if day_json is None:
            if day not in days or direction not in directions:
                raise not_found(f"day-direction in job {job_id}:", f"{day} {direction}")
            message = f"{day} {direction} of job {job_id} is not solved (job {status})."
            raise ApiProblem(
                409,
                "conflict",
                message,
                [error_item("JOB_DAY_NOT_SOLVED", message, "Poll the job.")],
            )
        road_settings = convert.plan_from_stored(plan_json).settings.roads
        points = stop_points(day_json)
        if not points:
            return day_timeline(job_id, day_json, lambda a, b: 0)
        matrices = roads.get(road_settings).matrices([LatLon(lat, lon) for lat, lon in points])

        def travel_s(a: Point, b: Point) -> int:
            return matrices.duration_s(LatLon(*a), LatLon(*b))

        return day_timeline(job_id, day_json, travel_s)

    return router
