"""Parts of the scenarios file shared by change kinds: selectors, windows, layouts, tariffs.

Each part comes with its conversion to the domain (``*_from_spec``). Units at the edge:
times of day ``HH:MM``, distance bands in km, money NOK.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from solver.domain import Day, DistanceBand, Mobility, Tariff, TimeWindow
from solver.io.schemas.common import Operator
from solver.io.times import PLAN_TIME_PATTERN, parse_hhmm
from solver.scenarios.changes.base import PassengerSelector, VehicleSelector
from solver.scenarios.days import VehicleEstimate

_M_PER_KM = 1000


class SpecModel(BaseModel):
    """Base of every scenarios-file model: strict types, no unknown fields, no NaN."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


Id = Annotated[str, Field(min_length=1)]

Time = Annotated[str, Field(pattern=PLAN_TIME_PATTERN, examples=["08:30"])]


class LocationSpec(SpecModel):
    """A point, WGS84 degrees."""

    model_config = ConfigDict(title="ScenarioLocation")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class WindowSpec(SpecModel):
    """A window of times of day."""

    model_config = ConfigDict(title="ScenarioWindow")
    start: Time
    end: Time


class LayoutSpec(SpecModel):
    """A seating layout: ordinary seats and wheelchair places."""

    model_config = ConfigDict(title="ScenarioLayout")
    seats: int = Field(ge=0)
    wheelchair_places: int = Field(default=0, ge=0)


class PassengerSelectorSpec(SpecModel):
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


class VehicleSelectorSpec(SpecModel):
    """Which vehicles: every condition given must hold; empty picks the whole fleet."""

    model_config = ConfigDict(title="VehicleSelector")
    vehicle_ids: list[Id] | None = Field(default=None, description="Only these vehicles.")
    operator: Operator | None = Field(default=None, description="Only own or contractor.")
    seats: int | None = Field(default=None, ge=0, description="Only vehicles with these seats.")
    wheelchair_places: int | None = Field(
        default=None, ge=0, description="Only vehicles with this many wheelchair places."
    )


class EstimateSpec(SpecModel):
    """The attendance-day optimiser's proxy: what one vehicle trip carries on average."""

    model_config = ConfigDict(title="VehicleEstimate")
    people_per_vehicle_trip: float = Field(default=5.5, gt=0)
    wheelchairs_per_vehicle_trip: int = Field(default=2, ge=1)


class BandSpec(SpecModel):
    """Price per passenger trip whose direct road distance is at most max_km."""

    model_config = ConfigDict(title="DistanceBand")
    max_km: float | None = Field(ge=0, description="null: any distance.", examples=[10.0])
    price: float = Field(ge=0, examples=[180.0])


class TariffSpec(SpecModel):
    """A full tariff in NOK (fields left out are 0)."""

    model_config = ConfigDict(title="ScenarioTariff")
    per_km: float = Field(default=0.0, ge=0)
    per_hour: float = Field(default=0.0, ge=0)
    per_vehicle_day: float = Field(default=0.0, ge=0)
    per_trip: float = Field(default=0.0, ge=0, description="Per passenger trip carried.")
    per_week: float = Field(default=0.0, ge=0, description="Fixed per vehicle in the fleet.")
    per_year: float = Field(default=0.0, ge=0, description="Fixed per vehicle in the fleet.")
    distance_bands: list[BandSpec] = Field(default_factory=list)


class TariffFieldsSpec(SpecModel):
    """Tariff fields to set (NOK) or scale (factors); only those given change."""

    model_config = ConfigDict(title="TariffFields")
    per_km: float | None = Field(default=None, ge=0)
    per_hour: float | None = Field(default=None, ge=0)
    per_vehicle_day: float | None = Field(default=None, ge=0)
    per_trip: float | None = Field(default=None, ge=0)
    per_week: float | None = Field(default=None, ge=0)
    per_year: float | None = Field(default=None, ge=0)


def window_from_spec(spec: WindowSpec | None) -> TimeWindow | None:
    """The domain window of a file window (``None`` stays ``None``)."""
    return None if spec is None else TimeWindow(parse_hhmm(spec.start), parse_hhmm(spec.end))


def tuple_from_spec(values: list[str] | None) -> tuple[str, ...] | None:
    """A file list as a tuple (``None`` stays ``None``)."""
    return None if values is None else tuple(values)


def passengers_from_spec(spec: PassengerSelectorSpec) -> PassengerSelector:
    """The domain passenger selector of a file selector."""
    return PassengerSelector(
        passenger_ids=tuple_from_spec(spec.passenger_ids),
        centre_ids=tuple_from_spec(spec.centre_ids),
        num_days=None if spec.num_days is None else tuple(spec.num_days),
        group_home=spec.group_home,
        mobility=spec.mobility,
    )


def vehicles_from_spec(spec: VehicleSelectorSpec) -> VehicleSelector:
    """The domain vehicle selector of a file selector."""
    return VehicleSelector(
        vehicle_ids=tuple_from_spec(spec.vehicle_ids),
        operator=spec.operator,
        seats=spec.seats,
        wheelchair_places=spec.wheelchair_places,
    )


def estimate_from_spec(spec: EstimateSpec) -> VehicleEstimate:
    """The attendance-day optimiser's proxy of a file estimate."""
    return VehicleEstimate(spec.people_per_vehicle_trip, spec.wheelchairs_per_vehicle_trip)


def bands_from_spec(specs: list[BandSpec]) -> tuple[DistanceBand, ...]:
    """Domain distance bands (metres) of file bands (km)."""
    return tuple(
        DistanceBand(None if b.max_km is None else round(b.max_km * _M_PER_KM), b.price)
        for b in specs
    )


def tariff_from_spec(spec: TariffSpec) -> Tariff:
    """The domain tariff of a full file tariff."""
    return Tariff(
        per_km=spec.per_km,
        per_hour=spec.per_hour,
        per_vehicle_day=spec.per_vehicle_day,
        per_trip=spec.per_trip,
        per_week=spec.per_week,
        per_year=spec.per_year,
        distance_bands=bands_from_spec(spec.distance_bands),
    )


def fields_from_spec(spec: TariffFieldsSpec) -> dict[str, float]:
    """The tariff fields given, as name -> value."""
    return {k: float(v) for k, v in spec.model_dump().items() if v is not None}


def days_from_spec(values: list[Day] | None) -> frozenset[Day] | None:
    """A file list of weekdays as a set (``None`` stays ``None``)."""
    return None if values is None else frozenset(values)
