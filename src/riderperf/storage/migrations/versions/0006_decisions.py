"""Decisions and the points ledger.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A restricting decision is in effect (or later overturned) only with a named approver:
# enforced by the database too, on SQLite and PostgreSQL alike.
RESTRICTION_APPROVED = (
    "kind NOT IN ('deactivation', 'reduced_priority', 'suspension') "
    "OR status IN ('proposed', 'rejected') "
    "OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)"
)
KNOWN_STATUS = (
    "status IN ('in_effect', 'overturned', 'partially_overturned', 'proposed', 'rejected')"
)
KNOWN_KIND = (
    "kind IN ('badge', 'compensation', 'deactivation', 'newcomer_boost', 'notice', 'points', "
    "'points_restored', 'priority_weight', 'reduced_priority', 'restriction_lifted', "
    "'retraining', 'suspension', 'tier_bonus', 'warning')"
)


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.String(40), primary_key=True),
        sa.Column("decision_key", sa.String(400), nullable=False),
        sa.Column("rider_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("rule_id", sa.String(120), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("offence", sa.String(40)),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("reason_params", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("appeal_deadline", sa.Date),
        sa.Column("effective_from", sa.DateTime(timezone=True)),
        sa.Column("effective_until", sa.DateTime(timezone=True)),
        sa.Column("approved_by", sa.String(100)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("rejected_by", sa.String(100)),
        sa.Column("rejected_at", sa.DateTime(timezone=True)),
        sa.Column("overturned_by", sa.String(100)),
        sa.Column("overturned_at", sa.DateTime(timezone=True)),
        sa.Column("decision_reason", sa.Text),
        sa.Column(
            "compensates",
            sa.String(40),
            sa.ForeignKey("decisions.decision_id", name="fk_decisions_compensates"),
        ),
        sa.Column("case_id", sa.String(64)),
        sa.UniqueConstraint("decision_key", name="uq_decisions_decision_key"),
        sa.CheckConstraint(RESTRICTION_APPROVED, name="ck_decisions_restriction_approved"),
        sa.CheckConstraint(KNOWN_STATUS, name="ck_decisions_status"),
        sa.CheckConstraint(KNOWN_KIND, name="ck_decisions_kind"),
    )
    op.create_index("ix_decisions_rider_id", "decisions", ["rider_id"])
    op.create_index("ix_decisions_status", "decisions", ["status"])
    op.create_index("ix_decisions_rule_id", "decisions", ["rule_id"])
    op.create_index("ix_decisions_compensates", "decisions", ["compensates"])
    op.create_index("ix_decisions_period_version", "decisions", ["period", "policy_version"])
    op.create_table(
        "points_ledger",
        sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "decision_id",
            sa.String(40),
            sa.ForeignKey("decisions.decision_id", name="fk_points_ledger_decision"),
            nullable=False,
        ),
        sa.Column("rider_id", sa.String(64), nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("decision_id", name="uq_points_ledger_decision_id"),
    )
    op.create_index("ix_points_ledger_rider_expiry", "points_ledger", ["rider_id", "expires_on"])


def downgrade() -> None:
    op.drop_index("ix_points_ledger_rider_expiry", table_name="points_ledger")
    op.drop_table("points_ledger")
    for name in (
        "ix_decisions_period_version",
        "ix_decisions_compensates",
        "ix_decisions_rule_id",
        "ix_decisions_status",
        "ix_decisions_rider_id",
    ):
        op.drop_index(name, table_name="decisions")
    op.drop_table("decisions")
