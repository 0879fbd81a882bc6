"""Scorecards are published as one table per evaluation instead of one JSON card per rider.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

Each evaluation's cards move into `scorecard_tables` (Parquet, one row per rider, see
`metrics.card_table`), and the `card` column of `scorecards` is dropped: those rows keep
status, score and tier to filter and sort on. The cards of every stored evaluation are
converted; a card keeps every number it had, and its improvement sentences are written
again from those numbers when it is read. A downgrade writes the cards back as JSON.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_SCORECARDS = sa.table(
    "scorecards",
    sa.column("evaluation_id", sa.String),
    sa.column("rider_id", sa.String),
    sa.column("period", sa.String),
    sa.column("policy_version", sa.String),
    sa.column("status", sa.String),
    sa.column("score", sa.Float),
    sa.column("tier", sa.String),
    sa.column("previous_tier", sa.String),
    sa.column("explanation", sa.Text),
    sa.column("card", sa.JSON),
)
_TABLES = sa.table(
    "scorecard_tables",
    sa.column("evaluation_id", sa.String),
    sa.column("riders", sa.Integer),
    sa.column("parquet", sa.LargeBinary),
)


def upgrade() -> None:
    # Loaded here, not with the module: the server reads every migration when it starts.
    from riderperf.metrics.card_table import table_from_cards, to_parquet

    op.create_table(
        "scorecard_tables",
        sa.Column(
            "evaluation_id",
            sa.String(36),
            sa.ForeignKey("evaluations.evaluation_id"),
            primary_key=True,
        ),
        sa.Column("riders", sa.Integer, nullable=False),
        sa.Column("parquet", sa.LargeBinary, nullable=False),
    )
    connection = op.get_bind()
    evaluations = connection.execute(
        sa.select(_SCORECARDS.c.evaluation_id).distinct().order_by(_SCORECARDS.c.evaluation_id)
    ).scalars()
    for evaluation_id in list(evaluations):
        rows = connection.execute(
            sa.select(_SCORECARDS).where(_SCORECARDS.c.evaluation_id == evaluation_id)
        ).mappings()
        cards = [_card(row) for row in rows]
        connection.execute(
            _TABLES.insert().values(
                evaluation_id=evaluation_id,
                riders=len(cards),
                parquet=to_parquet(table_from_cards(cards)),
            )
        )
    # Plain ALTER TABLE … DROP COLUMN on both databases (SQLite 3.35+): copying the table
    # would fail on the foreign keys to evaluations.
    op.drop_column("scorecards", "card")


def _card(row: Any) -> dict[str, Any]:
    """The stored card, with what the scorecard row itself holds where the card lacks it."""
    stored = row["card"]
    card = orjson.loads(stored) if isinstance(stored, str | bytes) else stored or {}
    known = {
        "rider_id": row["rider_id"],
        "period": row["period"],
        "policy_version": row["policy_version"],
        "status": row["status"],
        "score": row["score"],
        "tier": row["tier"],
        "previous_tier": row["previous_tier"],
        "tier_reason": row["explanation"] or "",
        "orders": 0,
    }
    return known | {k: v for k, v in card.items() if v is not None or k not in known}


def downgrade() -> None:
    from riderperf.metrics.card_table import CardRows, from_parquet

    op.add_column("scorecards", sa.Column("card", sa.JSON, nullable=True))
    connection = op.get_bind()
    stored = connection.execute(sa.select(_TABLES.c.evaluation_id, _TABLES.c.parquet)).all()
    for evaluation_id, parquet in stored:
        cards = CardRows(from_parquet(parquet))
        for i, rider_id in enumerate(cards.riders):
            connection.execute(
                _SCORECARDS.update()
                .where(
                    _SCORECARDS.c.evaluation_id == evaluation_id,
                    _SCORECARDS.c.rider_id == rider_id,
                )
                .values(card=cards.card_dict(i))
            )
    op.drop_table("scorecard_tables")
