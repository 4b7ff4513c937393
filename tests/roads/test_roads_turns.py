"""Turn costs: angles, OSRM's penalty curve, the edge-based graph, and their effect on times."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pytest

from solver.domain import LatLon, RoadSettings
from solver.roads import RoadNetwork
from solver.roads.routing import Router, node_routing_graph, turn_routing_graph
from solver.roads.snapping import great_circle_m
from solver.roads.turns import (
    REALISTIC_SETTINGS,
    build_turns,
    turn_costs_s,
)


def _node(network: RoadNetwork, osm_id: int) -> int:
    return int(np.flatnonzero(network.graph.node_osm_id == osm_id)[0])


def _edge(network: RoadNetwork, tail_osm: int, head_osm: int) -> int:
    tail, head = _node(network, tail_osm), _node(network, head_osm)
    return int(network.graph.edge_index(np.array([tail]), np.array([head]))[0])


def _turn(network: RoadNetwork, a: int, b: int, c: int) -> int:
    turns = network.turns
    into, onto = _edge(network, a, b), _edge(network, b, c)
    return int(np.flatnonzero((turns.into == into) & (turns.onto == onto))[0])


def _cost(angle: float, *, junction: bool = True, u_turn: bool = False) -> float:
    return float(
        turn_costs_s(np.array([angle]), np.array([u_turn]), np.array([junction]), 7.5, 20.0)[0]
    )


# ------------------------------------------------------------------------ the cost curve


def test_turn_costs_follow_osrm_sigmoid_with_dearer_left_turns() -> None:
    straight, right, left, back = _cost(0.0), _cost(90.0), _cost(-90.0), _cost(180.0)
    assert straight == pytest.approx(7.5 / (1 + np.exp(6.5 * 1.075)))  # about 0.05 s
    assert straight < right < left < back < 7.5
    assert right == pytest.approx(2.1, abs=0.05)
    assert left == pytest.approx(5.4, abs=0.05)
    assert _cost(180.0, u_turn=True) == pytest.approx(back + 20.0)


def test_bends_without_a_junction_are_free_but_u_turns_are_not() -> None:
    assert _cost(-90.0, junction=False) == 0.0
    assert _cost(180.0, junction=False, u_turn=True) == pytest.approx(_cost(180.0) + 20.0)


# --------------------------------------------------------------------------- the turns


def test_turn_angles_on_the_tiny_grid(tiny_network: RoadNetwork) -> None:
    turns = tiny_network.turns
    # 2 -> 3 heads east; 3 -> 6 south: a right turn. 10 -> 3 arrives heading west.
    assert turns.angle_deg[_turn(tiny_network, 2, 3, 6)] == pytest.approx(90.0, abs=0.5)
    assert turns.angle_deg[_turn(tiny_network, 10, 3, 6)] == pytest.approx(-90.0, abs=0.5)
    assert turns.angle_deg[_turn(tiny_network, 10, 3, 2)] == pytest.approx(0.0, abs=0.5)
    back = _turn(tiny_network, 2, 3, 2)
    assert abs(turns.angle_deg[back]) == pytest.approx(180.0, abs=0.5)
    assert turns.is_u_turn[back]
    assert not turns.is_u_turn[_turn(tiny_network, 2, 3, 6)]
    assert turns.at_junction[_turn(tiny_network, 2, 3, 6)]  # 3 is a junction


def test_every_pair_of_consecutive_edges_is_one_turn(drive_network: RoadNetwork) -> None:
    graph = drive_network.graph
    turns = build_turns(graph)
    in_degree = np.bincount(graph.edge_head, minlength=graph.num_nodes)
    out_degree = np.diff(graph.edge_indptr)
    assert turns.num_turns == int((in_degree * out_degree).sum())
    assert (graph.edge_head[turns.into] == graph.edge_tail[turns.onto]).all()
    assert (np.diff(turns.into) >= 0).all()
    np.testing.assert_array_equal(turns.indptr[turns.into] <= np.arange(turns.num_turns), True)


# ------------------------------------------------------------------- edge-based routing


def test_turn_graph_without_costs_routes_like_the_road_graph(drive_network: RoadNetwork) -> None:
    graph, times = drive_network.graph, drive_network.edge_time_s
    turns = drive_network.turns
    by_nodes = Router(node_routing_graph(graph, times))
    by_edges = Router(turn_routing_graph(graph, times, turns, np.zeros(turns.num_turns)))
    nodes = np.random.default_rng(51).choice(graph.num_nodes, 60, replace=False)
    np.testing.assert_array_equal(
        by_edges.table(nodes, nodes, "scipy"), by_nodes.table(nodes, nodes, "scipy")
    )


def _line_graph_oracle(network: RoadNetwork, costs: np.ndarray[Any, Any]) -> nx.DiGraph[Any]:
    """Edge-based graph built by networkx: ('start', u) -> edges -> ('end', v)."""
    graph, times, turns = network.graph, network.edge_time_s, network.turns
    oracle: nx.DiGraph[Any] = nx.DiGraph()
    for edge in range(graph.num_edges):
        oracle.add_edge(("start", int(graph.edge_tail[edge])), edge, weight=float(times[edge]))
        oracle.add_edge(edge, ("end", int(graph.edge_head[edge])), weight=0.0)
    for into, onto, cost in zip(turns.into, turns.onto, costs, strict=True):
        oracle.add_edge(int(into), int(onto), weight=float(times[onto] + cost))
    return oracle


def test_turn_costs_match_a_networkx_line_graph(
    drive_network: RoadNetwork, turn_settings: Callable[..., RoadSettings]
) -> None:
    settings = turn_settings(turn_penalty_s=7.5, u_turn_penalty_s=20.0)
    turning = drive_network.with_settings(settings)
    oracle = _line_graph_oracle(turning, turning.turns.costs_s(7.5, 20.0))
    points = turning.random_node_locations(10, np.random.default_rng(52))
    matrices = turning.matrices(points)
    nodes = matrices.snap.nodes.tolist()
    for i, j in [(0, 1), (1, 0), (2, 3), (4, 5), (6, 7), (8, 9), (9, 2)]:
        expected = nx.shortest_path_length(
            oracle, ("start", nodes[i]), ("end", nodes[j]), weight="weight"
        )
        assert abs(int(matrices.durations_s[i, j]) - expected) <= 1, (i, j)


def test_turn_costs_only_ever_slow_trips_down(
    drive_network: RoadNetwork, turn_settings: Callable[..., RoadSettings]
) -> None:
    points = drive_network.random_node_locations(40, np.random.default_rng(53))
    free = drive_network.matrices(points).durations_s
    turning = drive_network.with_settings(turn_settings(turn_penalty_s=7.5))
    slower = turning.matrices(points).durations_s
    assert (slower >= free).all()
    assert (slower - free).mean() > 5.0  # a few turns on a typical trip


def test_routes_with_turn_costs_are_drawn_along_their_edges(
    drive_network: RoadNetwork, turn_settings: Callable[..., RoadSettings]
) -> None:
    turning = drive_network.with_settings(turn_settings(turn_penalty_s=7.5, u_turn_penalty_s=20))
    graph = turning.graph
    points = turning.random_node_locations(8, np.random.default_rng(54))
    matrices = turning.matrices(points)
    for a, b in itertools.permutations(points[:4], 2):
        nodes = np.array(matrices.path_nodes(a, b))
        assert (graph.edge_index(nodes[:-1], nodes[1:]) >= 0).all()
        line = matrices.path_geometry(a, b)
        lon, lat = np.array([p[0] for p in line]), np.array([p[1] for p in line])
        drawn_m = float(great_circle_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum())
        assert drawn_m == pytest.approx(matrices.distance_m(a, b), abs=2.0)


def test_negative_turn_penalties_are_refused(
    tiny_network: RoadNetwork, turn_settings: Callable[..., RoadSettings]
) -> None:
    from solver.roads import RoadsError

    for bad in (turn_settings(turn_penalty_s=-1.0), turn_settings(u_turn_penalty_s=np.nan)):
        with pytest.raises(RoadsError) as caught:
            tiny_network.with_settings(bad)
        assert caught.value.code == "ROADS_INVALID_SETTINGS"


def test_realistic_settings_put_times_at_1_3_to_1_4_times_free_flow(
    drive_network: RoadNetwork, turn_settings: Callable[..., RoadSettings]
) -> None:
    points: list[LatLon] = drive_network.random_node_locations(150, np.random.default_rng(55))
    free = drive_network.matrices(points).durations_s.astype(float)
    realistic = drive_network.with_settings(turn_settings(**REALISTIC_SETTINGS))
    slower = realistic.matrices(points).durations_s.astype(float)
    pairs = ~np.eye(len(points), dtype=bool) & (free > 0)
    assert 1.3 <= float((slower[pairs] / free[pairs]).mean()) <= 1.4
