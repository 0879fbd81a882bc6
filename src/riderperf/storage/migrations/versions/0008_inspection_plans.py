"""Inspection sampling plans and lot history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspection_plans",
        sa.Column("plan_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("zone_filter", sa.String(64)),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("budget", sa.Integer),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("design", sa.String(40), nullable=False),
        sa.Column("frame_size", sa.Integer, nullable=False),
        sa.Column("sample_size", sa.Integer, nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_inspection_plans_period", "inspection_plans", ["period"])
    op.create_index("ix_inspection_plans_created_at", "inspection_plans", ["created_at"])
    op.create_table(
        "inspection_lots",
        sa.Column(
            "plan_id",
            sa.String(36),
            sa.ForeignKey("inspection_plans.plan_id"),
            primary_key=True,
        ),
        sa.Column("zone_id", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("lot_size", sa.Integer, nullable=False),
        sa.Column("severity", sa.String(12), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("aql", sa.Float, nullable=False),
        sa.Column("code_letter", sa.String(2), nullable=False),
        sa.Column("standard_sample_size", sa.Integer, nullable=False),
        sa.Column("sample_size", sa.Integer, nullable=False),
        sa.Column("accept", sa.Integer, nullable=False),
        sa.Column("reject", sa.Integer, nullable=False),
        sa.Column("tighter_accept", sa.Integer),
        sa.Column("decidable", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("inspected", sa.Integer),
        sa.Column("nonconforming", sa.Integer),
        sa.Column("weighted_nonconforming", sa.Float),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_inspection_lots_period", "inspection_lots", ["period"])
    op.create_table(
        "inspection_selections",
        sa.Column(
            "plan_id",
            sa.String(36),
            sa.ForeignKey("inspection_plans.plan_id"),
            primary_key=True,
        ),
        sa.Column("rider_id", sa.String(64), primary_key=True),
        sa.Column("zone_id", sa.String(64), nullable=False),
        sa.Column("inclusion_probability", sa.Float, nullable=False),
        sa.Column("risk_score", sa.Float, nullable=False),
        sa.Column("draw_order", sa.Integer, nullable=False),
        sa.Column("features", sa.JSON, nullable=False),
    )
    op.create_index("ix_inspection_selections_zone_id", "inspection_selections", ["zone_id"])
    op.create_table(
        "inspection_switching",
        sa.Column("zone_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(40)),
        sa.Column("plan_id", sa.String(36)),
        sa.Column("severity", sa.String(12), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inspection_switching_period", "inspection_switching", ["period"])


def downgrade() -> None:
    op.drop_table("inspection_switching")
    op.drop_table("inspection_selections")
    op.drop_table("inspection_lots")
    op.drop_table("inspection_plans")
