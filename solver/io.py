"""File formats: the week plan JSON and the result JSON, and their conversion to the domain.

This module is the one place where JSON and "HH:MM" strings meet the solver's domain
dataclasses (:mod:`solver.domain`). The pydantic models below (``*Schema``) describe the files
and check their structure (types, ranges, time strings, no unknown fields); they are never
used as domain objects. Meaning checks (unknown centres, empty windows...) are
:func:`solver.validate.validate`'s job.

Bad input never raises a traceback: malformed JSON and structural problems become an
:class:`~solver.errors.InputError` whose issues name the JSON path (``passengers[3].escorts``)
and the offending object's id.

Public API
----------
Plans: :func:`load_plan`, :func:`parse_plan`, :func:`plan_to_json`, :func:`dump_plan`,
:func:`resolve_osm_file`. Results: :func:`load_result`, :func:`parse_result`,
:func:`result_to_json`, :func:`dump_result`, :func:`result_to_geojson`. Times:
:func:`parse_hhmm`, :func:`format_hms`, :func:`format_hhmm`. JSON Schemas:
:func:`plan_json_schema`, :func:`result_json_schema`, :func:`schema_files`.
"""

from __future__ import annotations

import difflib
import json
import re
import types
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from solver.domain import (
    DAYS,
    BreakRule,
    Centre,
    CentreHours,
    Counterfactual,
    Day,
    DayResult,
    Direction,
    DriverBreak,
    Kpis,
    LatLon,
    MaxRideRule,
    Mobility,
    Passenger,
    Reason,
    Relaxation,
    RoadSettings,
    Route,
    SeatingLayout,
    ServiceTimes,
    Settings,
    Stop,
    StopKind,
    Tariff,
    TimeWindow,
    Unassigned,
    Vehicle,
    WeekPlan,
    WeekResult,
)
from solver.errors import InputError, Issue

SchemaT = TypeVar("SchemaT", bound=BaseModel)

__all__ = [
    "MAX_ESCORTS",
    "OPERATORS",
    "SECONDS_PER_DAY",
    "Operator",
    "PlanSchema",
    "ResultSchema",
    "dump_plan",
    "dump_result",
    "format_hhmm",
    "format_hms",
    "load_plan",
    "load_result",
    "parse_hhmm",
    "parse_plan",
    "parse_result",
    "plan_json_schema",
    "plan_to_json",
    "resolve_osm_file",
    "result_json_schema",
    "result_to_geojson",
    "result_to_json",
    "schema_files",
]

JsonDict = dict[str, Any]

MAX_ESCORTS = 3
"""Most escorts a passenger travels with (3:1 staffing)."""

OPERATORS: tuple[str, ...] = ("own", "contractor")
"""Who runs a vehicle: the centre itself, or the transport contractor."""

SECONDS_PER_DAY = 24 * 60 * 60

PLAN_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
"""A time of day in a plan: ``HH:MM`` or ``HH:MM:SS``, 00:00 to 23:59:59."""

RESULT_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
"""A time of day in a result: always ``HH:MM:SS``."""

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_TIME_HINT = "Write times as HH:MM or HH:MM:SS between 00:00 and 23:59:59, e.g. '08:30'."

# ------------------------------------------------------------------------------------ times


def parse_hhmm(text: str) -> int:
    """Seconds after midnight of a time written ``HH:MM`` or ``HH:MM:SS`` (00:00 to 23:59:59).

    Raises ``ValueError`` for anything else.
    """
    if not re.fullmatch(PLAN_TIME_PATTERN, text):
        raise ValueError(f"{text!r} is not a time of day written HH:MM or HH:MM:SS")
    hours, minutes, *seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + (seconds[0] if seconds else 0)


def _check_time_of_day(t_s: int) -> None:
    if not 0 <= t_s < SECONDS_PER_DAY:
        raise ValueError(f"{t_s} s is not a time of day (0 to {SECONDS_PER_DAY - 1} s)")


def format_hms(t_s: int) -> str:
    """``HH:MM:SS`` for ``t_s`` seconds after midnight (0 to 86 399; ``ValueError`` otherwise)."""
    _check_time_of_day(t_s)
    return f"{t_s // 3600:02d}:{t_s % 3600 // 60:02d}:{t_s % 60:02d}"


def format_hhmm(t_s: int) -> str:
    """``HH:MM`` for ``t_s`` seconds after midnight, ``HH:MM:SS`` when the seconds are not 0."""
    text = format_hms(t_s)
    return text[:5] if t_s % 60 == 0 else text


# ------------------------------------------------------------------------- shared file parts


class _Schema(BaseModel):
    """Base of every file model: strict types, no unknown fields, no NaN or Infinity."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


Id = Annotated[str, Field(min_length=1)]
PlanTime = Annotated[str, Field(pattern=PLAN_TIME_PATTERN, examples=["08:30"])]
ResultTime = Annotated[str, Field(pattern=RESULT_TIME_PATTERN, examples=["08:27:30"])]
Operator = Literal["own", "contractor"]


def _all_days() -> list[Day]:
    return list(DAYS)


class LocationSchema(_Schema):
    """A point on the map, WGS84 degrees."""

    model_config = ConfigDict(title="Location")

    lat: float = Field(
        ge=-90, le=90, description="Latitude in degrees, north positive.", examples=[59.9296]
    )
    lon: float = Field(
        ge=-180, le=180, description="Longitude in degrees, east positive.", examples=[10.8709]
    )


class WindowSchema(_Schema):
    """A window of times of day, both ends included."""

    model_config = ConfigDict(title="Window")

    start: PlanTime = Field(description="First time in the window, HH:MM or HH:MM:SS.")
    end: PlanTime = Field(
        description="Last time in the window, HH:MM or HH:MM:SS.", examples=["09:00"]
    )


# ------------------------------------------------------------------------------ plan models


class CentreDaySchema(_Schema):
    """A centre's windows on one weekday, where they differ from its usual windows."""

    model_config = ConfigDict(title="CentreDay")

    arrival_window: WindowSchema | None = Field(
        default=None,
        description="When morning vehicles may arrive on this weekday; omit to keep the usual.",
        examples=[{"start": "09:00", "end": "09:30"}],
    )
    departure_window: WindowSchema | None = Field(
        default=None,
        description="When afternoon vehicles may leave on this weekday; omit to keep the usual.",
        examples=[{"start": "13:00", "end": "13:30"}],
    )


class CentreSchema(_Schema):
    """A day centre: where it is, which weekdays it is open, and when vehicles may come."""

    model_config = ConfigDict(title="Centre")

    id: Id = Field(description="Unique centre id, referred to by passengers.", examples=["C1"])
    name: str | None = Field(
        default=None,
        description="Name shown to people; defaults to the id.",
        examples=["Furuset dagsenter"],
    )
    location: LocationSchema = Field(
        description="Where vehicles stop at the centre.",
        examples=[{"lat": 59.9410, "lon": 10.8920}],
    )
    arrival_window: WindowSchema | None = Field(
        default=None,
        description=(
            "When morning vehicles may arrive (drop-offs start), on every open day unless "
            "`days` says otherwise. Required unless every open day sets its own."
        ),
        examples=[{"start": "08:30", "end": "09:00"}],
    )
    departure_window: WindowSchema | None = Field(
        default=None,
        description=(
            "When afternoon vehicles may leave with passengers, on every open day unless "
            "`days` says otherwise. Required unless every open day sets its own."
        ),
        examples=[{"start": "15:00", "end": "15:30"}],
    )
    open_days: list[Day] = Field(
        default_factory=_all_days,
        description="Weekdays the centre is open; all five by default.",
        examples=[list(DAYS)],
    )
    days: dict[Day, CentreDaySchema] = Field(
        default_factory=dict,
        description="Windows for particular weekdays that differ from the usual ones.",
        examples=[{"fri": {"departure_window": {"start": "13:00", "end": "13:30"}}}],
    )
    max_wheelchair_dropoffs: int | None = Field(
        default=None,
        ge=1,
        description=(
            "At most this many wheelchair users set down at the centre's entrance at one time "
            "in the morning (e.g. 1 for a single ramp); each set-down lasts the passenger's "
            "alighting time and is a stop of its own. No limit when absent."
        ),
        examples=[1],
    )

    @model_validator(mode="after")
    def _check_windows_cover_open_days(self) -> CentreSchema:
        for day in self.days:
            if day not in self.open_days:
                raise PydanticCustomError(
                    "centre_override_closed",
                    "Centre {centre_id} sets windows for {day}, a day it is not open.",
                    {"centre_id": self.id, "day": day},
                )
        for day in self.open_days:
            override = self.days.get(day, CentreDaySchema())
            for window in ("arrival_window", "departure_window"):
                if getattr(self, window) is None and getattr(override, window) is None:
                    raise PydanticCustomError(
                        "centre_window_missing",
                        "Centre {centre_id} is open on {day} but has no {window} for it.",
                        {"centre_id": self.id, "day": day, "window": window},
                    )
        return self


class PassengerSchema(_Schema):
    """A person driven from home to a centre and back on the days they attend."""

    model_config = ConfigDict(title="Passenger")

    id: Id = Field(description="Unique, stable passenger id (no names).", examples=["P001"])
    home: LocationSchema = Field(
        description="Where the passenger is picked up and set down.",
        examples=[{"lat": 59.9296, "lon": 10.8709}],
    )
    centre_id: Id = Field(description="Id of the centre the passenger attends.", examples=["C1"])
    days: list[Day] = Field(
        description="Weekdays the passenger attends.", examples=[["mon", "wed", "fri"]]
    )
    mobility: Mobility = Field(
        default=Mobility.WALKING,
        description="`wheelchair`: travels seated in their wheelchair and takes a wheelchair "
        "place; `walking`: takes an ordinary seat.",
        examples=["wheelchair"],
    )
    escorts: int = Field(
        default=0,
        ge=0,
        le=MAX_ESCORTS,
        description="Staff travelling with the passenger (1:1 = 1 ... 3:1 = 3); each takes a "
        "seat and boards and alights with the passenger.",
        examples=[1],
    )
    boarding_s: int | None = Field(
        default=None,
        ge=0,
        description="Seconds to board and to alight, escorts included; overrides settings.service.",
        examples=[240],
    )
    max_ride_s: int | None = Field(
        default=None,
        gt=0,
        description="Longest ride in seconds; overrides settings.max_ride.",
        examples=[2700],
    )
    earliest_pickup: PlanTime | None = Field(
        default=None,
        description="Pickup starts no earlier than this (HH:MM), in both directions: in "
        "practice it binds the morning pickup at home.",
        examples=["07:45"],
    )
    latest_pickup: PlanTime | None = Field(
        default=None,
        description="Pickup starts no later than this (HH:MM), in both directions: the "
        "afternoon pickup at the centre must also meet it.",
        examples=["08:15"],
    )
    earliest_dropoff: PlanTime | None = Field(
        default=None,
        description="Drop-off starts no earlier than this (HH:MM), in both directions: the "
        "morning drop-off at the centre must also meet it.",
        examples=["15:30"],
    )
    latest_dropoff: PlanTime | None = Field(
        default=None,
        description="Drop-off starts no later than this (HH:MM), in both directions: in "
        "practice it binds the afternoon drop-off at home.",
        examples=["16:15"],
    )
    home_exceptions: dict[Day, LocationSchema] = Field(
        default_factory=dict,
        description="Another address on some weekdays (e.g. a relative's home).",
        examples=[{"wed": {"lat": 59.9500, "lon": 10.9000}}],
    )
    birth_year: int | None = Field(
        default=None,
        ge=1900,
        le=2100,
        description="Year of birth, for age-limit what-ifs.",
        examples=[1961],
    )
    escorts_from_centre: int | None = Field(
        default=None,
        ge=0,
        le=MAX_ESCORTS,
        description="Escorts on the afternoon trip (centre to home) where it differs from "
        "`escorts`; `escorts` if left out.",
        examples=[0],
    )
    allowed_vehicles: list[Id] | None = Field(
        default=None,
        min_length=1,
        description="Ids of the only vehicles the passenger may ride; any vehicle if left out.",
        examples=[["V1", "V3"]],
    )
    excluded_vehicles: list[Id] = Field(
        default_factory=list,
        description="Ids of vehicles the passenger must never ride.",
        examples=[["V2"]],
    )
    ride_alone: bool = Field(
        default=False,
        description="Whether nobody but the passenger's own escorts may be aboard while they ride.",
        examples=[True],
    )


class LayoutSchema(_Schema):
    """One way a vehicle's flip seats can be set."""

    model_config = ConfigDict(title="Layout")

    seats: int = Field(ge=0, description="Ordinary seats in this layout.", examples=[6])
    wheelchair_places: int = Field(
        ge=0, description="Wheelchair places in this layout.", examples=[1]
    )


class TariffSchema(_Schema):
    """What a vehicle costs, in NOK."""

    model_config = ConfigDict(title="Tariff")

    per_km: float = Field(default=0.0, ge=0, description="NOK per km driven.", examples=[12.0])
    per_hour: float = Field(
        default=0.0,
        ge=0,
        description="NOK per hour from leaving to reaching the depot.",
        examples=[550.0],
    )
    per_vehicle_day: float = Field(
        default=0.0,
        ge=0,
        description="NOK per day-direction the vehicle is used.",
        examples=[900.0],
    )


class VehicleSchema(_Schema):
    """A vehicle with its driver; every route starts (and by default ends) at its depot."""

    model_config = ConfigDict(title="Vehicle")

    id: Id = Field(description="Unique vehicle id.", examples=["V1"])
    depot: LocationSchema = Field(
        description="Where the vehicle starts its routes.",
        examples=[{"lat": 59.9250, "lon": 10.8000}],
    )
    seats: int = Field(ge=0, description="Ordinary seats for passengers and escorts.", examples=[8])
    wheelchair_places: int = Field(
        default=0, ge=0, description="Places for passengers seated in a wheelchair.", examples=[1]
    )
    layouts: list[LayoutSchema] | None = Field(
        default=None,
        description="Every layout the flip seats allow; if given, must include the current "
        "seats and wheelchair_places.",
        examples=[[{"seats": 8, "wheelchair_places": 0}, {"seats": 6, "wheelchair_places": 1}]],
    )
    days: list[Day] = Field(
        default_factory=_all_days,
        description="Weekdays the vehicle is available; all five by default.",
        examples=[list(DAYS)],
    )
    shift: WindowSchema = Field(
        description="When the vehicle may leave and must be back at its depot.",
        examples=[{"start": "06:30", "end": "17:30"}],
    )
    tariff: TariffSchema = Field(
        default_factory=TariffSchema,
        description="Prices in NOK; zero by default.",
        examples=[{"per_km": 12.0, "per_hour": 550.0, "per_vehicle_day": 900.0}],
    )
    operator: Operator = Field(
        default="contractor",
        description="`own`: run by the centre; `contractor`: bought from the transport contractor.",
        examples=["own"],
    )
    max_route_s: int | None = Field(
        default=None,
        gt=0,
        description="Longest a route may last in seconds, from leaving the depot to returning, "
        "waiting included (drivers' working time); only the shift limits it if left out.",
        examples=[9000],
    )


_DEFAULT_SETTINGS = Settings()


class MaxRideSchema(_Schema):
    """Longest ride: the larger of `min_s` and `factor` times the direct travel time."""

    model_config = ConfigDict(title="MaxRide")

    min_s: int = Field(
        default=_DEFAULT_SETTINGS.max_ride.min_s,
        ge=0,
        description="A ride may always last this many seconds.",
        examples=[1800],
    )
    factor: float = Field(
        default=_DEFAULT_SETTINGS.max_ride.factor,
        gt=0,
        description="A ride may last this many times the direct travel time.",
        examples=[2.0],
    )


class ServiceSchema(_Schema):
    """Default boarding and alighting times in seconds."""

    model_config = ConfigDict(title="Service")

    boarding_walking_s: int = Field(
        default=_DEFAULT_SETTINGS.service.boarding_walking_s,
        ge=0,
        description="Seconds for a walking passenger to board.",
        examples=[60],
    )
    boarding_wheelchair_s: int = Field(
        default=_DEFAULT_SETTINGS.service.boarding_wheelchair_s,
        ge=0,
        description="Seconds for a wheelchair passenger to board (lift and tie-downs).",
        examples=[180],
    )
    alighting_walking_s: int = Field(
        default=_DEFAULT_SETTINGS.service.alighting_walking_s,
        ge=0,
        description="Seconds for a walking passenger to alight.",
        examples=[45],
    )
    alighting_wheelchair_s: int = Field(
        default=_DEFAULT_SETTINGS.service.alighting_wheelchair_s,
        ge=0,
        description="Seconds for a wheelchair passenger to alight.",
        examples=[120],
    )
    per_escort_s: int = Field(
        default=_DEFAULT_SETTINGS.service.per_escort_s,
        ge=0,
        description="Extra seconds per escort, boarding and alighting.",
        examples=[15],
    )


class RoadsSchema(_Schema):
    """How the road graph and travel times are built."""

    model_config = ConfigDict(title="Roads")

    snap_limit_m: float = Field(
        default=_DEFAULT_SETTINGS.roads.snap_limit_m,
        gt=0,
        description="Farthest, in metres, a home, centre or depot may lie from a road.",
        examples=[500.0],
    )
    speed_factor: float = Field(
        default=_DEFAULT_SETTINGS.roads.speed_factor,
        gt=0,
        description="Multiplies free-flow speeds (below 1 for congestion).",
        examples=[0.8],
    )
    intersection_penalty_s: float = Field(
        default=_DEFAULT_SETTINGS.roads.intersection_penalty_s,
        ge=0,
        description="Seconds added at each junction a route passes.",
        examples=[5.0],
    )
    access_speed_kph: float = Field(
        default=_DEFAULT_SETTINGS.roads.access_speed_kph,
        gt=0,
        description="Speed in km/h between a location and its nearest road.",
        examples=[15.0],
    )
    turn_penalty_s: float = Field(
        default=_DEFAULT_SETTINGS.roads.turn_penalty_s,
        ge=0,
        description="Seconds for the sharpest turn at a junction, left turns dearer than right "
        "ones (OSRM's car profile: 7.5); 0 = no turn costs.",
        examples=[7.5],
    )
    u_turn_penalty_s: float = Field(
        default=_DEFAULT_SETTINGS.roads.u_turn_penalty_s,
        ge=0,
        description="Extra seconds for turning back (OSRM's car profile: 20).",
        examples=[20.0],
    )


class BreakRuleSchema(_Schema):
    """Drivers' breaks on long routes."""

    model_config = ConfigDict(title="BreakRule")

    duration_s: int = Field(
        default=BreakRule().duration_s,
        gt=0,
        description="Shortest break in seconds.",
        examples=[1800],
    )
    max_work_s: int = Field(
        default=BreakRule().max_work_s,
        gt=0,
        description="Longest stretch of a route, in seconds, without such a break (from "
        "leaving the depot, between breaks, and to the route's end).",
        examples=[19800],
    )


class SettingsSchema(_Schema):
    """Solver settings; every field is optional and has the default shown."""

    model_config = ConfigDict(title="Settings")

    time_limit_s: float = Field(
        default=_DEFAULT_SETTINGS.time_limit_s,
        gt=0,
        description="Wall-clock budget in seconds for the whole solve, roads and matrices "
        "included.",
        examples=[60.0],
    )
    seed: int = Field(
        default=_DEFAULT_SETTINGS.seed,
        ge=0,
        description="Fixes every random choice: same plan, seed and budget, same routes.",
        examples=[1],
    )
    max_ride: MaxRideSchema = Field(
        default_factory=MaxRideSchema, description="Default longest ride."
    )
    service: ServiceSchema = Field(
        default_factory=ServiceSchema, description="Default boarding and alighting times."
    )
    roads: RoadsSchema = Field(default_factory=RoadsSchema, description="Road graph settings.")
    return_to_depot: bool = Field(
        default=_DEFAULT_SETTINGS.return_to_depot,
        description="Whether routes end back at the vehicle's depot.",
        examples=[True],
    )
    consistency: Literal["off", "soft", "strict"] = Field(
        default="off",
        description=(
            "Hold each passenger to one vehicle (so one driver) and one pickup time across the "
            "week: off (days planned independently), soft (preferred, at a cost) or strict "
            "(required where possible; a passenger who cannot be served so is served anyway "
            "and counted as inconsistent)."
        ),
        examples=["strict"],
    )
    consistency_tolerance_s: int = Field(
        default=_DEFAULT_SETTINGS.consistency_tolerance_s,
        ge=0,
        le=3600,
        description="How far, in seconds, a day's pickup may lie from the passenger's usual time.",
        examples=[600],
    )
    driver_break: BreakRuleSchema | None = Field(
        default=None,
        description="Drivers' breaks on long routes (e.g. 30 min within every 5.5 h); no breaks "
        "are planned if left out. Each route reports its breaks.",
        examples=[{"duration_s": 1800, "max_work_s": 19800}],
    )
    choose_layouts: bool = Field(
        default=_DEFAULT_SETTINGS.choose_layouts,
        description="Whether the solver sets each route's flip seats to one of its vehicle's "
        "layouts (reported on the route) instead of using its seats and wheelchair_places.",
        examples=[True],
    )
    same_vehicle_both_ways: bool = Field(
        default=_DEFAULT_SETTINGS.same_vehicle_both_ways,
        description="Whether a passenger rides home in the vehicle that brought them that "
        "morning; one the morning vehicle cannot take home is left unassigned, with a hint.",
        examples=[True],
    )


class PlanSchema(_Schema):
    """A week plan for day-centre transport: centres, passengers, vehicles and settings."""

    model_config = ConfigDict(title="WeekPlan")

    schema_uri: str | None = Field(
        default=None,
        alias="$schema",
        description="Optional link to this JSON Schema, for editors; ignored.",
        examples=["../../docs/schema/plan.schema.json"],
    )
    name: str = Field(
        default="week", description="Name of the plan.", examples=["oslo-east sample"]
    )
    osm_file: str | None = Field(
        default=None,
        description="OpenStreetMap extract (.osm.pbf) to route on; a relative path is taken "
        "from the plan file's folder, then from the current directory.",
        examples=["data/osm/oslo-east.osm.pbf"],
    )
    centres: list[CentreSchema] = Field(description="The day centres.")
    passengers: list[PassengerSchema] = Field(description="The passengers; may be empty.")
    vehicles: list[VehicleSchema] = Field(description="The vehicles.")
    settings: SettingsSchema = Field(default_factory=SettingsSchema, description="Solver settings.")
    incompatible_pairs: list[tuple[Id, Id]] = Field(
        default_factory=list,
        description="Pairs of passenger ids who must never be aboard one vehicle at the same "
        "time (they may ride it one after the other).",
        examples=[[["P001", "P017"]]],
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
        default=None, description="The centre, for a centre stop.", examples=["C1"]
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
    geometry: GeometrySchema | None = Field(default=None, description="The road path, where known.")
    breaks: list[BreakSchema] = Field(
        default_factory=list,
        description="The driver's breaks (settings.driver_break), in order.",
    )
    layout: LayoutSchema | None = Field(
        default=None,
        description="The flip-seat layout the route is driven with, when the solver chose one "
        "(settings.choose_layouts); otherwise the vehicle's seats and wheelchair_places.",
        examples=[{"seats": 6, "wheelchair_places": 1}],
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


class ResultSchema(_Schema):
    """Routes for a week: one plan per solved day-direction, and week totals."""

    model_config = ConfigDict(title="WeekResult")

    schema_uri: str | None = Field(
        default=None,
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


# ----------------------------------------------------------------- plan JSON <-> domain


def _location(schema: LocationSchema) -> LatLon:
    return LatLon(lat=schema.lat, lon=schema.lon)


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
        location=_location(schema.location),
        hours=hours,
        max_wheelchair_dropoffs=schema.max_wheelchair_dropoffs,
    )


def _passenger_from_schema(schema: PassengerSchema) -> Passenger:
    return Passenger(
        passenger_id=schema.id,
        home=_location(schema.home),
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
            day: _location(schema.home_exceptions[day])
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
        depot=_location(schema.depot),
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


def _location_to_json(location: LatLon) -> JsonDict:
    return {"lat": location.lat, "lon": location.lon}


def _window_to_json(window: TimeWindow) -> JsonDict:
    return {"start": format_hhmm(window.start_s), "end": format_hhmm(window.end_s)}


def _most_common(windows: Sequence[TimeWindow]) -> TimeWindow:
    """Pick the window most days share (ties: the earliest weekday's), written as the usual."""
    return Counter(windows).most_common(1)[0][0]


def _centre_to_json(centre: Centre) -> JsonDict:
    open_days = _ordered_days(list(centre.hours))
    out: JsonDict = {
        "id": centre.centre_id,
        "name": centre.name,
        "location": _location_to_json(centre.location),
    }
    overrides: JsonDict = {}
    if open_days:
        arrival = _most_common([centre.hours[day].arrival for day in open_days])
        departure = _most_common([centre.hours[day].departure for day in open_days])
        out["arrival_window"] = _window_to_json(arrival)
        out["departure_window"] = _window_to_json(departure)
        for day in open_days:
            hours = centre.hours[day]
            override: JsonDict = {}
            if hours.arrival != arrival:
                override["arrival_window"] = _window_to_json(hours.arrival)
            if hours.departure != departure:
                override["departure_window"] = _window_to_json(hours.departure)
            if override:
                overrides[day] = override
    out["open_days"] = open_days
    if overrides:
        out["days"] = overrides
    if centre.max_wheelchair_dropoffs is not None:
        out["max_wheelchair_dropoffs"] = centre.max_wheelchair_dropoffs
    return out


def _optional_hhmm(t_s: int | None) -> str | None:
    return None if t_s is None else format_hhmm(t_s)


def _passenger_to_json(passenger: Passenger) -> JsonDict:
    out: JsonDict = {
        "id": passenger.passenger_id,
        "home": _location_to_json(passenger.home),
        "centre_id": passenger.centre_id,
        "days": _ordered_days(passenger.days),
        "mobility": Mobility(passenger.mobility).value,
        "escorts": passenger.num_escorts,
    }
    optional: JsonDict = {
        "boarding_s": passenger.boarding_s,
        "max_ride_s": passenger.max_ride_s,
        "earliest_pickup": _optional_hhmm(passenger.earliest_pickup_s),
        "latest_pickup": _optional_hhmm(passenger.latest_pickup_s),
        "earliest_dropoff": _optional_hhmm(passenger.earliest_dropoff_s),
        "latest_dropoff": _optional_hhmm(passenger.latest_dropoff_s),
    }
    out.update({key: value for key, value in optional.items() if value is not None})
    if passenger.home_exceptions:
        out["home_exceptions"] = {
            day: _location_to_json(passenger.home_exceptions[day])
            for day in _ordered_days(list(passenger.home_exceptions))
        }
    if passenger.birth_year is not None:
        out["birth_year"] = passenger.birth_year
    if passenger.num_escorts_from_centre is not None:
        out["escorts_from_centre"] = passenger.num_escorts_from_centre
    if passenger.allowed_vehicles is not None:
        out["allowed_vehicles"] = sorted(passenger.allowed_vehicles)
    if passenger.excluded_vehicles:
        out["excluded_vehicles"] = sorted(passenger.excluded_vehicles)
    if passenger.ride_alone:
        out["ride_alone"] = True
    return out


def _vehicle_to_json(vehicle: Vehicle) -> JsonDict:
    out: JsonDict = {
        "id": vehicle.vehicle_id,
        "depot": _location_to_json(vehicle.depot),
        "seats": vehicle.seats,
        "wheelchair_places": vehicle.wheelchair_places,
    }
    if vehicle.layouts:
        out["layouts"] = [
            {"seats": layout.seats, "wheelchair_places": layout.wheelchair_places}
            for layout in vehicle.layouts
        ]
    out["days"] = _ordered_days(vehicle.days)
    out["shift"] = _window_to_json(vehicle.shift)
    out["tariff"] = {
        "per_km": vehicle.tariff.per_km,
        "per_hour": vehicle.tariff.per_hour,
        "per_vehicle_day": vehicle.tariff.per_vehicle_day,
    }
    out["operator"] = vehicle.operator
    if vehicle.max_route_s is not None:
        out["max_route_s"] = vehicle.max_route_s
    return out


def _settings_to_json(settings: Settings) -> JsonDict:
    service = settings.service
    roads = settings.roads
    return {
        "time_limit_s": settings.time_limit_s,
        "seed": settings.seed,
        "max_ride": {"min_s": settings.max_ride.min_s, "factor": settings.max_ride.factor},
        "service": {
            "boarding_walking_s": service.boarding_walking_s,
            "boarding_wheelchair_s": service.boarding_wheelchair_s,
            "alighting_walking_s": service.alighting_walking_s,
            "alighting_wheelchair_s": service.alighting_wheelchair_s,
            "per_escort_s": service.per_escort_s,
        },
        "roads": {
            "snap_limit_m": roads.snap_limit_m,
            "speed_factor": roads.speed_factor,
            "intersection_penalty_s": roads.intersection_penalty_s,
            "access_speed_kph": roads.access_speed_kph,
            "turn_penalty_s": roads.turn_penalty_s,
            "u_turn_penalty_s": roads.u_turn_penalty_s,
        },
        "return_to_depot": settings.return_to_depot,
        "consistency": settings.consistency,
        "consistency_tolerance_s": settings.consistency_tolerance_s,
        "same_vehicle_both_ways": settings.same_vehicle_both_ways,
        "choose_layouts": settings.choose_layouts,
        "driver_break": (
            None
            if settings.driver_break is None
            else {
                "duration_s": settings.driver_break.duration_s,
                "max_work_s": settings.driver_break.max_work_s,
            }
        ),
    }


def plan_to_json(plan: WeekPlan) -> JsonDict:
    """Convert ``plan`` to a JSON-ready dict in the plan file format (``parse_plan`` reads it).

    Optional passenger fields that are unset are left out; everything else is written out,
    settings included, so the file states exactly what was solved. A centre's most common
    windows become its usual ``arrival_window``/``departure_window``; other weekdays go to
    ``days``. Raises ``ValueError`` for a time of day outside 00:00-23:59:59 (which
    :func:`solver.validate.validate` reports as ``INPUT_VALUE`` first).
    """
    out: JsonDict = {"name": plan.name}
    if plan.osm_file is not None:
        out["osm_file"] = plan.osm_file
    out["centres"] = [_centre_to_json(c) for c in plan.centres]
    out["passengers"] = [_passenger_to_json(p) for p in plan.passengers]
    out["vehicles"] = [_vehicle_to_json(v) for v in plan.vehicles]
    out["settings"] = _settings_to_json(plan.settings)
    if plan.incompatible_pairs:
        out["incompatible_pairs"] = [[a, b] for a, b in plan.incompatible_pairs]
    return out


# --------------------------------------------------------------- result JSON <-> domain

_METRES_PER_KM = 1000
_SECONDS_PER_HOUR = 3600
_SECONDS_PER_MINUTE = 60


def _stop_to_json(stop: Stop) -> JsonDict:
    out: JsonDict = {"kind": StopKind(stop.kind).value}
    if stop.centre_id is not None:
        out["centre_id"] = stop.centre_id
    out.update(
        {
            "location": _location_to_json(stop.location),
            "arrival": format_hms(stop.arrival_s),
            "departure": format_hms(stop.departure_s),
            "pickups": list(stop.pickups),
            "dropoffs": list(stop.dropoffs),
            "load": {"seats": stop.load_seats, "wheelchair_places": stop.load_wheelchair_places},
        }
    )
    return out


def _route_to_json(route: Route) -> JsonDict:
    out: JsonDict = {
        "vehicle_id": route.vehicle_id,
        "stops": [_stop_to_json(stop) for stop in route.stops],
        "distance_m": route.distance_m,
        "duration_s": route.duration_s,
        "cost": route.cost,
    }
    if route.breaks:
        out["breaks"] = [
            {"start": format_hms(b.start_s), "duration_s": b.duration_s} for b in route.breaks
        ]
    if route.layout is not None:
        out["layout"] = {
            "seats": route.layout.seats,
            "wheelchair_places": route.layout.wheelchair_places,
        }
    if route.geometry:
        out["geometry"] = {
            "type": "LineString",
            "coordinates": [[lon, lat] for lon, lat in route.geometry],
        }
    return out


def _kpis_to_json(kpis: Kpis) -> JsonDict:
    # Converted units are rounded finer than 1 m / 1 s, so whole metres and seconds come
    # back exactly; the mean ride (a float already) comes back within 0.003 s.
    return {
        "vehicles": kpis.num_vehicles,
        "passengers": kpis.num_passengers,
        "unassigned": kpis.num_unassigned,
        "km": kpis.distance_m / _METRES_PER_KM,
        "vehicle_hours": round(kpis.vehicle_s / _SECONDS_PER_HOUR, 4),
        "cost": kpis.cost,
        "mean_ride_min": round(kpis.mean_ride_s / _SECONDS_PER_MINUTE, 4),
        "max_ride_min": round(kpis.max_ride_s / _SECONDS_PER_MINUTE, 3),
        "mean_ride_ratio": kpis.mean_ride_ratio,
    }


def _unassigned_to_json(item: Unassigned) -> JsonDict:
    out: JsonDict = {
        "passenger_id": item.passenger_id,
        "reason": Reason(item.reason).value,
        "hint": item.hint,
    }
    if item.counterfactual is not None:
        out["counterfactual"] = {
            "code": Relaxation(item.counterfactual.code).value,
            "hint": item.counterfactual.hint,
        }
    return out


def _day_result_to_json(day_result: DayResult) -> JsonDict:
    return {
        "day": day_result.day,
        "direction": Direction(day_result.direction).value,
        "routes": [_route_to_json(route) for route in day_result.routes],
        "unassigned": [_unassigned_to_json(item) for item in day_result.unassigned],
        "kpis": _kpis_to_json(day_result.kpis),
        "solve_s": day_result.solve_s,
    }


def result_to_json(result: WeekResult) -> JsonDict:
    """Convert ``result`` to a JSON-ready dict in the result file format.

    Times are ``HH:MM:SS``; KPIs are in km, hours and minutes. :func:`parse_result` reads
    it back to an equal result, except ``Kpis.mean_ride_s``, which comes back within 0.003 s.
    Raises ``ValueError`` for a stop time outside 00:00:00-23:59:59.
    """
    return {
        "name": result.name,
        "plans": [_day_result_to_json(day_result) for day_result in result.plans],
        "totals": dict(result.totals),
    }


def _stop_from_schema(schema: StopSchema) -> Stop:
    return Stop(
        kind=schema.kind,
        location=_location(schema.location),
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
    )


# ------------------------------------------------------------------------------- GeoJSON


def _route_coordinates(route: Route) -> tuple[list[list[float]], str]:
    """Return the route's line and its source: the road path, or straight stop-to-stop."""
    if len(route.geometry) >= 2:
        return [[lon, lat] for lon, lat in route.geometry], "roads"
    return [[stop.location.lon, stop.location.lat] for stop in route.stops], "straight"


def result_to_geojson(result: WeekResult) -> JsonDict:
    """Convert ``result`` to a GeoJSON FeatureCollection for maps (RFC 7946, [lon, lat]).

    One LineString feature per route (properties: day, direction, vehicle_id, distance_m,
    duration_s, cost, num_passengers, num_stops, geometry_source ``roads`` or ``straight``
    when no road path is known) and one Point feature per stop (properties: day, direction,
    vehicle_id, sequence from 0, kind, centre_id, arrival, departure, num_pickups,
    num_dropoffs, and the pickups and dropoffs passenger ids, for planners).
    Routes with fewer than two points get no line.
    """
    features: list[JsonDict] = []
    for day_result in result.plans:
        day, direction = day_result.day, Direction(day_result.direction).value
        for route in day_result.routes:
            coordinates, source = _route_coordinates(route)
            passengers = {pid for stop in route.stops for pid in stop.pickups}
            if len(coordinates) >= 2:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": coordinates},
                        "properties": {
                            "day": day,
                            "direction": direction,
                            "vehicle_id": route.vehicle_id,
                            "distance_m": route.distance_m,
                            "duration_s": route.duration_s,
                            "cost": route.cost,
                            "num_passengers": len(passengers),
                            "num_stops": len(route.stops),
                            "geometry_source": source,
                        },
                    }
                )
            for sequence, stop in enumerate(route.stops):
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [stop.location.lon, stop.location.lat],
                        },
                        "properties": {
                            "day": day,
                            "direction": direction,
                            "vehicle_id": route.vehicle_id,
                            "sequence": sequence,
                            "kind": StopKind(stop.kind).value,
                            "centre_id": stop.centre_id,
                            "arrival": format_hms(stop.arrival_s),
                            "departure": format_hms(stop.departure_s),
                            "num_pickups": len(stop.pickups),
                            "num_dropoffs": len(stop.dropoffs),
                            "pickups": list(stop.pickups),
                            "dropoffs": list(stop.dropoffs),
                        },
                    }
                )
    return {"type": "FeatureCollection", "features": features}


# ------------------------------------------------------------------- reading and writing


def _text(data: bytes | str | Mapping[str, Any], source: str) -> str:
    """Return the JSON text of ``data``; InputError if not UTF-8 or not JSON-serialisable."""
    if isinstance(data, str):
        return data
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError(
                [
                    Issue(
                        code="INPUT_MALFORMED_JSON",
                        message=f"{source} is not UTF-8 text (bad byte at offset {error.start}).",
                        hint="Save the file as UTF-8.",
                    )
                ],
                source=source,
            ) from None
    try:
        return json.dumps(data, allow_nan=True)
    except (TypeError, ValueError) as error:
        raise InputError(
            [
                Issue(
                    code="INPUT_MALFORMED_JSON",
                    message=f"{source} holds a value JSON cannot represent ({error}).",
                    hint="Use only dicts, lists, strings, numbers, booleans and None.",
                )
            ],
            source=source,
        ) from None


def _malformed_json_issue(text: str, source: str, fallback: str) -> Issue:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno}, column {error.colno}"
    else:  # pydantic's parser is stricter than json's in some corner; use its words
        detail = fallback
    return Issue(
        code="INPUT_MALFORMED_JSON",
        message=f"{source} is not valid JSON: {detail}.",
        hint="Look for a missing comma, quote or bracket there; JSON allows no comments "
        "and no comma after the last item.",
    )


def _validate(
    schema: type[SchemaT], data: bytes | str | Mapping[str, Any], source: str, noun: str
) -> SchemaT:
    text = _text(data, source)
    try:
        return schema.model_validate_json(text, strict=True)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        invalid = [e for e in errors if e["type"] == "json_invalid"]
        if invalid:
            issue = _malformed_json_issue(text, source, str(invalid[0]["ctx"]["error"]))
            raise InputError([issue], source=source) from None
        try:
            raw: object = json.loads(text)
        except json.JSONDecodeError:  # only used to find ids; pydantic's parser accepted it
            raw = None
        issues = [_issue_from_error(e, raw, schema, noun) for e in errors]
        raise InputError(issues, source=source) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(
            [
                Issue(
                    code="INPUT_FILE",
                    message=f"{path} cannot be read: {reason}.",
                    hint="Check the file name and that the file exists and is readable.",
                )
            ],
            source=str(path),
        ) from None


def _write_json(data: JsonDict, path: Path) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def parse_plan(data: bytes | str | Mapping[str, Any], source: str = "plan") -> WeekPlan:
    """Read the week plan in ``data`` (JSON text, bytes or an already-parsed dict).

    Checks structure only (see :func:`solver.validate.validate` for meaning). Raises
    :class:`~solver.errors.InputError` with ``INPUT_MALFORMED_JSON`` (naming line and
    column) or one ``INPUT_SCHEMA`` issue per problem; ``source`` names the input in messages.
    """
    return _plan_from_schema(_validate(PlanSchema, data, source, "The plan"))


def load_plan(path: Path) -> WeekPlan:
    """Read the week plan in the JSON file at ``path``.

    Raises ``InputError`` as :func:`parse_plan` does, or ``INPUT_FILE`` when the file cannot be
    read. ``osm_file`` is kept as written: resolve it with :func:`resolve_osm_file`.
    """
    return parse_plan(_read_bytes(path), source=str(path))


def dump_plan(plan: WeekPlan, path: Path) -> None:
    """Write ``plan`` to ``path`` as indented UTF-8 JSON (see :func:`plan_to_json`)."""
    _write_json(plan_to_json(plan), path)


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


def parse_result(data: bytes | str | Mapping[str, Any], source: str = "result") -> WeekResult:
    """Read the week result in ``data`` (JSON text, bytes or a dict), e.g. for ``dagrute check``.

    Raises :class:`~solver.errors.InputError` like :func:`parse_plan`.
    """
    return _result_from_schema(_validate(ResultSchema, data, source, "The result"))


def load_result(path: Path) -> WeekResult:
    """Read the week result in the JSON file at ``path`` (``InputError`` as in parse_result)."""
    return parse_result(_read_bytes(path), source=str(path))


def dump_result(result: WeekResult, path: Path) -> None:
    """Write ``result`` to ``path`` as indented UTF-8 JSON (see :func:`result_to_json`)."""
    _write_json(result_to_json(result), path)


# ------------------------------------------------------------------------- JSON Schemas

PLAN_SCHEMA_FILE = "plan.schema.json"
RESULT_SCHEMA_FILE = "result.schema.json"


def _json_schema(schema: type[BaseModel]) -> JsonDict:
    return {"$schema": JSON_SCHEMA_DIALECT, **schema.model_json_schema(mode="validation")}


def plan_json_schema() -> JsonDict:
    """Return the JSON Schema (draft 2020-12) of plan files."""
    return _json_schema(PlanSchema)


def result_json_schema() -> JsonDict:
    """Return the JSON Schema (draft 2020-12) of result files."""
    return _json_schema(ResultSchema)


def schema_files() -> dict[str, str]:
    """Return file name -> text of the JSON Schema files kept in ``docs/schema/``."""
    return {
        PLAN_SCHEMA_FILE: json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n",
        RESULT_SCHEMA_FILE: json.dumps(result_json_schema(), indent=2, ensure_ascii=False) + "\n",
    }


# ------------------------------------------------------- pydantic errors -> input issues

# The list a JSON element sits in -> (how to name it with an id, how to name it without).
_ELEMENT_NOUNS: dict[str, tuple[str, str]] = {
    "centres": ("centre {id}", "centre {n}"),
    "passengers": ("passenger {id}", "passenger {n}"),
    "vehicles": ("vehicle {id}", "vehicle {n}"),
    "layouts": ("layout {n}", "layout {n}"),
    "plans": ("the {day} {direction} plan", "day plan {n}"),
    "routes": ("the route of vehicle {id}", "route {n}"),
    "stops": ("stop {n}", "stop {n}"),
    "unassigned": ("the unassigned entry of passenger {id}", "unassigned entry {n}"),
}
_ID_KEYS = ("id", "vehicle_id", "passenger_id")

# Never echoed in messages: where people live, and how old they are.
_PRIVATE_FIELDS = frozenset({"lat", "lon", "birth_year", "coordinates"})

_TYPE_WORDS: dict[str, tuple[str, str]] = {
    "int_type": ("a whole number", "Write a whole number without quotes, e.g. 3."),
    "int_from_float": ("a whole number", "Write a whole number without a decimal point."),
    "float_type": ("a number", "Write a number without quotes, e.g. 12.5."),
    "finite_number": (
        "a finite number",
        "Write an ordinary number; NaN and Infinity are not JSON.",
    ),
    "string_type": ("text", "Write text in double quotes."),
    "bool_type": ("true or false", "Write true or false, without quotes."),
    "list_type": ("a list", "Write a list in square brackets: [ ... ]."),
    "tuple_type": ("a list", "Write a list in square brackets: [ ... ]."),
    "dict_type": ("a JSON object", "Write an object in curly braces: { ... }."),
    "model_type": ("a JSON object", "Write an object in curly braces: { ... }."),
    "model_attributes_type": ("a JSON object", "Write an object in curly braces: { ... }."),
}

_CUSTOM_HINTS: dict[str, str] = {
    "centre_override_closed": "Add the day to open_days, or remove it from days.",
    "centre_window_missing": (
        "Give the centre a usual arrival_window and departure_window, or set them for that "
        "day under days."
    ),
}

_BOUNDS: dict[str, str] = {
    "greater_than": "greater than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}
_BOUND_KEYS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
}


def _json_path(loc: Sequence[int | str]) -> str:
    """``passengers[3].home.lat`` for the location ``('passengers', 3, 'home', 'lat')``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_]*", part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part)}]"
    return path


def _element_id(element: Mapping[str, Any]) -> str | None:
    for key in _ID_KEYS:
        value = element.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _describe_element(list_key: str, index: int, element: Mapping[str, Any]) -> tuple[str, bool]:
    """How to name a list element in a sentence, and whether that name stands on its own."""
    with_id, without_id = _ELEMENT_NOUNS.get(list_key, ("{id}", f"{list_key} item {{n}}"))
    ident = _element_id(element)
    day, direction = element.get("day"), element.get("direction")
    fields = {"id": ident, "n": index + 1, "day": day, "direction": direction}
    if list_key == "plans":
        has_name = isinstance(day, str) and isinstance(direction, str)
    else:
        has_name = ident is not None and "{id}" in with_id
    return (with_id if has_name else without_id).format(**fields), has_name


def _owner(data: object, loc: Sequence[int | str], noun: str) -> tuple[str, str | None, int]:
    """Who an error is about: (subject for the sentence, their id, depth of loc they span).

    Walks the raw JSON along ``loc``; the innermost list element that is an object is the
    owner ("Passenger P003"); without an id of its own, it is named within its parent
    ("Stop 3 of the route of vehicle V1").
    """
    owners: list[tuple[str, bool, str | None, int]] = []
    node = data
    for depth, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            element = node[part]
            parent_key = loc[depth - 1] if depth > 0 else ""
            if isinstance(element, dict):
                description, has_name = _describe_element(str(parent_key), part, element)
                owners.append((description, has_name, _element_id(element), depth + 1))
            node = element
        elif isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        else:
            break
    if not owners:
        return noun, None, 0
    subject, has_name, _, depth = owners[-1]
    if not has_name and len(owners) > 1:
        subject = f"{subject} of {owners[-2][0]}"
    ids = [owner_id for *_, owner_id, _ in owners if owner_id is not None]
    return subject[0].upper() + subject[1:], (ids[-1] if ids else None), depth


def _annotation_at(annotation: object, parts: Sequence[int | str]) -> object:
    """Return the type the schema expects at ``parts`` below ``annotation`` (None if unknown)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return _annotation_at(options[0], parts) if len(options) == 1 else None
    if not parts:
        return annotation
    head, rest = parts[0], parts[1:]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            if head in (name, field.alias):
                return _annotation_at(field.annotation, rest)
        return None
    if origin in (list, tuple):
        return _annotation_at(get_args(annotation)[0], rest)
    if origin is dict:
        return _annotation_at(get_args(annotation)[1], rest)
    return None


def _field_names(model: object) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [field.alias or name for name, field in model.model_fields.items()]
    return []


def _number(value: object) -> str:
    """Write a bound as people do: ``3``, not ``3.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _issue_from_error(error: ErrorDetails, data: object, root: type[BaseModel], noun: str) -> Issue:
    """One pydantic error as an ``INPUT_SCHEMA`` issue naming the path and the owner's id."""
    kind = error["type"]
    loc = tuple(error["loc"])
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    path = _json_path(loc) or None
    subject, ident, depth = _owner(data, loc, noun)
    field = _json_path(loc[depth:-1] if is_key else loc[depth:])
    last = loc[-1] if loc else ""
    private = any(part in _PRIVATE_FIELDS for part in loc if isinstance(part, str))
    value = error.get("input")
    ctx = error.get("ctx", {})
    message: str
    hint: str
    if kind == "missing":
        message = f"{subject} lacks the required field '{field}'."
        hint = f"Add '{last}'; the format is in docs/schema/."
    elif kind == "extra_forbidden":
        allowed = _field_names(_annotation_at(root, loc[:-1]))
        close = difflib.get_close_matches(str(last), allowed, n=1)
        message = f"{subject} has an unknown field '{field}'."
        hint = (
            f"Did you mean '{close[0]}'?"
            if close
            else f"Remove it; allowed here: {', '.join(allowed)}."
            if allowed
            else "Remove it."
        )
    elif kind in _CUSTOM_HINTS:
        message = error["msg"]
        hint = _CUSTOM_HINTS[kind]
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") in (
        PLAN_TIME_PATTERN,
        RESULT_TIME_PATTERN,
    ):
        message = f"{subject} has {field} {_shown(value)}, which is not a time of day."
        hint = (
            _TIME_HINT
            if ctx.get("pattern") == PLAN_TIME_PATTERN
            else "Write result times as HH:MM:SS between 00:00:00 and 23:59:59."
        )
    elif kind in ("literal_error", "enum"):
        where = f"the key {_shown(value)} in {field}" if is_key else f"{field} {_shown(value)}"
        message = f"{subject} has {where}, which is not allowed."
        hint = f"Use one of {ctx.get('expected', 'the values in docs/schema/')}."
    elif kind in _BOUNDS:
        bound = f"{_BOUNDS[kind]} {_number(ctx.get(_BOUND_KEYS[kind]))}"
        if private:
            message = f"{subject} has {field} out of range."
            hint = f"It must be {bound}" + (
                "; check that lat and lon are not swapped." if last in ("lat", "lon") else "."
            )
        else:
            message = f"{subject} has {field} {_shown(value)}, but it must be {bound}."
            hint = f"Set {field} to a number {bound}."
    elif kind in _TYPE_WORDS:
        expected, hint = _TYPE_WORDS[kind]
        message = (
            f"{subject} has {field} that is not {expected}."
            if field
            else f"{subject} is not {expected}."
        )
    elif kind == "string_too_short":
        message = f"{subject} has an empty {field or 'value'}."
        hint = "Give it a value."
    else:
        shown_msg = error["msg"].rstrip(".")
        message = (
            f"{subject} has an invalid {field or 'value'}: {shown_msg[0].lower()}{shown_msg[1:]}."
        )
        hint = f"{shown_msg}."
    return Issue(code="INPUT_SCHEMA", message=message, hint=hint, path=path, id=ident)
