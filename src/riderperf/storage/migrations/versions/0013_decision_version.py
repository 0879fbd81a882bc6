"""Decisions carry a version, bumped by every change of status.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09

Approving or rejecting a proposed restriction is a compare-and-set on the decision's
status and version (`records.move_decision`), as moving a case is: two managers reviewing
the same proposal at once get one success and one conflict, and the rider one notice.
Every existing decision starts at version 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN on both databases: copying the table (batch mode on
    # SQLite) would fail on the foreign keys of the points ledger and of compensating
    # decisions to it.
    op.add_column(
        "decisions",
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place, like PostgreSQL; see upgrade() on copying.
    op.drop_column("decisions", "version")
