"""Rider registry and import history.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "riders",
        sa.Column("rider_id", sa.String(64), primary_key=True),
        sa.Column("capacity_type", sa.String(20), nullable=False),
        sa.Column("fleet_id", sa.String(64)),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("zone_id", sa.String(64)),
        sa.Column("vehicle", sa.String(20), nullable=False),
        sa.Column("joined_on", sa.Date, nullable=False),
        sa.Column("language", sa.String(35)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_riders_fleet_id", "riders", ["fleet_id"])
    op.create_index("ix_riders_city", "riders", ["city"])
    op.create_table(
        "import_runs",
        sa.Column("import_id", sa.String(36), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("exit_code", sa.Integer),
        sa.Column("report", sa.JSON),
    )
    op.create_index("ix_import_runs_started_at", "import_runs", ["started_at"])


def downgrade() -> None:
    op.drop_table("import_runs")
    op.drop_table("riders")
