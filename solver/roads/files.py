"""Where OSM files are, and whether one can be read at all."""

from __future__ import annotations

from pathlib import Path

from solver.roads.errors import RoadsError

BUNDLED_OSM_NAME = "oslo-east.osm.pbf"
_OSM_DIR = Path("data") / "osm"


def find_default_osm_file() -> Path:
    """Return the path of the bundled extract ``data/osm/oslo-east.osm.pbf``.

    Looked for in each folder above this module (the repository root in a checkout), then in
    the current directory. The path is returned even if the file is missing there (loading it
    then raises ``ROADS_FILE_NOT_FOUND``).
    """
    for folder in Path(__file__).resolve().parents:
        candidate = folder / _OSM_DIR / BUNDLED_OSM_NAME
        if candidate.is_file():
            return candidate
    return Path.cwd() / _OSM_DIR / BUNDLED_OSM_NAME


def check_osm_file(osm_file: Path) -> None:
    """Raise :class:`RoadsError` unless ``osm_file`` is an existing, non-empty file."""
    if not osm_file.exists():
        raise RoadsError(
            "ROADS_FILE_NOT_FOUND",
            f"The OSM file {str(osm_file)!r} does not exist.",
            "Check the path, or use the bundled extract data/osm/oslo-east.osm.pbf.",
        )
    if not osm_file.is_file():
        raise RoadsError(
            "ROADS_FILE_UNREADABLE",
            f"The OSM path {str(osm_file)!r} is not a file.",
            "Give the path of an .osm.pbf or .osm file, not a folder.",
        )
    try:
        size = osm_file.stat().st_size
        with osm_file.open("rb"):
            pass
    except OSError as error:
        raise RoadsError(
            "ROADS_FILE_UNREADABLE",
            f"The OSM file {str(osm_file)!r} cannot be opened ({error.strerror}).",
            "Check the file's permissions.",
        ) from error
    if size == 0:
        raise RoadsError(
            "ROADS_FILE_UNREADABLE",
            f"The OSM file {str(osm_file)!r} is empty.",
            "Download or clip the extract again (e.g. with `osmium extract -b`).",
        )
