"""Benchmark instances -> dagrute's own solver inputs: a ``DayProblem`` and integer matrices.

Every reader returns a :class:`BenchInstance` whose ``problem`` and ``matrices`` go into the
very entry points the service uses (``solver.routing.search.solve_day``,
``solver.check.check_day``): there is no benchmark-only solver.

Units. dagrute works in integer seconds and metres. An instance's time unit (minutes for the
DARP sets, Solomon's abstract unit) becomes ``time_scale`` "seconds"; its distance unit
becomes ``DISTANCE_SCALE`` (1000) "metres", so a tariff of 1 NOK per km makes a route's cost
its length in the instance's own unit. Travel times are the Euclidean distance times
``time_scale`` **rounded up**: any timing that keeps the rules on these matrices also keeps
them with the exact (real-valued) times, so a route the checker passes is feasible in the
original instance, at the price of up to 1/``time_scale`` of a unit of slack lost per leg.
Distances are rounded to the nearest 1/1000 of a unit (they only weigh the objective); costs
are reported recomputed with exact Euclidean distances along each route's stops
(:func:`original_cost`). Windows, service, ride and route limits are whole units in all three
sets, so they scale exactly.

Mappings (see benchmarks/README.md for the reasoning):

* Cordeau (2006) DARP: each request is a ``to_centre`` passenger picked up at its pickup node
  (pickup window = the node's [e, l] as ``earliest_pickup_s``/``latest_pickup_s``) and
  dropped off at a centre of its own at the drop-off node (arrival window = that node's
  [e, l]); boarding = the service time; ``max_ride_s`` = L; load ``q`` = a walking passenger
  with ``q - 1`` escorts; m vehicles with Q seats, the depot's window as shift and
  ``max_route_s`` = T.
* Malheiros et al. (2021) heterogeneous DARP: as Cordeau, with each vehicle's own route
  duration and capacities. Of the four resources (1 staff/escort seat, 2 patient seat,
  3 stretcher, 4 wheelchair place) dagrute's two capacity dimensions carry resource 1
  ("seats") and resource 2 ("wheelchair places"): a request needing ``a`` of resource 1 and
  one of resource 2 is a wheelchair passenger with ``a`` escorts, one needing no resource 2 a
  walking passenger with ``a - 1`` escorts. Both are plain capacities to the model, so this
  is exact; requests needing a stretcher or a wheelchair place (resources 3, 4) cannot be
  expressed and are left out (``skipped``). The file's single depot (its dummy vertex) is
  every vehicle's depot.
* Solomon (1987) VRPTW: a ``from_centre`` day: the depot is the one centre (departure
  window = the depot's window) and every vehicle's depot; each customer is a passenger
  dropped off at home inside [ready, due] (``earliest_dropoff_s``/``latest_dropoff_s``),
  demand = seats. A customer's service time is added to every travel time *from* its
  location (so the next arrival waits for it exactly as in Solomon), and its own boarding
  time is 0, since dagrute's ``boarding_s`` would also be spent at the depot.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from solver.domain import (
    Centre,
    CentreHours,
    Day,
    DayProblem,
    DayResult,
    Direction,
    LatLon,
    Mobility,
    Passenger,
    Settings,
    Tariff,
    TimeWindow,
    Vehicle,
)
from solver.straight import StraightMatrices

BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
"""Where the instances live (``/work/shared/bench``); ``DAGRUTE_BENCH_DIR`` overrides it."""

DISTANCE_SCALE = 1000
"""dagrute metres per instance distance unit."""

DARP_TIME_SCALE = 60
"""dagrute seconds per minute (Cordeau and Malheiros instances count in minutes)."""

SOLOMON_TIME_SCALE = 20
"""dagrute seconds per Solomon time unit: the longest horizon, 3390 (C2), fits the day."""

DAY: Day = "mon"
DISTANCE_TARIFF = Tariff(per_km=1.0, per_hour=0.0, per_vehicle_day=0.0)
"""Cost = distance: 1 per 1000 "metres", i.e. per instance distance unit."""


@dataclass(frozen=True)
class BenchInstance:
    """One benchmark instance in dagrute's terms, with what is needed to report on it.

    ``coords``: each location's original (x, y). ``kind``: ``darp`` (paired pickups and
    drop-offs) or ``vrptw`` (deliveries from the depot). ``bks``: best-known objective in
    original units, if any; ``bks_note`` what it means. ``skipped``: requests that cannot be
    expressed in dagrute (not in ``problem``). ``num_requests``: in the original file.
    """

    name: str
    family: str
    kind: Literal["darp", "vrptw"]
    problem: DayProblem
    matrices: StraightMatrices
    coords: Mapping[LatLon, tuple[float, float]]
    time_scale: int
    num_requests: int
    bks: float | None = None
    bks_vehicles: int | None = None
    bks_note: str = ""
    bks_distance: float | None = None
    bks_distance_vehicles: int | None = None
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------------ matrices


def euclidean_matrices(
    points: Sequence[LatLon],
    coords: Mapping[LatLon, tuple[float, float]],
    time_scale: int,
    service_after: Mapping[LatLon, int] | None = None,
) -> StraightMatrices:
    """Integer matrices over ``points``: times rounded up, distances to 1/1000 of a unit.

    ``service_after``: seconds added to every travel time out of a location (Solomon).
    """
    xy = np.array([coords[p] for p in points], dtype=np.float64)
    euclid = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    # Round to 1e-6 first so that an exact product like 3 x 60 is not pushed up by float noise.
    durations = np.ceil(np.round(euclid * time_scale, 6)).astype(np.int64)
    if service_after:
        extra = np.array([service_after.get(p, 0) for p in points], dtype=np.int64)
        durations += extra[:, None]
        np.fill_diagonal(durations, 0)
    distances = np.rint(euclid * DISTANCE_SCALE).astype(np.int64)
    return StraightMatrices(tuple(points), durations, distances)


def original_cost(instance: BenchInstance, result: DayResult) -> float:
    """Total Euclidean length of the result's routes in the instance's own units."""
    total = 0.0
    for route in result.routes:
        for a, b in zip(route.stops[:-1], route.stops[1:], strict=True):
            (xa, ya), (xb, yb) = instance.coords[a.location], instance.coords[b.location]
            total += math.hypot(xa - xb, ya - yb)
    return total


def _key(x: float, y: float, taken: set[LatLon]) -> LatLon:
    """A location key for (x, y): lat = y, lon = x, nudged if another node already has it."""
    key = LatLon(lat=y, lon=x)
    nudge = 0
    while key in taken:
        nudge += 1
        key = LatLon(lat=y, lon=x + nudge * 1e-4)
    return key


def _numbers(line: str) -> list[float]:
    return [float(token) for token in line.split()]


def _requests_in_name(name: str) -> int | None:
    match = re.search(r"-(\d+)", name)
    return int(match.group(1)) if match else None


# ------------------------------------------------------------------------------- Cordeau


@dataclass(frozen=True, slots=True)
class _Node:
    x: float
    y: float
    service: float
    load: tuple[int, ...]
    early: float
    late: float
    max_ride: float = 0.0


def load_cordeau_bks(path: Path) -> dict[str, float]:
    """``bks.csv``: instance -> best-known total distance (comment lines start with #)."""
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["instance"]: float(row["bks"]) for row in rows}


def read_cordeau(path: Path, bks: Mapping[str, float] | None = None) -> BenchInstance:
    """A Cordeau (2006) a/b instance: header ``m 2n T Q L``, then one line per node."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    num_vehicles, _, max_route, capacity, max_ride = _numbers(lines[0])
    rows = [_numbers(line) for line in lines[1:]]
    nodes = [_Node(r[1], r[2], r[3], (int(r[4]),), r[5], r[6]) for r in rows]
    num_requests = (len(nodes) - 1) // 2
    end_depot = nodes[2 * num_requests + 1] if len(nodes) > 2 * num_requests + 1 else nodes[0]
    expected = _requests_in_name(path.stem)
    if expected is not None and expected != num_requests:
        raise ValueError(f"{path.name}: {num_requests} requests read, the name says {expected}.")
    vehicles = [
        (max_route, (int(capacity), 0)) for _ in range(int(num_vehicles))
    ]  # (route duration, (seats, wheelchair places))
    requests = [
        (nodes[i], nodes[i + num_requests], max_ride, (nodes[i].load[0], 0))
        for i in range(1, num_requests + 1)
    ]
    name = path.stem
    return _darp_instance(
        name,
        "cordeau",
        nodes[0],
        end_depot,
        vehicles,
        requests,
        skipped=(),
        bks=(bks or {}).get(name),
        bks_note="best known total distance (Cordeau 2006; Ropke et al. 2007; Braekers et al. "
        "2014), transcribed, see bks.csv",
    )


# ------------------------------------------------------------------------------- Malheiros


def read_hdarp(path: Path) -> BenchInstance:
    """A Malheiros et al. (2021) heterogeneous DARP instance (format in its README)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    num_vehicles, num_requests = (int(v) for v in _numbers(lines[0]))
    vehicle_rows = [_numbers(line) for line in lines[1 : 1 + num_vehicles]]
    rows = [_numbers(line) for line in lines[1 + num_vehicles :]]
    nodes = [
        _Node(r[1], r[2], r[3], tuple(int(v) for v in r[5:9]), r[9], r[10], r[4]) for r in rows
    ]
    if len(nodes) != 2 * num_requests + 2:
        raise ValueError(f"{path.name}: {len(nodes)} nodes for {num_requests} requests.")
    vehicles = [(row[0], (int(row[1]), int(row[2]))) for row in vehicle_rows]
    requests = []
    skipped = []
    for i in range(1, num_requests + 1):
        pickup, dropoff = nodes[i], nodes[i + num_requests]
        staff, patient, stretcher, wheelchair = pickup.load
        if stretcher or wheelchair or patient > 1 or (patient == 0 and staff == 0):
            skipped.append(f"R{i:03d}")
            continue
        requests.append((pickup, dropoff, pickup.max_ride, (staff, patient)))
    notes = (
        "resource 1 (staff/escort seat) -> dagrute seats, resource 2 (patient seat) -> dagrute "
        "wheelchair places (an exact encoding of two capacities)",
        f"{len(skipped)} of {num_requests} requests need a stretcher or wheelchair place "
        "(resources 3, 4): not expressible in dagrute, left out",
    )
    return _darp_instance(
        path.stem.replace("hetIUY", ""),
        "hdarp",
        nodes[0],
        nodes[-1],
        vehicles,
        requests,
        skipped=tuple(skipped),
        num_requests=num_requests,
        notes=notes,
    )


# -------------------------------------------------------------------------- DARP builder


def _darp_instance(
    name: str,
    family: str,
    depot: _Node,
    end_depot: _Node,
    vehicles: Sequence[tuple[float, tuple[int, int]]],
    requests: Sequence[tuple[_Node, _Node, float, tuple[int, int]]],
    *,
    skipped: tuple[str, ...],
    num_requests: int | None = None,
    bks: float | None = None,
    bks_note: str = "",
    notes: tuple[str, ...] = (),
) -> BenchInstance:
    """``requests``: (pickup, drop-off, max ride, (seats, wheelchair places)) per request.

    Request ids count all of the file's requests (``R001``...), skipped ones included.
    """
    scale = DARP_TIME_SCALE
    coords: dict[LatLon, tuple[float, float]] = {}

    def place(node: _Node) -> LatLon:
        key = LatLon(lat=node.y, lon=node.x)  # the same point is the same matrix row
        coords[key] = (node.x, node.y)
        return key

    depot_key = place(depot)
    place(end_depot)
    skipped_numbers = {int(s[1:]) for s in skipped}
    numbers = [i for i in range(1, len(requests) + len(skipped) + 1) if i not in skipped_numbers]
    passengers = []
    centres = []
    for number, (pickup, dropoff, max_ride, (seats, wheelchairs)) in zip(
        numbers, requests, strict=True
    ):
        if pickup.service != dropoff.service:
            raise ValueError(f"{name}: request {number} has different service times.")
        centre_id = f"D{number:03d}"
        window = TimeWindow(round(dropoff.early * scale), round(dropoff.late * scale))
        centres.append(
            Centre(
                centre_id, f"drop-off {number}", place(dropoff), {DAY: CentreHours(window, window)}
            )
        )
        is_wheelchair = wheelchairs > 0
        passengers.append(
            Passenger(
                passenger_id=f"R{number:03d}",
                home=place(pickup),
                centre_id=centre_id,
                days=frozenset({DAY}),
                mobility=Mobility.WHEELCHAIR if is_wheelchair else Mobility.WALKING,
                num_escorts=seats if is_wheelchair else seats - 1,
                boarding_s=round(pickup.service * scale),
                max_ride_s=round(max_ride * scale),
                earliest_pickup_s=round(pickup.early * scale),
                latest_pickup_s=round(pickup.late * scale),
            )
        )
    fleet = tuple(
        Vehicle(
            vehicle_id=f"V{k + 1:02d}",
            depot=depot_key,
            seats=seats,
            wheelchair_places=wheelchair_places,
            days=frozenset({DAY}),
            shift=TimeWindow(round(depot.early * scale), round(end_depot.late * scale)),
            tariff=DISTANCE_TARIFF,
            max_route_s=round(route_duration * scale),
        )
        for k, (route_duration, (seats, wheelchair_places)) in enumerate(vehicles)
    )
    problem = DayProblem(
        day=DAY,
        direction=Direction.TO_CENTRE,
        centres=tuple(centres),
        passengers=tuple(passengers),
        vehicles=fleet,
        settings=Settings(return_to_depot=True),
    )
    points = list(dict.fromkeys([depot_key, *coords]))
    return BenchInstance(
        name=name,
        family=family,
        kind="darp",
        problem=problem,
        matrices=euclidean_matrices(points, coords, scale),
        coords=coords,
        time_scale=scale,
        num_requests=num_requests if num_requests is not None else len(requests),
        bks=bks,
        bks_note=bks_note,
        skipped=skipped,
        notes=notes,
    )


# ------------------------------------------------------------------------------- Solomon


@dataclass(frozen=True, slots=True)
class SolomonBks:
    """vroom-scripts' best-known values: hierarchical (vehicles first) and distance only."""

    cost: float
    vehicles: int
    distance_cost: float | None
    distance_vehicles: int | None


def load_solomon_bks(path: Path) -> dict[str, SolomonBks]:
    """``BKS_vroom-scripts_VRPTW.json``: ``NAME`` (vehicles first) and ``NAME_distance``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for key, value in data.items():
        if key.endswith("_distance") or value.get("class") != "solomon":
            continue
        distance = data.get(f"{key}_distance", {})
        found[key] = SolomonBks(
            float(value["best_known_cost"]),
            int(value["solved_with_vehicles"]),
            float(distance["best_known_cost"]) if distance else None,
            int(distance["solved_with_vehicles"]) if distance else None,
        )
    return found


def read_solomon(path: Path, bks: Mapping[str, SolomonBks] | None = None) -> BenchInstance:
    """A Solomon (1987) VRPTW instance (the 100-customer text format)."""
    text = path.read_text(encoding="utf-8").splitlines()
    vehicle_line = next(i for i, line in enumerate(text) if line.strip().startswith("NUMBER"))
    num_vehicles, capacity = (int(v) for v in _numbers(text[vehicle_line + 1]))
    rows = [
        _numbers(line)
        for line in text[vehicle_line + 2 :]
        if line.strip() and line.split()[0].isdigit()
    ]
    scale = SOLOMON_TIME_SCALE
    taken: set[LatLon] = set()
    coords: dict[LatLon, tuple[float, float]] = {}
    service_after: dict[LatLon, int] = {}
    keys = []
    for row in rows:
        key = _key(row[1], row[2], taken)  # customers keep their own row: service differs
        taken.add(key)
        coords[key] = (row[1], row[2])
        service_after[key] = round(row[6] * scale)
        keys.append(key)
    depot_row, depot_key = rows[0], keys[0]
    horizon = TimeWindow(round(depot_row[4] * scale), round(depot_row[5] * scale))
    depot_centre = Centre("DEPOT", "depot", depot_key, {DAY: CentreHours(horizon, horizon)})
    passengers = tuple(
        Passenger(
            passenger_id=f"C{int(row[0]):03d}",
            home=key,
            centre_id="DEPOT",
            days=frozenset({DAY}),
            num_escorts=int(row[3]) - 1,
            boarding_s=0,
            max_ride_s=horizon.end_s,
            earliest_dropoff_s=round(row[4] * scale),
            latest_dropoff_s=round(row[5] * scale),
        )
        for row, key in zip(rows[1:], keys[1:], strict=True)
    )
    fleet = tuple(
        Vehicle(
            vehicle_id=f"V{k + 1:02d}",
            depot=depot_key,
            seats=capacity,
            wheelchair_places=0,
            days=frozenset({DAY}),
            shift=horizon,
            tariff=DISTANCE_TARIFF,
        )
        for k in range(num_vehicles)
    )
    problem = DayProblem(
        day=DAY,
        direction=Direction.FROM_CENTRE,
        centres=(depot_centre,),
        passengers=passengers,
        vehicles=fleet,
        settings=Settings(return_to_depot=True),
    )
    known = (bks or {}).get(path.stem)
    return BenchInstance(
        name=path.stem,
        family="solomon",
        kind="vrptw",
        problem=problem,
        matrices=euclidean_matrices(keys, coords, scale, service_after),
        coords=coords,
        time_scale=scale,
        num_requests=len(passengers),
        bks=known.cost if known else None,
        bks_vehicles=known.vehicles if known else None,
        bks_note="best known for the hierarchical objective (fewest vehicles, then distance)",
        bks_distance=known.distance_cost if known else None,
        bks_distance_vehicles=known.distance_vehicles if known else None,
    )
