"""Published policy versions, made immutable by triggers that refuse UPDATE and DELETE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

A later SQLite migration that rebuilds `policy_versions` in batch mode drops its
triggers with the old table and must create them again (see `_SQLITE_TRIGGERS`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_MESSAGE = "policy versions are immutable once published; publish a new version instead"

_SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER policy_versions_refuse_{action.lower()}
    BEFORE {action} ON policy_versions
    BEGIN
        SELECT RAISE(ABORT, '{_MESSAGE}');
    END
    """
    for action in ("UPDATE", "DELETE")
]

_POSTGRES_TRIGGERS = [
    f"""
    CREATE FUNCTION policy_versions_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_MESSAGE} (% refused)', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER policy_versions_refuse_change
    BEFORE UPDATE OR DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_versions_refuse_change()
    """,
    # TRUNCATE skips row triggers, so it gets its own statement-level one.
    """
    CREATE TRIGGER policy_versions_refuse_truncate
    BEFORE TRUNCATE ON policy_versions
    FOR EACH STATEMENT EXECUTE FUNCTION policy_versions_refuse_change()
    """,
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise RuntimeError(
            f"policy_versions: no immutability triggers for {dialect}; "
            "riderperf supports SQLite and PostgreSQL app databases"
        )
    op.create_table(
        "policy_versions",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_policy_versions_effective_from", "policy_versions", ["effective_from"])
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers on both databases.
    op.drop_table("policy_versions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS policy_versions_refuse_change()")
