"""Re-check a result against the original instance file, in its own units and real numbers.

dagrute's checker works on the integer matrices the solvers saw. This second check reads the
instance file again (nothing from ``benchmarks.adapters`` or ``solver``), rebuilds each
route's visits and times in the file's units (seconds / ``time_scale``) and checks them with
exact Euclidean travel times: travel between consecutive visits, time windows, maximum ride
time, maximum route duration, every capacity (all four resources for Malheiros' instances)
and that each request is served once. It guards the adapters' mapping itself: a wrong
mapping can pass dagrute's checker but not this one.

Visit times: a stop's first visit starts at its arrival; further visits at the same stop
follow one after the other, drop-offs first, each after the previous one's service.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from solver.domain import DayResult

EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class _FileNode:
    x: float
    y: float
    service: float
    demand: tuple[float, ...]
    early: float
    late: float
    max_ride: float


@dataclass(frozen=True, slots=True)
class _FileInstance:
    nodes: list[_FileNode]
    num_requests: int
    capacities: list[tuple[float, ...]]  # per vehicle
    route_limits: list[float]
    kind: str  # darp | vrptw


def _read(path: Path, family: str) -> _FileInstance:
    lines = [line.split() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if family == "cordeau":
        m, _, t, q, ride = (float(v) for v in lines[0])
        nodes = [
            _FileNode(
                float(r[1]),
                float(r[2]),
                float(r[3]),
                (float(r[4]),),
                float(r[5]),
                float(r[6]),
                ride,
            )
            for r in lines[1:]
        ]
        n = (len(nodes) - 1) // 2
        return _FileInstance(nodes, n, [(q,)] * int(m), [t] * int(m), "darp")
    if family == "hdarp":
        m, n = (int(v) for v in lines[0])
        vehicles = lines[1 : 1 + m]
        nodes = [
            _FileNode(
                float(r[1]),
                float(r[2]),
                float(r[3]),
                tuple(float(v) for v in r[5:9]),
                float(r[9]),
                float(r[10]),
                float(r[4]),
            )
            for r in lines[1 + m :]
        ]
        return _FileInstance(
            nodes,
            n,
            [tuple(float(v) for v in row[1:5]) for row in vehicles],
            [float(row[0]) for row in vehicles],
            "darp",
        )
    start = next(i for i, line in enumerate(lines) if line[0] == "NUMBER")
    m, q = (int(v) for v in lines[start + 1])
    rows = [r for r in lines[start + 2 :] if r[0].isdigit()]
    nodes = [
        _FileNode(
            float(r[1]),
            float(r[2]),
            float(r[6]),
            (float(r[3]),),
            float(r[4]),
            float(r[5]),
            math.inf,
        )
        for r in rows
    ]
    return _FileInstance(nodes, len(nodes) - 1, [(float(q),)] * m, [math.inf] * m, "vrptw")


def _request_number(passenger_id: str) -> int:
    match = re.fullmatch(r"[RC](\d+)", passenger_id)
    if match is None:
        raise ValueError(f"not a benchmark passenger id: {passenger_id}")
    return int(match.group(1))


def verify_original(
    path: Path, family: str, result: DayResult, time_scale: int, skipped: Sequence[str] = ()
) -> list[str]:
    """Every rule of the original instance that ``result`` breaks (empty: feasible)."""
    file = _read(path, family)
    nodes, n = file.nodes, file.num_requests
    problems: list[str] = []
    served: dict[int, int] = {}

    end_late = nodes[2 * n + 1].late if len(nodes) > 2 * n + 1 else nodes[0].late

    def travel(a: _FileNode, b: _FileNode) -> float:
        return math.hypot(a.x - b.x, a.y - b.y)

    for route in result.routes:
        vehicle = int(route.vehicle_id[1:]) - 1
        capacity, limit = file.capacities[vehicle], file.route_limits[vehicle]
        visits: list[tuple[_FileNode, float, int, bool]] = []  # node, start, request, pickup
        for stop in route.stops[1:-1]:
            start = stop.arrival_s / time_scale
            actions = [(pid, False) for pid in stop.dropoffs] + [
                (pid, True) for pid in stop.pickups
            ]
            for passenger_id, is_pickup in actions:
                number = _request_number(passenger_id)
                if file.kind == "vrptw":
                    if is_pickup:
                        continue  # loading at the depot
                    node = nodes[number]
                else:
                    node = nodes[number if is_pickup else number + n]
                visits.append((node, start, number, is_pickup))
                start += node.service
        depot = nodes[0]
        leave = route.stops[0].departure_s / time_scale
        back = route.stops[-1].arrival_s / time_scale
        where, when, after = depot, leave, 0.0
        load = [0.0] * len(capacity)
        picked: dict[int, float] = {}
        for node, start, number, is_pickup in visits:
            if start + EPSILON < when + after + travel(where, node):
                problems.append(f"{route.vehicle_id}: request {number} reached too soon")
            if not node.early - EPSILON <= start <= node.late + EPSILON:
                problems.append(f"{route.vehicle_id}: request {number} outside its window")
            sign = 1 if is_pickup or file.kind == "vrptw" else -1
            demand = nodes[number].demand
            if file.kind == "vrptw":
                served[number] = served.get(number, 0) + 1
            elif is_pickup:
                picked[number] = start + node.service
                served[number] = served.get(number, 0) + 1
            else:
                ride = start - picked.get(number, math.inf)
                if number not in picked:
                    problems.append(f"{route.vehicle_id}: request {number} dropped, not picked")
                elif ride > nodes[number].max_ride + EPSILON:
                    problems.append(f"{route.vehicle_id}: request {number} rides {ride:.3f}")
            if file.kind == "darp":
                load = [value + sign * d for value, d in zip(load, demand, strict=True)]
                if any(v > c + EPSILON for v, c in zip(load, capacity, strict=True)):
                    problems.append(f"{route.vehicle_id}: over capacity at request {number}")
            where, when, after = node, start, node.service
        if file.kind == "vrptw":
            total = sum(nodes[number].demand[0] for _, _, number, _ in visits)
            if total > capacity[0] + EPSILON:
                problems.append(f"{route.vehicle_id}: over capacity")
        if back + EPSILON < when + after + travel(where, depot):
            problems.append(f"{route.vehicle_id}: back at the depot too soon")
        if back > end_late + EPSILON or leave < depot.early - EPSILON:
            problems.append(f"{route.vehicle_id}: outside the depot's window")
        if back - leave > limit + EPSILON:
            problems.append(f"{route.vehicle_id}: route lasts {back - leave:.3f} > {limit:g}")
    left_out = {_request_number(s) for s in skipped}
    for number in range(1, n + 1):
        if number in left_out:
            continue
        if served.get(number, 0) != 1:
            problems.append(f"request {number} served {served.get(number, 0)} times")
    return problems
