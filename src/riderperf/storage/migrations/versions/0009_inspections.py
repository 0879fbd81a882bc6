"""Checklist templates, inspections, violations and corrective actions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

Published checklist templates are immutable: triggers refuse every UPDATE of a
published or archived row except archiving a published one (status, archived_at and
archived_by only), and every DELETE of one. Drafts stay editable. A later SQLite
migration that rebuilds `checklist_templates` in batch mode must create the triggers
again (see `_SQLITE_TRIGGERS`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_MESSAGE = (
    "published checklist templates are immutable (only archiving is allowed); "
    "publish a new version instead"
)
# Every column but status, archived_at and archived_by: archiving may change only those.
_FROZEN = (
    "template_id",
    "version",
    "name",
    "content",
    "fingerprint",
    "created_at",
    "created_by",
    "published_at",
    "published_by",
)


def _same_sqlite() -> str:
    return " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _FROZEN)


def _row(alias: str) -> str:
    # PostgreSQL's json type has no equality operator; its text does.
    return ", ".join(f"{alias}.{c}::text" if c == "content" else f"{alias}.{c}" for c in _FROZEN)


_SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER checklist_templates_refuse_update
    BEFORE UPDATE ON checklist_templates
    WHEN OLD.status <> 'draft' AND NOT (
        OLD.status = 'published' AND NEW.status = 'archived' AND {_same_sqlite()}
    )
    BEGIN
        SELECT RAISE(ABORT, '{_MESSAGE}');
    END
    """,
    f"""
    CREATE TRIGGER checklist_templates_refuse_delete
    BEFORE DELETE ON checklist_templates
    WHEN OLD.status <> 'draft'
    BEGIN
        SELECT RAISE(ABORT, '{_MESSAGE}');
    END
    """,
]

_POSTGRES_TRIGGERS = [
    f"""
    CREATE FUNCTION checklist_templates_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            IF EXISTS (SELECT 1 FROM checklist_templates WHERE status <> 'draft') THEN
                RAISE EXCEPTION '{_MESSAGE} (TRUNCATE refused)';
            END IF;
            RETURN NULL;
        END IF;
        IF OLD.status = 'draft' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.status = 'published' AND NEW.status = 'archived'
            AND ROW({_row("NEW")}) IS NOT DISTINCT FROM ROW({_row("OLD")}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{_MESSAGE} (% refused)', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER checklist_templates_refuse_change
    BEFORE UPDATE OR DELETE ON checklist_templates
    FOR EACH ROW EXECUTE FUNCTION checklist_templates_refuse_change()
    """,
    # TRUNCATE skips row triggers, so it gets its own statement-level one.
    """
    CREATE TRIGGER checklist_templates_refuse_truncate
    BEFORE TRUNCATE ON checklist_templates
    FOR EACH STATEMENT EXECUTE FUNCTION checklist_templates_refuse_change()
    """,
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise RuntimeError(
            f"checklist_templates: no immutability triggers for {dialect}; "
            "riderperf supports SQLite and PostgreSQL app databases"
        )
    op.create_table(
        "checklist_templates",
        sa.Column("template_id", sa.String(48), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("published_by", sa.String(200)),
        sa.Column("archived_at", sa.DateTime(timezone=True)),
        sa.Column("archived_by", sa.String(200)),
    )
    op.create_index("ix_checklist_templates_status", "checklist_templates", ["status"])
    op.create_table(
        "inspections",
        sa.Column("inspection_id", sa.String(36), primary_key=True),
        sa.Column("rider_id", sa.String(64), nullable=False),
        sa.Column("zone_id", sa.String(64)),
        sa.Column("template_id", sa.String(48), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place_text", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("nonconforming", sa.Boolean, nullable=False),
        sa.Column("reinspection_of", sa.String(36), sa.ForeignKey("inspections.inspection_id")),
        sa.ForeignKeyConstraint(
            ["template_id", "template_version"],
            ["checklist_templates.template_id", "checklist_templates.version"],
        ),
    )
    op.create_index("ix_inspections_rider_id", "inspections", ["rider_id"])
    op.create_index("ix_inspections_inspected_at", "inspections", ["inspected_at"])
    op.create_table(
        "inspection_results",
        sa.Column(
            "inspection_id",
            sa.String(36),
            sa.ForeignKey("inspections.inspection_id"),
            primary_key=True,
        ),
        sa.Column("item_code", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.JSON),
        sa.Column("passed", sa.Boolean),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("severity", sa.String(20)),
        sa.Column("kpi", sa.String(40)),
        sa.Column("photo_sha256", sa.String(64)),
    )
    op.create_table(
        "corrective_actions",
        sa.Column("action_id", sa.String(36), primary_key=True),
        sa.Column("rider_id", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("kpi", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("violation_id", sa.String(36), nullable=False),
        sa.Column(
            "inspection_id",
            sa.String(36),
            sa.ForeignKey("inspections.inspection_id"),
            nullable=False,
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column(
            "closed_by_inspection", sa.String(36), sa.ForeignKey("inspections.inspection_id")
        ),
    )
    op.create_index("ix_corrective_actions_rider_id", "corrective_actions", ["rider_id"])
    op.create_index("ix_corrective_actions_due_on", "corrective_actions", ["due_on"])
    op.create_index("ix_corrective_actions_status", "corrective_actions", ["status"])
    op.create_table(
        "violations",
        sa.Column("violation_id", sa.String(36), primary_key=True),
        sa.Column(
            "inspection_id",
            sa.String(36),
            sa.ForeignKey("inspections.inspection_id"),
            nullable=False,
        ),
        sa.Column("rider_id", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("kpi", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "action_id",
            sa.String(36),
            sa.ForeignKey("corrective_actions.action_id"),
            nullable=False,
        ),
    )
    op.create_index("ix_violations_inspection_id", "violations", ["inspection_id"])
    op.create_index("ix_violations_rider_id", "violations", ["rider_id"])
    op.create_index("ix_violations_found_at", "violations", ["found_at"])
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers on both databases.
    op.drop_table("violations")
    op.drop_table("corrective_actions")
    op.drop_table("inspection_results")
    op.drop_table("inspections")
    op.drop_table("checklist_templates")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS checklist_templates_refuse_change()")
