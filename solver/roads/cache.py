"""The on-disk cache of built road graphs.

A graph is cached as an ``.npz`` of plain arrays (:mod:`solver.roads.graph`), never a pickle,
so loading is fast and safe. The key is the SHA-256 of a JSON document holding the OSM file's
SHA-256, the :class:`~solver.roads.profile.RoadProfile` (everything that changes the graph),
:data:`FORMAT_VERSION` and the osmnx version. :class:`~solver.domain.RoadSettings` is not
part of the key: speed factor and junction penalty are applied to the cached arrays after
loading, so a what-if on congestion reuses the cached graph.

A cache file that is damaged or written under another key is rebuilt; a cache folder that
cannot be written only costs the rebuild next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import structlog

from solver.roads.graph import GraphFormatError, RoadGraph, load_npz, save_npz
from solver.roads.profile import RoadProfile

FORMAT_VERSION = 1
"""Bump when the cached arrays or the way they are built change meaning."""

CACHE_DIR_ENV = "DAGRUTE_CACHE_DIR"
_FILE_PREFIX = "road-graph-"
_HASH_CHUNK_BYTES = 1 << 20

log = structlog.get_logger(__name__)


def default_cache_dir() -> Path:
    """Return ``$DAGRUTE_CACHE_DIR`` if set, else ``~/.cache/dagrute``."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "dagrute"


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _osmnx_version() -> str:
    try:
        return version("osmnx")
    except PackageNotFoundError:  # pragma: no cover - osmnx is a dependency
        return "unknown"


def cache_key(file_hash: str, profile: RoadProfile) -> str:
    """Return the cache key (64 hex digits) of the graph built from a file with this hash."""
    document = {
        "format_version": FORMAT_VERSION,
        "file_sha256": file_hash,
        "profile": profile.cache_fields(),
        "osmnx": _osmnx_version(),
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    """Return where the graph with cache key ``key`` lives in ``cache_dir``."""
    return cache_dir / f"{_FILE_PREFIX}{key}.npz"


def load_cached(cache_dir: Path, key: str) -> RoadGraph | None:
    """Return the cached graph under ``key``, or None when absent or damaged."""
    path = cache_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        return load_npz(path, cache_key=key)
    except (GraphFormatError, OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        log.warning("roads.cache_damaged", problem=type(error).__name__)
        return None


def store(cache_dir: Path, key: str, graph: RoadGraph) -> Path | None:
    """Write ``graph`` under ``key`` atomically; the path, or None if it could not be written."""
    path = cache_path(cache_dir, key)
    tmp_name: str | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=cache_dir, prefix=".tmp-", suffix=".npz", delete=False
        ) as tmp:
            tmp_name = tmp.name
        save_npz(graph, Path(tmp_name), cache_key=key)
        os.replace(tmp_name, path)
    except OSError as error:
        log.warning("roads.cache_not_written", problem=type(error).__name__)
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
        return None
    return path
