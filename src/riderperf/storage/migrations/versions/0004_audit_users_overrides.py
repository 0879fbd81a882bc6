"""Audit log, users and judgment overrides.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_MESSAGE = "the audit log is append-only"

_SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER audit_events_refuse_{action.lower()}
    BEFORE {action} ON audit_events
    BEGIN
        SELECT RAISE(ABORT, '{_MESSAGE}');
    END
    """
    for action in ("UPDATE", "DELETE")
]

_POSTGRES_TRIGGERS = [
    f"""
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_MESSAGE} (% refused)', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_events_refuse_change
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()
    """,
    """
    CREATE TRIGGER audit_events_refuse_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()
    """,
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("rider_id", sa.String(64)),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_subject", "audit_events", ["subject_type", "subject_id"])
    op.create_index("ix_audit_events_rider_id", "audit_events", ["rider_id"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRES_TRIGGERS:
        op.execute(statement)

    op.create_table(
        "users",
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("rider_id", sa.String(64)),
        sa.Column("fleet_id", sa.String(64)),
        sa.Column("display_name", sa.String(200)),
        sa.Column("password_hash", sa.String(300)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "judgment_overrides",
        sa.Column("override_id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("rider_id", sa.String(64)),
        sa.Column("occurred_at", sa.DateTime(timezone=True)),
        sa.Column("original_party", sa.String(20)),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_judgment_overrides_event_id", "judgment_overrides", ["event_id"])


def downgrade() -> None:
    op.drop_table("judgment_overrides")
    op.drop_table("users")
    op.drop_table("audit_head")
    op.drop_table("audit_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_refuse_change()")
