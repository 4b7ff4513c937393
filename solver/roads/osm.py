"""Read an OSM extract and build an osmnx road graph from its drivable ways.

osmnx's ``graph_from_xml`` reads only OSM XML, applies no network-type filter and fails on
ways whose nodes are missing from the file (every clipped extract has them). So the file is
read with pyosmium (``.osm.pbf``, ``.osm``, ``.osm.xml``, and their compressed forms),
filtered with a :class:`~solver.roads.profile.RoadProfile`, clipped ways are trimmed to the
runs of nodes present in the file, and a clean OSM XML file with only the drivable ways is
handed to osmnx. osmnx then builds, simplifies, adds speeds and travel times, and the largest
strongly connected component is kept.

Importing this module imports osmnx (about a second); :mod:`solver.roads` imports it only
when a graph must be built, never on a cache hit.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import networkx as nx
import osmium
import osmnx as ox

from solver.roads.errors import RoadsError
from solver.roads.files import check_osm_file
from solver.roads.profile import (
    ONEWAY_BOTH,
    ONEWAY_REVERSED,
    RoadProfile,
    oneway_direction,
)

_MIN_PIECE_NODES = 2


@dataclass(frozen=True)
class WayPiece:
    """A run of consecutive nodes of one drivable OSM way, all present in the file.

    ``way_id`` is the OSM way id (several pieces share it when a clipped way re-enters the
    extract). ``tags`` are the tags osmnx needs, normalised: ``highway``, ``oneway`` (``yes``,
    ``-1`` or ``no``, after this package's oneway rules), and ``maxspeed`` and ``name`` when
    tagged.
    """

    way_id: int
    node_ids: tuple[int, ...]
    tags: Mapping[str, str]


@dataclass(frozen=True)
class DriveWays:
    """The drivable part of an OSM file.

    ``node_coords`` maps each OSM node id used by a piece to ``(lat, lon)`` in degrees.
    ``num_ways`` counts the drivable ways read; ``num_clipped_ways`` those that referenced
    nodes missing from the file (and were trimmed or dropped).
    """

    pieces: tuple[WayPiece, ...]
    node_coords: Mapping[int, tuple[float, float]]
    num_ways: int = 0
    num_clipped_ways: int = 0
    node_ids_missing: frozenset[int] = field(default_factory=frozenset)


def _osm_tags_for_osmnx(tags: Mapping[str, str]) -> dict[str, str]:
    """Return the tags for the clean XML: highway, normalised oneway, maxspeed and name if any.

    The name is kept for drawing only (street labels on the page's base map).
    """
    direction = oneway_direction(tags)
    oneway = "no" if direction == ONEWAY_BOTH else ("-1" if direction == ONEWAY_REVERSED else "yes")
    clean = {"highway": tags["highway"], "oneway": oneway}
    for key in ("maxspeed", "name"):
        if key in tags:
            clean[key] = tags[key]
    return clean


def _present_runs(
    refs: Sequence[tuple[int, float, float, bool]],
) -> Iterator[list[tuple[int, float, float]]]:
    """Split a way's ``(node_id, lat, lon, is_present)`` list at missing nodes.

    Consecutive repeats of one node are collapsed (as osmnx does). Runs shorter than two
    nodes are dropped.
    """
    run: list[tuple[int, float, float]] = []
    for node_id, lat, lon, is_present in refs:
        if not is_present:
            if len(run) >= _MIN_PIECE_NODES:
                yield run
            run = []
            continue
        if run and run[-1][0] == node_id:
            continue
        run.append((node_id, lat, lon))
    if len(run) >= _MIN_PIECE_NODES:
        yield run


def read_drive_ways(osm_file: Path, profile: RoadProfile) -> DriveWays:
    """Read the ways of ``osm_file`` that ``profile`` may drive, trimmed to present nodes.

    A way referencing nodes missing from the file (a clipped extract) is split at each
    missing node; pieces with fewer than two nodes are dropped. Raises :class:`RoadsError`
    (``ROADS_FILE_NOT_FOUND`` / ``ROADS_FILE_UNREADABLE``) when the file cannot be read.
    """
    check_osm_file(osm_file)
    pieces: list[WayPiece] = []
    node_coords: dict[int, tuple[float, float]] = {}
    missing: set[int] = set()
    num_ways = 0
    num_clipped = 0
    try:
        processor = (
            osmium.FileProcessor(str(osm_file))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            tags = {tag.k: tag.v for tag in way.tags}
            if not profile.is_drivable(tags):
                continue
            num_ways += 1
            refs: list[tuple[int, float, float, bool]] = []
            for node in way.nodes:
                location = node.location
                if location.valid():
                    refs.append((node.ref, location.lat, location.lon, True))
                else:
                    refs.append((node.ref, 0.0, 0.0, False))
                    missing.add(node.ref)
            if not all(ref[3] for ref in refs):
                num_clipped += 1
            clean_tags = _osm_tags_for_osmnx(tags)
            for run in _present_runs(refs):
                for node_id, lat, lon in run:
                    node_coords[node_id] = (lat, lon)
                pieces.append(WayPiece(way.id, tuple(node_id for node_id, _, _ in run), clean_tags))
    except (RuntimeError, ValueError, OSError) as error:
        raise RoadsError(
            "ROADS_FILE_UNREADABLE",
            f"The OSM file {str(osm_file)!r} is not readable OSM data ({error}).",
            "Give an .osm.pbf, .osm or .osm.xml file, e.g. one made by `osmium extract`.",
        ) from error
    return DriveWays(
        pieces=tuple(pieces),
        node_coords=node_coords,
        num_ways=num_ways,
        num_clipped_ways=num_clipped,
        node_ids_missing=frozenset(missing),
    )


def write_osm_xml(ways: DriveWays, xml_file: Path) -> None:
    """Write ``ways`` as plain OSM XML that osmnx's ``graph_from_xml`` reads.

    Each piece gets a unique way id (osmnx keys ways by id): the first piece of a way keeps
    its OSM id, further pieces get ids above the largest one in the file.
    """
    next_id = max((piece.way_id for piece in ways.pieces), default=0) + 1
    seen: set[int] = set()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="dagrute">']
    lines.extend(
        f'<node id="{node_id}" lat="{lat!r}" lon="{lon!r}"/>'
        for node_id, (lat, lon) in ways.node_coords.items()
    )
    for piece in ways.pieces:
        way_id = piece.way_id
        if way_id in seen:
            way_id = next_id
            next_id += 1
        seen.add(way_id)
        nds = "".join(f'<nd ref="{node_id}"/>' for node_id in piece.node_ids)
        tags = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in piece.tags.items())
        lines.append(f'<way id="{way_id}">{nds}{tags}</way>')
    lines.append("</osm>")
    xml_file.write_text("\n".join(lines), encoding="utf-8")


def build_graph(osm_file: Path, profile: RoadProfile) -> nx.MultiDiGraph[Any]:
    """Build the osmnx graph of ``profile``'s roads in ``osm_file``.

    The result is an unprojected (WGS84) osmnx ``MultiDiGraph``, simplified, restricted to
    its largest strongly connected component, with node attributes ``x``/``y`` (lon/lat,
    degrees) and ``street_count`` (ways meeting there, counted before the component was
    taken), and edge attributes ``length`` (m), ``speed_kph`` (km/h, ``maxspeed`` where
    tagged, else the profile's speed for the highway type), ``travel_time`` (s, at that
    speed) and ``geometry`` (a shapely LineString, on simplified edges only).

    Raises :class:`RoadsError` ``ROADS_NO_NETWORK`` when no drivable road is left.
    """
    ways = read_drive_ways(osm_file, profile)
    if not ways.pieces:
        raise RoadsError(
            "ROADS_NO_NETWORK",
            f"The OSM file {str(osm_file)!r} has no drivable roads.",
            "Use an extract that covers the municipality's streets (highway=* ways).",
        )
    with tempfile.TemporaryDirectory(prefix="dagrute-roads-") as tmp:
        xml_file = Path(tmp) / "drive.osm"
        write_osm_xml(ways, xml_file)
        graph = ox.graph_from_xml(xml_file, bidirectional=False, simplify=True, retain_all=True)
    if graph.number_of_edges() == 0:
        raise RoadsError(
            "ROADS_NO_NETWORK",
            f"The OSM file {str(osm_file)!r} has no drivable road segments.",
            "Use an extract that covers the municipality's streets (highway=* ways).",
        )
    # Count streets before taking the component, so a junction keeps its true count even
    # when one of its arms is cut away (as osmnx's graph_from_polygon does).
    nx.set_node_attributes(graph, ox.stats.count_streets_per_node(graph), name="street_count")
    graph = ox.routing.add_edge_speeds(
        graph, hwy_speeds=profile.speeds_kph(), fallback=profile.fallback_speed_kph
    )
    graph = ox.routing.add_edge_travel_times(graph)
    graph = ox.truncate.largest_component(graph, strongly=True)
    if graph.number_of_nodes() < _MIN_PIECE_NODES:
        raise RoadsError(
            "ROADS_NO_NETWORK",
            f"The drivable roads in {str(osm_file)!r} do not form a connected network.",
            "Use a larger extract, clipped around the whole municipality.",
        )
    return graph
