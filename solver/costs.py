"""Costs in the contract's terms: a solved week priced per operator, and its annual figures.

Everything is computed from the routes of a :class:`~solver.domain.WeekResult`, the plan's
tariffs and a travel oracle for trip distances, so every figure can be traced to routes:

Weekly, per operator (``own``: the centres' vehicles; ``contractor``: bought in)
    distance   ``per_km`` × km driven on its routes
    time       ``per_hour`` × hours on its routes (depot to depot, waiting included)
    vehicle-day ``per_vehicle_day`` once per (weekday, vehicle) driving any route that day
               (as :func:`solver.week.totals.week_totals` counts it)
    trips      ``per_trip`` × passenger trips carried (one passenger, one direction, one day)
    bands      per passenger trip, the price of the vehicle's distance band for the trip's
               direct road distance (pickup to drop-off address, not the route's detour)
    fixed week ``per_week`` for every vehicle in the fleet, used or not
The first three are the routes' ``cost`` (what the routing model minimises); the last three do
not depend on the routes chosen.

Annual
    ``annual = weekly × operating_weeks + per_year`` for every vehicle in the fleet.
    ``operating_weeks`` defaults to :data:`DEFAULT_OPERATING_WEEKS` = 46: 52 weeks less
    summer (4), Christmas/New Year (1) and Easter/winter (1) holidays, when day centres close
    or run reduced (an assumption; set it per batch). Bergen's published unit, NOK per
    passenger per weekday slot per year (17 000-35 000 NOK), is ``annual / weekday slots``,
    a slot being one passenger attending one weekday a week.

Unassigned trips
    Nobody in the fleet carries them, yet someone must: each is priced at
    ``Costing.fallback_fare`` (a taxi; default :data:`DEFAULT_FALLBACK_FARE` NOK a trip) in
    the ``priced_*`` figures, so a week that leaves trips out is never compared as if they
    were free. The plain ``weekly_cost``/``annual_cost`` stay what the fleet costs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from solver.domain import Day, Direction, DistanceBand, LatLon, Tariff, WeekPlan, WeekResult
from solver.routing.read import ride_times

DEFAULT_OPERATING_WEEKS: Final = 46.0
"""Weeks a year the centres run transport: 52 less 6 weeks of holidays (assumption)."""
DEFAULT_FALLBACK_FARE: Final = 450.0
"""NOK for one trip nobody in the fleet carries (a taxi, one passenger, one direction): an
assumption, about a 10 km daytime taxi trip in Bergen (start fee plus distance and time);
a wheelchair taxi or an escort costs more. Set it per batch (``fallback_fare``)."""
WEEKS_PER_YEAR: Final = 52
OPERATORS: Final = ("contractor", "own")
_M_PER_KM: Final = 1000.0
_S_PER_HOUR: Final = 3600.0


class TripDistances(Protocol):
    """Road distance in metres between two locations (the solve's matrices are one)."""

    def distance_m(self, a: LatLon, b: LatLon) -> int:
        """Metres driven from ``a`` to ``b``."""
        ...


@dataclass(frozen=True, slots=True)
class Costing:
    """How a week is priced and becomes a year.

    ``operating_weeks`` weeks of transport a year; ``fallback_fare``: NOK for a trip nobody
    in the fleet carries (a taxi).
    """

    operating_weeks: float = DEFAULT_OPERATING_WEEKS
    fallback_fare: float = DEFAULT_FALLBACK_FARE


@dataclass(frozen=True, slots=True)
class TripLine:
    """One passenger trip carried, priced: ``trip_price`` (per trip) + ``band_price``."""

    passenger_id: str
    day: Day
    direction: Direction
    vehicle_id: str
    operator: str
    direct_m: int
    trip_price: float
    band_price: float


@dataclass(frozen=True)
class OperatorCosts:
    """One operator's week: activity and cost parts in NOK (see the module docstring)."""

    operator: str
    num_vehicles_in_fleet: int = 0
    num_vehicles_used: int = 0
    peak_vehicles: int = 0
    vehicle_days: int = 0
    num_routes: int = 0
    num_trips: int = 0
    distance_m: int = 0
    vehicle_s: int = 0
    distance_cost: float = 0.0
    time_cost: float = 0.0
    vehicle_day_cost: float = 0.0
    trip_cost: float = 0.0
    band_cost: float = 0.0
    fixed_week_cost: float = 0.0
    fixed_year_cost: float = 0.0

    @property
    def route_cost(self) -> float:
        """What the routes cost (distance + time + vehicle-days), NOK a week."""
        return self.distance_cost + self.time_cost + self.vehicle_day_cost

    @property
    def weekly_cost(self) -> float:
        """Everything paid in a week, NOK."""
        return self.route_cost + self.trip_cost + self.band_cost + self.fixed_week_cost

    def annual_cost(self, costing: Costing) -> float:
        """Weekly cost × operating weeks + fixed yearly sums, NOK."""
        return self.weekly_cost * costing.operating_weeks + self.fixed_year_cost


@dataclass(frozen=True)
class WeekCosts:
    """A solved week priced: per operator, per trip, and the week's service figures."""

    by_operator: Mapping[str, OperatorCosts]
    trips: tuple[TripLine, ...]
    num_passengers: int
    weekday_slots: int
    num_unassigned_trips: int
    peak_vehicles: int
    mean_ride_s: float
    max_ride_s: int
    day_directions: int = 10
    notes: tuple[str, ...] = field(default_factory=tuple)

    def total(self, attribute: str) -> float:
        """The sum of one :class:`OperatorCosts` attribute or property over operators."""
        return float(sum(getattr(c, attribute) for c in self.by_operator.values()))

    @property
    def weekly_cost(self) -> float:
        """NOK a week, all operators."""
        return self.total("weekly_cost")

    def annual_cost(self, costing: Costing) -> float:
        """NOK a year, all operators."""
        return sum(c.annual_cost(costing) for c in self.by_operator.values())

    def unassigned_cost(self, costing: Costing) -> float:
        """NOK a week for the trips nobody carries, each at ``costing.fallback_fare``."""
        return self.num_unassigned_trips * costing.fallback_fare

    def priced_weekly_cost(self, costing: Costing) -> float:
        """NOK a week with every unassigned trip at the fallback fare: what compares weeks."""
        return self.weekly_cost + self.unassigned_cost(costing)


def band_price(bands: Sequence[DistanceBand], distance_m: int) -> float:
    """The price of the first band (by ``max_m``) that ``distance_m`` does not exceed.

    A distance beyond every band pays the last band's price; no bands: 0.
    """
    if not bands:
        return 0.0
    ordered = sorted(bands, key=lambda b: float("inf") if b.max_m is None else b.max_m)
    for band in ordered:
        if band.max_m is None or distance_m <= band.max_m:
            return band.price
    return ordered[-1].price


def weekday_slots(plan: WeekPlan) -> int:
    """Passenger-weekdays a week: each passenger's weekdays on which their centre is open."""
    open_days = {c.centre_id: frozenset(c.hours) for c in plan.centres}
    return sum(1 for p in plan.passengers for d in p.days if d in open_days.get(p.centre_id, ()))


def price_week(plan: WeekPlan, result: WeekResult, distances: TripDistances) -> WeekCosts:
    """Price ``result`` (solved from ``plan``) in the contract's terms, per operator."""
    vehicles = {v.vehicle_id: v for v in plan.vehicles}
    passengers = {p.passenger_id: p for p in plan.passengers}
    centres = {c.centre_id: c for c in plan.centres}
    parts: dict[str, dict[str, float]] = {op: defaultdict(float) for op in OPERATORS}
    used: dict[str, set[str]] = defaultdict(set)
    vehicle_days: dict[str, set[tuple[Day, str]]] = defaultdict(set)
    peak: dict[str, int] = defaultdict(int)
    trips: list[TripLine] = []
    for vehicle in plan.vehicles:
        op = parts.setdefault(vehicle.operator, defaultdict(float))
        op["fleet"] += 1
        op["fixed_week"] += vehicle.tariff.per_week
        op["fixed_year"] += vehicle.tariff.per_year
    for day_result in result.plans:
        per_operator_routes: dict[str, int] = defaultdict(int)
        for route in day_result.routes:
            vehicle = vehicles[route.vehicle_id]
            tariff: Tariff = vehicle.tariff
            op = parts.setdefault(vehicle.operator, defaultdict(float))
            per_operator_routes[vehicle.operator] += 1
            used[vehicle.operator].add(vehicle.vehicle_id)
            vehicle_days[vehicle.operator].add((day_result.day, vehicle.vehicle_id))
            op["routes"] += 1
            op["distance_m"] += route.distance_m
            op["vehicle_s"] += route.duration_s
            op["distance"] += tariff.distance_cost(route.distance_m)
            op["time"] += tariff.time_cost(route.duration_s)
            for stop in route.stops:
                for pid in stop.pickups:
                    passenger = passengers[pid]
                    home = passenger.home_on(day_result.day)
                    centre = centres[passenger.centre_id].location
                    pickup, dropoff = (
                        (home, centre)
                        if day_result.direction is Direction.TO_CENTRE
                        else (centre, home)
                    )
                    direct_m = distances.distance_m(pickup, dropoff)
                    line = TripLine(
                        passenger_id=pid,
                        day=day_result.day,
                        direction=Direction(day_result.direction),
                        vehicle_id=vehicle.vehicle_id,
                        operator=vehicle.operator,
                        direct_m=direct_m,
                        trip_price=tariff.per_trip,
                        band_price=band_price(tariff.distance_bands, direct_m),
                    )
                    trips.append(line)
                    op["trips"] += 1
                    op["trip"] += line.trip_price
                    op["band"] += line.band_price
        for operator, count in per_operator_routes.items():
            peak[operator] = max(peak[operator], count)
    for operator, days in vehicle_days.items():
        parts[operator]["vehicle_day"] = sum(
            vehicles[vid].tariff.per_vehicle_day for _, vid in days
        )
    by_operator = {
        operator: OperatorCosts(
            operator=operator,
            num_vehicles_in_fleet=int(p["fleet"]),
            num_vehicles_used=len(used[operator]),
            peak_vehicles=peak[operator],
            vehicle_days=len(vehicle_days[operator]),
            num_routes=int(p["routes"]),
            num_trips=int(p["trips"]),
            distance_m=int(p["distance_m"]),
            vehicle_s=int(p["vehicle_s"]),
            distance_cost=p["distance"],
            time_cost=p["time"],
            vehicle_day_cost=p["vehicle_day"],
            trip_cost=p["trip"],
            band_cost=p["band"],
            fixed_week_cost=p["fixed_week"],
            fixed_year_cost=p["fixed_year"],
        )
        for operator, p in parts.items()
    }
    rides = [r for d in result.plans for r in ride_times(d.routes).values()]
    return WeekCosts(
        by_operator=by_operator,
        trips=tuple(trips),
        num_passengers=len(plan.passengers),
        weekday_slots=weekday_slots(plan),
        num_unassigned_trips=sum(len(d.unassigned) for d in result.plans),
        peak_vehicles=max((len(d.routes) for d in result.plans), default=0),
        mean_ride_s=sum(rides) / len(rides) if rides else 0.0,
        max_ride_s=max(rides, default=0),
        day_directions=len(result.plans),
    )


FIGURE_UNITS: Final[dict[str, str]] = {
    "passengers": "passengers with a place",
    "weekday_slots": "passenger-weekdays a week",
    "trips": "passenger trips carried a week",
    "unassigned_trips": "trips nobody carries (a week)",
    "peak_vehicles": "most vehicles in one day-direction",
    "vehicles_used": "distinct vehicles used in the week",
    "vehicle_days": "(weekday, vehicle) pairs driving, a week",
    "vehicle_hours": "hours on routes a week",
    "km": "km driven a week",
    "route_cost_week": "NOK a week: km + hours + vehicle-days",
    "contract_extras_week": "NOK a week: per-trip + distance bands + fixed per week",
    "weekly_cost": "NOK a week, all cost parts",
    "annual_cost": "NOK a year: weekly × operating weeks + fixed per year",
    "unassigned_cost_week": "NOK a week: unassigned trips × the fallback fare (a taxi)",
    "priced_weekly_cost": "NOK a week: weekly cost + unassigned trips at the fallback fare",
    "priced_annual_cost": "NOK a year: annual cost + unassigned trips at the fallback fare",
    "cost_per_slot_year": "NOK a year per passenger per weekday slot (Bergen's unit)",
    "cost_per_passenger_year": "NOK a year per passenger",
    "mean_ride_min": "mean ride time, minutes",
    "max_ride_min": "longest ride time, minutes",
}
"""The figures of :func:`figures` with their units (CSV and report headers)."""

PER_OPERATOR_FIGURES: Final = (
    "peak_vehicles",
    "vehicles_used",
    "vehicle_days",
    "trips",
    "km",
    "vehicle_hours",
    "weekly_cost",
    "annual_cost",
)
"""Figures also given per operator, as ``NAME_contractor`` and ``NAME_own``."""


def _operator_figures(c: OperatorCosts, costing: Costing) -> dict[str, float]:
    return {
        "peak_vehicles": c.peak_vehicles,
        "vehicles_used": c.num_vehicles_used,
        "vehicle_days": c.vehicle_days,
        "trips": c.num_trips,
        "km": round(c.distance_m / _M_PER_KM, 3),
        "vehicle_hours": round(c.vehicle_s / _S_PER_HOUR, 4),
        "weekly_cost": round(c.weekly_cost, 2),
        "annual_cost": round(c.annual_cost(costing), 2),
    }


def figures(costs: WeekCosts, costing: Costing) -> dict[str, float]:
    """Flat figures of a priced week (names and units: :data:`FIGURE_UNITS`), per operator too.

    Sums are over the routes and trip lines; costs are rounded to öre, km to metres, hours to
    0.36 s.
    """
    annual = costs.annual_cost(costing)
    out: dict[str, float] = {
        "passengers": costs.num_passengers,
        "weekday_slots": costs.weekday_slots,
        "trips": len(costs.trips),
        "unassigned_trips": costs.num_unassigned_trips,
        "peak_vehicles": costs.peak_vehicles,
        "vehicles_used": int(costs.total("num_vehicles_used")),
        "vehicle_days": int(costs.total("vehicle_days")),
        "vehicle_hours": round(costs.total("vehicle_s") / _S_PER_HOUR, 4),
        "km": round(costs.total("distance_m") / _M_PER_KM, 3),
        "route_cost_week": round(costs.total("route_cost"), 2),
        "contract_extras_week": round(
            costs.total("trip_cost") + costs.total("band_cost") + costs.total("fixed_week_cost"),
            2,
        ),
        "weekly_cost": round(costs.weekly_cost, 2),
        "annual_cost": round(annual, 2),
        "unassigned_cost_week": round(costs.unassigned_cost(costing), 2),
        "priced_weekly_cost": round(costs.priced_weekly_cost(costing), 2),
        "priced_annual_cost": round(
            annual + costs.unassigned_cost(costing) * costing.operating_weeks, 2
        ),
        "cost_per_slot_year": round(annual / costs.weekday_slots, 2)
        if costs.weekday_slots
        else 0.0,
        "cost_per_passenger_year": round(annual / costs.num_passengers, 2)
        if costs.num_passengers
        else 0.0,
        "mean_ride_min": round(costs.mean_ride_s / 60.0, 2),
        "max_ride_min": round(costs.max_ride_s / 60.0, 2),
    }
    for operator in OPERATORS:
        op = costs.by_operator.get(operator, OperatorCosts(operator))
        for name, value in _operator_figures(op, costing).items():
            out[f"{name}_{operator}"] = value
    return out


def trip_lines_to_json(costs: WeekCosts) -> list[dict[str, object]]:
    """The priced trips as JSON-ready dicts (one per passenger trip carried)."""
    return [
        {
            "passenger_id": t.passenger_id,
            "day": t.day,
            "direction": t.direction.value,
            "vehicle_id": t.vehicle_id,
            "operator": t.operator,
            "direct_m": t.direct_m,
            "trip_price": t.trip_price,
            "band_price": t.band_price,
        }
        for t in costs.trips
    ]


def costs_to_json(costs: WeekCosts, costing: Costing) -> dict[str, object]:
    """Per-operator parts (weekly and annual) and every priced trip, JSON-ready."""
    return {
        "operating_weeks": costing.operating_weeks,
        "fallback_fare": costing.fallback_fare,
        "unassigned_trips": costs.num_unassigned_trips,
        "unassigned_cost_week": round(costs.unassigned_cost(costing), 2),
        "by_operator": {
            operator: {
                "vehicles_in_fleet": c.num_vehicles_in_fleet,
                "vehicles_used": c.num_vehicles_used,
                "peak_vehicles": c.peak_vehicles,
                "vehicle_days": c.vehicle_days,
                "routes": c.num_routes,
                "trips": c.num_trips,
                "km": round(c.distance_m / _M_PER_KM, 3),
                "vehicle_hours": round(c.vehicle_s / _S_PER_HOUR, 4),
                "week": {
                    "distance": round(c.distance_cost, 2),
                    "time": round(c.time_cost, 2),
                    "vehicle_day": round(c.vehicle_day_cost, 2),
                    "trip": round(c.trip_cost, 2),
                    "distance_bands": round(c.band_cost, 2),
                    "fixed_week": round(c.fixed_week_cost, 2),
                    "total": round(c.weekly_cost, 2),
                },
                "fixed_year": round(c.fixed_year_cost, 2),
                "annual": round(c.annual_cost(costing), 2),
            }
            for operator, c in sorted(costs.by_operator.items())
        },
        "trips": trip_lines_to_json(costs),
    }
