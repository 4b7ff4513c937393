"""Process-wide configuration: one typed object read from ``DAGRUTE_*`` environment variables.

Per-plan solver choices (time limit, seed, ride-time rule...) live in the plan's ``settings``;
this object holds what belongs to the machine running dagrute.
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from pathlib import Path
from typing import TextIO, cast

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Config(BaseSettings):
    """dagrute's machine-level settings (environment prefix ``DAGRUTE_``)."""

    model_config = SettingsConfigDict(env_prefix="DAGRUTE_", extra="ignore")

    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "dagrute",
        description="Folder for built road graphs (keyed by OSM file hash and road settings).",
    )
    workers: int = Field(
        default=0,
        ge=0,
        description="Processes solving day-directions in parallel; 0 = one per core (max 4).",
    )
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler (e.g. tcp://scheduler:8786) that solves scenario batches; "
        "unset: local worker processes.",
    )
    log_level: str = Field(default="WARNING", description="Log level: DEBUG, INFO, WARNING.")
    log_json: bool = Field(default=False, description="Write logs as JSON lines (for servers).")


@lru_cache(maxsize=1)
def get_config() -> Config:
    """The configuration, read once from the environment."""
    return Config()


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now (tests and tools replace it and close theirs)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "WARNING", as_json: bool = False) -> None:
    """Structured logs to stderr. Logs carry timings and counts, never ids or coordinates."""
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.WARNING)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=cast(TextIO, _CurrentStderr())),
        cache_logger_on_first_use=False,
    )
