"""Violations appealed and overturned: a status and who overturned them, when, in which case.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

An overturned violation is kept (status `overturned`), never deleted: the inspection's
record stays whole and the reviewer's decision sits beside it. Existing rows become `open`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("violations") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="open"))
        batch.add_column(sa.Column("overturned_by", sa.String(200)))
        batch.add_column(sa.Column("overturned_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("overturned_case_id", sa.String(36)))
    op.create_index("ix_violations_status", "violations", ["status"])


def downgrade() -> None:
    op.drop_index("ix_violations_status", table_name="violations")
    with op.batch_alter_table("violations") as batch:
        batch.drop_column("overturned_case_id")
        batch.drop_column("overturned_at")
        batch.drop_column("overturned_by")
        batch.drop_column("status")
