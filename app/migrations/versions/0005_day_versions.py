"""The dispatcher's day: day_versions (a solved week's days re-planned after changes).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.db.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``day_versions``; erased with the week's job (``ON DELETE CASCADE``)."""
    op.create_table(
        "day_versions",
        sa.Column(
            "week_job_id",
            sa.String(36),
            sa.ForeignKey("jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.String(3), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("based_on", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("changes_json", sa.Text, nullable=False),
        sa.Column("in_force_json", sa.Text, nullable=True),
        sa.Column("result_json", sa.Text, nullable=True),
        sa.Column("diff_json", sa.Text, nullable=True),
        sa.Column("violations_json", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_day_versions_job_id", "day_versions", ["job_id"])


def downgrade() -> None:
    """Drop ``day_versions``."""
    op.drop_index("ix_day_versions_job_id", table_name="day_versions")
    op.drop_table("day_versions")
