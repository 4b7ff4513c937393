"""Turn costs: seconds lost turning from one road edge onto the next, by turn angle.

The model is OSRM's car profile (``process_turn`` in ``car.lua``), fitted there to measured
turns: at a junction (three or more streets meet) a turn costs

    turn_penalty_s / (1 + exp(-(13 / b × angle / 180 - 6.5 × b)))   right turns (angle >= 0)
    turn_penalty_s / (1 + exp(-(13 × b × |angle| / 180 - 6.5 / b)))  left turns (angle < 0)

where ``angle`` is the change of heading in degrees (0 straight on, +90 a right turn, -90 a
left turn, ±180 back) and ``b`` = :data:`RIGHT_HAND_TURN_BIAS` makes left turns, which cross
the oncoming lane in right-hand traffic as in Norway, dearer than right ones. Going straight
costs 0.7 % of ``turn_penalty_s``, a right angle to the right 28 %, to the left 72 %. A
*u-turn* (back to the node the route came from) also costs ``u_turn_penalty_s``, wherever it
happens (dead ends included). Turns at nodes where only two streets meet cost nothing: those
are bends of one road.

Turn costs depend on a pair of edges, so shortest paths need the *edge-based* (line) graph:
its vertices are the road edges and its arcs the allowed turns, weighted by the next edge's
travel time plus the turn cost (see :mod:`solver.roads.routing`). On the drive graph of the
bundled extract it has 2.2 times the vertices and 2.6 times the arcs of the road graph.

Free-flow times (speed limits, no delays) are optimistic: OSRM's car profile gives 1.35 to
1.4 times them on the same extract. :data:`REALISTIC_SETTINGS` (OSRM's turn costs and its 0.8
speed reduction, plus a quarter second per junction) brings the mean ratio to free flow to
1.34 over random pairs on the drive graph (see ``benchmarks/roads_bench.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solver.roads.graph import RoadGraph

RIGHT_HAND_TURN_BIAS = 1.075
"""OSRM's ``turn_bias`` for right-hand traffic: right turns cheaper, left turns dearer."""

OSRM_TURN_PENALTY_S = 7.5
"""OSRM car profile's ``turn_penalty``: the cost of the sharpest turn, seconds."""

OSRM_U_TURN_PENALTY_S = 20.0
"""OSRM car profile's ``u_turn_penalty``: the extra cost of turning back, seconds."""

REALISTIC_SETTINGS: Mapping[str, float] = {
    "speed_factor": 0.8,
    "intersection_penalty_s": 0.25,
    "turn_penalty_s": OSRM_TURN_PENALTY_S,
    "u_turn_penalty_s": OSRM_U_TURN_PENALTY_S,
}
"""Road settings that bring travel times near OSRM's (mean 1.34 × free flow, drive graph):
``RoadSettings(**REALISTIC_SETTINGS)``, or the same four fields in a plan's ``settings.roads``."""

_SIGMOID_SLOPE = 13.0
_SIGMOID_SHIFT = 6.5
_M_PER_DEG = math.radians(1.0) * 6_371_009.0

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Turns:
    """Every allowed turn of a road graph: from edge ``into[k]`` onto edge ``onto[k]``.

    ``angle_deg[k]``: change of heading, degrees in (-180, 180] (positive to the right).
    ``is_u_turn[k]``: ``onto`` leads back to the node ``into`` came from.
    ``at_junction[k]``: the turn is at a node where three or more streets meet.
    Turns are sorted by ``into`` (then ``onto``), so ``indptr`` (``num_edges + 1``) indexes
    them as a CSR adjacency of the edge-based graph.
    """

    indptr: I64
    into: I64
    onto: I64
    angle_deg: F64
    is_u_turn: NDArray[np.bool_]
    at_junction: NDArray[np.bool_]

    @property
    def num_turns(self) -> int:
        """Number of turns (arcs of the edge-based graph)."""
        return int(self.into.shape[0])

    def costs_s(self, turn_penalty_s: float, u_turn_penalty_s: float) -> F64:
        """Return each turn's cost in seconds (see the module docstring)."""
        return turn_costs_s(
            self.angle_deg, self.is_u_turn, self.at_junction, turn_penalty_s, u_turn_penalty_s
        )


def turn_costs_s(
    angle_deg: F64,
    is_u_turn: NDArray[np.bool_],
    at_junction: NDArray[np.bool_],
    turn_penalty_s: float,
    u_turn_penalty_s: float,
) -> F64:
    """Return OSRM's turn cost in seconds for each turn (vectorised; see the module doc)."""
    bias = RIGHT_HAND_TURN_BIAS
    fraction = np.abs(angle_deg) / 180.0
    right = _SIGMOID_SLOPE / bias * fraction - _SIGMOID_SHIFT * bias
    left = _SIGMOID_SLOPE * bias * fraction - _SIGMOID_SHIFT / bias
    exponent = np.where(angle_deg >= 0, right, left)
    sigmoid = turn_penalty_s / (1.0 + np.exp(-exponent))
    cost = np.where(at_junction | is_u_turn, sigmoid, 0.0)
    cost = cost + np.where(is_u_turn, u_turn_penalty_s, 0.0)
    result: F64 = cost.astype(np.float64)
    return result


def build_turns(graph: RoadGraph) -> Turns:
    """List every turn of ``graph``: each edge into a node followed by each edge out of it.

    Headings come from the edges' shapes: the last segment of the edge driven in, the first
    of the edge driven out (measured on a local flat projection; a zero-length segment reads
    as straight on).
    """
    heads = graph.edge_head.astype(np.int64)
    out_degree = np.diff(graph.edge_indptr)
    num_onto = out_degree[heads]  # turns from each edge
    into = np.repeat(np.arange(graph.num_edges, dtype=np.int64), num_onto)
    first_turn = np.zeros(graph.num_edges + 1, dtype=np.int64)
    np.cumsum(num_onto, out=first_turn[1:])
    within = np.arange(into.shape[0], dtype=np.int64) - first_turn[into]
    onto = graph.edge_indptr[heads[into]] + within

    geom = graph.geom_indptr
    end_heading, end_known = _heading(graph, geom[1:] - 2, geom[1:] - 1)  # last segments
    start_heading, start_known = _heading(graph, geom[:-1], geom[:-1] + 1)  # first segments
    change = start_heading[onto] - end_heading[into]
    angle = (change + 180.0) % 360.0 - 180.0  # [-180, 180)
    angle = np.where(angle == -180.0, 180.0, angle)
    angle = np.where(end_known[into] & start_known[onto], angle, 0.0)
    return Turns(
        indptr=first_turn,
        into=into,
        onto=onto,
        angle_deg=angle,
        is_u_turn=graph.edge_head[onto] == graph.edge_tail[into],
        at_junction=graph.node_is_junction[heads[into]],
    )


def _heading(graph: RoadGraph, start: I64, end: I64) -> tuple[F64, NDArray[np.bool_]]:
    """Return headings from shape points ``start`` to ``end``, and whether each is known.

    Degrees clockwise from north; unknown where the two points coincide.
    """
    lat0 = graph.geom_lat[start]
    east = (graph.geom_lon[end] - graph.geom_lon[start]) * np.cos(np.radians(lat0)) * _M_PER_DEG
    north = (graph.geom_lat[end] - lat0) * _M_PER_DEG
    heading: F64 = np.degrees(np.arctan2(east, north))
    return heading, (east != 0.0) | (north != 0.0)
