"""Organisations and the audit trail.

Every key, plan and job belongs to an organisation (existing rows to ``default``); the
``audit_events`` table records reads of personal data, changes and refused keys.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DEFAULT_ORGANISATION = "default"
"""Written into the existing rows: a service that had no organisations had one."""

TABLES = ("api_keys", "plans", "jobs")


def upgrade() -> None:
    """Add ``organisation`` to keys, plans and jobs, and index the lists by it."""
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "organisation",
                sa.String(64),
                nullable=False,
                server_default=DEFAULT_ORGANISATION,
            ),
        )
    op.create_index("ix_plans_organisation_created", "plans", ["organisation", "created_at"])
    op.create_index("ix_jobs_organisation_created", "jobs", ["organisation", "created_at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_organisation_at", "audit_events", ["organisation", "at"])


def downgrade() -> None:
    """Drop the audit table, the indexes and the columns."""
    op.drop_table("audit_events")
    op.drop_index("ix_jobs_organisation_created", table_name="jobs")
    op.drop_index("ix_plans_organisation_created", table_name="plans")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("organisation")
