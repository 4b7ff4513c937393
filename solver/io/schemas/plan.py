"""The plan file's models: centres, passengers, vehicles, settings and the week plan."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from solver.domain import DAYS, BreakRule, Day, Mobility, Settings
from solver.io.schemas.common import (
    Id,
    LayoutSchema,
    LocationSchema,
    Operator,
    PlanTime,
    WindowSchema,
    _Schema,
    all_days,
    omit_empty,
    omit_none,
)
from solver.io.schemas.limits import MAX_ESCORTS

# ------------------------------------------------------------------------------ plan models


class CentreDaySchema(_Schema):
    """A centre's windows on one weekday, where they differ from its usual windows."""

    model_config = ConfigDict(title="CentreDay")

    arrival_window: WindowSchema | None = Field(
        default=None,
        exclude_if=omit_none,
        description="When morning vehicles may arrive on this weekday; omit to keep the usual.",
        examples=[{"start": "09:00", "end": "09:30"}],
    )
    departure_window: WindowSchema | None = Field(
        default=None,
        exclude_if=omit_none,
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
        exclude_if=omit_none,
        description=(
            "When morning vehicles may arrive (drop-offs start), on every open day unless "
            "`days` says otherwise. Required unless every open day sets its own."
        ),
        examples=[{"start": "08:30", "end": "09:00"}],
    )
    departure_window: WindowSchema | None = Field(
        default=None,
        exclude_if=omit_none,
        description=(
            "When afternoon vehicles may leave with passengers, on every open day unless "
            "`days` says otherwise. Required unless every open day sets its own."
        ),
        examples=[{"start": "15:00", "end": "15:30"}],
    )
    open_days: list[Day] = Field(
        default_factory=all_days,
        description="Weekdays the centre is open; all five by default.",
        examples=[list(DAYS)],
    )
    days: dict[Day, CentreDaySchema] = Field(
        default_factory=dict,
        exclude_if=omit_empty,
        description="Windows for particular weekdays that differ from the usual ones.",
        examples=[{"fri": {"departure_window": {"start": "13:00", "end": "13:30"}}}],
    )
    max_wheelchair_dropoffs: int | None = Field(
        default=None,
        exclude_if=omit_none,
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
        exclude_if=omit_none,
        ge=0,
        description="Seconds to board and to alight, escorts included; overrides settings.service.",
        examples=[240],
    )
    max_ride_s: int | None = Field(
        default=None,
        exclude_if=omit_none,
        gt=0,
        description="Longest ride in seconds; overrides settings.max_ride.",
        examples=[2700],
    )
    earliest_pickup: PlanTime | None = Field(
        default=None,
        exclude_if=omit_none,
        description="Pickup starts no earlier than this (HH:MM), in both directions: in "
        "practice it binds the morning pickup at home.",
        examples=["07:45"],
    )
    latest_pickup: PlanTime | None = Field(
        default=None,
        exclude_if=omit_none,
        description="Pickup starts no later than this (HH:MM), in both directions: the "
        "afternoon pickup at the centre must also meet it.",
        examples=["08:15"],
    )
    earliest_dropoff: PlanTime | None = Field(
        default=None,
        exclude_if=omit_none,
        description="Drop-off starts no earlier than this (HH:MM), in both directions: the "
        "morning drop-off at the centre must also meet it.",
        examples=["15:30"],
    )
    latest_dropoff: PlanTime | None = Field(
        default=None,
        exclude_if=omit_none,
        description="Drop-off starts no later than this (HH:MM), in both directions: in "
        "practice it binds the afternoon drop-off at home.",
        examples=["16:15"],
    )
    home_exceptions: dict[Day, LocationSchema] = Field(
        default_factory=dict,
        exclude_if=omit_empty,
        description="Another address on some weekdays (e.g. a relative's home).",
        examples=[{"wed": {"lat": 59.9500, "lon": 10.9000}}],
    )
    birth_year: int | None = Field(
        default=None,
        exclude_if=omit_none,
        ge=1900,
        le=2100,
        description="Year of birth, for age-limit what-ifs.",
        examples=[1961],
    )
    escorts_from_centre: int | None = Field(
        default=None,
        exclude_if=omit_none,
        ge=0,
        le=MAX_ESCORTS,
        description="Escorts on the afternoon trip (centre to home) where it differs from "
        "`escorts`; `escorts` if left out.",
        examples=[0],
    )
    allowed_vehicles: list[Id] | None = Field(
        default=None,
        exclude_if=omit_none,
        min_length=1,
        description="Ids of the only vehicles the passenger may ride; any vehicle if left out.",
        examples=[["V1", "V3"]],
    )
    excluded_vehicles: list[Id] = Field(
        default_factory=list,
        exclude_if=omit_empty,
        description="Ids of vehicles the passenger must never ride.",
        examples=[["V2"]],
    )
    ride_alone: bool = Field(
        default=False,
        exclude_if=omit_empty,
        description="Whether nobody but the passenger's own escorts may be aboard while they ride.",
        examples=[True],
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
        exclude_if=omit_none,
        description="Every layout the flip seats allow; if given, must include the current "
        "seats and wheelchair_places.",
        examples=[[{"seats": 8, "wheelchair_places": 0}, {"seats": 6, "wheelchair_places": 1}]],
    )
    days: list[Day] = Field(
        default_factory=all_days,
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
        exclude_if=omit_none,
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
    same_vehicle_both_ways: bool = Field(
        default=_DEFAULT_SETTINGS.same_vehicle_both_ways,
        description="Whether a passenger rides home in the vehicle that brought them that "
        "morning; one the morning vehicle cannot take home is left unassigned, with a hint.",
        examples=[True],
    )
    choose_layouts: bool = Field(
        default=_DEFAULT_SETTINGS.choose_layouts,
        description="Whether the solver sets each route's flip seats to one of its vehicle's "
        "layouts (reported on the route) instead of using its seats and wheelchair_places.",
        examples=[True],
    )
    driver_break: BreakRuleSchema | None = Field(
        default=None,
        description="Drivers' breaks on long routes (e.g. 30 min within every 5.5 h); no breaks "
        "are planned if left out. Each route reports its breaks.",
        examples=[{"duration_s": 1800, "max_work_s": 19800}],
    )
    max_solutions: int | None = Field(
        default=None,
        ge=1,
        exclude_if=omit_none,
        description="A deterministic work limit: each day-direction's search stops after this "
        "many improving solutions, if its time has not run out first. Where it binds before "
        "the clock, the same plan and seed give the same routes on any machine; left out, "
        "the time limit alone ends each search.",
        examples=[500],
    )


class PlanSchema(_Schema):
    """A week plan for day-centre transport: centres, passengers, vehicles and settings."""

    model_config = ConfigDict(title="WeekPlan")

    schema_uri: str | None = Field(
        default=None,
        exclude_if=omit_none,
        alias="$schema",
        description="Optional link to this JSON Schema, for editors; ignored.",
        examples=["../../docs/schema/plan.schema.json"],
    )
    name: str = Field(
        default="week", description="Name of the plan.", examples=["oslo-east sample"]
    )
    osm_file: str | None = Field(
        default=None,
        exclude_if=omit_none,
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
        exclude_if=omit_empty,
        description="Pairs of passenger ids who must never be aboard one vehicle at the same "
        "time (they may ride it one after the other).",
        examples=[[["P001", "P017"]]],
    )
