"""The day's changes file <-> :class:`~solver.dispatch.changes.DayChanges`, and diffs to JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from solver.dispatch.changes import (
    Absence,
    Address,
    Assign,
    CentreLate,
    DayChange,
    DayChanges,
    ExtraTrip,
    LockRoute,
    VehicleLate,
    VehicleUnavailable,
)
from solver.dispatch.diff import DayDiff
from solver.domain import Direction
from solver.io.files import read_bytes
from solver.io.issues import validate_json
from solver.io.schemas.changes import (
    AbsenceSchema,
    AddressSchema,
    AssignSchema,
    CentreLateSchema,
    ChangeSchema,
    DayChangesSchema,
    DayDiffSchema,
    ExtraTripSchema,
    LockRouteSchema,
    TripChangeSchema,
    VehicleLateSchema,
    VehicleUnavailableSchema,
)
from solver.io.schemas.common import (
    JsonDict,
    location_from_schema,
    location_to_schema,
    schema_to_json,
)
from solver.io.times import format_hhmm, format_hms, parse_hhmm


def _direction(value: Direction | None) -> Direction | None:
    return None if value is None else Direction(value)


def _change_from_schema(schema: ChangeSchema) -> DayChange:
    if isinstance(schema, AbsenceSchema):
        return Absence(schema.passenger_id, _direction(schema.direction), schema.note)
    if isinstance(schema, ExtraTripSchema):
        return ExtraTrip(schema.passenger_id, _direction(schema.direction), schema.note)
    if isinstance(schema, AddressSchema):
        return Address(schema.passenger_id, location_from_schema(schema.location), schema.note)
    if isinstance(schema, AssignSchema):
        pickup_s = None if schema.pickup is None else parse_hhmm(schema.pickup)
        return Assign(
            schema.passenger_id,
            schema.vehicle_id,
            _direction(schema.direction),
            pickup_s,
            schema.note,
        )
    if isinstance(schema, LockRouteSchema):
        return LockRoute(schema.vehicle_id, _direction(schema.direction), schema.note)
    if isinstance(schema, VehicleUnavailableSchema):
        return VehicleUnavailable(schema.vehicle_id, parse_hhmm(schema.from_time), schema.note)
    if isinstance(schema, VehicleLateSchema):
        return VehicleLate(schema.vehicle_id, schema.minutes, schema.note)
    return CentreLate(schema.centre_id, schema.minutes, schema.note)


def changes_from_schema(schema: DayChangesSchema) -> DayChanges:
    """The domain changes of a checked file model."""
    return DayChanges(
        schema.day,
        tuple(_change_from_schema(c) for c in schema.changes),
        tuple(_change_from_schema(c) for c in schema.withdrawn),
    )


def parse_changes(data: bytes | str | Mapping[str, Any], source: str = "changes") -> DayChanges:
    """Read a day's changes (JSON text, bytes or a parsed dict); InputError if malformed.

    Checks structure only; :func:`solver.dispatch.check_changes` checks them against a plan.
    """
    return changes_from_schema(validate_json(DayChangesSchema, data, source, "The changes"))


def load_changes(path: Path) -> DayChanges:
    """Read the day's changes in the JSON file at ``path``."""
    return parse_changes(read_bytes(path), source=str(path))


def _change_schema(change: DayChange) -> ChangeSchema:
    if isinstance(change, Absence):
        return AbsenceSchema.model_construct(
            kind="absence",
            passenger_id=change.passenger_id,
            direction=change.direction,
            note=change.note,
        )
    if isinstance(change, ExtraTrip):
        return ExtraTripSchema.model_construct(
            kind="extra_trip",
            passenger_id=change.passenger_id,
            direction=change.direction,
            note=change.note,
        )
    if isinstance(change, Address):
        return AddressSchema.model_construct(
            kind="address",
            passenger_id=change.passenger_id,
            location=location_to_schema(change.location),
            note=change.note,
        )
    if isinstance(change, Assign):
        return AssignSchema.model_construct(
            kind="assign",
            passenger_id=change.passenger_id,
            vehicle_id=change.vehicle_id,
            direction=change.direction,
            pickup=None if change.pickup_s is None else format_hhmm(change.pickup_s),
            note=change.note,
        )
    if isinstance(change, LockRoute):
        return LockRouteSchema.model_construct(
            kind="lock_route",
            vehicle_id=change.vehicle_id,
            direction=change.direction,
            note=change.note,
        )
    if isinstance(change, VehicleUnavailable):
        return VehicleUnavailableSchema.model_construct(
            kind="vehicle_unavailable",
            vehicle_id=change.vehicle_id,
            from_time=format_hhmm(change.from_s),
            note=change.note,
        )
    if isinstance(change, VehicleLate):
        return VehicleLateSchema.model_construct(
            kind="vehicle_late",
            vehicle_id=change.vehicle_id,
            minutes=change.minutes,
            note=change.note,
        )
    return CentreLateSchema.model_construct(
        kind="centre_late", centre_id=change.centre_id, minutes=change.minutes, note=change.note
    )


def changes_to_json(changes: DayChanges) -> JsonDict:
    """The changes file's JSON (reads back with :func:`parse_changes`).

    ``withdrawn`` is written only when some change is taken back.
    """
    data = schema_to_json(
        DayChangesSchema.model_construct(
            day=changes.day,
            changes=[_change_schema(c) for c in changes.changes],
            withdrawn=[_change_schema(c) for c in changes.withdrawn],
        )
    )
    if not changes.withdrawn:
        data.pop("withdrawn", None)
    return data


def diff_schema(diff: DayDiff) -> DayDiffSchema:
    """The file model of a re-plan's diff."""
    return DayDiffSchema.model_construct(
        day=diff.day,
        direction=diff.direction,
        trips=[
            TripChangeSchema.model_construct(
                passenger_id=trip.passenger_id,
                why=str(trip.why),
                vehicle_before=trip.vehicle_before,
                vehicle_after=trip.vehicle_after,
                pickup_before=None
                if trip.pickup_before_s is None
                else format_hms(trip.pickup_before_s),
                pickup_after=None
                if trip.pickup_after_s is None
                else format_hms(trip.pickup_after_s),
                moved_min=None if trip.moved_s is None else round(trip.moved_s / 60.0, 1),
            )
            for trip in diff.trips
        ],
        new_manifests=list(diff.new_manifests),
        unaffected=diff.num_unaffected,
        unaffected_changed=diff.num_unaffected_changed,
        cost_before=round(diff.cost_before, 2),
        cost_after=round(diff.cost_after, 2),
    )


def diff_to_json(diff: DayDiff) -> JsonDict:
    """A re-plan's diff as JSON."""
    return schema_to_json(diff_schema(diff))


def parse_in_force(text: str) -> tuple[DayChange, ...]:
    """The changes in force stored as a changes file's JSON (none: an empty ``changes``)."""
    data = json.loads(text)
    if not data.get("changes"):
        return ()
    return parse_changes(data, "changes in force").changes
