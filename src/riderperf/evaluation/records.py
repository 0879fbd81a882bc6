"""Reads and writes evaluations and scorecards in the app database."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from riderperf.common.periods import Period
from riderperf.evaluation.cards import card_rows
from riderperf.evaluation.orm import OFFICIAL, PURPOSES, Evaluation, Scorecard, ScorecardTable
from riderperf.evaluation.published import publish, published_ids
from riderperf.metrics.scorecard import Scorecard as Card
from riderperf.storage.bulk import insert_rows
from riderperf.storage.db import unit_of_work

if TYPE_CHECKING:
    import pyarrow as pa


def store_evaluation(
    engine: Engine,
    evaluation_id: str,
    period: Period,
    policy_version: str,
    started_at: datetime,
    finished_at: datetime,
    judgments: int,
    cards: pa.Table,
    summary: dict[str, Any],
    purpose: str = OFFICIAL,
) -> None:
    """Stores one evaluation and its card table (`metrics.card_table`) in one transaction:
    a `scorecards` row per rider (status, score, tier) and the table as Parquet. An
    official evaluation becomes its period's published one in that same transaction.
    When another evaluation of the period was published at the same moment, the unique
    index refuses one of the two; that one is stored again, now after the other (the
    newest wins)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose {purpose!r}: choose one of {', '.join(PURPOSES)}")
    from riderperf.metrics.card_table import to_parquet

    rows = _scorecard_rows(evaluation_id, period, policy_version, cards)
    parquet = to_parquet(cards)
    for attempt in (1, 2):
        try:
            with unit_of_work(engine) as session:
                evaluation = Evaluation(
                    evaluation_id=evaluation_id,
                    period=period.label,
                    period_start=period.start,
                    period_end=period.end,
                    policy_version=policy_version,
                    started_at=started_at,
                    finished_at=finished_at,
                    judgments=judgments,
                    riders=cards.num_rows,
                    summary=summary,
                    purpose=purpose,
                    published=False,
                )
                if purpose == OFFICIAL:
                    publish(session, evaluation)
                session.add(evaluation)
                session.flush()
                connection = session.connection()
                insert_rows(connection, _SCORECARDS, _SCORECARD_COLUMNS, rows)
                connection.execute(
                    insert(ScorecardTable).values(
                        evaluation_id=evaluation_id, riders=cards.num_rows, parquet=parquet
                    )
                )
            return
        except IntegrityError:
            if attempt == 2 or purpose != OFFICIAL:
                raise


_SCORECARDS = Scorecard.metadata.tables[Scorecard.__tablename__]
_SCORECARD_COLUMNS = (
    "evaluation_id",
    "rider_id",
    "period",
    "period_end",
    "policy_version",
    "status",
    "score",
    "tier",
    "previous_tier",
    "explanation",
)


def _scorecard_rows(
    evaluation_id: str, period: Period, policy_version: str, cards: pa.Table
) -> list[tuple[Any, ...]]:
    """The `scorecards` rows of the card table, as tuples of `_SCORECARD_COLUMNS`."""
    columns = [
        cards.column(name).to_pylist()
        for name in ("rider_id", "status", "score", "tier", "previous_tier", "tier_reason")
    ]
    return [
        (
            evaluation_id,
            rider_id,
            period.label,
            period.end,
            policy_version,
            status,
            None if score is None or math.isnan(score) else score,
            tier,
            previous,
            reason,
        )
        for rider_id, status, score, tier, previous, reason in zip(*columns, strict=True)
    ]


def previous_tiers(engine: Engine, before: date) -> dict[str, str]:
    """Each rider's tier in their newest published scorecard of a period ended by `before`
    (scenario evaluations never count: a what-if does not move next week's hysteresis)."""
    query = (
        select(Scorecard.rider_id, Scorecard.tier)
        .join(Evaluation, Evaluation.evaluation_id == Scorecard.evaluation_id)
        .where(
            Scorecard.period_end <= before,
            Scorecard.tier.is_not(None),
            Scorecard.evaluation_id.in_(published_ids()),
        )
        .order_by(Scorecard.period_end, Evaluation.started_at)
    )
    tiers: dict[str, str] = {}
    with unit_of_work(engine) as session:
        for rider_id, tier in session.execute(query):
            if tier is not None:
                tiers[rider_id] = tier  # later rows overwrite earlier ones
    return tiers


def load_cards(engine: Engine, evaluation_id: str, rider_id: str | None = None) -> list[Card]:
    """The evaluation's scorecards by rider id (only `rider_id`'s when given)."""
    with engine.connect() as connection:
        rows = card_rows(connection, evaluation_id)
    if rows is None:
        return []
    if rider_id is None:
        return rows.cards()
    found = rows.index.get(rider_id)
    return [] if found is None else [rows.card(found)]
