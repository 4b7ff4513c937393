"""The on-disk cache of built road graphs.

A graph is cached as an ``.npz`` of plain arrays (:mod:`solver.roads.graph`), never a pickle,
so loading is fast and safe. The key is the SHA-256 of a JSON document holding the OSM file's
SHA-256, the :class:`~solver.roads.profile.RoadProfile` (everything that changes the graph),
:data:`FORMAT_VERSION` and the osmnx version. :class:`~solver.domain.RoadSettings` is not
part of the key: speed factor and junction penalty are applied to the cached arrays after
loading, so a what-if on congestion reuses the cached graph.

Contraction hierarchies (:mod:`solver.roads.ch`) are cached beside the graphs, keyed by the
SHA-256 of the routing graph they contract (which does depend on the settings: one file per
combination of graph, speed factor and penalties in use).

A cache file that is damaged or written under another key is rebuilt; a cache folder that
cannot be written only costs the rebuild next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import structlog

from solver.roads.ch import ContractionHierarchy
from solver.roads.graph import GraphFormatError, RoadGraph, load_npz, save_npz
from solver.roads.profile import RoadProfile

FORMAT_VERSION = 2
"""Bump when the cached arrays or the way they are built change meaning."""

CACHE_DIR_ENV = "DAGRUTE_CACHE_DIR"
_FILE_PREFIX = "road-graph-"
_HIERARCHY_PREFIX = "road-ch-"
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
    return _store_atomically(
        cache_path(cache_dir, key), lambda tmp: save_npz(graph, tmp, cache_key=key)
    )


def _store_atomically(path: Path, write: Callable[[Path], None]) -> Path | None:
    """Run ``write`` on a temporary file beside ``path``, then move it there; None on error."""
    tmp_name: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=".tmp-", suffix=".npz", delete=False
        ) as tmp:
            tmp_name = tmp.name
        write(Path(tmp_name))
        os.replace(tmp_name, path)
    except OSError as error:
        log.warning("roads.cache_not_written", problem=type(error).__name__)
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
        return None
    return path


def hierarchy_key(routing_digest: str, format_version: int) -> str:
    """Return the cache key of the contraction hierarchy of a routing graph (64 hex digits)."""
    document = {"routing_graph": routing_digest, "ch_format_version": format_version}
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def hierarchy_path(cache_dir: Path, key: str) -> Path:
    """Return where the hierarchy with cache key ``key`` lives in ``cache_dir``."""
    return cache_dir / f"{_HIERARCHY_PREFIX}{key}.npz"


def load_hierarchy(cache_dir: Path, key: str, num_vertices: int) -> ContractionHierarchy | None:
    """Return the cached hierarchy under ``key``, or None when absent, damaged or mis-sized.

    ``num_vertices`` is the size the hierarchy must have.
    """
    path = hierarchy_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with path.open("rb") as file, np.load(file, allow_pickle=False) as data:
            if "cache_key" not in data.files or str(data["cache_key"]) != key:
                raise ValueError("cache key mismatch")
            hierarchy = ContractionHierarchy.from_arrays({name: data[name] for name in data.files})
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        log.warning("roads.cache_damaged", problem=type(error).__name__)
        return None
    if hierarchy.num_vertices != num_vertices:
        log.warning("roads.cache_damaged", problem="size mismatch")
        return None
    return hierarchy


def store_hierarchy(cache_dir: Path, key: str, hierarchy: ContractionHierarchy) -> Path | None:
    """Write ``hierarchy`` under ``key`` atomically; the path, or None if it failed."""

    def write(tmp: Path) -> None:
        with tmp.open("wb") as file:
            np.savez(file, allow_pickle=False, cache_key=np.array(key), **hierarchy.arrays())

    return _store_atomically(hierarchy_path(cache_dir, key), write)
