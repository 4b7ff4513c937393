"""Graph arrays and their cache: conversion, oneways, parallel edges, keys, damage, settings."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from solver.domain import LatLon, RoadSettings
from solver.roads import (
    DEFAULT_OSM_FILE,
    DRIVE_MAIN_PROFILE,
    DRIVE_PROFILE,
    RoadNetwork,
    RoadsError,
)
from solver.roads.cache import cache_key, cache_path, file_sha256
from solver.roads.graph import GraphFormatError, RoadGraph, load_npz, save_npz


def _node(network: RoadNetwork, osm_id: int) -> int:
    return int(np.flatnonzero(network.graph.node_osm_id == osm_id)[0])


def _edge(network: RoadNetwork, tail_osm: int, head_osm: int) -> int:
    tail, head = _node(network, tail_osm), _node(network, head_osm)
    return int(network.graph.edge_index(np.array([tail]), np.array([head]))[0])


# --------------------------------------------------------------------------- tiny extract


def test_tiny_graph_keeps_oneways_and_the_fastest_parallel_edge(tiny_network: RoadNetwork) -> None:
    graph = tiny_network.graph
    assert graph.node_osm_id.tolist() == [2, 3, 5, 6, 10, 33]
    assert _edge(tiny_network, 3, 6) >= 0
    assert _edge(tiny_network, 6, 3) == -1  # oneway=yes
    # 5 -> 2: the direct oneway=-1 way (222 m) beats the parallel way round via 4 and 1.
    assert graph.edge_length_m[_edge(tiny_network, 5, 2)] == pytest.approx(222.4, abs=0.5)
    assert graph.edge_length_m[_edge(tiny_network, 2, 5)] > 400
    assert graph.num_edges == 11  # 12 osmnx edges, one parallel dropped


def test_junctions_are_nodes_where_three_streets_meet(tiny_network: RoadNetwork) -> None:
    graph = tiny_network.graph
    junctions = graph.node_osm_id[graph.node_is_junction].tolist()
    assert junctions == [2, 3, 5]


def test_edge_geometry_runs_from_tail_to_head_through_shape_points(
    tiny_network: RoadNetwork,
) -> None:
    graph = tiny_network.graph
    back = graph.edge_geometry(_edge(tiny_network, 10, 3))
    assert back == [(10.708, 59.904), (10.707, 59.903), (10.706, 59.902), (10.704, 59.902)]
    there = graph.edge_geometry(_edge(tiny_network, 3, 10))
    assert there == back[::-1]
    assert graph.edge_geometry(_edge(tiny_network, 3, 6)) == [(10.704, 59.902), (10.704, 59.9)]


def test_tiny_network_routes_round_the_oneway(tiny_network: RoadNetwork) -> None:
    at_3 = tiny_network.node_location(_node(tiny_network, 3))
    at_6 = tiny_network.node_location(_node(tiny_network, 6))
    matrices = tiny_network.matrices([at_3, at_6])
    length = tiny_network.graph.edge_length_m
    assert matrices.distance_m(at_3, at_6) == round(length[_edge(tiny_network, 3, 6)])
    round_trip = sum(length[_edge(tiny_network, a, b)] for a, b in [(6, 5), (5, 2), (2, 3)])
    assert matrices.distance_m(at_6, at_3) == round(round_trip)  # 6 -> 5 -> 2 -> 3
    assert matrices.path_nodes(at_6, at_3) == [_node(tiny_network, n) for n in (6, 5, 2, 3)]
    assert matrices.duration_s(at_6, at_3) > matrices.duration_s(at_3, at_6)


# ------------------------------------------------------------------------ travel times


def test_travel_time_is_length_over_speed_times_factor(tiny_network: RoadNetwork) -> None:
    graph = tiny_network.graph
    slow = tiny_network.with_settings(RoadSettings(speed_factor=0.5))
    expected = graph.edge_length_m / (graph.edge_speed_kph * 0.5 / 3.6)
    np.testing.assert_allclose(slow.edge_time_s, expected)


def test_intersection_penalty_is_added_on_edges_into_junctions(tiny_network: RoadNetwork) -> None:
    graph = tiny_network.graph
    penalised = tiny_network.with_settings(RoadSettings(intersection_penalty_s=7.0))
    added = penalised.edge_time_s - tiny_network.edge_time_s
    into_junction = graph.node_is_junction[graph.edge_head]
    np.testing.assert_allclose(added[into_junction], 7.0)
    np.testing.assert_allclose(added[~into_junction], 0.0, atol=1e-9)


@pytest.mark.parametrize(
    "settings",
    [
        RoadSettings(speed_factor=0.0),
        RoadSettings(access_speed_kph=0.0),
        RoadSettings(intersection_penalty_s=-1.0),
        RoadSettings(speed_factor=float("nan")),
    ],
)
def test_out_of_range_settings_are_refused(
    tiny_network: RoadNetwork, settings: RoadSettings
) -> None:
    with pytest.raises(RoadsError) as caught:
        tiny_network.with_settings(settings)
    assert caught.value.code == "ROADS_INVALID_SETTINGS"


# -------------------------------------------------------------------------------- cache


def test_cache_hit_is_fast_and_identical(drive_network: RoadNetwork, roads_cache_dir: Path) -> None:
    started = time.perf_counter()
    again = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), roads_cache_dir)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    for name, array in drive_network.graph.arrays().items():
        np.testing.assert_array_equal(array, again.graph.arrays()[name], err_msg=name)
    assert again.file_hash == drive_network.file_hash == file_sha256(DEFAULT_OSM_FILE)


def test_cache_key_changes_with_file_and_profile_not_with_road_settings(tiny_osm: Path) -> None:
    file_hash = file_sha256(tiny_osm)
    key = cache_key(file_hash, DRIVE_PROFILE)
    assert len(key) == 64
    assert cache_key(file_hash, DRIVE_PROFILE) == key
    assert cache_key("0" * 64, DRIVE_PROFILE) != key
    assert cache_key(file_hash, DRIVE_MAIN_PROFILE) != key
    slower = replace(DRIVE_PROFILE, fallback_speed_kph=25.0)
    assert cache_key(file_hash, slower) != key


def test_road_settings_reuse_the_cache_but_change_times(tiny_osm: Path, tmp_path: Path) -> None:
    base = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path)
    files = sorted(tmp_path.glob("road-graph-*.npz"))
    slow = RoadNetwork.load(tiny_osm, RoadSettings(speed_factor=0.5), tmp_path)
    assert sorted(tmp_path.glob("road-graph-*.npz")) == files  # same cache file
    np.testing.assert_allclose(slow.edge_time_s, 2 * base.edge_time_s)


def test_damaged_cache_is_rebuilt(tiny_osm: Path, tmp_path: Path) -> None:
    good = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path)
    path = cache_path(tmp_path, cache_key(good.file_hash, DRIVE_PROFILE))
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    rebuilt = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path)
    np.testing.assert_array_equal(rebuilt.graph.edge_length_m, good.graph.edge_length_m)
    # ... and the cache file is whole again.
    loaded = load_npz(path, cache_key=cache_key(good.file_hash, DRIVE_PROFILE))
    np.testing.assert_array_equal(loaded.edge_head, good.graph.edge_head)


def test_cache_with_inconsistent_arrays_is_rebuilt(tiny_osm: Path, tmp_path: Path) -> None:
    good = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path)
    key = cache_key(good.file_hash, DRIVE_PROFILE)
    arrays = good.graph.arrays()
    arrays["edge_head"] = arrays["edge_head"][:-1]  # one edge short
    with cache_path(tmp_path, key).open("wb") as file:
        np.savez(file, cache_key=np.array(key), **arrays)
    rebuilt = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path)
    assert rebuilt.num_edges == good.num_edges


def test_npz_round_trip_and_key_check(tiny_network: RoadNetwork, tmp_path: Path) -> None:
    path = tmp_path / "graph.npz"
    save_npz(tiny_network.graph, path, cache_key="k1")
    loaded = load_npz(path, cache_key="k1")
    for name, array in tiny_network.graph.arrays().items():
        np.testing.assert_array_equal(array, loaded.arrays()[name], err_msg=name)
    with pytest.raises(GraphFormatError):
        load_npz(path, cache_key="k2")


def test_graph_arrays_are_validated(tiny_network: RoadNetwork) -> None:
    arrays = dict(tiny_network.graph.arrays())
    arrays["edge_head"] = arrays["edge_head"].copy()
    arrays["edge_head"][0] = 999
    with pytest.raises(GraphFormatError):
        RoadGraph.from_arrays(arrays)
    with pytest.raises(GraphFormatError):
        RoadGraph.from_arrays({"node_lat": np.zeros(1)})


def test_unwritable_cache_folder_still_loads(tiny_osm: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    network = RoadNetwork.load(tiny_osm, RoadSettings(), blocker)
    assert network.num_nodes == 6


def test_cache_dir_defaults_to_the_environment_variable(
    tiny_osm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGRUTE_CACHE_DIR", str(tmp_path / "env-cache"))
    RoadNetwork.load(tiny_osm, RoadSettings())
    assert list((tmp_path / "env-cache").glob("road-graph-*.npz"))


def test_node_location_round_trips(tiny_network: RoadNetwork) -> None:
    assert tiny_network.node_location(_node(tiny_network, 33)) == LatLon(59.899, 10.702)


def test_edges_keep_their_street_names_for_drawing(tiny_network: RoadNetwork) -> None:
    graph = tiny_network.graph
    assert graph.street_name(_edge(tiny_network, 2, 3)) == "Øvre & nedre gate"
    assert graph.street_name(_edge(tiny_network, 3, 2)) == "Øvre & nedre gate"
    assert graph.street_name(_edge(tiny_network, 3, 6)) is None  # way 103 has no name
    assert graph.street_names.tolist() == ["Øvre & nedre gate"]
