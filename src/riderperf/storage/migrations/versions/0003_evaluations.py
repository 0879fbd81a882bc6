"""Evaluations and published scorecards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("evaluation_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("judgments", sa.Integer, nullable=False),
        sa.Column("riders", sa.Integer, nullable=False),
        sa.Column("summary", sa.JSON),
    )
    op.create_index("ix_evaluations_period", "evaluations", ["period"])
    op.create_index("ix_evaluations_policy_version", "evaluations", ["policy_version"])
    op.create_table(
        "scorecards",
        sa.Column(
            "evaluation_id",
            sa.String(36),
            sa.ForeignKey("evaluations.evaluation_id"),
            primary_key=True,
        ),
        sa.Column("rider_id", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("tier", sa.String(30)),
        sa.Column("previous_tier", sa.String(30)),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("explanation", sa.Text),
    )
    op.create_index("ix_scorecards_period", "scorecards", ["period"])
    op.create_index("ix_scorecards_period_end", "scorecards", ["period_end"])
    op.create_index("ix_scorecards_rider_id", "scorecards", ["rider_id"])


def downgrade() -> None:
    op.drop_table("scorecards")
    op.drop_table("evaluations")
