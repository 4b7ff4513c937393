"""What-if batches as jobs: jobs.kind, scenario_batches, scenario_files.

Existing jobs become ``kind = 'solve'`` (the server default).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.db.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add jobs.kind and the two scenario tables."""
    op.add_column("jobs", sa.Column("kind", sa.String(16), nullable=False, server_default="solve"))
    op.create_table(
        "scenario_batches",
        sa.Column(
            "job_id",
            sa.String(36),
            sa.ForeignKey("jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("scenarios_json", sa.Text(), nullable=False),
        sa.Column("num_scenarios", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "scenario_files",
        sa.Column(
            "job_id",
            sa.String(36),
            sa.ForeignKey("jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("path", sa.String(200), primary_key=True),
        sa.Column("content", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop the scenario tables (and every scenario job) and jobs.kind."""
    op.drop_table("scenario_files")
    op.drop_table("scenario_batches")
    op.execute(sa.text("DELETE FROM jobs WHERE kind <> 'solve'"))
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of jobs would drop and
    # re-create the table, and with foreign keys on that cascades into day_results.
    op.drop_column("jobs", "kind")
