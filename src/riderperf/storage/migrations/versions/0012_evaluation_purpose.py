"""Evaluations carry a purpose (official or scenario) and one of each period's official
evaluations is marked published.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

Before this revision "the newest evaluation of a period" was what riders saw, so a what-if
under another policy version silently replaced it. Every existing evaluation was made to be
seen, so all are marked official, and the newest of each period (by start, then id) is the
published one. A partial unique index keeps one published evaluation per period on both
SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN on both databases: copying the table (batch mode on
    # SQLite) would fail on the scorecards' foreign key to it once evaluations exist.
    op.add_column(
        "evaluations",
        sa.Column("purpose", sa.String(20), nullable=False, server_default="official"),
    )
    op.add_column(
        "evaluations",
        sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    evaluations = sa.table(
        "evaluations",
        sa.column("evaluation_id", sa.String),
        sa.column("period", sa.String),
        sa.column("started_at", sa.DateTime(timezone=True)),
        sa.column("published", sa.Boolean),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(evaluations.c.period, evaluations.c.evaluation_id).order_by(
            evaluations.c.period, evaluations.c.started_at, evaluations.c.evaluation_id
        )
    ).all()
    newest = {period: evaluation_id for period, evaluation_id in rows}
    for evaluation_id in newest.values():
        connection.execute(
            evaluations.update()
            .where(evaluations.c.evaluation_id == evaluation_id)
            .values(published=True)
        )
    op.create_index(
        "ux_evaluations_published_period",
        "evaluations",
        ["period"],
        unique=True,
        sqlite_where=sa.text("published"),
        postgresql_where=sa.text("published"),
    )


def downgrade() -> None:
    op.drop_index("ux_evaluations_published_period", table_name="evaluations")
    # SQLite 3.35+ drops a column in place, like PostgreSQL; see upgrade() on copying.
    op.drop_column("evaluations", "published")
    op.drop_column("evaluations", "purpose")
