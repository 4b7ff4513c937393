"""The drive graph of the bundled eastern-Oslo extract: size, connectivity, oneways, sampling."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from solver.domain import LatLon, RoadSettings
from solver.roads import DEFAULT_OSM_FILE, DRIVE_MAIN_PROFILE, RoadNetwork
from solver.roads.osm import read_drive_ways


def test_first_build_is_reasonably_fast(drive_load: tuple[RoadNetwork, float]) -> None:
    _, build_s = drive_load
    assert build_s < 30.0


def test_drive_graph_has_a_plausible_size(drive_network: RoadNetwork, drive_nx: Any) -> None:
    # Public roads plus ordinary service roads: 4 601 nodes with osmnx 2.1.1.
    assert 4_000 <= drive_network.num_nodes <= 5_200
    assert drive_network.num_nodes == drive_nx.number_of_nodes()
    assert 2.0 <= drive_network.num_edges / drive_network.num_nodes <= 2.5


def test_drive_main_profile_matches_the_readme_figure(tmp_path: Any) -> None:
    # The README's "about 2 700 nodes" is osmnx's "drive" network (no service roads).
    network = RoadNetwork.load(
        DEFAULT_OSM_FILE, RoadSettings(), tmp_path, profile=DRIVE_MAIN_PROFILE
    )
    assert 2_500 <= network.num_nodes <= 2_900


def test_drive_graph_is_strongly_connected(drive_network: RoadNetwork) -> None:
    num_components, _ = connected_components(
        drive_network.time_csr, directed=True, connection="strong"
    )
    assert num_components == 1


def test_graph_nodes_all_come_from_the_file(drive_network: RoadNetwork) -> None:
    from solver.roads import DRIVE_PROFILE

    ways = read_drive_ways(DEFAULT_OSM_FILE, DRIVE_PROFILE)
    assert set(drive_network.graph.node_osm_id.tolist()) <= set(ways.node_coords)
    assert not ways.node_ids_missing & set(drive_network.graph.node_osm_id.tolist())


def test_some_edges_are_oneway(drive_network: RoadNetwork) -> None:
    graph = drive_network.graph
    reverse = graph.edge_index(graph.edge_head, graph.edge_tail)
    num_oneway = int((reverse < 0).sum())
    assert num_oneway > 100


def test_matrices_are_asymmetric_somewhere(drive_network: RoadNetwork) -> None:
    points = drive_network.random_node_locations(40, np.random.default_rng(3))
    durations = drive_network.matrices(points).durations_s
    assert (durations != durations.T).any()


def test_edges_have_positive_lengths_speeds_and_times(drive_network: RoadNetwork) -> None:
    graph = drive_network.graph
    assert (graph.edge_length_m > 0).all()
    assert ((graph.edge_speed_kph >= 5) & (graph.edge_speed_kph <= 110)).all()
    assert (drive_network.edge_time_s > 0).all()


def test_random_node_locations_are_distinct_road_nodes(drive_network: RoadNetwork) -> None:
    rng = np.random.default_rng(11)
    points = drive_network.random_node_locations(300, rng)
    assert len(set(points)) == 300
    snap = drive_network.snap(points)
    assert float(snap.distances_m.max()) == pytest.approx(0.0, abs=1e-6)
    again = drive_network.random_node_locations(300, np.random.default_rng(11))
    assert again == points  # the generator fixes the draw


def test_more_locations_than_nodes_repeat(tiny_network: RoadNetwork) -> None:
    points = tiny_network.random_node_locations(10, np.random.default_rng(0))
    assert len(points) == 10
    assert len(set(points)) <= tiny_network.num_nodes


def test_bounds_hold_every_node_and_match_the_readme(drive_network: RoadNetwork) -> None:
    bounds = drive_network.bounds
    assert bounds.contains(drive_network.node_location(0))
    assert 59.85 <= bounds.min_lat < bounds.max_lat <= 59.94
    assert 10.70 <= bounds.min_lon < bounds.max_lon <= 10.83
    assert not bounds.contains(LatLon(60.39, 5.32))  # Bergen


def test_file_hash_is_the_sha256_of_the_file(drive_network: RoadNetwork) -> None:
    import hashlib

    assert drive_network.file_hash == hashlib.sha256(DEFAULT_OSM_FILE.read_bytes()).hexdigest()
