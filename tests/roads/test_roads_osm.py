"""Reading OSM files: drivable-way filter, oneway rules, clipped ways, file errors."""

from __future__ import annotations

from pathlib import Path

import osmnx as ox
import pytest

from solver.domain import RoadSettings
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork, RoadsError
from solver.roads.osm import build_graph, read_drive_ways, write_osm_xml
from solver.roads.profile import (
    ALL_PROFILE,
    DRIVE_MAIN_PROFILE,
    DRIVE_PROFILE,
    ONEWAY_BOTH,
    ONEWAY_FORWARD,
    ONEWAY_REVERSED,
    oneway_direction,
)

# ------------------------------------------------------------------------------ tag rules


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "trunk_link"}, True),
        ({"highway": "living_street"}, True),
        ({"highway": "service"}, True),
        ({"highway": "service", "service": "driveway"}, False),
        ({"highway": "service", "service": "parking_aisle"}, False),
        ({"highway": "service", "service": "alley"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "cycleway"}, False),
        ({"highway": "construction"}, False),
        ({"highway": "pedestrian"}, False),
        ({"highway": "track"}, False),
        ({"highway": "residential", "area": "yes"}, False),
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "residential", "access": "no"}, False),
        ({"highway": "residential", "motor_vehicle": "no"}, False),
        ({"highway": "residential", "motorcar": "no"}, False),
        ({"highway": "residential", "access": "destination"}, True),
        ({"highway": "residential", "access": "no", "motor_vehicle": "destination"}, True),
        ({"highway": "residential", "vehicle": "private;delivery"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_drive_profile_keeps_only_ways_open_to_cars(tags: dict[str, str], expected: bool) -> None:
    assert DRIVE_PROFILE.is_drivable(tags) is expected


def test_drive_main_profile_drops_every_service_road() -> None:
    assert not DRIVE_MAIN_PROFILE.is_drivable({"highway": "service"})
    assert DRIVE_MAIN_PROFILE.is_drivable({"highway": "residential"})


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, ONEWAY_BOTH),
        ({"highway": "residential", "oneway": "yes"}, ONEWAY_FORWARD),
        ({"highway": "residential", "oneway": "1"}, ONEWAY_FORWARD),
        ({"highway": "residential", "oneway": "-1"}, ONEWAY_REVERSED),
        ({"highway": "residential", "oneway": "reverse"}, ONEWAY_REVERSED),
        ({"highway": "residential", "oneway": "no"}, ONEWAY_BOTH),
        ({"highway": "residential", "oneway": "reversible"}, ONEWAY_BOTH),
        ({"highway": "residential", "junction": "roundabout"}, ONEWAY_FORWARD),
        ({"highway": "primary", "junction": "circular"}, ONEWAY_FORWARD),
        ({"highway": "motorway"}, ONEWAY_FORWARD),
        ({"highway": "motorway", "oneway": "no"}, ONEWAY_BOTH),
        ({"highway": "residential", "oneway": "yes", "oneway:motor_vehicle": "no"}, ONEWAY_BOTH),
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, ONEWAY_FORWARD),
    ],
)
def test_oneway_direction_follows_osm_rules(tags: dict[str, str], expected: int) -> None:
    assert oneway_direction(tags) == expected


def test_profile_cache_fields_differ_between_profiles() -> None:
    assert DRIVE_PROFILE.cache_fields() != DRIVE_MAIN_PROFILE.cache_fields()


# ------------------------------------------------------------------------ the tiny extract


def test_clipped_ways_are_split_at_missing_nodes(tiny_osm: Path) -> None:
    ways = read_drive_ways(tiny_osm, DRIVE_PROFILE)
    pieces = {(p.way_id, p.node_ids) for p in ways.pieces}
    assert pieces == {
        (100, (1, 2, 3)),
        (101, (4, 5, 6)),  # 99 and 98 are missing: trimmed at the end
        (102, (1, 4)),
        (103, (3, 6)),
        (104, (2, 5)),
        (105, (10, 11, 12)),  # 6-99-10-11-12: the lone 6 before the gap is dropped
        (106, (3, 12)),
        (113, (5, 33)),
        (117, (40, 41)),  # 40-41-99-42-43: two pieces
        (117, (42, 43)),
    }
    assert ways.node_ids_missing == frozenset({98, 99})
    assert ways.num_clipped_ways == 4  # 101, 105, 107, 117
    assert 7 not in ways.node_coords  # 107 (7-98) is left with one node and dropped
    used = {n for p in ways.pieces for n in p.node_ids}
    assert used == set(ways.node_coords)


def test_tags_are_normalised_for_osmnx(tiny_osm: Path) -> None:
    tags = {p.way_id: dict(p.tags) for p in read_drive_ways(tiny_osm, DRIVE_PROFILE).pieces}
    assert tags[100] == {"highway": "residential", "oneway": "no", "name": "Øvre & nedre gate"}
    assert "name" not in tags[101]
    assert tags[103]["oneway"] == "yes"
    assert tags[104]["oneway"] == "-1"
    assert tags[106] == {"highway": "unclassified", "oneway": "no", "maxspeed": "60"}


def test_split_pieces_get_distinct_way_ids_in_the_xml(tiny_osm: Path, tmp_path: Path) -> None:
    xml_file = tmp_path / "clean.osm"
    write_osm_xml(read_drive_ways(tiny_osm, DRIVE_PROFILE), xml_file)
    graph = ox.graph_from_xml(xml_file, simplify=False, retain_all=True)
    assert graph.has_edge(40, 41)
    assert graph.has_edge(42, 43)
    assert not graph.has_node(99)


def test_graph_of_tiny_extract_is_the_strong_component_with_oneways(tiny_osm: Path) -> None:
    graph = build_graph(tiny_osm, DRIVE_PROFILE)
    # 1, 4, 11, 12 are shape points of simplified edges; 40..43 are a separate component.
    assert set(graph.nodes) == {2, 3, 5, 6, 10, 33}
    assert graph.has_edge(3, 6)
    assert not graph.has_edge(6, 3)  # 103 is oneway=yes
    direct_5_2 = min(d["length"] for d in graph.get_edge_data(5, 2).values())
    assert direct_5_2 == pytest.approx(222.4, abs=0.5)  # 104 (oneway=-1) runs 5 -> 2
    assert all(d["length"] > 400 for d in graph.get_edge_data(2, 5).values())  # via 1 and 4
    assert dict(graph.nodes(data="street_count")) == {2: 3, 3: 3, 5: 4, 6: 2, 10: 1, 33: 1}


def test_speeds_use_maxspeed_else_the_norwegian_defaults(tiny_osm: Path) -> None:
    graph = build_graph(tiny_osm, DRIVE_PROFILE)
    assert graph.edges[3, 6, 0]["speed_kph"] == 30.0  # residential default
    assert graph.edges[5, 33, 0]["speed_kph"] == 20.0  # service default
    assert graph.edges[3, 10, 0]["speed_kph"] == 60.0  # maxspeed=60
    edge = graph.edges[3, 6, 0]
    assert edge["travel_time"] == pytest.approx(edge["length"] / (30 / 3.6))


# ---------------------------------------------------------------------------- file errors


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(RoadsError) as caught:
        RoadNetwork.load(tmp_path / "nowhere.osm.pbf", RoadSettings(), tmp_path)
    assert caught.value.code == "ROADS_FILE_NOT_FOUND"
    assert caught.value.hint


def test_empty_file_raises_file_unreadable(tmp_path: Path) -> None:
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    with pytest.raises(RoadsError) as caught:
        RoadNetwork.load(empty, RoadSettings(), tmp_path)
    assert caught.value.code == "ROADS_FILE_UNREADABLE"


def test_garbage_file_raises_file_unreadable(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_bytes(b"this is not a protocol buffer" * 10)
    with pytest.raises(RoadsError) as caught:
        RoadNetwork.load(garbage, RoadSettings(), tmp_path)
    assert caught.value.code == "ROADS_FILE_UNREADABLE"


def test_folder_raises_file_unreadable(tmp_path: Path) -> None:
    with pytest.raises(RoadsError) as caught:
        RoadNetwork.load(tmp_path, RoadSettings(), tmp_path)
    assert caught.value.code == "ROADS_FILE_UNREADABLE"


def test_file_without_drivable_roads_raises_no_network(tmp_path: Path) -> None:
    paths_only = tmp_path / "paths.osm"
    paths_only.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hand">'
        '<node id="1" lat="59.9" lon="10.7"/><node id="2" lat="59.91" lon="10.7"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(RoadsError) as caught:
        RoadNetwork.load(paths_only, RoadSettings(), tmp_path)
    assert caught.value.code == "ROADS_NO_NETWORK"


def test_roads_error_survives_pickling() -> None:
    import pickle

    error = RoadsError("ROADS_NO_NETWORK", "No roads.", "Use another file.")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.hint) == (error.code, error.message, error.hint)


def test_default_osm_file_is_the_bundled_extract() -> None:
    assert DEFAULT_OSM_FILE.name == "oslo-east.osm.pbf"
    assert DEFAULT_OSM_FILE.is_file()
    readme = (DEFAULT_OSM_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in readme
    assert "ODbL" in readme


# ---------------------------------------------------------------------- the "all" profile


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "service", "service": "driveway"}, True),
        ({"highway": "residential", "access": "private"}, True),
        ({"highway": "made_up_value"}, True),
        ({"highway": "pedestrian", "area": "yes"}, False),  # a square, not a way
        ({"building": "yes"}, False),
    ],
)
def test_all_profile_keeps_every_highway_way(tags: dict[str, str], expected: bool) -> None:
    assert ALL_PROFILE.is_drivable(tags) is expected


def test_all_profile_has_its_own_cache_key_and_older_keys_stay() -> None:
    assert ALL_PROFILE.cache_fields()["keeps_all_highways"] is True
    assert "keeps_all_highways" not in DRIVE_PROFILE.cache_fields()  # drive caches stay valid
    assert ALL_PROFILE.speeds_kph()["footway"] < ALL_PROFILE.speeds_kph()["residential"]


def test_all_profile_graph_of_tiny_extract_adds_the_non_car_ways(tiny_osm: Path) -> None:
    drive = read_drive_ways(tiny_osm, DRIVE_PROFILE)
    every = read_drive_ways(tiny_osm, ALL_PROFILE)
    assert {p.way_id for p in drive.pieces} < {p.way_id for p in every.pieces}
    assert {108, 109, 110, 114} <= {p.way_id for p in every.pieces}  # footway, driveway, ...
    assert 111 not in {p.way_id for p in every.pieces}  # area=yes
