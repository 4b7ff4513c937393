"""The day's changes file (what a dispatcher records) and the re-plan's diff, as file models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from solver.domain import Day, Direction
from solver.io.schemas.common import Id, LocationSchema, PlanTime, ResultTime, _Schema

MAX_NOTE_CHARS = 500
"""A change's note is the dispatcher's reason in a sentence or two."""

MAX_CHANGES = 1000
"""Changes one day may carry in one request."""

MAX_DELAY_MIN = 12 * 60

Note = Annotated[
    str,
    Field(
        max_length=MAX_NOTE_CHARS,
        description="Why, in the dispatcher's words (kept with the version; never logged).",
        examples=["Ill, called at 06:40"],
    ),
]
OneDirection = Annotated[
    Direction | None,
    Field(description="The direction it concerns; absent or null: both.", examples=["to_centre"]),
]


class AbsenceSchema(_Schema):
    """A passenger does not travel that day (one direction, or both)."""

    model_config = ConfigDict(title="Absence")

    kind: Literal["absence"]
    passenger_id: Id = Field(examples=["P007"])
    direction: OneDirection = None
    note: Note = ""


class ExtraTripSchema(_Schema):
    """A passenger travels on a day they do not usually attend."""

    model_config = ConfigDict(title="ExtraTrip")

    kind: Literal["extra_trip"]
    passenger_id: Id = Field(examples=["P007"])
    direction: OneDirection = None
    note: Note = ""


class AddressSchema(_Schema):
    """A passenger leaves from and returns to another address that day."""

    model_config = ConfigDict(title="Address")

    kind: Literal["address"]
    passenger_id: Id = Field(examples=["P007"])
    location: LocationSchema
    note: Note = ""


class AssignSchema(_Schema):
    """A hand edit: a passenger rides this vehicle (and at this pickup time), a lock."""

    model_config = ConfigDict(title="Assign")

    kind: Literal["assign"]
    passenger_id: Id = Field(examples=["P007"])
    vehicle_id: Id = Field(examples=["V03"])
    direction: OneDirection = None
    pickup: PlanTime | None = Field(
        default=None, description="Hold the pickup to this time too, HH:MM.", examples=["07:40"]
    )
    note: Note = ""


class LockRouteSchema(_Schema):
    """A vehicle's route stays as it is: its passengers keep it and their times, nobody boards."""

    model_config = ConfigDict(title="LockRoute")

    kind: Literal["lock_route"]
    vehicle_id: Id = Field(examples=["V03"])
    direction: OneDirection = None
    note: Note = ""


class VehicleUnavailableSchema(_Schema):
    """A vehicle can serve no stop from a time on (a breakdown)."""

    model_config = ConfigDict(title="VehicleUnavailable")

    kind: Literal["vehicle_unavailable"]
    vehicle_id: Id = Field(examples=["V03"])
    from_time: PlanTime = Field(alias="from", description="From when, HH:MM.", examples=["07:30"])
    note: Note = ""


class VehicleLateSchema(_Schema):
    """A vehicle can leave its depot some minutes after its shift starts."""

    model_config = ConfigDict(title="VehicleLate")

    kind: Literal["vehicle_late"]
    vehicle_id: Id = Field(examples=["V03"])
    minutes: int = Field(ge=1, le=MAX_DELAY_MIN, examples=[20])
    note: Note = ""


class CentreLateSchema(_Schema):
    """A centre opens late: its morning arrivals start some minutes later."""

    model_config = ConfigDict(title="CentreLate")

    kind: Literal["centre_late"]
    centre_id: Id = Field(examples=["C01"])
    minutes: int = Field(ge=1, le=MAX_DELAY_MIN, examples=[30])
    note: Note = ""


ChangeSchema = Annotated[
    AbsenceSchema
    | ExtraTripSchema
    | AddressSchema
    | AssignSchema
    | LockRouteSchema
    | VehicleUnavailableSchema
    | VehicleLateSchema
    | CentreLateSchema,
    Field(discriminator="kind"),
]


class DayChangesSchema(_Schema):
    """The changes a dispatcher records for one weekday of a solved week."""

    model_config = ConfigDict(title="DayChanges", populate_by_name=False)

    day: Day = Field(description="The weekday they are for.", examples=["mon"])
    changes: list[ChangeSchema] = Field(max_length=MAX_CHANGES)
    withdrawn: list[ChangeSchema] = Field(
        default_factory=list,
        max_length=MAX_CHANGES,
        description="Changes in force before that are taken back (the service records them "
        "with a re-plan; a file for `dagrute replan` lists the changes in force instead).",
    )

    @model_validator(mode="after")
    def _something(self) -> DayChangesSchema:
        if not self.changes and not self.withdrawn:
            raise ValueError("a changes file needs at least one change")
        return self


class TripChangeSchema(_Schema):
    """One passenger's trip before and after a re-plan (null: no trip)."""

    model_config = ConfigDict(title="TripChange")

    passenger_id: Id
    why: Literal[
        "absent",
        "extra_trip",
        "address",
        "assigned",
        "vehicle_unavailable",
        "delayed",
        "withdrawn",
        "knock_on",
    ] = Field(description="Why it differs: the change named them, their vehicle, or knock_on.")
    vehicle_before: Id | None
    vehicle_after: Id | None
    pickup_before: ResultTime | None
    pickup_after: ResultTime | None
    moved_min: float | None = Field(description="Minutes the pickup moved (later: positive).")


class DayDiffSchema(_Schema):
    """What a re-plan changed: trips, drivers with a new manifest, disruption, cost."""

    model_config = ConfigDict(title="DayDiff")

    day: Day
    direction: Direction
    trips: list[TripChangeSchema]
    new_manifests: list[Id] = Field(description="Vehicles whose manifest changed.")
    unaffected: int = Field(ge=0, description="Passengers no change concerns.")
    unaffected_changed: int = Field(
        ge=0,
        description="Of them: on another vehicle, pickup moved more than the tolerance, or "
        "left out.",
    )
    cost_before: float
    cost_after: float
