"""The result file's models: stops, routes, unassigned passengers, KPIs and the week result."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import Day, Direction, NotPlannedReason, Reason, Relaxation, StopKind
from solver.io.schemas.common import (
    Id,
    LayoutSchema,
    LocationSchema,
    ResultTime,
    _Schema,
    omit_empty,
    omit_none,
)

# ---------------------------------------------------------------------------- result models


class LoadSchema(_Schema):
    """What is on board after a stop."""

    model_config = ConfigDict(title="Load")

    seats: int = Field(ge=0, description="Ordinary seats taken.", examples=[5])
    wheelchair_places: int = Field(ge=0, description="Wheelchair places taken.", examples=[1])


class StopSchema(_Schema):
    """One place a route visits, in order."""

    model_config = ConfigDict(title="Stop")

    kind: StopKind = Field(description="What happens here.", examples=["home"])
    centre_id: Id | None = Field(
        default=None,
        exclude_if=omit_none,
        description="The centre, for a centre stop.",
        examples=["C1"],
    )
    location: LocationSchema = Field(description="Where the stop is.")
    arrival: ResultTime = Field(description="When service starts (HH:MM:SS).")
    departure: ResultTime = Field(
        description="When the vehicle leaves (HH:MM:SS).", examples=["08:29:15"]
    )
    pickups: list[Id] = Field(
        default_factory=list, description="Passengers boarding here.", examples=[["P001"]]
    )
    dropoffs: list[Id] = Field(
        default_factory=list, description="Passengers alighting here.", examples=[["P002"]]
    )
    load: LoadSchema = Field(description="On board after the stop.")


class GeometrySchema(_Schema):
    """A GeoJSON LineString along the roads."""

    model_config = ConfigDict(title="Geometry")

    type: Literal["LineString"] = Field(description="Always `LineString`.")
    coordinates: list[tuple[float, float]] = Field(
        description="[lon, lat] pairs in degrees, in driving order.",
        examples=[[[10.80, 59.925], [10.87, 59.9296]]],
    )


class BreakSchema(_Schema):
    """A driver's break on a route."""

    model_config = ConfigDict(title="Break")

    start: ResultTime = Field(description="When the break starts (HH:MM:SS).")
    duration_s: int = Field(ge=0, description="How long it lasts, seconds.", examples=[1800])


class RouteSchema(_Schema):
    """One vehicle's route for one day-direction."""

    model_config = ConfigDict(title="Route")

    vehicle_id: Id = Field(description="The vehicle driving the route.", examples=["V1"])
    stops: list[StopSchema] = Field(description="Stops in order, depot to depot.")
    distance_m: int = Field(ge=0, description="Metres driven.", examples=[23450])
    duration_s: int = Field(
        ge=0, description="Seconds from leaving the depot to the end.", examples=[3720]
    )
    cost: float = Field(description="NOK, by the vehicle's tariff.", examples=[1750.5])
    breaks: list[BreakSchema] = Field(
        default_factory=list,
        exclude_if=omit_empty,
        description="The driver's breaks (settings.driver_break), in order.",
    )
    layout: LayoutSchema | None = Field(
        default=None,
        exclude_if=omit_none,
        description="The flip-seat layout the route is driven with, when the solver chose one "
        "(settings.choose_layouts); otherwise the vehicle's seats and wheelchair_places.",
        examples=[{"seats": 6, "wheelchair_places": 1}],
    )
    # Last, so that a person reading a file sees the figures before thousands of points.
    geometry: GeometrySchema | None = Field(
        default=None, exclude_if=omit_none, description="The road path, where known."
    )


class CounterfactualSchema(_Schema):
    """The first relaxation of the day-direction under which the passenger is served."""

    model_config = ConfigDict(title="Counterfactual")

    code: Relaxation = Field(
        description="Which relaxed copy served the passenger (`RELAX_NONE`: none tried did)."
    )
    hint: str = Field(
        description="The change, naming centre, vehicle and passenger ids.",
        examples=["Served if C03's arrival window on tue closed 15 minutes later (09:15)."],
    )


class UnassignedSchema(_Schema):
    """A passenger who could not be served on a day-direction."""

    model_config = ConfigDict(title="Unassigned")

    passenger_id: Id = Field(description="The passenger not served.", examples=["P007"])
    reason: Reason = Field(description="Why, as a stable code.")
    hint: str = Field(
        description="How to fix it.", examples=["Add a vehicle with a wheelchair place on wed."]
    )
    counterfactual: CounterfactualSchema | None = Field(
        default=None,
        exclude_if=omit_none,
        description="What would have served the passenger, found by solving relaxed copies "
        "of the day-direction; absent where it was not worked out (no time left, or a reason "
        "no relaxation can lift).",
    )


class KpisSchema(_Schema):
    """Key figures of a day-direction."""

    model_config = ConfigDict(title="Kpis")

    vehicles: int = Field(ge=0, description="Vehicles used.", examples=[4])
    passengers: int = Field(ge=0, description="Passengers served.", examples=[27])
    unassigned: int = Field(ge=0, description="Passengers not served.", examples=[0])
    km: float = Field(ge=0, description="Kilometres driven.", examples=[143.2])
    vehicle_hours: float = Field(
        ge=0, description="Hours vehicles are on the road.", examples=[5.5]
    )
    cost: float = Field(description="NOK.", examples=[9800.0])
    mean_ride_min: float = Field(ge=0, description="Mean ride time in minutes.", examples=[24.5])
    max_ride_min: float = Field(ge=0, description="Longest ride time in minutes.", examples=[52.0])
    mean_ride_ratio: float = Field(
        ge=0, description="Mean ride time over direct travel time.", examples=[1.4]
    )


class DayPlanSchema(_Schema):
    """The routes of one weekday in one direction."""

    model_config = ConfigDict(title="DayPlan")

    day: Day = Field(description="Weekday.", examples=["mon"])
    direction: Direction = Field(description="`to_centre` (morning) or `from_centre`.")
    routes: list[RouteSchema] = Field(description="One per vehicle used.")
    unassigned: list[UnassignedSchema] = Field(
        default_factory=list, description="Passengers not served, with reasons."
    )
    kpis: KpisSchema = Field(description="Key figures.")
    solve_s: float = Field(default=0.0, ge=0, description="Seconds spent solving.", examples=[12.3])


class NotPlannedSchema(_Schema):
    """A day-direction of the week the result has no plan for, and why."""

    model_config = ConfigDict(title="NotPlanned")

    day: Day = Field(description="Weekday.", examples=["fri"])
    direction: Direction = Field(description="`to_centre` (morning) or `from_centre`.")
    reason: NotPlannedReason = Field(
        description="`NOT_PLANNED_NOT_REQUESTED`: the solve was asked for other days or "
        "directions; `NOT_PLANNED_UNFINISHED`: asked for, but the job was cancelled or failed "
        "first (a partial result).",
        examples=["NOT_PLANNED_NOT_REQUESTED"],
    )


class ResultSchema(_Schema):
    """Routes for a week: one plan per solved day-direction, and week totals."""

    model_config = ConfigDict(title="WeekResult")

    schema_uri: str | None = Field(
        default=None,
        exclude_if=omit_none,
        alias="$schema",
        description="Optional link to this JSON Schema, for editors; ignored.",
        examples=["../../docs/schema/result.schema.json"],
    )
    name: str = Field(default="week", description="Name of the plan solved.")
    plans: list[DayPlanSchema] = Field(description="One per solved day-direction.")
    totals: dict[str, float] = Field(
        default_factory=dict,
        description="Week totals, free-form numbers.",
        examples=[{"km": 1432.0, "cost": 98000.0}],
    )
    not_planned: list[NotPlannedSchema] = Field(
        default_factory=list,
        exclude_if=omit_empty,
        description="The week's day-directions without a plan, each with why; with `plans` "
        "they make all ten (`dagrute check` reports one that is in neither).",
    )
