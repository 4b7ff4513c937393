"""The scenarios file (SCENARIOS.json): a list of what-if scenarios for one base week.

The pydantic models here describe the file and check its structure (types, ranges, unknown
fields); :func:`parse_scenarios` turns it into :class:`ScenarioBatch` of domain changes
(:mod:`solver.scenarios.changes`). Whether the ids a change names exist is checked when the
changes are applied to the base week (``SCENARIO_UNKNOWN_*``, naming scenario and id).
The JSON Schema (:func:`scenarios_json_schema`) is written to
``docs/schema/scenarios.schema.json``.

Units at the edge: times of day ``HH:MM``, shifts in minutes (``shift_min``), durations in
seconds (``_s``), distance bands in km (``max_km``), money NOK.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from solver.costs import DEFAULT_OPERATING_WEEKS, Costing
from solver.domain import Day, DistanceBand, LatLon, Mobility, SeatingLayout, Tariff, TimeWindow
from solver.errors import InputError, Issue
from solver.io import parse_hhmm
from solver.scenarios.changes import (
    AddVehicles,
    AgeLimit,
    CapDays,
    Change,
    ChangeCentreHours,
    ChangeTariff,
    CloseCentre,
    Growth,
    MaxRide,
    ModifyVehicles,
    OptimiseDays,
    PassengerSelector,
    RemovePassengers,
    RemoveVehicles,
    VehicleSelector,
)
from solver.scenarios.days import VehicleEstimate

SCENARIO_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
"""Scenario ids name output files: letters, digits, ``_``, ``.``, ``-``."""
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
_M_PER_KM = 1000


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


Id = Annotated[str, Field(min_length=1)]
Time = Annotated[str, Field(pattern=TIME_PATTERN, examples=["08:30"])]
Operator = Literal["own", "contractor"]


class LocationSpec(_Schema):
    """A point, WGS84 degrees."""

    model_config = ConfigDict(title="ScenarioLocation")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class WindowSpec(_Schema):
    """A window of times of day."""

    model_config = ConfigDict(title="ScenarioWindow")
    start: Time
    end: Time


class LayoutSpec(_Schema):
    """A seating layout: ordinary seats and wheelchair places."""

    model_config = ConfigDict(title="ScenarioLayout")
    seats: int = Field(ge=0)
    wheelchair_places: int = Field(default=0, ge=0)


class PassengerSelectorSpec(_Schema):
    """Which passengers: every condition given must hold; an empty selector picks everyone."""

    model_config = ConfigDict(title="PassengerSelector")
    passenger_ids: list[Id] | None = Field(default=None, description="Only these passengers.")
    centre_ids: list[Id] | None = Field(default=None, description="Only passengers of these.")
    num_days: list[Annotated[int, Field(ge=1, le=5)]] | None = Field(
        default=None,
        description="Only passengers attending this many weekdays now.",
        examples=[[5]],
    )
    group_home: bool | None = Field(
        default=None,
        description="true: only group-home residents (home address shared with another "
        "passenger); false: only passengers living at an address of their own.",
    )
    mobility: Mobility | None = Field(default=None, description="Only walking or wheelchair.")


class VehicleSelectorSpec(_Schema):
    """Which vehicles: every condition given must hold; empty picks the whole fleet."""

    model_config = ConfigDict(title="VehicleSelector")
    vehicle_ids: list[Id] | None = Field(default=None, description="Only these vehicles.")
    operator: Operator | None = Field(default=None, description="Only own or contractor.")
    seats: int | None = Field(default=None, ge=0, description="Only vehicles with these seats.")
    wheelchair_places: int | None = Field(
        default=None, ge=0, description="Only vehicles with this many wheelchair places."
    )


class EstimateSpec(_Schema):
    """The attendance-day optimiser's proxy: what one vehicle trip carries on average."""

    model_config = ConfigDict(title="VehicleEstimate")
    people_per_vehicle_trip: float = Field(default=5.5, gt=0)
    wheelchairs_per_vehicle_trip: int = Field(default=2, ge=1)


def _friday() -> list[Day]:
    return ["fri"]


class CapDaysSpec(_Schema):
    """Selected passengers keep at most max_days weekdays (e.g. 5 -> 4 days)."""

    model_config = ConfigDict(title="cap_days")
    type: Literal["cap_days"]
    max_days: int = Field(ge=1, le=5, examples=[4])
    select: PassengerSelectorSpec = Field(default_factory=PassengerSelectorSpec)
    drop: list[Day] | Literal["optimise"] = Field(
        default_factory=_friday,
        description="Weekdays to drop, in order of preference (a passenger attending none of "
        'them drops their latest weekdays), or "optimise": the attendance-day optimiser '
        "chooses per passenger to lower the peak vehicle need.",
        examples=[["fri"], "optimise"],
    )
    estimate: EstimateSpec = Field(default_factory=EstimateSpec)


class OptimiseDaysSpec(_Schema):
    """Re-choose selected passengers' weekdays (same number of days) to lower the peak."""

    model_config = ConfigDict(title="optimise_days")
    type: Literal["optimise_days"]
    select: PassengerSelectorSpec = Field(default_factory=PassengerSelectorSpec)
    allowed: dict[Id, list[Day]] = Field(
        default_factory=dict,
        description="Per passenger id, the weekdays they could attend; others: any weekday "
        "their centre is open.",
    )
    estimate: EstimateSpec = Field(default_factory=EstimateSpec)


class AgeLimitSpec(_Schema):
    """Passengers aged max_age or more in reference_year leave (unknown birth year: stay)."""

    model_config = ConfigDict(title="age_limit")
    type: Literal["age_limit"]
    max_age: int = Field(default=62, ge=18, le=120)
    reference_year: int = Field(default=2025, ge=1900, le=2100)
    select: PassengerSelectorSpec = Field(default_factory=PassengerSelectorSpec)


class RemovePassengersSpec(_Schema):
    """Selected passengers leave (e.g. activities at home instead): all, or count drawn."""

    model_config = ConfigDict(title="remove_passengers")
    type: Literal["remove_passengers"]
    select: PassengerSelectorSpec
    count: int | None = Field(default=None, ge=0)
    seed: int = Field(default=1, ge=0)


class CloseCentreSpec(_Schema):
    """A centre closes; its passengers move to into, or each to the nearest with room."""

    model_config = ConfigDict(title="close_centre")
    type: Literal["close_centre"]
    centre_id: Id
    into: Id | None = Field(default=None, description="Merge: one centre takes everyone.")
    capacity: dict[Id, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="Places per weekday, per centre id."
    )
    capacity_headroom: float | None = Field(
        default=None,
        ge=0,
        description="Centres without a capacity take up to this share more than their busiest "
        "weekday now (0.2 = 20%); leave out for unlimited room.",
        examples=[0.2],
    )


class CentreHoursSpec(_Schema):
    """Shift or set centres' arrival and departure windows (staggered openings)."""

    model_config = ConfigDict(title="centre_hours")
    type: Literal["centre_hours"]
    centres: list[Id] | Literal["all", "every_second"] = Field(
        default="all",
        description='Centre ids, "all", or "every_second" (2nd, 4th... in plan order).',
    )
    shift_min: int = Field(default=0, ge=-720, le=720, description="Minutes later (+) or earlier.")
    arrival_window: WindowSpec | None = Field(default=None, description="Set, then shift.")
    departure_window: WindowSpec | None = Field(default=None, description="Set, then shift.")
    days: list[Day] | None = Field(default=None, description="Only these weekdays.")


class BandSpec(_Schema):
    """Price per passenger trip whose direct road distance is at most max_km."""

    model_config = ConfigDict(title="DistanceBand")
    max_km: float | None = Field(ge=0, description="null: any distance.", examples=[10.0])
    price: float = Field(ge=0, examples=[180.0])


class TariffSpec(_Schema):
    """A full tariff in NOK (fields left out are 0)."""

    model_config = ConfigDict(title="ScenarioTariff")
    per_km: float = Field(default=0.0, ge=0)
    per_hour: float = Field(default=0.0, ge=0)
    per_vehicle_day: float = Field(default=0.0, ge=0)
    per_trip: float = Field(default=0.0, ge=0, description="Per passenger trip carried.")
    per_week: float = Field(default=0.0, ge=0, description="Fixed per vehicle in the fleet.")
    per_year: float = Field(default=0.0, ge=0, description="Fixed per vehicle in the fleet.")
    distance_bands: list[BandSpec] = Field(default_factory=list)


class TariffFieldsSpec(_Schema):
    """Tariff fields to set (NOK) or scale (factors); only those given change."""

    model_config = ConfigDict(title="TariffFields")
    per_km: float | None = Field(default=None, ge=0)
    per_hour: float | None = Field(default=None, ge=0)
    per_vehicle_day: float | None = Field(default=None, ge=0)
    per_trip: float | None = Field(default=None, ge=0)
    per_week: float | None = Field(default=None, ge=0)
    per_year: float | None = Field(default=None, ge=0)


class AddVehiclesSpec(_Schema):
    """Add count vehicles like an existing one (fields given replace its), or described."""

    model_config = ConfigDict(title="add_vehicles")
    type: Literal["add_vehicles"]
    count: int = Field(default=1, ge=1)
    like: Id | None = Field(default=None, description="Vehicle id to copy.")
    id_prefix: str = Field(default="X", pattern=r"^[A-Za-z0-9_-]+$")
    seats: int | None = Field(default=None, ge=0)
    wheelchair_places: int | None = Field(default=None, ge=0)
    layouts: list[LayoutSpec] | None = None
    depot: LocationSpec | None = None
    at_centre: Id | None = Field(default=None, description="Depot at this centre (own bus).")
    shift: WindowSpec | None = None
    days: list[Day] | None = None
    tariff: TariffSpec | None = None
    operator: Operator | None = None


class RemoveVehiclesSpec(_Schema):
    """Selected vehicles leave the fleet (count: only the last count of them)."""

    model_config = ConfigDict(title="remove_vehicles")
    type: Literal["remove_vehicles"]
    select: VehicleSelectorSpec
    count: int | None = Field(default=None, ge=0)


class ModifyVehiclesSpec(_Schema):
    """Set seating layout, operator, shift or weekdays of selected vehicles."""

    model_config = ConfigDict(title="modify_vehicles")
    type: Literal["modify_vehicles"]
    select: VehicleSelectorSpec = Field(default_factory=VehicleSelectorSpec)
    layout: LayoutSpec | None = None
    operator: Operator | None = None
    shift: WindowSpec | None = None
    days: list[Day] | None = None


class ChangeTariffSpec(_Schema):
    """Set, then scale, tariff fields of selected vehicles (contract renegotiation)."""

    model_config = ConfigDict(title="tariff")
    type: Literal["tariff"]
    select: VehicleSelectorSpec = Field(default_factory=VehicleSelectorSpec)
    set: TariffFieldsSpec = Field(default_factory=TariffFieldsSpec)
    scale: TariffFieldsSpec = Field(default_factory=TariffFieldsSpec)
    distance_bands: list[BandSpec] | None = Field(default=None, description="Replace bands.")
    scale_bands: float | None = Field(default=None, ge=0, description="Multiply band prices.")


class MaxRideSpec(_Schema):
    """The maximum ride rule: the larger of min_s and factor × direct time."""

    model_config = ConfigDict(title="max_ride")
    type: Literal["max_ride"]
    min_s: int | None = Field(default=None, ge=0, examples=[2700])
    factor: float | None = Field(default=None, gt=0, examples=[1.5])
    clear_passenger_limits: bool = False


class GrowthSpec(_Schema):
    """num_passengers new passengers drawn like existing ones (seeded; homes on road nodes)."""

    model_config = ConfigDict(title="growth")
    type: Literal["growth"]
    num_passengers: int = Field(ge=0, le=10_000, examples=[20])
    seed: int = Field(default=1, ge=0)
    centre_ids: list[Id] | None = None
    id_prefix: str = Field(default="N", pattern=r"^[A-Za-z0-9_-]+$")


ChangeSpec = Annotated[
    CapDaysSpec
    | OptimiseDaysSpec
    | AgeLimitSpec
    | RemovePassengersSpec
    | CloseCentreSpec
    | CentreHoursSpec
    | AddVehiclesSpec
    | RemoveVehiclesSpec
    | ModifyVehiclesSpec
    | ChangeTariffSpec
    | MaxRideSpec
    | GrowthSpec,
    Field(discriminator="type"),
]


class ScenarioSpec(_Schema):
    """One what-if: changes applied in order to a copy of the base week."""

    model_config = ConfigDict(title="Scenario")
    id: str = Field(pattern=SCENARIO_ID_PATTERN, max_length=64, examples=["four-days"])
    name: str | None = Field(default=None, examples=["5 -> 4 days, drop Friday"])
    description: str | None = None
    changes: list[ChangeSpec] = Field(description="Applied in order; may be empty (re-solve).")


class ScenariosFileSpec(_Schema):
    """What-if scenarios for one base week, solved in one batch and compared with the base."""

    model_config = ConfigDict(title="Scenarios")
    schema_uri: str | None = Field(default=None, alias="$schema")
    name: str = Field(default="scenarios")
    base_name: str = Field(default="Base week", description="How the base week is named.")
    operating_weeks: float = Field(
        default=DEFAULT_OPERATING_WEEKS,
        gt=0,
        le=53,
        description="Weeks a year with transport (annual = weekly × this + fixed per year).",
    )
    time_limit_s: float | None = Field(
        default=None, gt=0, description="Seconds per scenario week (default: the plan's)."
    )
    scenarios: list[ScenarioSpec] = Field(min_length=1)


# --------------------------------------------------------------------------- domain side


@dataclass(frozen=True)
class Scenario:
    """A named, ordered list of changes to the base week."""

    scenario_id: str
    name: str
    changes: tuple[Change, ...]
    description: str = ""


@dataclass(frozen=True)
class ScenarioBatch:
    """Scenarios for one base week; ``time_limit_s`` per scenario week (None: the plan's)."""

    scenarios: tuple[Scenario, ...]
    name: str = "scenarios"
    base_name: str = "Base week"
    costing: Costing = field(default_factory=Costing)
    time_limit_s: float | None = None
    source: Mapping[str, Any] | None = None


def _window(spec: WindowSpec | None) -> TimeWindow | None:
    return None if spec is None else TimeWindow(parse_hhmm(spec.start), parse_hhmm(spec.end))


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _passengers(spec: PassengerSelectorSpec) -> PassengerSelector:
    return PassengerSelector(
        passenger_ids=_tuple(spec.passenger_ids),
        centre_ids=_tuple(spec.centre_ids),
        num_days=None if spec.num_days is None else tuple(spec.num_days),
        group_home=spec.group_home,
        mobility=spec.mobility,
    )


def _vehicles(spec: VehicleSelectorSpec) -> VehicleSelector:
    return VehicleSelector(
        vehicle_ids=_tuple(spec.vehicle_ids),
        operator=spec.operator,
        seats=spec.seats,
        wheelchair_places=spec.wheelchair_places,
    )


def _estimate(spec: EstimateSpec) -> VehicleEstimate:
    return VehicleEstimate(spec.people_per_vehicle_trip, spec.wheelchairs_per_vehicle_trip)


def _bands(specs: list[BandSpec]) -> tuple[DistanceBand, ...]:
    return tuple(
        DistanceBand(None if b.max_km is None else round(b.max_km * _M_PER_KM), b.price)
        for b in specs
    )


def _tariff(spec: TariffSpec) -> Tariff:
    return Tariff(
        per_km=spec.per_km,
        per_hour=spec.per_hour,
        per_vehicle_day=spec.per_vehicle_day,
        per_trip=spec.per_trip,
        per_week=spec.per_week,
        per_year=spec.per_year,
        distance_bands=_bands(spec.distance_bands),
    )


def _fields(spec: TariffFieldsSpec) -> dict[str, float]:
    return {k: float(v) for k, v in spec.model_dump().items() if v is not None}


def _days(values: list[Day] | None) -> frozenset[Day] | None:
    return None if values is None else frozenset(values)


def change_from_spec(spec: BaseModel) -> Change:
    """The domain change a change spec describes."""
    match spec:
        case CapDaysSpec():
            return CapDays(
                max_days=spec.max_days,
                select=_passengers(spec.select),
                drop=spec.drop if isinstance(spec.drop, str) else tuple(spec.drop),
                estimate=_estimate(spec.estimate),
            )
        case OptimiseDaysSpec():
            return OptimiseDays(
                select=_passengers(spec.select),
                allowed={pid: frozenset(days) for pid, days in spec.allowed.items()},
                estimate=_estimate(spec.estimate),
            )
        case AgeLimitSpec():
            return AgeLimit(spec.max_age, spec.reference_year, _passengers(spec.select))
        case RemovePassengersSpec():
            return RemovePassengers(_passengers(spec.select), spec.count, spec.seed)
        case CloseCentreSpec():
            return CloseCentre(
                spec.centre_id, spec.into, dict(spec.capacity), spec.capacity_headroom
            )
        case CentreHoursSpec():
            return ChangeCentreHours(
                centres=spec.centres if isinstance(spec.centres, str) else tuple(spec.centres),
                shift_s=spec.shift_min * 60,
                arrival=_window(spec.arrival_window),
                departure=_window(spec.departure_window),
                days=None if spec.days is None else tuple(spec.days),
            )
        case AddVehiclesSpec():
            return AddVehicles(
                count=spec.count,
                like=spec.like,
                id_prefix=spec.id_prefix,
                seats=spec.seats,
                wheelchair_places=spec.wheelchair_places,
                layouts=None
                if spec.layouts is None
                else tuple(SeatingLayout(x.seats, x.wheelchair_places) for x in spec.layouts),
                depot=None if spec.depot is None else LatLon(spec.depot.lat, spec.depot.lon),
                at_centre=spec.at_centre,
                shift=_window(spec.shift),
                days=_days(spec.days),
                tariff=None if spec.tariff is None else _tariff(spec.tariff),
                operator=spec.operator,
            )
        case RemoveVehiclesSpec():
            return RemoveVehicles(_vehicles(spec.select), spec.count)
        case ModifyVehiclesSpec():
            return ModifyVehicles(
                select=_vehicles(spec.select),
                layout=None
                if spec.layout is None
                else SeatingLayout(spec.layout.seats, spec.layout.wheelchair_places),
                operator=spec.operator,
                shift=_window(spec.shift),
                days=_days(spec.days),
            )
        case ChangeTariffSpec():
            return ChangeTariff(
                select=_vehicles(spec.select),
                set=_fields(spec.set),
                scale=_fields(spec.scale),
                distance_bands=None if spec.distance_bands is None else _bands(spec.distance_bands),
                scale_bands=spec.scale_bands,
            )
        case MaxRideSpec():
            return MaxRide(spec.min_s, spec.factor, spec.clear_passenger_limits)
        case GrowthSpec():
            return Growth(spec.num_passengers, spec.seed, _tuple(spec.centre_ids), spec.id_prefix)
    raise TypeError(f"not a change spec: {type(spec).__name__}")  # pragma: no cover


def _schema_issues(error: ValidationError, source: str) -> list[Issue]:
    issues = []
    for detail in error.errors(include_url=False):
        path = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]
        ).lstrip(".")
        # Discriminated unions add the tag to the path: scenarios[0].changes[1].cap_days.drop
        path = re.sub(r"\.(" + "|".join(_CHANGE_TYPES) + r")(?=\.|$)", "", path)
        issues.append(
            Issue(
                code="INPUT_SCHEMA",
                message=f"{source}: {path or 'the file'}: {detail['msg']}.",
                hint="See docs/schema/scenarios.schema.json for the file format.",
                path=path or None,
            )
        )
    return issues


_CHANGE_TYPES = (
    "cap_days",
    "optimise_days",
    "age_limit",
    "remove_passengers",
    "close_centre",
    "centre_hours",
    "add_vehicles",
    "remove_vehicles",
    "modify_vehicles",
    "tariff",
    "max_ride",
    "growth",
)


def parse_scenarios(
    data: bytes | str | Mapping[str, Any], source: str = "scenarios"
) -> ScenarioBatch:
    """Read a scenarios file (JSON text, bytes or a parsed dict).

    Raises :class:`~solver.errors.InputError`: ``INPUT_MALFORMED_JSON``, ``INPUT_SCHEMA`` per
    structural problem (with its JSON path), ``SCENARIO_DUPLICATE_ID``.
    """
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig", errors="replace")
    if isinstance(data, str):
        try:
            raw = json.loads(data)
        except json.JSONDecodeError as error:
            raise InputError(
                [
                    Issue(
                        code="INPUT_MALFORMED_JSON",
                        message=f"{source} is not valid JSON: {error.msg} at line "
                        f"{error.lineno}, column {error.colno}.",
                        hint="Look for a missing comma, quote or bracket there.",
                    )
                ],
                source=source,
            ) from None
    else:
        raw = dict(data)
    try:
        spec = ScenariosFileSpec.model_validate_json(json.dumps(raw), strict=True)
    except ValidationError as error:
        raise InputError(_schema_issues(error, source), source=source) from None
    seen: set[str] = set()
    for index, scenario in enumerate(spec.scenarios):
        if scenario.id in seen:
            raise InputError(
                [
                    Issue(
                        code="SCENARIO_DUPLICATE_ID",
                        message=f"{source}: scenario id {scenario.id} is used twice.",
                        hint="Give every scenario its own id.",
                        path=f"scenarios[{index}].id",
                        id=scenario.id,
                    )
                ],
                source=source,
            )
        seen.add(scenario.id)
    return ScenarioBatch(
        scenarios=tuple(
            Scenario(
                scenario_id=s.id,
                name=s.name or s.id,
                changes=tuple(change_from_spec(c) for c in s.changes),
                description=s.description or "",
            )
            for s in spec.scenarios
        ),
        name=spec.name,
        base_name=spec.base_name,
        costing=Costing(operating_weeks=spec.operating_weeks),
        time_limit_s=spec.time_limit_s,
        source=raw,
    )


def load_scenarios(path: Path) -> ScenarioBatch:
    """Read the scenarios file at ``path`` (``INPUT_FILE`` if it cannot be read)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            [
                Issue(
                    code="INPUT_FILE",
                    message=f"{path} cannot be read: {error.strerror or type(error).__name__}.",
                    hint="Check the file name and that the file exists and is readable.",
                )
            ],
            source=str(path),
        ) from None
    return parse_scenarios(data, source=str(path))


def scenarios_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenarios file (draft 2020-12)."""
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    schema.update(TypeAdapter(ScenariosFileSpec).json_schema(by_alias=True))
    return schema


def scenarios_schema_text() -> str:
    """The JSON Schema as written to ``docs/schema/scenarios.schema.json``."""
    return json.dumps(scenarios_json_schema(), indent=2, ensure_ascii=False) + "\n"


def change_to_json(change: Change) -> dict[str, Any]:
    """A short JSON-ready description of a change (its type and non-default fields)."""
    from dataclasses import fields

    names = {
        CapDays: "cap_days",
        OptimiseDays: "optimise_days",
        AgeLimit: "age_limit",
        RemovePassengers: "remove_passengers",
        CloseCentre: "close_centre",
        ChangeCentreHours: "centre_hours",
        AddVehicles: "add_vehicles",
        RemoveVehicles: "remove_vehicles",
        ModifyVehicles: "modify_vehicles",
        ChangeTariff: "tariff",
        MaxRide: "max_ride",
        Growth: "growth",
    }
    out: dict[str, Any] = {"type": names[type(change)]}
    default = type(change).__dataclass_fields__
    for f in fields(change):
        value = getattr(change, f.name)
        field_default = default[f.name].default
        if value == field_default or value is None or value == {} or value == ():
            continue
        out[f.name] = _jsonable(value)
    return out


def _jsonable(value: object) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (frozenset, set)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {
            name: _jsonable(getattr(value, name))
            for name in value.__dataclass_fields__
            if getattr(value, name) is not None
        }
    return str(value)
