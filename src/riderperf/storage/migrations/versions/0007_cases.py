"""Cases, appeals and their evidence.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The subject is two strings, not a foreign key: a case may be about a decision or a
    # judgment that lives in the warehouse.
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("rider_id", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(120)),
        sa.Column("subject_details", sa.JSON, nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("first_response_hours", sa.Float, nullable=False),
        sa.Column("resolution_hours", sa.Float, nullable=False),
        sa.Column("at_risk_fraction", sa.Float, nullable=False),
        sa.Column("respond_by_hours", sa.Float, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("triage_at", sa.DateTime(timezone=True)),
        sa.Column("under_review_at", sa.DateTime(timezone=True)),
        sa.Column("waiting_on_rider_at", sa.DateTime(timezone=True)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("first_response_at", sa.DateTime(timezone=True)),
        sa.Column("last_moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pauses", sa.JSON, nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(30)),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decision_reason", sa.Text),
        sa.UniqueConstraint("subject_type", "subject_id", name="uq_cases_subject"),
    )
    op.create_index("ix_cases_rider_id", "cases", ["rider_id"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_submitted_at", "cases", ["submitted_at"])
    op.create_index("ix_cases_decided_at", "cases", ["decided_at"])
    op.create_table(
        "case_evidence",
        sa.Column("evidence_id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.case_id"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("case_id", "sha256", name="uq_case_evidence_file"),
    )
    op.create_index("ix_case_evidence_case_id", "case_evidence", ["case_id"])
    op.create_index("ix_case_evidence_sha256", "case_evidence", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_case_evidence_sha256", table_name="case_evidence")
    op.drop_index("ix_case_evidence_case_id", table_name="case_evidence")
    op.drop_table("case_evidence")
    op.drop_index("ix_cases_decided_at", table_name="cases")
    op.drop_index("ix_cases_submitted_at", table_name="cases")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_index("ix_cases_rider_id", table_name="cases")
    op.drop_table("cases")
