"""Database tables (SQLAlchemy 2 declarative). Not API schemas: see ``app.schemas``.

Tables: ``api_keys`` (salted hashes, never tokens), ``plans`` (the submitted plan JSON),
``jobs`` (one solve of a plan, one what-if batch on it, or one re-plan of a solved week's
day: kind, status, lease, progress, result), ``day_results`` (each solved day-direction,
stored as soon as it is done so that a cancelled or restarted job keeps it),
``scenario_batches`` (a batch job's scenarios file), ``scenario_files`` (a finished batch's
output files: comparison, report, each scenario's routes), ``day_versions`` (a solved
week's days as re-planned after the day's changes) and ``passenger_details`` (names,
addresses, phones and notes for manifests, kept apart from the plan). Deleting a plan
deletes its details, its jobs and their results (``ON DELETE CASCADE``).

Times are timezone-aware UTC; ``jobs.lease_expires_at`` is epoch seconds (a float compares
the same way on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """UTC, and naive on SQLite (which has no time zones)."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware UTC whatever the backend stored."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class JobStatus(StrEnum):
    """Where a job is in its life: queued -> running -> succeeded | failed | cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobKind(StrEnum):
    """What a job does.

    Solve its plan's week, route a batch of what-if scenarios on it, or re-plan one day of a
    solved week after the day's changes.
    """

    SOLVE = "solve"
    SCENARIOS = "scenarios"
    REPLAN = "replan"
    """One day of a solved week re-planned after the day's changes (a new day version)."""


ACTIVE_STATUSES = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
FINAL_STATUSES = (JobStatus.SUCCEEDED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)


class Base(DeclarativeBase):
    """Base of every table."""


DEFAULT_ORGANISATION = "default"
"""The organisation of keys made without one (and of rows older than organisations)."""

ORGANISATION_CHARS = 64
"""Longest organisation id."""


def organisation_column() -> Mapped[str]:
    """The organisation a row belongs to: only keys of it see the row."""
    return mapped_column(
        String(ORGANISATION_CHARS),
        default=DEFAULT_ORGANISATION,
        server_default=DEFAULT_ORGANISATION,
    )


class ApiKey(Base):
    """An API key: its public id, role and a salted SHA-256 of its secret part."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str] = organisation_column()
    salt: Mapped[str] = mapped_column(String(64))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Plan(Base):
    """A submitted week plan (dagrute plan JSON; VROOM input kept beside it when given)."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("key_id", "idempotency_key", name="uq_plans_key_idempotency"),
        Index("ix_plans_organisation_created", "organisation", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True
    )
    organisation: Mapped[str] = organisation_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source_format: Mapped[str] = mapped_column(String(16), default="dagrute")
    plan_json: Mapped[str] = mapped_column(Text)
    source_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    num_passengers: Mapped[int] = mapped_column(Integer, default=0)
    num_vehicles: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_sha256: Mapped[str] = mapped_column(String(64))


class PassengerDetail(Base):
    """What a driver needs to know of one passenger of a plan: name, address, phone, notes.

    Display only: the solver never reads these, so they live apart from ``plans.plan_json``
    (the routing data), are shown only to roles with ``details:read``, and are erased with
    the plan. Every field is optional.
    """

    __tablename__ = "passenger_details"

    plan_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    passenger_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    phone: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Job(Base):
    """One solve of a plan, claimed by a worker under a lease."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_key_status", "key_id", "status"),
        Index("ix_jobs_organisation_created", "organisation", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    organisation: Mapped[str] = organisation_column()
    kind: Mapped[str] = mapped_column(
        String(16), default=JobKind.SOLVE.value, server_default=JobKind.SOLVE.value
    )
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    days: Mapped[str] = mapped_column(String(40))
    directions: Mapped[str] = mapped_column(String(40))
    time_limit_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    worker_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    lease_expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    violations_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_partial: Mapped[bool] = mapped_column(Boolean, default=False)
    previous_job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    """An earlier job whose routes this one keeps where it can (stability)."""


class DayResultRow(Base):
    """One solved day-direction of a job (result JSON's ``plans[i]`` and its violations)."""

    __tablename__ = "day_results"

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(String(3), primary_key=True)
    direction: Mapped[str] = mapped_column(String(12), primary_key=True)
    result_json: Mapped[str] = mapped_column(Text)
    violations_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VersionKind(StrEnum):
    """How a day version came about."""

    REPLAN = "replan"
    RESTORE = "restore"


class DayVersion(Base):
    """One version of a solved week's day: the day-directions as re-planned after changes.

    Version 0 is the day as the week's job solved it (its ``day_results``, never a row here);
    each re-plan (a ``replan`` job, ``job_id``) or restore adds the next. ``changes_json``: the
    changes this version's request recorded (a day's changes file); ``in_force_json``: every
    change in force at this version, its own added to those of the version it started from
    (``based_on``, chosen when the re-plan runs: the latest version then); ``result_json``:
    the day-directions (a JSON list of the result's ``plans`` entries); ``diff_json``: what
    changed against ``based_on`` (a list, one per direction). The last three are null until
    the re-plan job succeeds. The current version is the latest with a result. Erased with
    the week's job (and its plan).
    """

    __tablename__ = "day_versions"

    week_job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(String(3), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    based_on: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    changes_json: Mapped[str] = mapped_column(Text)
    in_force_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    diff_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    violations_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScenarioBatchRow(Base):
    """The scenarios file of a ``scenarios`` job (its base week is the job's plan)."""

    __tablename__ = "scenario_batches"

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    scenarios_json: Mapped[str] = mapped_column(Text)
    num_scenarios: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScenarioFileRow(Base):
    """One output file of a finished ``scenarios`` job, by its path in the CLI's out folder.

    ``comparison.json``, ``comparison.csv``, ``report.html`` and per scenario
    ``scenarios/<id>/plan.json``, ``result.json``, ``costs.json`` (``attendance.csv``).
    """

    __tablename__ = "scenario_files"

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(200), primary_key=True)
    content: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """One audited request (:mod:`app.audit`).

    Who (key, role, organisation), what (route, target id), when, and how it ended (HTTP
    status). Never plan content: no passenger id, place or name.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_organisation_at", "organisation", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    organisation: Mapped[str | None] = mapped_column(String(ORGANISATION_CHARS), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(200))
    target_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
