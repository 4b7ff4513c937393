"""The HTTP service's configuration: one typed object read from ``DAGRUTE_*`` variables.

The solver's own machine settings (``DAGRUTE_CACHE_DIR``, ``DAGRUTE_WORKERS``,
``DAGRUTE_LOG_LEVEL``, ``DAGRUTE_LOG_JSON``) stay in :class:`solver.config.Config`; this object
adds what belongs to the service. Every field is documented with its unit and default (the
README's "HTTP service" table lists them).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from solver.config import Config

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")
"""A tile server's host (after any leading ``{s}.``), with an optional port."""

DEFAULT_DATABASE_FILE = Path("out") / "dagrute.db"
"""The job database of every command (``serve``, ``serve --demo``, ``worker``, ``db``,
``keys``) unless ``DAGRUTE_DATABASE_URL`` says otherwise: relative to the current folder,
in ``out/`` (ignored by git), created with mode 0600."""

DEFAULT_DATABASE_URL = f"sqlite:///./{DEFAULT_DATABASE_FILE.as_posix()}"

SERVICE_LOG_LEVEL = "INFO"
"""The log level of ``serve`` and ``worker`` when ``DAGRUTE_LOG_LEVEL`` is not set: job
claims, completions, failures and refused keys reach the operator's log by default (the
command line's default stays ``WARNING``). uvicorn's access log stays off unless the
variable asks for it: the audit trail records who did what."""


def service_log_levels(config: Config) -> tuple[str, str]:
    """(dagrute's level, uvicorn's level) for the service's processes."""
    if "log_level" in config.model_fields_set:
        return config.log_level, config.log_level.lower()
    return SERVICE_LOG_LEVEL, "warning"


class ServiceSettings(BaseSettings):
    """Settings of ``dagrute serve`` and ``dagrute worker`` (environment prefix ``DAGRUTE_``)."""

    model_config = SettingsConfigDict(env_prefix="DAGRUTE_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the job database: a SQLite file (default: "
        "out/dagrute.db under the current folder, created with mode 0600) or PostgreSQL as "
        "postgresql+psycopg://user:password@host/db.",
    )
    audit_retention_days: int = Field(
        default=400,
        ge=1,
        le=36500,
        description="Days the audit trail keeps an event (reads of personal data, changes, "
        "refused keys) before the API deletes it.",
    )
    host: str = Field(default="127.0.0.1", description="Address `dagrute serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of `dagrute serve`.")
    service_workers: int = Field(
        default=1,
        ge=0,
        description="Worker processes `dagrute serve` starts (and restarts if they die); each "
        "solves one job at a time. 0: start none (run `dagrute worker` yourself).",
    )
    worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Niceness (Unix scheduling priority, added) of worker processes and their "
        "solvers: on a machine they share with the API, the API's answers come first and the "
        "solvers take every cycle it leaves. 0: the same priority as the API.",
    )
    osm_file: Path | None = Field(
        default=None,
        description="The road extract every job is solved on; default: the bundled "
        "data/osm/oslo-east.osm.pbf. A plan's own osm_file is ignored by the service.",
    )
    lease_s: float = Field(
        default=20.0,
        gt=0,
        description="Seconds a worker's claim on a job lasts without a heartbeat; a job whose "
        "worker died is claimable again (or failed) this long after the last heartbeat.",
    )
    heartbeat_s: float = Field(
        default=2.0, gt=0, description="Seconds between a worker's lease renewals."
    )
    poll_s: float = Field(
        default=1.0, gt=0, description="Seconds an idle worker waits before looking for jobs."
    )
    max_attempts: int = Field(
        default=3,
        ge=1,
        description="Claims a job gets before it is failed (a claim ends early when its "
        "worker dies).",
    )
    job_grace_s: float = Field(
        default=120.0,
        ge=0,
        description="Seconds beyond a job's time limit after which a running solve is "
        "abandoned and the job failed.",
    )
    max_body_bytes: int = Field(
        default=5_000_000, ge=1024, description="Largest request body in bytes (413 beyond)."
    )
    max_passengers: int = Field(
        default=2000, ge=1, description="Most passengers in one plan (422 beyond)."
    )
    max_vehicles: int = Field(default=500, ge=1, description="Most vehicles in one plan (422).")
    max_time_limit_s: float = Field(
        default=900.0,
        gt=0,
        description="Largest settings.time_limit_s a plan may ask for, seconds (422 beyond).",
    )
    max_matrix_points: int = Field(
        default=200, ge=2, description="Most points in one POST /v1/matrix request (422)."
    )
    max_active_jobs_per_key: int = Field(
        default=5,
        ge=1,
        description="Queued plus running jobs one API key may have (429 with Retry-After beyond).",
    )
    retry_after_s: int = Field(
        default=30, ge=1, description="Seconds suggested in Retry-After when a key is at its cap."
    )
    preload_roads: bool = Field(
        default=True,
        description="Load the road network when the API starts (for /v1/matrix, /v1/check and "
        "the off-road check at submission) instead of at the first request.",
    )
    metrics_public: bool = Field(
        default=True,
        description="Serve /metrics without an API key (it holds no personal data).",
    )
    tile_url: str = Field(
        default="",
        description="Map tiles of the dispatcher page (/), a Leaflet URL template such as "
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png ({s} allowed first in the host). "
        "Empty (default): no tiles; the page draws the service's own road network "
        "(GET /v1/roads) and makes no request beyond this service.",
    )

    @field_validator("tile_url")
    @classmethod
    def _check_tile_url(cls, value: str) -> str:
        value = value.strip()
        if value:
            tile_source(value)  # raises ValueError naming what is wrong
        return value


def tile_source(tile_url: str) -> str:
    """The Content-Security-Policy source (``scheme://host[:port]``) of a tile URL template.

    ``{s}`` (Leaflet's subdomains) may only start the host and becomes ``*``. ValueError when
    the template is not an http(s) URL with ``{z}``, ``{x}`` and ``{y}``, or its host holds
    anything but letters, digits, dots, hyphens and a port.
    """
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("DAGRUTE_TILE_URL must start with https:// (or http://) and a host.")
    if not all(f"{{{name}}}" in tile_url for name in "zxy"):
        raise ValueError("DAGRUTE_TILE_URL must hold {z}, {x} and {y}.")
    if any(c in tile_url for c in " \t\r\n\"';,<>`\\"):
        raise ValueError(
            "DAGRUTE_TILE_URL holds a space, quote, comma, semicolon, backslash or angle bracket."
        )
    host = parts.netloc.removeprefix("{s}.")
    if "@" in host or not _HOST.match(host):
        raise ValueError(
            "The host of DAGRUTE_TILE_URL may hold letters, digits, dots, hyphens, a port, "
            "and {s}. only at its start."
        )
    wildcard = "*." if parts.netloc.startswith("{s}.") else ""
    return f"{parts.scheme}://{wildcard}{host.lower()}"
