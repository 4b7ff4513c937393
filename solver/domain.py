"""The solver's domain: immutable problem and result objects.

Everything here is plain Python (frozen dataclasses); no pydantic, no OR-Tools. Times of day
are integer seconds after midnight, durations integer seconds, distances integer metres,
money in NOK (float). "HH:MM" strings exist only at the edges (``solver.io``).

Vocabulary: passenger, escort, centre, vehicle, depot, trip (one passenger, one direction, one
day), stop, route, day (``mon``..``fri``), direction (``to_centre`` | ``from_centre``), week.

One module on purpose: every type of the problem and the result in one place, so the
vocabulary stays one; each type is a small frozen dataclass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

Day = Literal["mon", "tue", "wed", "thu", "fri"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri")


class Direction(StrEnum):
    """Which way a day-direction's trips go."""

    TO_CENTRE = "to_centre"
    FROM_CENTRE = "from_centre"


DIRECTIONS: tuple[Direction, ...] = (Direction.TO_CENTRE, Direction.FROM_CENTRE)


class Mobility(StrEnum):
    """How a passenger travels: seated in an ordinary seat, or in their wheelchair."""

    WALKING = "walking"
    WHEELCHAIR = "wheelchair"


@dataclass(frozen=True, slots=True)
class LatLon:
    """A WGS84 point in degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval of times of day, seconds after midnight."""

    start_s: int
    end_s: int

    def contains(self, t_s: int) -> bool:
        """Whether ``t_s`` lies in the window (both ends included)."""
        return self.start_s <= t_s <= self.end_s


@dataclass(frozen=True, slots=True)
class CentreHours:
    """A centre's windows on one weekday.

    ``arrival``: when morning vehicles may arrive (service start of drop-offs).
    ``departure``: when afternoon vehicles may leave with passengers (service start of pickups).
    """

    arrival: TimeWindow
    departure: TimeWindow

    def window(self, direction: Direction) -> TimeWindow:
        """The window of ``direction``: arrivals to the centre, departures from it."""
        return self.arrival if direction is Direction.TO_CENTRE else self.departure


@dataclass(frozen=True)
class Centre:
    """A day centre. ``hours`` has an entry for each weekday the centre is open.

    ``max_wheelchair_dropoffs``: at most this many wheelchair users set down at the centre's
    entrance at one time in the morning (e.g. 1 for a single ramp); None: no limit. Each
    set-down lasts the passenger's alighting time and is a stop of its own.
    """

    centre_id: str
    name: str
    location: LatLon
    hours: Mapping[Day, CentreHours]
    max_wheelchair_dropoffs: int | None = None


@dataclass(frozen=True)
class Passenger:
    """A person driven between home and a centre, with their escorts.

    ``num_escorts`` escorts ride along and take ordinary seats. A wheelchair passenger takes a
    wheelchair place instead of a seat. ``boarding_s`` overrides the settings' default boarding
    (and alighting) time. ``max_ride_s`` overrides the settings' ride-time rule.

    Own time windows, seconds after midnight, each optional, on every day and in both
    directions: the pickup's service start lies in [``earliest_pickup_s``,
    ``latest_pickup_s``] and the drop-off's in [``earliest_dropoff_s``, ``latest_dropoff_s``],
    intersected with the centre's window on the centre side (``to_centre``: the drop-off with
    the arrival window; ``from_centre``: the pickup with the departure window). Being times of
    day, an earliest pickup of 07:45 binds the morning trip only in practice, and a latest
    drop-off of 16:15 the afternoon one; a latest pickup of 08:00 would make the afternoon
    pickup at the centre impossible (``validate`` reports that).
    ``home_exceptions`` gives another address on some weekdays.

    Vehicle rules: ``allowed_vehicles`` (None: any vehicle) lists the only vehicles the
    passenger may ride; ``excluded_vehicles`` those they may never ride (both by vehicle id).
    ``ride_alone``: nobody but their own escorts may be aboard while they are.
    ``num_escorts_from_centre``: escorts on the afternoon trip (None: ``num_escorts``); a
    ``from_centre`` :class:`DayProblem` holds the passenger with it as ``num_escorts``
    (:meth:`for_direction`).
    """

    passenger_id: str
    home: LatLon
    centre_id: str
    days: frozenset[Day]
    mobility: Mobility = Mobility.WALKING
    num_escorts: int = 0
    boarding_s: int | None = None
    max_ride_s: int | None = None
    earliest_pickup_s: int | None = None
    latest_pickup_s: int | None = None
    earliest_dropoff_s: int | None = None
    latest_dropoff_s: int | None = None
    home_exceptions: Mapping[Day, LatLon] = field(default_factory=dict)
    birth_year: int | None = None
    allowed_vehicles: frozenset[str] | None = None
    excluded_vehicles: frozenset[str] = frozenset()
    ride_alone: bool = False
    num_escorts_from_centre: int | None = None

    def may_ride(self, vehicle_id: str) -> bool:
        """Whether ``allowed_vehicles`` and ``excluded_vehicles`` let the passenger ride it."""
        if vehicle_id in self.excluded_vehicles:
            return False
        return self.allowed_vehicles is None or vehicle_id in self.allowed_vehicles

    def escorts_on(self, direction: Direction) -> int:
        """Escorts riding along in ``direction`` (the afternoon may differ)."""
        if direction == Direction.FROM_CENTRE and self.num_escorts_from_centre is not None:
            return self.num_escorts_from_centre
        return self.num_escorts

    def for_direction(self, direction: Direction) -> Passenger:
        """The passenger as they travel in ``direction``: ``num_escorts`` set for that trip."""
        escorts = self.escorts_on(direction)
        return self if escorts == self.num_escorts else replace(self, num_escorts=escorts)

    @property
    def needs_wheelchair_place(self) -> bool:
        """Whether this passenger rides seated in their wheelchair."""
        return self.mobility is Mobility.WHEELCHAIR

    @property
    def num_seats(self) -> int:
        """Ordinary seats taken: the passenger's own (unless in a wheelchair) plus escorts."""
        return self.num_escorts + (0 if self.needs_wheelchair_place else 1)

    @property
    def num_wheelchair_places(self) -> int:
        """Wheelchair places taken (0 or 1)."""
        return 1 if self.needs_wheelchair_place else 0

    def home_on(self, day: Day) -> LatLon:
        """The address the passenger leaves from / returns to on ``day``."""
        return self.home_exceptions.get(day, self.home)


@dataclass(frozen=True, slots=True)
class DistanceBand:
    """A contract price per passenger trip by distance (see :class:`Tariff`).

    ``price`` NOK for a trip whose direct road distance is at most ``max_m`` metres
    (``None``: any distance).
    """

    max_m: int | None
    price: float


@dataclass(frozen=True, slots=True)
class Tariff:
    """What a vehicle costs, in NOK: per km driven, per hour on duty, per day used.

    The routing model uses ``per_km``, ``per_hour`` and ``per_vehicle_day`` (a route's
    ``cost``). The contract terms after them do not depend on the routes chosen and are priced
    after routing by :mod:`solver.costs`: ``per_trip`` per passenger trip carried,
    ``distance_bands`` per passenger trip by its direct road distance (home to centre; the
    first band whose ``max_m`` is not exceeded, sorted by ``max_m``), ``per_week`` a fixed
    sum per vehicle in the fleet per operating week and ``per_year`` a fixed sum per vehicle
    in the fleet per year.
    """

    per_km: float = 0.0
    per_hour: float = 0.0
    per_vehicle_day: float = 0.0
    per_trip: float = 0.0
    per_week: float = 0.0
    per_year: float = 0.0
    distance_bands: tuple[DistanceBand, ...] = ()

    def distance_cost(self, distance_m: float) -> float:
        """NOK for driving ``distance_m`` metres: ``per_km`` x km."""
        return self.per_km * distance_m / 1000.0

    def time_cost(self, duration_s: float) -> float:
        """NOK for ``duration_s`` seconds on a route (waiting included): ``per_hour`` x hours."""
        return self.per_hour * duration_s / 3600.0

    def route_cost(self, distance_m: float, duration_s: float) -> float:
        """NOK for one route the vehicle drives: what the routing model minimises.

        ``distance_m`` metres driven and ``duration_s`` seconds from leaving the depot to the
        route's end: ``per_vehicle_day`` + ``per_km`` x km + ``per_hour`` x hours (unrounded;
        a :class:`Route`'s ``cost`` is this rounded to 0.01). :mod:`solver.routing.model` builds the
        same sum in objective units.
        """
        return self.per_vehicle_day + self.distance_cost(distance_m) + self.time_cost(duration_s)


@dataclass(frozen=True, slots=True)
class SeatingLayout:
    """One way a vehicle's flip seats can be set: ordinary seats and wheelchair places."""

    seats: int
    wheelchair_places: int


@dataclass(frozen=True)
class Vehicle:
    """A vehicle with its driver, starting and ending each route at its depot.

    ``seats``/``wheelchair_places`` are the layout used now; ``layouts`` records all the
    layouts its flip seats allow (for later use; the first is the default).
    ``max_route_s``: the longest a route may last, from leaving the depot to returning (to its
    last stop for open routes), waiting included: the drivers' working-time rule. ``None``:
    only the shift limits it.
    """

    vehicle_id: str
    depot: LatLon
    seats: int
    wheelchair_places: int
    days: frozenset[Day]
    shift: TimeWindow
    tariff: Tariff = Tariff()
    layouts: tuple[SeatingLayout, ...] = ()
    operator: str = "contractor"
    max_route_s: int | None = None


def layouts_of(vehicle: Vehicle) -> tuple[SeatingLayout, ...]:
    """Every layout ``vehicle`` may be driven with: its ``layouts``, else its current one."""
    return vehicle.layouts or (SeatingLayout(vehicle.seats, vehicle.wheelchair_places),)


def as_laid_out(vehicles: Sequence[Vehicle], choose_layouts: bool) -> list[Vehicle]:
    """The vehicles as the routing sees them: with ``choose_layouts``, one copy per layout.

    Each copy has that layout's ``seats``/``wheelchair_places`` (and the rest unchanged);
    a vehicle that lists no layouts, or ``choose_layouts`` off, stays as it is.
    """
    if not choose_layouts:
        return list(vehicles)
    return [
        replace(vehicle, seats=layout.seats, wheelchair_places=layout.wheelchair_places)
        for vehicle in vehicles
        for layout in layouts_of(vehicle)
    ]


@dataclass(frozen=True, slots=True)
class MaxRideRule:
    """Default maximum ride time: the larger of ``min_s`` and ``factor`` × direct time."""

    min_s: int = 30 * 60
    factor: float = 2.0

    def limit_s(self, direct_s: int) -> int:
        """The maximum ride time for a trip whose direct travel time is ``direct_s``."""
        return max(self.min_s, round(self.factor * direct_s))


@dataclass(frozen=True, slots=True)
class ServiceTimes:
    """Default boarding and alighting durations in seconds, per mobility."""

    boarding_walking_s: int = 60
    boarding_wheelchair_s: int = 180
    alighting_walking_s: int = 45
    alighting_wheelchair_s: int = 120
    per_escort_s: int = 15


@dataclass(frozen=True, slots=True)
class RoadSettings:
    """How the road graph and travel times are built.

    ``snap_limit_m``: farthest a location may lie from the road network.
    ``speed_factor``: multiplies free-flow speeds (below 1.0 = slower, for congestion).
    ``intersection_penalty_s``: added each time a route passes a junction (3+ ways meet).
    ``access_speed_kph``: speed on the straight leg between a location and its road node.
    ``turn_penalty_s``: the cost of the sharpest turn at a junction (OSRM's car profile: 7.5;
    left turns dearer than right ones, see ``solver.roads.turns``); 0 = no turn costs.
    ``u_turn_penalty_s``: extra cost of turning back (OSRM: 20). Either above 0 routes on the
    turn-expanded graph.
    """

    snap_limit_m: float = 500.0
    speed_factor: float = 1.0
    intersection_penalty_s: float = 0.0
    access_speed_kph: float = 15.0
    turn_penalty_s: float = 0.0
    u_turn_penalty_s: float = 0.0


@dataclass(frozen=True, slots=True)
class BreakRule:
    """Drivers' breaks: no stretch of ``max_work_s`` without a ``duration_s`` break.

    E.g. 30 min within every 5.5 h.
    Counted from the route's start (leaving the depot) to its first break, between breaks,
    and from the last break to the route's end; a break is taken while the vehicle stands
    still between two stops (or depot and stop), never while driving or serving.
    """

    duration_s: int = 30 * 60
    max_work_s: int = 5 * 3600 + 30 * 60


@dataclass(frozen=True, slots=True)
class Settings:
    """Solver settings for a week.

    ``time_limit_s``: wall-clock budget for a whole solve (roads and matrices included).
    ``seed``: fixes every random choice; the same plan, seed and budget give the same routes.
    ``consistency``: ``off`` | ``soft`` | ``strict`` — hold each passenger to one vehicle and
    one pickup time (+/- ``consistency_tolerance_s``) across the week (``solver.week.consistency``).
    ``same_vehicle_both_ways``: a passenger rides home in the vehicle that brought them that
    morning (``solver.week`` solves the mornings first and pins the afternoons to them).
    ``choose_layouts``: the solver sets each route's flip seats to one of its vehicle's
    ``layouts`` (reported as ``Route.layout``) instead of using ``seats``/``wheelchair_places``.
    ``driver_break``: the break rule drivers keep on long routes (None: no breaks planned).
    ``max_solutions``: a deterministic work limit on each day-direction's search (None: the
    clock alone); where it binds before the clock, the same plan and seed give the same
    routes on any machine and through any entry point (CLI, service, scenario batch).
    """

    time_limit_s: float = 60.0
    seed: int = 1
    max_ride: MaxRideRule = MaxRideRule()
    service: ServiceTimes = ServiceTimes()
    roads: RoadSettings = RoadSettings()
    return_to_depot: bool = True
    consistency: str = "off"
    consistency_tolerance_s: int = 10 * 60
    same_vehicle_both_ways: bool = False
    choose_layouts: bool = False
    driver_break: BreakRule | None = None
    max_solutions: int | None = None


@dataclass(frozen=True)
class WeekPlan:
    """A week's attendance, fleet and settings. Immutable: what-ifs are modified copies.

    ``incompatible_pairs``: pairs of passenger ids who must never be aboard one vehicle at
    the same time.
    """

    centres: tuple[Centre, ...]
    passengers: tuple[Passenger, ...]
    vehicles: tuple[Vehicle, ...]
    settings: Settings = Settings()
    name: str = "week"
    osm_file: str | None = None
    incompatible_pairs: tuple[tuple[str, str], ...] = ()

    def replace(self, **changes: object) -> WeekPlan:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def centre(self, centre_id: str) -> Centre:
        """The centre with this id (KeyError if none)."""
        for centre in self.centres:
            if centre.centre_id == centre_id:
                return centre
        raise KeyError(centre_id)

    def day_problem(self, day: Day, direction: Direction) -> DayProblem:
        """The passengers attending and vehicles available on ``day``, one direction.

        Passengers come as they travel in ``direction`` (:meth:`Passenger.for_direction`).
        """
        open_centres = {c.centre_id for c in self.centres if day in c.hours}
        return DayProblem(
            day=day,
            direction=direction,
            centres=self.centres,
            passengers=tuple(
                p.for_direction(direction)
                for p in self.passengers
                if day in p.days and p.centre_id in open_centres
            ),
            vehicles=tuple(v for v in self.vehicles if day in v.days),
            settings=self.settings,
            incompatible_pairs=self.incompatible_pairs,
        )


@dataclass(frozen=True)
class DayProblem:
    """One weekday, one direction: who travels and which vehicles may drive them.

    ``incompatible_pairs``: passenger ids never aboard one vehicle at once (pairs naming
    somebody not travelling are harmless).
    ``route_ranks``: per passenger a rank; on any route every visit (pickup and drop-off) of
    a lower rank comes before every visit of a higher one. Unranked passengers rank 0. Week
    templates use it (``solver.week.consistency.template_problem``).
    """

    day: Day
    direction: Direction
    centres: tuple[Centre, ...]
    passengers: tuple[Passenger, ...]
    vehicles: tuple[Vehicle, ...]
    settings: Settings
    pins: Mapping[str, Pin] = field(default_factory=dict)
    incompatible_pairs: tuple[tuple[str, str], ...] = ()
    route_ranks: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The direction is compared by identity (``is Direction.TO_CENTRE``) in the model and
        # the checker: a plain "to_centre" string would make half the day an afternoon.
        object.__setattr__(self, "direction", Direction(self.direction))

    def centre(self, centre_id: str) -> Centre:
        """The centre with this id (KeyError if none)."""
        for centre in self.centres:
            if centre.centre_id == centre_id:
                return centre
        raise KeyError(centre_id)


@dataclass(frozen=True, slots=True)
class Pin:
    """Where a passenger should ride today to match their week: a vehicle and a pickup time.

    ``vehicle_id``: the vehicle to ride (None: any). ``pickup_s``: the target pickup service
    start; the pickup should lie within ``tolerance_s`` of it. ``is_strict``: hard constraint
    (the passenger may only be served that way) or a penalised preference; ``is_time_strict``
    overrides it for the time (e.g. a strict vehicle with a soft time).
    """

    vehicle_id: str | None
    pickup_s: int | None
    tolerance_s: int
    is_strict: bool
    is_time_strict: bool | None = None

    @property
    def holds_time(self) -> bool:
        """Whether the pickup window is a hard constraint (default: as ``is_strict``)."""
        return self.is_strict if self.is_time_strict is None else self.is_time_strict


def max_ride_limit_s(passenger: Passenger, direct_s: int, rule: MaxRideRule) -> int:
    """The maximum ride time of ``passenger`` on a trip whose direct travel time is ``direct_s``.

    A passenger's own ``max_ride_s`` wins over the plan's rule.
    """
    if passenger.max_ride_s is not None:
        return passenger.max_ride_s
    return rule.limit_s(direct_s)


def boarding_s(passenger: Passenger, service: ServiceTimes) -> int:
    """Seconds to board ``passenger`` and their escorts."""
    if passenger.boarding_s is not None:
        return passenger.boarding_s
    base = (
        service.boarding_wheelchair_s
        if passenger.needs_wheelchair_place
        else service.boarding_walking_s
    )
    return base + service.per_escort_s * passenger.num_escorts


def alighting_s(passenger: Passenger, service: ServiceTimes) -> int:
    """Seconds for ``passenger`` and their escorts to leave the vehicle."""
    if passenger.boarding_s is not None:
        return passenger.boarding_s
    base = (
        service.alighting_wheelchair_s
        if passenger.needs_wheelchair_place
        else service.alighting_walking_s
    )
    return base + service.per_escort_s * passenger.num_escorts


# ----------------------------------------------------------------------------------- results


class StopKind(StrEnum):
    """What happens at a stop."""

    DEPOT = "depot"
    HOME = "home"
    CENTRE = "centre"


@dataclass(frozen=True)
class Stop:
    """One place a route visits.

    ``arrival_s``: when service starts there (the vehicle may have waited before it).
    ``departure_s``: when the vehicle leaves. Loads are after the stop.
    """

    kind: StopKind
    location: LatLon
    arrival_s: int
    departure_s: int
    pickups: tuple[str, ...] = ()
    dropoffs: tuple[str, ...] = ()
    load_seats: int = 0
    load_wheelchair_places: int = 0
    centre_id: str | None = None


@dataclass(frozen=True, slots=True)
class DriverBreak:
    """A driver's break on a route, while the vehicle stands between two stops.

    From ``start_s`` (seconds after midnight), ``duration_s`` long.
    """

    start_s: int
    duration_s: int


@dataclass(frozen=True)
class Route:
    """One vehicle's route for one day-direction, depot to depot.

    ``layout``: the flip-seat layout the route is driven with, when the solver chose one
    (``Settings.choose_layouts``); ``None``: the vehicle's ``seats``/``wheelchair_places``.
    ``breaks``: the driver's breaks (``Settings.driver_break``), in order.
    """

    vehicle_id: str
    stops: tuple[Stop, ...]
    distance_m: int
    duration_s: int
    cost: float
    geometry: tuple[tuple[float, float], ...] = ()  # (lon, lat) pairs along the roads
    layout: SeatingLayout | None = None
    breaks: tuple[DriverBreak, ...] = ()


class Reason(StrEnum):
    """Why a passenger could not be served (stable codes, documented in the README)."""

    NO_WHEELCHAIR_VEHICLE = "UNASSIGNED_NO_WHEELCHAIR_VEHICLE"
    TOO_MANY_SEATS = "UNASSIGNED_TOO_MANY_SEATS"
    RIDE_TIME_TOO_SHORT = "UNASSIGNED_RIDE_TIME_TOO_SHORT"
    WINDOW_UNREACHABLE = "UNASSIGNED_WINDOW_UNREACHABLE"
    NO_VEHICLE = "UNASSIGNED_NO_VEHICLE"
    NO_ALLOWED_VEHICLE = "UNASSIGNED_NO_ALLOWED_VEHICLE"
    FLEET_EXHAUSTED = "UNASSIGNED_FLEET_EXHAUSTED"
    SEARCH_TIME = "UNASSIGNED_SEARCH_TIME"


class Relaxation(StrEnum):
    """Which relaxed copy of a day-direction served a passenger (``solver.week.explain``)."""

    RIDE_ALONE = "RELAX_RIDE_ALONE"
    INCOMPATIBLE_PAIR = "RELAX_INCOMPATIBLE_PAIR"
    MAX_RIDE = "RELAX_MAX_RIDE"
    CENTRE_WINDOW = "RELAX_CENTRE_WINDOW"
    WHEELCHAIR_ENTRANCE = "RELAX_WHEELCHAIR_ENTRANCE"
    SHIFT = "RELAX_SHIFT"
    EXTRA_VEHICLE = "RELAX_EXTRA_VEHICLE"
    NONE = "RELAX_NONE"


@dataclass(frozen=True, slots=True)
class Counterfactual:
    """What would have served an unassigned passenger: the first relaxation that did.

    ``code``: the relaxation (``Relaxation.NONE``: none of those tried helped); ``hint``: the
    change in the dispatcher's terms (centre, vehicle and passenger ids).
    """

    code: Relaxation
    hint: str


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A passenger not served on a day-direction, with a reason code and a hint to fix it.

    ``counterfactual``: the change found, by solving relaxed copies of the day-direction,
    under which the passenger is served (None: not explained, e.g. no time was left).
    """

    passenger_id: str
    reason: Reason
    hint: str
    counterfactual: Counterfactual | None = None


@dataclass(frozen=True)
class Kpis:
    """Key figures of a day-direction (or a week when summed)."""

    num_vehicles: int
    num_passengers: int
    num_unassigned: int
    distance_m: int
    vehicle_s: int
    cost: float
    mean_ride_s: float
    max_ride_s: int
    mean_ride_ratio: float


@dataclass(frozen=True)
class DayResult:
    """The routes and unassigned passengers for one day-direction."""

    day: Day
    direction: Direction
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    kpis: Kpis
    solve_s: float = 0.0


class NotPlannedReason(StrEnum):
    """Why a week result holds no plan for one of the week's day-directions."""

    NOT_REQUESTED = "NOT_PLANNED_NOT_REQUESTED"
    """The solve was asked for other days or directions only (``--days``, a job's ``days``)."""
    UNFINISHED = "NOT_PLANNED_UNFINISHED"
    """Asked for, but the job was cancelled or failed before it was planned (a partial
    result)."""


@dataclass(frozen=True, slots=True)
class NotPlanned:
    """A day-direction of the week a result has no plan for, and why."""

    day: Day
    direction: Direction
    reason: NotPlannedReason


@dataclass(frozen=True)
class WeekResult:
    """Every solved day-direction of a week, with week totals.

    ``not_planned``: the week's other day-directions, each with why it has no plan; a result
    accounts for all ten (``solver.check.check_result`` reports one that is neither).
    """

    plans: tuple[DayResult, ...]
    name: str = "week"
    totals: Mapping[str, float] = field(default_factory=dict)
    not_planned: tuple[NotPlanned, ...] = ()
