"""The plan file <-> :class:`~solver.domain.WeekPlan`: read, check structure, write."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, overload

from solver.domain import (
    DAYS,
    BreakRule,
    Centre,
    CentreHours,
    Day,
    MaxRideRule,
    Mobility,
    Passenger,
    RoadSettings,
    SeatingLayout,
    ServiceTimes,
    Settings,
    Tariff,
    TimeWindow,
    Vehicle,
    WeekPlan,
)
from solver.io.files import read_bytes, write_json
from solver.io.issues import validate_json
from solver.io.schemas.common import (
    JsonDict,
    WindowSchema,
    layout_to_schema,
    location_from_schema,
    location_to_schema,
    schema_to_json,
)
from solver.io.schemas.plan import (
    BreakRuleSchema,
    CentreDaySchema,
    CentreSchema,
    MaxRideSchema,
    PassengerSchema,
    PlanSchema,
    RoadsSchema,
    ServiceSchema,
    SettingsSchema,
    TariffSchema,
    VehicleSchema,
)
from solver.io.times import format_hhmm, parse_hhmm


def _window(schema: WindowSchema) -> TimeWindow:
    return TimeWindow(start_s=parse_hhmm(schema.start), end_s=parse_hhmm(schema.end))


def _optional_time(text: str | None) -> int | None:
    return None if text is None else parse_hhmm(text)


def _ordered_days(days: Sequence[str] | frozenset[str]) -> list[Day]:
    return [day for day in DAYS if day in days]


def _centre_from_schema(schema: CentreSchema) -> Centre:
    hours: dict[Day, CentreHours] = {}
    for day in _ordered_days(schema.open_days):
        override = schema.days.get(day, CentreDaySchema())
        arrival = override.arrival_window or schema.arrival_window
        departure = override.departure_window or schema.departure_window
        # CentreSchema's validator guarantees both windows for every open day.
        assert arrival is not None and departure is not None
        hours[day] = CentreHours(arrival=_window(arrival), departure=_window(departure))
    return Centre(
        centre_id=schema.id,
        name=schema.name if schema.name is not None else schema.id,
        location=location_from_schema(schema.location),
        hours=hours,
        max_wheelchair_dropoffs=schema.max_wheelchair_dropoffs,
    )


def _passenger_from_schema(schema: PassengerSchema) -> Passenger:
    return Passenger(
        passenger_id=schema.id,
        home=location_from_schema(schema.home),
        centre_id=schema.centre_id,
        days=frozenset(schema.days),
        mobility=schema.mobility,
        num_escorts=schema.escorts,
        boarding_s=schema.boarding_s,
        max_ride_s=schema.max_ride_s,
        earliest_pickup_s=_optional_time(schema.earliest_pickup),
        latest_pickup_s=_optional_time(schema.latest_pickup),
        earliest_dropoff_s=_optional_time(schema.earliest_dropoff),
        latest_dropoff_s=_optional_time(schema.latest_dropoff),
        home_exceptions={
            day: location_from_schema(schema.home_exceptions[day])
            for day in _ordered_days(list(schema.home_exceptions))
        },
        birth_year=schema.birth_year,
        allowed_vehicles=(
            None if schema.allowed_vehicles is None else frozenset(schema.allowed_vehicles)
        ),
        excluded_vehicles=frozenset(schema.excluded_vehicles),
        ride_alone=schema.ride_alone,
        num_escorts_from_centre=schema.escorts_from_centre,
    )


def _vehicle_from_schema(schema: VehicleSchema) -> Vehicle:
    return Vehicle(
        vehicle_id=schema.id,
        depot=location_from_schema(schema.depot),
        seats=schema.seats,
        wheelchair_places=schema.wheelchair_places,
        days=frozenset(schema.days),
        shift=_window(schema.shift),
        tariff=Tariff(
            per_km=schema.tariff.per_km,
            per_hour=schema.tariff.per_hour,
            per_vehicle_day=schema.tariff.per_vehicle_day,
        ),
        layouts=tuple(
            SeatingLayout(seats=layout.seats, wheelchair_places=layout.wheelchair_places)
            for layout in schema.layouts or ()
        ),
        operator=schema.operator,
        max_route_s=schema.max_route_s,
    )


def _settings_from_schema(schema: SettingsSchema) -> Settings:
    service = schema.service
    roads = schema.roads
    return Settings(
        time_limit_s=float(schema.time_limit_s),
        seed=schema.seed,
        max_ride=MaxRideRule(min_s=schema.max_ride.min_s, factor=float(schema.max_ride.factor)),
        service=ServiceTimes(
            boarding_walking_s=service.boarding_walking_s,
            boarding_wheelchair_s=service.boarding_wheelchair_s,
            alighting_walking_s=service.alighting_walking_s,
            alighting_wheelchair_s=service.alighting_wheelchair_s,
            per_escort_s=service.per_escort_s,
        ),
        roads=RoadSettings(
            snap_limit_m=float(roads.snap_limit_m),
            speed_factor=float(roads.speed_factor),
            intersection_penalty_s=float(roads.intersection_penalty_s),
            access_speed_kph=float(roads.access_speed_kph),
            turn_penalty_s=float(roads.turn_penalty_s),
            u_turn_penalty_s=float(roads.u_turn_penalty_s),
        ),
        return_to_depot=schema.return_to_depot,
        consistency=schema.consistency,
        consistency_tolerance_s=schema.consistency_tolerance_s,
        same_vehicle_both_ways=schema.same_vehicle_both_ways,
        choose_layouts=schema.choose_layouts,
        driver_break=(
            None
            if schema.driver_break is None
            else BreakRule(schema.driver_break.duration_s, schema.driver_break.max_work_s)
        ),
        max_solutions=schema.max_solutions,
    )


def _plan_from_schema(schema: PlanSchema) -> WeekPlan:
    return WeekPlan(
        centres=tuple(_centre_from_schema(c) for c in schema.centres),
        passengers=tuple(_passenger_from_schema(p) for p in schema.passengers),
        vehicles=tuple(_vehicle_from_schema(v) for v in schema.vehicles),
        settings=_settings_from_schema(schema.settings),
        name=schema.name,
        osm_file=schema.osm_file,
        incompatible_pairs=tuple((a, b) for a, b in schema.incompatible_pairs),
    )


def _window_schema(window: TimeWindow) -> WindowSchema:
    return WindowSchema.model_construct(
        start=format_hhmm(window.start_s), end=format_hhmm(window.end_s)
    )


def _most_common(windows: Sequence[TimeWindow]) -> TimeWindow:
    """Pick the window most days share (ties: the earliest weekday's), written as the usual."""
    return Counter(windows).most_common(1)[0][0]


def _centre_schema(centre: Centre) -> CentreSchema:
    open_days = _ordered_days(list(centre.hours))
    usual: CentreDaySchema = CentreDaySchema.model_construct()
    overrides: dict[Day, CentreDaySchema] = {}
    if open_days:
        arrival = _most_common([centre.hours[day].arrival for day in open_days])
        departure = _most_common([centre.hours[day].departure for day in open_days])
        usual = CentreDaySchema.model_construct(
            arrival_window=_window_schema(arrival), departure_window=_window_schema(departure)
        )
        for day in open_days:
            hours = centre.hours[day]
            if hours.arrival != arrival or hours.departure != departure:
                overrides[day] = CentreDaySchema.model_construct(
                    arrival_window=(
                        None if hours.arrival == arrival else _window_schema(hours.arrival)
                    ),
                    departure_window=(
                        None if hours.departure == departure else _window_schema(hours.departure)
                    ),
                )
    return CentreSchema.model_construct(
        id=centre.centre_id,
        name=centre.name,
        location=location_to_schema(centre.location),
        arrival_window=usual.arrival_window,
        departure_window=usual.departure_window,
        open_days=open_days,
        days=overrides,
        max_wheelchair_dropoffs=centre.max_wheelchair_dropoffs,
    )


def _optional_hhmm(t_s: int | None) -> str | None:
    return None if t_s is None else format_hhmm(t_s)


def _passenger_schema(passenger: Passenger) -> PassengerSchema:
    return PassengerSchema.model_construct(
        id=passenger.passenger_id,
        home=location_to_schema(passenger.home),
        centre_id=passenger.centre_id,
        days=_ordered_days(passenger.days),
        mobility=Mobility(passenger.mobility),
        escorts=passenger.num_escorts,
        boarding_s=passenger.boarding_s,
        max_ride_s=passenger.max_ride_s,
        earliest_pickup=_optional_hhmm(passenger.earliest_pickup_s),
        latest_pickup=_optional_hhmm(passenger.latest_pickup_s),
        earliest_dropoff=_optional_hhmm(passenger.earliest_dropoff_s),
        latest_dropoff=_optional_hhmm(passenger.latest_dropoff_s),
        home_exceptions={
            day: location_to_schema(passenger.home_exceptions[day])
            for day in _ordered_days(list(passenger.home_exceptions))
        },
        birth_year=passenger.birth_year,
        escorts_from_centre=passenger.num_escorts_from_centre,
        allowed_vehicles=(
            None if passenger.allowed_vehicles is None else sorted(passenger.allowed_vehicles)
        ),
        excluded_vehicles=sorted(passenger.excluded_vehicles),
        ride_alone=passenger.ride_alone,
    )


def _vehicle_schema(vehicle: Vehicle) -> VehicleSchema:
    tariff = vehicle.tariff
    return VehicleSchema.model_construct(
        id=vehicle.vehicle_id,
        depot=location_to_schema(vehicle.depot),
        seats=vehicle.seats,
        wheelchair_places=vehicle.wheelchair_places,
        layouts=[layout_to_schema(layout) for layout in vehicle.layouts] or None,
        days=_ordered_days(vehicle.days),
        shift=_window_schema(vehicle.shift),
        tariff=TariffSchema.model_construct(
            per_km=tariff.per_km, per_hour=tariff.per_hour, per_vehicle_day=tariff.per_vehicle_day
        ),
        operator=vehicle.operator,
        max_route_s=vehicle.max_route_s,
    )


def _settings_schema(settings: Settings) -> SettingsSchema:
    service = settings.service
    roads = settings.roads
    return SettingsSchema.model_construct(
        time_limit_s=settings.time_limit_s,
        seed=settings.seed,
        max_ride=MaxRideSchema.model_construct(
            min_s=settings.max_ride.min_s, factor=settings.max_ride.factor
        ),
        service=ServiceSchema.model_construct(
            boarding_walking_s=service.boarding_walking_s,
            boarding_wheelchair_s=service.boarding_wheelchair_s,
            alighting_walking_s=service.alighting_walking_s,
            alighting_wheelchair_s=service.alighting_wheelchair_s,
            per_escort_s=service.per_escort_s,
        ),
        roads=RoadsSchema.model_construct(
            snap_limit_m=roads.snap_limit_m,
            speed_factor=roads.speed_factor,
            intersection_penalty_s=roads.intersection_penalty_s,
            access_speed_kph=roads.access_speed_kph,
            turn_penalty_s=roads.turn_penalty_s,
            u_turn_penalty_s=roads.u_turn_penalty_s,
        ),
        return_to_depot=settings.return_to_depot,
        consistency=settings.consistency,
        consistency_tolerance_s=settings.consistency_tolerance_s,
        same_vehicle_both_ways=settings.same_vehicle_both_ways,
        choose_layouts=settings.choose_layouts,
        driver_break=(
            None
            if settings.driver_break is None
            else BreakRuleSchema.model_construct(
                duration_s=settings.driver_break.duration_s,
                max_work_s=settings.driver_break.max_work_s,
            )
        ),
        max_solutions=settings.max_solutions,
    )


def plan_to_json(plan: WeekPlan) -> JsonDict:
    """Convert ``plan`` to a JSON-ready dict in the plan file format (``parse_plan`` reads it).

    Optional passenger fields that are unset are left out; everything else is written out,
    settings included, so the file states exactly what was solved. A centre's most common
    windows become its usual ``arrival_window``/``departure_window``; other weekdays go to
    ``days``. Raises ``ValueError`` for a time of day outside 00:00-23:59:59 (which
    :func:`solver.validate.validate` reports as ``INPUT_VALUE`` first).
    """
    return schema_to_json(
        PlanSchema.model_construct(
            name=plan.name,
            osm_file=plan.osm_file,
            centres=[_centre_schema(c) for c in plan.centres],
            passengers=[_passenger_schema(p) for p in plan.passengers],
            vehicles=[_vehicle_schema(v) for v in plan.vehicles],
            settings=_settings_schema(plan.settings),
            incompatible_pairs=[(a, b) for a, b in plan.incompatible_pairs],
        )
    )


def parse_plan(data: bytes | str | Mapping[str, Any], source: str = "plan") -> WeekPlan:
    """Read the week plan in ``data`` (JSON text, bytes or an already-parsed dict).

    Checks structure only (see :func:`solver.validate.validate` for meaning). Raises
    :class:`~solver.errors.InputError` with ``INPUT_MALFORMED_JSON`` (naming line and
    column) or one ``INPUT_SCHEMA`` issue per problem; ``source`` names the input in messages.
    """
    return _plan_from_schema(validate_json(PlanSchema, data, source, "The plan"))


def load_plan(path: Path) -> WeekPlan:
    """Read the week plan in the JSON file at ``path``.

    Raises ``InputError`` as :func:`parse_plan` does, or ``INPUT_FILE`` when the file cannot be
    read. ``osm_file`` is kept as written: resolve it with :func:`resolve_osm_file`.
    """
    return parse_plan(read_bytes(path), source=str(path))


def dump_plan(plan: WeekPlan, path: Path) -> None:
    """Write ``plan`` to ``path`` as indented UTF-8 JSON (see :func:`plan_to_json`)."""
    write_json(plan_to_json(plan), path)


@overload
def resolve_osm_file(plan_path: Path | None, value: str) -> Path: ...
@overload
def resolve_osm_file(plan_path: Path | None, value: None) -> None: ...
def resolve_osm_file(plan_path: Path | None, value: str | None) -> Path | None:
    """Where the plan's ``osm_file`` lies.

    ``None`` stays ``None``; an absolute path (``~`` expanded) is taken as is; a relative
    path is looked for in the plan file's folder, then in the current directory. When it
    exists in neither, the plan-relative path is returned (the caller reports it missing).
    ``plan_path`` is ``None`` for plans not read from a file: then the current directory.
    """
    if value is None:
        return None
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    beside_plan = plan_path.parent / path if plan_path is not None else path
    if beside_plan.exists():
        return beside_plan
    from_cwd = Path.cwd() / path
    if from_cwd.exists():
        return from_cwd
    return beside_plan
