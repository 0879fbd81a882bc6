"""Reads and writes evaluations and scorecards in the app database."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Engine, bindparam, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator

from riderperf.common.periods import Period
from riderperf.evaluation.orm import OFFICIAL, PURPOSES, Evaluation, Scorecard
from riderperf.evaluation.published import publish, published_ids
from riderperf.metrics.scorecard import Improvement, KpiScore
from riderperf.metrics.scorecard import Scorecard as Card
from riderperf.storage.db import unit_of_work

_BATCH = 2_000
# The options of the app database's JSON serializer (storage.db), so a card written here
# reads back exactly as one written through the JSON column.
_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


class _SerializedJson(TypeDecorator[str]):
    """A JSON column whose value arrives already serialized: the database still receives
    JSON (PostgreSQL casts the parameter to json), but SQLAlchemy does not serialize it
    again."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def card_json(card: Card) -> str:
    """The scorecard as published: the JSON of `card.as_dict()`. orjson writes the
    dataclasses itself, in field order and with NaN as null, which is that same text
    without building the dictionaries (most of the publishing time at 20,000 cards)."""
    return orjson.dumps(card, option=_JSON_OPTIONS).decode()


_PUBLISH_CARD = insert(Scorecard).values(card=bindparam("card", type_=_SerializedJson()))


def store_evaluation(
    engine: Engine,
    evaluation_id: str,
    period: Period,
    policy_version: str,
    started_at: datetime,
    finished_at: datetime,
    judgments: int,
    cards: Sequence[Card],
    summary: dict[str, Any],
    purpose: str = OFFICIAL,
) -> None:
    """Stores one evaluation and all its scorecards in one transaction; an official one
    becomes its period's published evaluation in that same transaction. When another
    evaluation of the period was published at the same moment, the unique index refuses
    one of the two; that one is stored again, now after the other (the newest wins)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose {purpose!r}: choose one of {', '.join(PURPOSES)}")
    rows = [
        {
            "evaluation_id": evaluation_id,
            "rider_id": card.rider_id,
            "period": period.label,
            "period_end": period.end,
            "policy_version": policy_version,
            "status": card.status,
            "score": None if math.isnan(card.score) else card.score,
            "tier": card.tier,
            "previous_tier": card.previous_tier,
            "card": card_json(card),
            "explanation": card.tier_reason,
        }
        for card in cards
    ]
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
                    riders=len(cards),
                    summary=summary,
                    purpose=purpose,
                    published=False,
                )
                if purpose == OFFICIAL:
                    publish(session, evaluation)
                session.add(evaluation)
                session.flush()
                for start in range(0, len(rows), _BATCH):
                    session.connection().execute(_PUBLISH_CARD, rows[start : start + _BATCH])
            return
        except IntegrityError:
            if attempt == 2 or purpose != OFFICIAL:
                raise


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
    query = select(Scorecard.card).where(Scorecard.evaluation_id == evaluation_id)
    if rider_id is not None:
        query = query.where(Scorecard.rider_id == rider_id)
    with unit_of_work(engine) as session:
        return [card_from_dict(c) for c in session.scalars(query.order_by(Scorecard.rider_id))]


def card_from_dict(data: dict[str, Any]) -> Card:
    """The inverse of `Scorecard.as_dict()` (nulls become NaN again)."""
    kpis = {
        name: KpiScore(name=kpi["name"], **{k: _number(v) for k, v in kpi.items() if k != "name"})
        for name, kpi in data["kpis"].items()
    }
    improvements = [Improvement(**i) for i in data["improvements"]]
    fields = {k: v for k, v in data.items() if k not in ("kpis", "improvements")}
    fields["score"] = _number(fields["score"])
    return Card(**fields, kpis=kpis, improvements=improvements)


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)
