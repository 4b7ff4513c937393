"""Parts shared by the plan and result file models: the strict base, ids, times, places."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from solver.domain import DAYS, Day, LatLon
from solver.io.times import PLAN_TIME_PATTERN, RESULT_TIME_PATTERN

JsonDict = dict[str, Any]

MAX_ESCORTS = 3
"""Most escorts a passenger travels with (3:1 staffing)."""

OPERATORS: tuple[str, ...] = ("own", "contractor")
"""Who runs a vehicle: the centre itself, or the transport contractor."""


class _Schema(BaseModel):
    """Base of every file model: strict types, no unknown fields, no NaN or Infinity."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


Id = Annotated[str, Field(min_length=1)]
PlanTime = Annotated[str, Field(pattern=PLAN_TIME_PATTERN, examples=["08:30"])]
ResultTime = Annotated[str, Field(pattern=RESULT_TIME_PATTERN, examples=["08:27:30"])]
Operator = Literal["own", "contractor"]


def all_days() -> list[Day]:
    """Every weekday, mon to fri (a fresh list: a field default)."""
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


class LayoutSchema(_Schema):
    """One way a vehicle's flip seats can be set."""

    model_config = ConfigDict(title="Layout")

    seats: int = Field(ge=0, description="Ordinary seats in this layout.", examples=[6])
    wheelchair_places: int = Field(
        ge=0, description="Wheelchair places in this layout.", examples=[1]
    )


def location_from_schema(schema: LocationSchema) -> LatLon:
    """The domain point of a file location."""
    return LatLon(lat=schema.lat, lon=schema.lon)


def location_to_json(location: LatLon) -> JsonDict:
    """The file form of a domain point."""
    return {"lat": location.lat, "lon": location.lon}
