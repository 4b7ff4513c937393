"""Stability against an earlier week: jobs.previous_job_id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add jobs.previous_job_id (no foreign key: erasing the earlier job must stay possible)."""
    op.add_column("jobs", sa.Column("previous_job_id", sa.String(36), nullable=True))


def downgrade() -> None:
    """Drop jobs.previous_job_id."""
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("previous_job_id")
