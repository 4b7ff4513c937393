"""The result file <-> :class:`~solver.domain.WeekResult`: read, check structure, write."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from solver.domain import (
    Counterfactual,
    DayResult,
    Direction,
    DriverBreak,
    Kpis,
    NotPlanned,
    Reason,
    Relaxation,
    Route,
    SeatingLayout,
    Stop,
    StopKind,
    Unassigned,
    WeekResult,
)
from solver.io.files import read_bytes, write_json
from solver.io.issues import validate_json
from solver.io.schemas.common import (
    JsonDict,
    layout_to_schema,
    location_from_schema,
    location_to_schema,
    schema_to_json,
)
from solver.io.schemas.result import (
    BreakSchema,
    CounterfactualSchema,
    DayPlanSchema,
    GeometrySchema,
    KpisSchema,
    LoadSchema,
    NotPlannedSchema,
    ResultSchema,
    RouteSchema,
    StopSchema,
    UnassignedSchema,
)
from solver.io.times import format_hms, parse_hhmm

_METRES_PER_KM = 1000
_SECONDS_PER_HOUR = 3600
_SECONDS_PER_MINUTE = 60


def _stop_schema(stop: Stop) -> StopSchema:
    return StopSchema.model_construct(
        kind=StopKind(stop.kind),
        centre_id=stop.centre_id,
        location=location_to_schema(stop.location),
        arrival=format_hms(stop.arrival_s),
        departure=format_hms(stop.departure_s),
        pickups=list(stop.pickups),
        dropoffs=list(stop.dropoffs),
        load=LoadSchema.model_construct(
            seats=stop.load_seats, wheelchair_places=stop.load_wheelchair_places
        ),
    )


def _route_schema(route: Route) -> RouteSchema:
    return RouteSchema.model_construct(
        vehicle_id=route.vehicle_id,
        stops=[_stop_schema(stop) for stop in route.stops],
        distance_m=route.distance_m,
        duration_s=route.duration_s,
        cost=route.cost,
        breaks=[
            BreakSchema.model_construct(start=format_hms(b.start_s), duration_s=b.duration_s)
            for b in route.breaks
        ],
        layout=None if route.layout is None else layout_to_schema(route.layout),
        geometry=(
            GeometrySchema.model_construct(type="LineString", coordinates=list(route.geometry))
            if route.geometry
            else None
        ),
    )


def _kpis_schema(kpis: Kpis) -> KpisSchema:
    # Converted units are rounded finer than 1 m / 1 s, so whole metres and seconds come
    # back exactly; the mean ride (a float already) comes back within 0.003 s.
    return KpisSchema.model_construct(
        vehicles=kpis.num_vehicles,
        passengers=kpis.num_passengers,
        unassigned=kpis.num_unassigned,
        km=kpis.distance_m / _METRES_PER_KM,
        vehicle_hours=round(kpis.vehicle_s / _SECONDS_PER_HOUR, 4),
        cost=kpis.cost,
        mean_ride_min=round(kpis.mean_ride_s / _SECONDS_PER_MINUTE, 4),
        max_ride_min=round(kpis.max_ride_s / _SECONDS_PER_MINUTE, 3),
        mean_ride_ratio=kpis.mean_ride_ratio,
    )


def _unassigned_schema(item: Unassigned) -> UnassignedSchema:
    return UnassignedSchema.model_construct(
        passenger_id=item.passenger_id,
        reason=Reason(item.reason),
        hint=item.hint,
        counterfactual=(
            None
            if item.counterfactual is None
            else CounterfactualSchema.model_construct(
                code=Relaxation(item.counterfactual.code), hint=item.counterfactual.hint
            )
        ),
    )


def _day_plan_schema(day_result: DayResult) -> DayPlanSchema:
    return DayPlanSchema.model_construct(
        day=day_result.day,
        direction=Direction(day_result.direction),
        routes=[_route_schema(route) for route in day_result.routes],
        unassigned=[_unassigned_schema(item) for item in day_result.unassigned],
        kpis=_kpis_schema(day_result.kpis),
        solve_s=day_result.solve_s,
    )


def result_to_json(result: WeekResult) -> JsonDict:
    """Convert ``result`` to a JSON-ready dict in the result file format.

    Times are ``HH:MM:SS``; KPIs are in km, hours and minutes. :func:`parse_result` reads
    it back to an equal result, except ``Kpis.mean_ride_s``, which comes back within 0.003 s.
    Raises ``ValueError`` for a stop time outside 00:00:00-23:59:59.
    """
    return schema_to_json(
        ResultSchema.model_construct(
            name=result.name,
            plans=[_day_plan_schema(day_result) for day_result in result.plans],
            totals=dict(result.totals),
            not_planned=[
                NotPlannedSchema.model_construct(
                    day=item.day, direction=Direction(item.direction), reason=item.reason
                )
                for item in result.not_planned
            ],
        )
    )


def _stop_from_schema(schema: StopSchema) -> Stop:
    return Stop(
        kind=schema.kind,
        location=location_from_schema(schema.location),
        arrival_s=parse_hhmm(schema.arrival),
        departure_s=parse_hhmm(schema.departure),
        pickups=tuple(schema.pickups),
        dropoffs=tuple(schema.dropoffs),
        load_seats=schema.load.seats,
        load_wheelchair_places=schema.load.wheelchair_places,
        centre_id=schema.centre_id,
    )


def _route_from_schema(schema: RouteSchema) -> Route:
    return Route(
        vehicle_id=schema.vehicle_id,
        stops=tuple(_stop_from_schema(stop) for stop in schema.stops),
        distance_m=schema.distance_m,
        duration_s=schema.duration_s,
        cost=float(schema.cost),
        geometry=(
            tuple((float(lon), float(lat)) for lon, lat in schema.geometry.coordinates)
            if schema.geometry is not None
            else ()
        ),
        layout=(
            SeatingLayout(schema.layout.seats, schema.layout.wheelchair_places)
            if schema.layout is not None
            else None
        ),
        breaks=tuple(DriverBreak(parse_hhmm(b.start), b.duration_s) for b in schema.breaks),
    )


def _kpis_from_schema(schema: KpisSchema) -> Kpis:
    return Kpis(
        num_vehicles=schema.vehicles,
        num_passengers=schema.passengers,
        num_unassigned=schema.unassigned,
        distance_m=round(schema.km * _METRES_PER_KM),
        vehicle_s=round(schema.vehicle_hours * _SECONDS_PER_HOUR),
        cost=float(schema.cost),
        mean_ride_s=schema.mean_ride_min * _SECONDS_PER_MINUTE,
        max_ride_s=round(schema.max_ride_min * _SECONDS_PER_MINUTE),
        mean_ride_ratio=float(schema.mean_ride_ratio),
    )


def _result_from_schema(schema: ResultSchema) -> WeekResult:
    return WeekResult(
        plans=tuple(
            DayResult(
                day=plan.day,
                direction=plan.direction,
                routes=tuple(_route_from_schema(route) for route in plan.routes),
                unassigned=tuple(
                    Unassigned(
                        passenger_id=u.passenger_id,
                        reason=u.reason,
                        hint=u.hint,
                        counterfactual=(
                            None
                            if u.counterfactual is None
                            else Counterfactual(u.counterfactual.code, u.counterfactual.hint)
                        ),
                    )
                    for u in plan.unassigned
                ),
                kpis=_kpis_from_schema(plan.kpis),
                solve_s=float(plan.solve_s),
            )
            for plan in schema.plans
        ),
        name=schema.name,
        totals={key: float(value) for key, value in schema.totals.items()},
        not_planned=tuple(
            NotPlanned(item.day, item.direction, item.reason) for item in schema.not_planned
        ),
    )


def parse_result(data: bytes | str | Mapping[str, Any], source: str = "result") -> WeekResult:
    """Read the week result in ``data`` (JSON text, bytes or a dict), e.g. for ``dagrute check``.

    Raises :class:`~solver.errors.InputError` like :func:`parse_plan`.
    """
    return _result_from_schema(validate_json(ResultSchema, data, source, "The result"))


def load_result(path: Path) -> WeekResult:
    """Read the week result in the JSON file at ``path`` (``InputError`` as in parse_result)."""
    return parse_result(read_bytes(path), source=str(path))


def dump_result(result: WeekResult, path: Path) -> None:
    """Write ``result`` to ``path`` as indented UTF-8 JSON (see :func:`result_to_json`)."""
    write_json(result_to_json(result), path)
