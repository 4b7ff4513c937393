"""Parts shared by the plan and result file models: the strict base, ids, times, places."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from solver.domain import DAYS, Day, LatLon, SeatingLayout
from solver.io.schemas.limits import MAX_LATITUDE_DEG, MAX_LONGITUDE_DEG
from solver.io.times import PLAN_TIME_PATTERN, RESULT_TIME_PATTERN

JsonDict = dict[str, Any]

OPERATORS: tuple[str, ...] = ("own", "contractor")
"""Who runs a vehicle: the centre itself, or the transport contractor."""


class _Schema(BaseModel):
    """Base of every file model: strict types, no unknown fields, no NaN or Infinity.

    The writers build these models from the domain with ``model_construct`` (no validation:
    the data is ours, and a plan built in code with a value out of range must still be
    written so that :func:`solver.validate.validate` can report it) and write
    ``model_dump(mode="json", by_alias=True)`` (:func:`schema_to_json`): the fields' order is
    the written keys' order, and which keys a file leaves out is declared on the fields, with
    :func:`omit_none` and :func:`omit_empty` (any other field is always written, ``None`` as
    ``null``).
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def omit_none(value: object) -> bool:
    """Whether a written file leaves out an optional field: it is unset (``None``).

    For fields whose empty value means something other than unset (``allowed_vehicles=[]``:
    no vehicle at all) or that the writer never leaves empty.
    """
    return value is None


def omit_empty(value: object) -> bool:
    """Whether a written file leaves out a field at its empty default: ``[]``, ``{}``, ``False``.

    Keeps files short: a key that is absent reads back as the same default.
    """
    return not value


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
        ge=-MAX_LATITUDE_DEG,
        le=MAX_LATITUDE_DEG,
        description="Latitude in degrees, north positive.",
        examples=[59.9296],
    )
    lon: float = Field(
        ge=-MAX_LONGITUDE_DEG,
        le=MAX_LONGITUDE_DEG,
        description="Longitude in degrees, east positive.",
        examples=[10.8709],
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


def schema_to_json(schema: BaseModel) -> JsonDict:
    """The JSON-ready dict of a file model, as written to files.

    Keys in the fields' declared order, ``$schema`` by its alias, without the keys the fields'
    ``exclude_if`` (:func:`omit_none`, :func:`omit_empty`) leave out.
    """
    return schema.model_dump(mode="json", by_alias=True)


def location_from_schema(schema: LocationSchema) -> LatLon:
    """The domain point of a file location."""
    return LatLon(lat=schema.lat, lon=schema.lon)


def location_to_schema(location: LatLon) -> LocationSchema:
    """The file model of a domain point (unvalidated, see :class:`_Schema`)."""
    return LocationSchema.model_construct(lat=location.lat, lon=location.lon)


def layout_to_schema(layout: SeatingLayout) -> LayoutSchema:
    """The file model of a seating layout (a vehicle's, or the one a route is driven with)."""
    return LayoutSchema.model_construct(
        seats=layout.seats, wheelchair_places=layout.wheelchair_places
    )
