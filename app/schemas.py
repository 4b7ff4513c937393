"""Request and response schemas of the HTTP API (pydantic). Never the solver's domain.

The plan and result documents themselves are the solver's file formats (``solver.io``'s
``PlanSchema`` and ``ResultSchema``); the OpenAPI document references them by name.
Conversions between these schemas and the solver's domain happen in ``app.convert`` only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.db.models import JobStatus
from app.security import Role
from solver import Day
from solver.dispatch.replan import DEFAULT_REPLAN_S
from solver.io.schemas.changes import MAX_CHANGES, MAX_NOTE_CHARS, ChangeSchema, DayDiffSchema
from solver.io.schemas.result import DayPlanSchema

MAX_REPLAN_S = 60.0
"""Most seconds of search per direction a re-plan request may ask for."""

DirectionName = Literal["to_centre", "from_centre"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# ------------------------------------------------------------------------------ errors


class ErrorItem(_Out):
    """One problem: a stable code, a sentence, how to fix it, where, and whose."""

    code: str = Field(description="Stable UPPER_SNAKE code.", examples=["INPUT_UNKNOWN_CENTRE"])
    message: str = Field(
        description="One sentence naming the offending id.",
        examples=["Passenger P3 attends centre C9, which is not in the plan."],
    )
    hint: str = Field(description="How to fix it.", examples=["Add centre C9 or fix the id."])
    path: str | None = Field(
        description="JSON path in the request body (or query.NAME / header.NAME).",
        examples=["passengers[2].centre_id"],
    )
    id: str | None = Field(description="The offending object's id.", examples=["P3"])


class Problem(_Out):
    """An error (RFC 9457 problem details, ``application/problem+json``)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:dagrute:problem:invalid-input",
                    "title": "The request's input is not valid",
                    "status": 422,
                    "detail": "The plan has 1 problem; each is listed in errors.",
                    "instance": "/v1/plans",
                    "errors": [
                        {
                            "code": "INPUT_UNKNOWN_CENTRE",
                            "message": "Passenger P3 attends centre C9, which is not in the plan.",
                            "hint": "Add centre C9 to centres, or correct centre_id.",
                            "path": "passengers[2].centre_id",
                            "id": "P3",
                        }
                    ],
                }
            ]
        },
    )

    type: str = Field(description="urn:dagrute:problem:<slug>; stable per kind of error.")
    title: str = Field(description="Short summary, the same for every problem of this type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[ErrorItem] = Field(description="Every problem found, each on its own.")


# -------------------------------------------------------------------------------- jobs


class JobProgress(_Out):
    """How far a job has got."""

    stage: str = Field(
        description="queued, solving, done, failed or cancelled.", examples=["solving"]
    )
    day_directions_done: int = Field(description="Day-directions solved and stored.")
    day_directions_total: int = Field(description="Day-directions the job solves.")
    running: list[str] = Field(
        description="Day-directions being solved now, e.g. 'mon to_centre'.",
        examples=[["mon to_centre", "mon from_centre"]],
    )
    cost_so_far: float | None = Field(
        description="NOK: total cost of the day-directions solved so far (none yet: null). "
        "A day-direction's own best cost is known only when its search ends."
    )
    elapsed_s: float | None = Field(description="Seconds since a worker first took the job.")
    time_limit_s: float = Field(description="The job's time budget in seconds, roads included.")
    attempt: int = Field(default=0, description="Claims so far (a worker death counts one).")
    notes: list[str] = Field(default_factory=list, description="Remarks on the submission.")


class JobLinks(_Out):
    """Where to find the job's parts."""

    self: str
    plan: str
    result: str
    geojson: str
    day: str = Field(description="Template: one day-direction's routes.")
    manifest: str = Field(description="Template: a driver's manifest for a day.")


class JobResource(_Out):
    """A solve of a plan: its status, progress and, when done, where the result is."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "7d0c2a8e-4f7b-4c44-9a8e-2f3c1c0b6a11",
                    "plan_id": "1b9f0d7e-3c1a-4d55-8f0e-6a2b9c4d3e21",
                    "status": "running",
                    "cancel_requested": False,
                    "created_at": "2025-11-23T08:00:00Z",
                    "started_at": "2025-11-23T08:00:01Z",
                    "finished_at": None,
                    "days": ["mon"],
                    "directions": ["to_centre", "from_centre"],
                    "attempts": 1,
                    "max_attempts": 3,
                    "progress": {
                        "stage": "solving",
                        "day_directions_done": 1,
                        "day_directions_total": 2,
                        "running": ["mon from_centre"],
                        "cost_so_far": 4210.5,
                        "elapsed_s": 6.2,
                        "time_limit_s": 30,
                        "attempt": 1,
                        "notes": [],
                    },
                    "error": None,
                    "num_violations": None,
                    "is_partial": False,
                    "links": {
                        "self": "/v1/jobs/7d0c2a8e-4f7b-4c44-9a8e-2f3c1c0b6a11",
                        "plan": "/v1/plans/1b9f0d7e-3c1a-4d55-8f0e-6a2b9c4d3e21",
                        "result": "/v1/jobs/7d0c2a8e-4f7b-4c44-9a8e-2f3c1c0b6a11/result",
                        "geojson": "/v1/jobs/7d0c2a8e-4f7b-4c44-9a8e-2f3c1c0b6a11/geojson",
                        "day": "/v1/jobs/7d0c2a8e-4f7b-4c44-9a8e-2f3c1c0b6a11/days/"
                        "{day}/{direction}",
                        "manifest": "/v1/jobs/7d0c2a8e-4f7b-4c44-9a8e-2f3c1c0b6a11/"
                        "manifests/{day}/{vehicle_id}",
                    },
                }
            ]
        },
    )

    id: str
    plan_id: str
    status: JobStatus = Field(description="queued, running, succeeded, failed or cancelled.")
    cancel_requested: bool = Field(description="A cancel was asked for (a worker stops soon).")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    days: list[Day]
    directions: list[DirectionName]
    attempts: int = Field(description="Times a worker claimed the job.")
    max_attempts: int
    progress: JobProgress
    error: Problem | None = Field(description="Why the job failed (failed jobs only).")
    num_violations: int | None = Field(
        description="Checker violations in the result (0 expected); null until finished."
    )
    is_partial: bool = Field(
        description="The result holds only the day-directions solved before a cancel or failure."
    )
    previous_job_id: str | None = Field(
        default=None,
        description="The earlier job whose routes this one keeps where it can (previous_job).",
    )
    links: JobLinks


class PlanResource(_Out):
    """A stored plan and its jobs."""

    id: str
    created_at: datetime
    source_format: Literal["dagrute", "vroom"]
    num_passengers: int
    num_vehicles: int
    job_ids: list[str]


class PlanList(_Out):
    """One page of the organisation's plans, newest first."""

    items: list[PlanResource]
    total: int = Field(ge=0, description="Plans matching the filter, on every page.")
    limit: int
    offset: int


class JobList(_Out):
    """One page of the organisation's jobs, newest first."""

    items: list[JobResource]
    total: int = Field(ge=0, description="Jobs matching the filter, on every page.")
    limit: int
    offset: int


class AuditEventItem(_Out):
    """One audited request: when, who, what, and how it ended. Never plan content."""

    at: datetime
    key_id: str | None = Field(description="The key's public id (as sent, when refused).")
    role: str | None
    action: Literal["read", "change", "use", "refused"]
    method: str
    route: str = Field(description="The route's template, e.g. /v1/jobs/{job_id}/result.")
    target_id: str | None = Field(description="The job, plan or key id the route named.")
    status: int = Field(description="The HTTP status of the answer.")


class AuditList(_Out):
    """One page of the organisation's audit trail, newest first."""

    items: list[AuditEventItem]
    total: int = Field(ge=0)
    limit: int
    offset: int


# -------------------------------------------------------------------- passenger details


class PassengerDetailsItem(_In):
    """One passenger's display fields for manifests; every field but the id is optional."""

    passenger_id: str = Field(min_length=1, examples=["P001"])
    name: str | None = Field(None, max_length=200, examples=["Kari Nordmann"])
    address: str | None = Field(None, max_length=300, examples=["Storgata 1, 0155 Oslo"])
    phone: str | None = Field(None, max_length=40, examples=["+47 912 34 567"])
    notes: str | None = Field(None, max_length=1000, examples=["Needs help with the seat belt."])


class PassengerDetailsInput(_In):
    """A plan's passenger details (replaces any sent before)."""

    passengers: list[PassengerDetailsItem]


class PassengerDetailsList(_Out):
    """A plan's passenger details, by passenger id."""

    plan_id: str
    passengers: list[PassengerDetailsItem]


class DetailsStored(_Out):
    """What a details upload stored: counts only, never a value."""

    plan_id: str
    num_passengers: int = Field(description="Passengers with at least one field.")
    num_names: int
    num_addresses: int
    num_phones: int
    num_notes: int


# ------------------------------------------------------------------------ manifests


class ManifestPassenger(_Out):
    """Someone boarding or alighting: the passenger and what they need.

    ``name``, ``phone`` and ``notes`` come from the plan's passenger details, and only for
    keys with ``details:read`` (dispatchers, admins); otherwise they are null.
    """

    passenger_id: str
    mobility: Literal["walking", "wheelchair"]
    escorts: int = Field(description="Staff travelling with the passenger.")
    seats: int = Field(description="Ordinary seats taken (escorts included).")
    wheelchair_places: int
    name: str | None = None
    phone: str | None = None
    notes: str | None = None


class ManifestStop(_Out):
    """One stop of a driver's route."""

    sequence: int = Field(description="0 = leaving the depot.")
    kind: Literal["depot", "home", "centre"]
    centre_id: str | None
    centre_name: str | None
    lat: float
    lon: float
    address: str | None = Field(
        None,
        description="A home stop's address from the passenger details (details:read only), "
        "unless the passenger is fetched elsewhere that day.",
    )
    arrival: str = Field(description="HH:MM:SS, when service starts.")
    departure: str = Field(description="HH:MM:SS, when the vehicle leaves.")
    boarding: list[ManifestPassenger]
    alighting: list[ManifestPassenger]
    seats_on_board: int = Field(description="Seats taken after the stop.")
    wheelchairs_on_board: int = Field(description="Wheelchair places taken after the stop.")


class ManifestRoute(_Out):
    """One direction's route of the vehicle."""

    direction: DirectionName
    start: str
    end: str
    distance_m: int
    duration_s: int
    num_passengers: int
    num_wheelchairs: int
    num_escorts: int
    stops: list[ManifestStop]


class Manifest(_Out):
    """A driver's manifest: a vehicle's routes on one day, stop by stop."""

    job_id: str
    day: Day
    vehicle_id: str
    seats: int
    wheelchair_places: int
    routes: list[ManifestRoute] = Field(description="Morning first; empty if unused that day.")
    details_shown: bool = Field(
        False,
        description="Whether the caller's role sees passenger details: names, addresses, "
        "phones and notes, wherever the plan's details give them.",
    )
    attribution: str = Field(description="Road data licence.")


# ---------------------------------------------------------------------------- tools


class Point(_In):
    """A WGS84 point in degrees."""

    lat: float = Field(ge=-90, le=90, examples=[59.9296])
    lon: float = Field(ge=-180, le=180, examples=[10.8709])


class MatrixRequest(_In):
    """Points to measure between on the service's road network."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {
                    "points": [
                        {"lat": 59.8855067, "lon": 10.7884013},
                        {"lat": 59.9284895, "lon": 10.7611017},
                    ]
                }
            ]
        },
    )

    points: list[Point] = Field(min_length=1, description="At most DAGRUTE_MAX_MATRIX_POINTS.")
    snap_limit_m: float = Field(
        default=500.0, ge=0, le=100_000, description="Farthest a point may lie from a road."
    )


class MatrixResponse(_Out):
    """Travel times and distances between every ordered pair of points."""

    durations_s: list[list[int]] = Field(description="[from][to], seconds.")
    distances_m: list[list[int]] = Field(description="[from][to], metres along the fastest path.")
    snap_distances_m: list[float] = Field(description="Each point's distance to its road.")
    attribution: str


class RouteFigures(_Out):
    """One route's figures, without its stops (no passenger ids, no places)."""

    vehicle_id: str = Field(examples=["V1"])
    num_stops: int = Field(ge=0, description="Stops, depots included.")
    num_trips: int = Field(ge=0, description="Passengers picked up.")
    distance_m: int = Field(ge=0)
    duration_s: int = Field(ge=0)
    cost: float = Field(description="NOK.")


class DayFigures(_Out):
    """One day-direction's figures: its routes' figures, key figures, unassigned by reason."""

    day: Day
    direction: DirectionName
    routes: list[RouteFigures]
    kpis: dict[str, float] = Field(description="As in the result JSON's `kpis`.")
    unassigned_by_reason: dict[str, int] = Field(
        description="Passengers not served, counted by reason code (no ids)."
    )


class ResultFigures(_Out):
    """A week result without personal data: what an analyst key reads from `/result`.

    No passenger id, stop, place or drawn line; routes as their figures, unassigned passengers
    as counts by reason; the week totals and the day-directions not planned as in the result.
    """

    name: str
    figures_only: Literal[True] = Field(
        description="Always true: this is the figures-only form of a result."
    )
    plans: list[DayFigures]
    totals: dict[str, float]
    not_planned: list[dict[str, str]] = Field(
        description="As in the result JSON: day, direction and reason."
    )


class ViolationItem(_Out):
    """A rule the result breaks."""

    code: str = Field(examples=["CHECK_SEATS"])
    day: Day | None = Field(description="The day-direction's day; null for a week total.")
    direction: DirectionName | None = Field(
        description="The day-direction's direction; null for a week total."
    )
    vehicle_id: str | None
    passenger_id: str | None
    message: str


class CheckResponse(_Out):
    """The independent checker's verdict."""

    num_violations: int
    violations: list[ViolationItem]


class PassengerImport(_Out):
    """Passengers read from a CSV file, in the plan's ``passengers`` format."""

    num_rows: int
    passengers: list[dict[str, Any]] = Field(
        description="Each a plan passenger (see the Plan schema); paste into a plan."
    )


# ----------------------------------------------------------------------------- keys


class KeyCreate(_In):
    """A key to make."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "dispatch desk", "role": "dispatcher"}]},
    )

    name: str = Field(min_length=1, max_length=100, description="Who or what uses it.")
    role: Role


class KeyResource(_Out):
    """A key, without its secret."""

    id: str
    name: str
    role: Role
    organisation: str = Field(
        description="The organisation the key belongs to: it sees only that one's data."
    )
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyResource):
    """A new key; ``token`` is shown this once and never again."""

    token: str = Field(description="Send as 'Authorization: Bearer <token>'.")


class Health(_Out):
    """Whether the service can answer and reach its database."""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    roads_loaded: bool
    version: str


# -------------------------------------------------------------------- the dispatcher's day


class ReplanRequest(_In):
    """The day's changes to a solved week's day, and how to re-plan it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    changes: list[ChangeSchema] = Field(
        default_factory=list,
        max_length=MAX_CHANGES,
        description="What changed today (absences, extra trips, another address, a vehicle "
        "broken down or late, a centre opening late). Added to the changes already in force.",
    )
    withdraw: list[ChangeSchema] = Field(
        default_factory=list,
        max_length=MAX_CHANGES,
        description="Changes in force to take back, each as the version's `in_force` lists it "
        "(an absence recorded by mistake, a vehicle repaired). Not in force: 422 "
        "CHANGE_NOT_IN_FORCE.",
    )
    directions: list[DirectionName] | None = Field(
        default=None, description="Re-plan only these directions (default: both)."
    )
    time_limit_s: float = Field(
        default=DEFAULT_REPLAN_S,
        gt=0,
        le=MAX_REPLAN_S,
        description="Seconds of search per direction.",
    )
    note: str = Field(
        default="",
        max_length=MAX_NOTE_CHARS,
        description="Why, for the version's history (kept with the plan; never logged).",
    )

    @model_validator(mode="after")
    def _something(self) -> ReplanRequest:
        if not self.changes and not self.withdraw:
            raise ValueError("record at least one change, or take one back (withdraw)")
        return self


class DayVersionLinks(_Out):
    """Where to read a day version, the job making it, and the day's current routes."""

    self: str
    job: str | None
    day: str = Field(description="The day's current routes, one direction: fill in {direction}.")


class DayVersionResource(_Out):
    """One version of a solved week's day: its changes, routes, and what changed.

    Version 0 is the day as the week's job solved it. ``status`` is the re-plan job's
    (``succeeded`` for versions 0 and restores).
    """

    week_job_id: str
    day: Day
    version: int = Field(ge=0)
    kind: Literal["solved", "replan", "restore"]
    status: JobStatus
    is_current: bool = Field(description="Whether the day's routes are this version's now.")
    based_on: int | None = Field(
        description="The version it started from (null while its re-plan is queued)."
    )
    created_at: datetime
    key_id: str | None = Field(description="The key that recorded it.")
    role: str | None
    note: str
    changes: list[ChangeSchema] = Field(description="The changes this version recorded.")
    withdrawn: list[ChangeSchema] = Field(
        default_factory=list, description="The changes in force it took back."
    )
    in_force: list[ChangeSchema] | None = Field(
        description="Every change in force on the day at this version (null until re-planned)."
    )
    plans: list[DayPlanSchema] | None = Field(
        description="The day's day-directions at this version (null until re-planned)."
    )
    diffs: list[DayDiffSchema] | None = Field(
        description="What changed against based_on, one per re-planned direction."
    )
    violations: list[ViolationItem] | None = Field(
        description="The checker's violations against the day as changed (0 expected)."
    )
    error: Problem | None = Field(description="Why the re-plan failed (failed only).")
    links: DayVersionLinks


class MoveItem(_In):
    """One hand move: a passenger onto a vehicle, before one of its stops or where it fits."""

    passenger_id: str = Field(min_length=1, max_length=200, examples=["P0005"])
    vehicle_id: str = Field(min_length=1, max_length=200, examples=["V002"])
    position: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Board before this stop of the vehicle's route (as its manifest numbers "
        "them, 1 = the first after the depot; past the last: board last). Null: where the "
        "route is shortest with every rule kept.",
    )


class MovesRequest(_In):
    """Hand moves to try on one day-direction as it stands (the day's current version)."""

    direction: DirectionName
    moves: list[MoveItem] = Field(
        min_length=1,
        max_length=20,
        description="Made in order; two moves swap two passengers.",
    )


class MovesPreview(_Out):
    """A day-direction with the moves made, re-timed, and the checker's word on it.

    Nothing is stored. To keep the moves, record ``changes`` (``assign`` locks at the
    previewed pickup times) with ``POST .../days/{day}/changes``: the re-plan keeps them.
    """

    day: Day
    direction: DirectionName
    version: int = Field(ge=0, description="The day version the moves were made on.")
    plan: DayPlanSchema = Field(description="The day-direction with the moves made.")
    vehicles: list[str] = Field(description="Vehicles whose routes changed.")
    is_timed: bool = Field(
        description="Every changed route keeps its windows, ride limits and shift (else it is "
        "timed as early as it can be driven and the violations say what is late)."
    )
    violations: list[ViolationItem] = Field(
        description="The checker's violations of the day-direction with the moves (empty: "
        "the moves keep every rule)."
    )
    cost_before: float
    cost_after: float
    changes: list[ChangeSchema] = Field(description="The moves as `assign` changes, to keep.")


class DayVersionSummary(_Out):
    """A version in the day's history."""

    version: int
    kind: Literal["solved", "replan", "restore"]
    status: JobStatus
    is_current: bool
    based_on: int | None
    created_at: datetime
    key_id: str | None
    num_changes: int = Field(description="Changes this version recorded.")
    num_unaffected_changed: int | None = Field(
        description="Passengers no change concerned who moved (vehicle, pickup over 10 min)."
    )
    cost: float | None = Field(description="The day's cost at this version, NOK.")


class DayVersionList(_Out):
    """A solved week's day: every version, oldest first."""

    week_job_id: str
    day: Day
    current: int
    versions: list[DayVersionSummary]


class RestoreRequest(_In):
    """Why an earlier version is made current again."""

    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
