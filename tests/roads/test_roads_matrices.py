"""Snapping, matrices and geometry on the drive graph, with networkx as the oracle."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pytest
import structlog

from solver.domain import LatLon, RoadSettings
from solver.roads import RoadNetwork, RoadsError, far_points
from solver.roads.graph import JUNCTION_MIN_STREETS, MIN_EDGE_TIME_S
from solver.roads.snapping import great_circle_m

M_PER_DEG_LAT = 111_195.0


def _oracle_weight(
    graph: Any, settings: RoadSettings
) -> Callable[[Any, Any, dict[Any, dict[str, Any]]], float]:
    """Edge weight for networkx on the osmnx graph: the fastest parallel edge, as specified."""

    def weight(u: Any, v: Any, parallel: dict[Any, dict[str, Any]]) -> float:
        penalty = (
            settings.intersection_penalty_s
            if graph.nodes[v]["street_count"] >= JUNCTION_MIN_STREETS
            else 0.0
        )
        return min(
            max(d["travel_time"] / settings.speed_factor + penalty, MIN_EDGE_TIME_S)
            for d in parallel.values()
        )

    return weight


def _oracle_time(graph: Any, path: list[Any], weight: Callable[..., float]) -> float:
    return sum(weight(u, v, graph.get_edge_data(u, v)) for u, v in itertools.pairwise(path))


def _oracle_length(graph: Any, path: list[Any], weight: Callable[..., float]) -> float:
    total = 0.0
    for u, v in itertools.pairwise(path):
        parallel = graph.get_edge_data(u, v)
        best = min(parallel.values(), key=lambda d: weight(u, v, {0: d}))
        total += float(best["length"])
    return total


def _offset(point: LatLon, north_m: float, east_m: float) -> LatLon:
    return LatLon(
        point.lat + north_m / M_PER_DEG_LAT,
        point.lon + east_m / (M_PER_DEG_LAT * math.cos(math.radians(point.lat))),
    )


def _near_road_points(network: RoadNetwork, n: int, seed: int) -> list[LatLon]:
    """Points up to ~40 m from random road nodes (homes and centres beside the road)."""
    rng = np.random.default_rng(seed)
    return [
        _offset(p, float(rng.uniform(-30, 30)), float(rng.uniform(-30, 30)))
        for p in network.random_node_locations(n, rng)
    ]


# ------------------------------------------------------------------------------- snapping


def test_snap_finds_the_node_and_its_distance(drive_network: RoadNetwork) -> None:
    node = drive_network.node_location(123)
    exact = drive_network.snap([node])
    assert exact.nodes.tolist() == [123]
    assert exact.distances_m[0] == pytest.approx(0.0, abs=1e-6)
    moved = _offset(node, 3.0, 0.0)
    snapped = drive_network.snap([moved])
    nearest = int(snapped.nodes[0])
    expected = great_circle_m(
        np.array([moved.lat]),
        np.array([moved.lon]),
        drive_network.graph.node_lat[[nearest]],
        drive_network.graph.node_lon[[nearest]],
    )[0]
    assert snapped.distances_m[0] == pytest.approx(expected)
    assert snapped.distances_m[0] <= 3.0 * 1.001


def test_snap_is_the_nearest_node_by_brute_force(drive_network: RoadNetwork) -> None:
    graph = drive_network.graph
    points = _near_road_points(drive_network, 50, seed=5)
    snapped = drive_network.snap(points)
    for point, node, distance in zip(points, snapped.nodes, snapped.distances_m, strict=True):
        all_m = great_circle_m(
            np.full(graph.num_nodes, point.lat),
            np.full(graph.num_nodes, point.lon),
            graph.node_lat,
            graph.node_lon,
        )
        assert distance == pytest.approx(float(all_m.min()), abs=0.01)
        assert all_m[node] == pytest.approx(float(all_m.min()), abs=0.01)


def test_far_points_are_reported_not_raised(drive_network: RoadNetwork) -> None:
    south_edge = LatLon(drive_network.bounds.min_lat - 0.02, 10.78)  # about 2 km south
    near = drive_network.node_location(7)
    snapped = drive_network.snap([near, south_edge, LatLon(60.39, 5.32)])
    assert far_points(snapped, 500.0) == [1, 2]
    assert snapped.distances_m[1] > 1_500
    assert snapped.distances_m[2] > 250_000  # Bergen
    assert far_points(snapped, 1e9) == []


@pytest.mark.parametrize(
    "bad", [LatLon(float("nan"), 10.7), LatLon(59.9, float("inf")), LatLon(95.0, 10.7)]
)
def test_invalid_points_raise_with_their_position(drive_network: RoadNetwork, bad: LatLon) -> None:
    with pytest.raises(RoadsError) as caught:
        drive_network.snap([drive_network.node_location(0), bad])
    assert caught.value.code == "ROADS_INVALID_POINT"
    assert "number 1" in caught.value.message
    assert "59.9" not in caught.value.message  # never the coordinates


# ------------------------------------------------------------------------------- matrices


def test_durations_match_networkx_on_random_pairs(
    drive_network: RoadNetwork, drive_nx: Any
) -> None:
    points = drive_network.random_node_locations(12, np.random.default_rng(21))
    matrices = drive_network.matrices(points)
    osm_ids = drive_network.graph.node_osm_id[matrices.snap.nodes]
    weight = _oracle_weight(drive_nx, drive_network.settings)
    for i, j in [(0, 1), (1, 0), (2, 3), (3, 2), (4, 5), (6, 7), (8, 9), (10, 11), (11, 0)]:
        expected = nx.shortest_path_length(drive_nx, osm_ids[i], osm_ids[j], weight=weight)
        assert abs(int(matrices.durations_s[i, j]) - expected) <= 1, (i, j)


def test_distances_are_lengths_of_the_fastest_paths(
    drive_network: RoadNetwork, drive_nx: Any
) -> None:
    points = drive_network.random_node_locations(10, np.random.default_rng(22))
    matrices = drive_network.matrices(points)
    osm_ids = drive_network.graph.node_osm_id[matrices.snap.nodes]
    weight = _oracle_weight(drive_nx, drive_network.settings)
    for i, j in [(0, 1), (1, 0), (2, 3), (4, 5), (6, 7), (8, 9), (9, 2)]:
        path = nx.shortest_path(drive_nx, osm_ids[i], osm_ids[j], weight=weight)
        assert abs(int(matrices.distances_m[i, j]) - _oracle_length(drive_nx, path, weight)) <= 1
        node_path = drive_network.graph.node_osm_id[matrices.path_nodes(points[i], points[j])]
        assert node_path.tolist() == path


def test_penalised_durations_match_networkx(drive_network: RoadNetwork, drive_nx: Any) -> None:
    settings = RoadSettings(intersection_penalty_s=6.0, speed_factor=0.8)
    penalised = drive_network.with_settings(settings)
    points = drive_network.random_node_locations(6, np.random.default_rng(23))
    matrices = penalised.matrices(points)
    osm_ids = penalised.graph.node_osm_id[matrices.snap.nodes]
    weight = _oracle_weight(drive_nx, settings)
    for i, j in [(0, 1), (2, 3), (4, 5), (5, 0)]:
        expected = nx.shortest_path_length(drive_nx, osm_ids[i], osm_ids[j], weight=weight)
        assert abs(int(matrices.durations_s[i, j]) - expected) <= 1


def test_access_legs_are_added_at_both_ends(drive_network: RoadNetwork, drive_nx: Any) -> None:
    settings = drive_network.settings
    points = _near_road_points(drive_network, 6, seed=24)
    matrices = drive_network.matrices(points)
    snap = matrices.snap
    osm_ids = drive_network.graph.node_osm_id[snap.nodes]
    weight = _oracle_weight(drive_nx, settings)
    access_mps = settings.access_speed_kph / 3.6
    for i, j in [(0, 1), (2, 3), (4, 5)]:
        path = nx.shortest_path(drive_nx, osm_ids[i], osm_ids[j], weight=weight)
        road_s = _oracle_time(drive_nx, path, weight)
        legs_m = float(snap.distances_m[i] + snap.distances_m[j])
        assert abs(int(matrices.durations_s[i, j]) - (road_s + legs_m / access_mps)) <= 1
        road_m = _oracle_length(drive_nx, path, weight)
        assert abs(int(matrices.distances_m[i, j]) - (road_m + legs_m)) <= 1


def test_points_on_one_node_are_apart_by_their_access_legs(drive_network: RoadNetwork) -> None:
    node = drive_network.node_location(200)
    a, b = _offset(node, 1.0, 0.0), _offset(node, 0.0, -1.5)
    matrices = drive_network.matrices([a, b])
    assert matrices.snap.nodes.tolist() == [200, 200]
    legs_m = float(matrices.snap.distances_m.sum())
    assert matrices.distance_m(a, b) == round(legs_m)
    expected_s = legs_m / (drive_network.settings.access_speed_kph / 3.6)
    assert matrices.duration_s(a, b) == round(expected_s)
    assert matrices.path_geometry(a, b) == [(a.lon, a.lat), (node.lon, node.lat), (b.lon, b.lat)]


def test_identical_points_are_zero_apart(drive_network: RoadNetwork) -> None:
    a, b = _near_road_points(drive_network, 2, seed=25)
    matrices = drive_network.matrices([a, b, a])
    assert matrices.durations_s.shape == (3, 3)
    assert matrices.durations_s[0, 2] == matrices.distances_m[0, 2] == 0
    assert matrices.index_of(a) == 0
    assert matrices.durations_s[2, 1] == matrices.durations_s[0, 1]
    assert (np.diag(matrices.durations_s) == 0).all()
    assert (np.diag(matrices.distances_m) == 0).all()
    assert matrices.path_geometry(a, a) == [(a.lon, a.lat), (a.lon, a.lat)]


def test_matrices_are_integers_positive_off_the_diagonal(drive_network: RoadNetwork) -> None:
    points = _near_road_points(drive_network, 30, seed=26)
    matrices = drive_network.matrices(points)
    for array in (matrices.durations_s, matrices.distances_m):
        assert array.dtype == np.int64
        assert not array.flags.writeable
        off_diagonal = array[~np.eye(len(points), dtype=bool)]
        assert (off_diagonal > 0).all()


def test_triangle_inequality_holds_up_to_rounding(drive_network: RoadNetwork) -> None:
    points = _near_road_points(drive_network, 50, seed=27)
    durations = drive_network.matrices(points).durations_s.astype(np.int64)
    via = durations[:, :, None] + durations[None, :, :]  # i -> j -> k
    assert (durations[:, None, :] <= via + 1).all()


def test_protocol_lookups_and_unknown_points(drive_network: RoadNetwork) -> None:
    a, b, c = _near_road_points(drive_network, 3, seed=28)
    matrices = drive_network.matrices([a, b, c])
    assert matrices.num_points == len(matrices) == 3
    assert matrices.index_of(c) == 2
    assert matrices.duration_s(a, c) == int(matrices.durations_s[0, 2])
    assert matrices.distance_m(c, b) == int(matrices.distances_m[2, 1])
    with pytest.raises(KeyError):
        matrices.index_of(LatLon(0.0, 0.0))


def test_empty_point_list_gives_empty_matrices(drive_network: RoadNetwork) -> None:
    matrices = drive_network.matrices([])
    assert matrices.durations_s.shape == (0, 0)
    assert matrices.distances_m.shape == (0, 0)


def test_intersection_penalty_increases_times(drive_network: RoadNetwork) -> None:
    points = drive_network.random_node_locations(25, np.random.default_rng(29))
    plain = drive_network.matrices(points).durations_s
    penalised = drive_network.with_settings(RoadSettings(intersection_penalty_s=5.0))
    slower = penalised.matrices(points).durations_s
    assert (slower >= plain).all()
    assert (slower - plain).sum() > 25 * 24 * 5  # most routes pass more than one junction


def test_speed_factor_scales_road_times(drive_network: RoadNetwork) -> None:
    points = drive_network.random_node_locations(15, np.random.default_rng(30))
    base = drive_network.matrices(points)
    half = drive_network.with_settings(RoadSettings(speed_factor=0.5)).matrices(points)
    assert (np.abs(half.durations_s - 2 * base.durations_s) <= 2).all()
    np.testing.assert_array_equal(half.distances_m, base.distances_m)


# ------------------------------------------------------------------------------- geometry


def test_geometry_starts_and_ends_at_the_points(drive_network: RoadNetwork) -> None:
    graph = drive_network.graph
    points = _near_road_points(drive_network, 8, seed=31)
    matrices = drive_network.matrices(points)
    for i, j in [(0, 1), (1, 0), (2, 3), (4, 5), (6, 7)]:
        a, b = points[i], points[j]
        line = matrices.path_geometry(a, b)
        node_a, node_b = int(matrices.snap.nodes[i]), int(matrices.snap.nodes[j])
        assert line[0] == (a.lon, a.lat)
        assert line[1] == (float(graph.node_lon[node_a]), float(graph.node_lat[node_a]))
        assert line[-2] == (float(graph.node_lon[node_b]), float(graph.node_lat[node_b]))
        assert line[-1] == (b.lon, b.lat)
        lon = np.array([p[0] for p in line])
        lat = np.array([p[1] for p in line])
        drawn_m = float(great_circle_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum())
        # The drawn line is the routed distance (osmnx lengths are great-circle sums too).
        assert drawn_m == pytest.approx(int(matrices.distances_m[i, j]), abs=2.0)
        assert line == drive_network.path_geometry(a, b)


def test_logs_carry_timings_and_counts_never_coordinates(tiny_network: RoadNetwork) -> None:
    points = [tiny_network.node_location(n) for n in range(tiny_network.num_nodes)]
    with structlog.testing.capture_logs() as logs:
        tiny_network.matrices(points)
    assert logs
    for entry in logs:
        for key, value in entry.items():
            assert key not in {"lat", "lon", "points", "location"}
            if isinstance(value, float):
                assert not (5.0 < abs(value) < 90.0 and value != round(value, 3))


def test_matrices_survive_pickling_for_worker_processes(drive_network: RoadNetwork) -> None:
    import pickle

    points = _near_road_points(drive_network, 5, seed=32)
    matrices = drive_network.matrices(points)
    copy = pickle.loads(pickle.dumps(matrices))
    np.testing.assert_array_equal(copy.durations_s, matrices.durations_s)
    assert copy.duration_s(points[0], points[4]) == matrices.duration_s(points[0], points[4])
    assert copy.path_geometry(points[1], points[2]) == matrices.path_geometry(points[1], points[2])
