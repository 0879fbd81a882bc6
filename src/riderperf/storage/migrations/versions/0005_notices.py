"""Rider notices.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("notice_id", sa.String(36), primary_key=True),
        sa.Column("rider_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_notices_rider_id", "notices", ["rider_id"])
    op.create_index("ix_notices_subject", "notices", ["subject_type", "subject_id"])


def downgrade() -> None:
    op.drop_index("ix_notices_subject", table_name="notices")
    op.drop_index("ix_notices_rider_id", table_name="notices")
    op.drop_table("notices")
