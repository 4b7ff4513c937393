"""The two routing engines: identical integers, engine choice, hierarchy cache and reuse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import structlog

from solver.domain import LatLon, RoadSettings
from solver.roads import RoadNetwork, RoadsError, ch, default_engine
from solver.roads.cache import hierarchy_path
from solver.roads.routing import LENGTH_SLOTS, pack, unpack

needs_numba = pytest.mark.skipif(not ch.is_available(), reason="numba is not installed")


def _points(network: RoadNetwork, n: int, seed: int) -> list[LatLon]:
    """Road nodes, and points beside them, drawn at random."""
    rng = np.random.default_rng(seed)
    points = network.random_node_locations(n, rng)
    return [
        LatLon(p.lat + float(rng.uniform(-2e-4, 2e-4)), p.lon) if k % 3 == 0 else p
        for k, p in enumerate(points)
    ]


def _assert_same(network: RoadNetwork, points: list[LatLon]) -> None:
    by_ch = network.matrices(points, engine="ch")
    by_scipy = network.matrices(points, engine="scipy")
    np.testing.assert_array_equal(by_ch.durations_s, by_scipy.durations_s)
    np.testing.assert_array_equal(by_ch.distances_m, by_scipy.distances_m)


def test_packing_orders_by_time_then_length_and_round_trips() -> None:
    packed = pack(np.array([1.0, 1.0, 0.999]), np.array([5.0, 4.99, 1000.0]))
    assert packed[1] < packed[0]  # as fast, shorter
    assert packed[2] < packed[1]  # a millisecond faster wins over any length
    time_s, length_m = unpack(packed)
    np.testing.assert_allclose(time_s, [1.0, 1.0, 0.999])
    np.testing.assert_allclose(length_m, [5.0, 4.99, 1000.0])
    assert int(pack(np.array([0.0]), np.array([1.0]))[0]) < LENGTH_SLOTS


@needs_numba
def test_engines_agree_exactly_on_the_drive_graph(drive_network: RoadNetwork) -> None:
    _assert_same(drive_network, _points(drive_network, 300, seed=41))


@needs_numba
def test_engines_agree_exactly_with_turn_costs(
    drive_network: RoadNetwork, turn_settings: Callable[..., RoadSettings]
) -> None:
    turning = drive_network.with_settings(
        turn_settings(turn_penalty_s=7.5, u_turn_penalty_s=20.0, speed_factor=0.8)
    )
    assert turning.router.routing.is_turn_based
    _assert_same(turning, _points(drive_network, 200, seed=42))


@needs_numba
def test_engines_agree_on_the_tiny_extract(
    tiny_network: RoadNetwork, turn_settings: Callable[..., RoadSettings]
) -> None:
    points = [tiny_network.node_location(n) for n in range(tiny_network.num_nodes)]
    _assert_same(tiny_network, points)
    _assert_same(tiny_network.with_settings(turn_settings(u_turn_penalty_s=30.0)), points)


def test_the_default_engine_is_the_fastest_installed(tiny_network: RoadNetwork) -> None:
    assert default_engine() == ("ch" if ch.is_available() else "scipy")
    assert tiny_network.engine == default_engine()
    scipy_network = tiny_network.with_settings(tiny_network.settings, engine="scipy")
    assert scipy_network.engine == "scipy"
    assert scipy_network.with_settings(RoadSettings(speed_factor=0.9)).engine == "scipy"


def test_unknown_engine_is_refused(tiny_osm: Path, tmp_path: Path) -> None:
    with pytest.raises(RoadsError) as caught:
        RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path, engine="dijkstra")  # type: ignore[arg-type]
    assert caught.value.code == "ROADS_INVALID_SETTINGS"


def test_ch_without_numba_is_a_roads_error(
    tiny_network: RoadNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ch, "is_available", lambda: False)
    with pytest.raises(RoadsError) as caught:
        tiny_network.matrices([tiny_network.node_location(0)], engine="ch")
    assert caught.value.code == "ROADS_ENGINE_UNAVAILABLE"


@needs_numba
def test_hierarchy_is_cached_on_disk_and_reloaded(tiny_osm: Path, tmp_path: Path) -> None:
    network = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path, engine="ch")
    points = [network.node_location(n) for n in range(network.num_nodes)]
    with structlog.testing.capture_logs() as built_logs:
        first = network.matrices(points)
    assert any(e["event"] == "roads.hierarchy_built" for e in built_logs)
    assert len(list(tmp_path.glob("road-ch-*.npz"))) == 1

    again = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path, engine="ch")
    with structlog.testing.capture_logs() as loaded_logs:
        second = again.matrices(points)
    assert any(e["event"] == "roads.hierarchy_loaded" for e in loaded_logs)
    assert not any(e["event"] == "roads.hierarchy_built" for e in loaded_logs)
    np.testing.assert_array_equal(first.durations_s, second.durations_s)


@needs_numba
def test_damaged_hierarchy_cache_is_rebuilt(tiny_osm: Path, tmp_path: Path) -> None:
    network = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path, engine="ch")
    points = [network.node_location(n) for n in range(network.num_nodes)]
    expected = network.matrices(points).durations_s
    (path,) = tmp_path.glob("road-ch-*.npz")
    path.write_bytes(b"PK\x03\x04 not a zip")
    again = RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path, engine="ch")
    np.testing.assert_array_equal(again.matrices(points).durations_s, expected)
    assert hierarchy_path(tmp_path, path.stem.removeprefix("road-ch-")).stat().st_size > 100


@needs_numba
def test_settings_that_keep_travel_times_share_the_hierarchy(tiny_network: RoadNetwork) -> None:
    tiny_network.router.hierarchy()
    same_times = tiny_network.with_settings(RoadSettings(snap_limit_m=50.0))
    assert same_times.router is tiny_network.router
    slower = tiny_network.with_settings(RoadSettings(speed_factor=0.5))
    assert slower.router is not tiny_network.router
    assert not slower.router.has_hierarchy


def test_matrices_pickle_without_the_hierarchy(tiny_network: RoadNetwork) -> None:
    import pickle

    points = [tiny_network.node_location(n) for n in range(tiny_network.num_nodes)]
    matrices = tiny_network.matrices(points)
    matrices.path_geometry(points[0], points[1])
    copy = pickle.loads(pickle.dumps(matrices))
    assert copy.path_geometry(points[0], points[1]) == matrices.path_geometry(points[0], points[1])
    np.testing.assert_array_equal(copy.distances_m, matrices.distances_m)
