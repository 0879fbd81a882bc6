"""Migration 0014 on a database whose scorecards hold their cards as JSON: each evaluation's
cards become one card table, read back as the same cards, and a downgrade writes the JSON
back."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from riderperf.config import Settings
from riderperf.evaluation.records import load_cards
from riderperf.metrics.scorecard import Improvement, KpiScore, Scorecard
from riderperf.storage.db import alembic_config, make_engine, upgrade

# The database starts empty: these tests run the migrations themselves.
pytestmark = pytest.mark.replays_migrations

WEEK_END = date(2026, 1, 12)


def card(rider_id: str, score: float, tier: str | None) -> Scorecard:
    nan = math.nan
    return Scorecard(
        rider_id=rider_id,
        period="2026-W02",
        policy_version="default",
        policy_date="2026-01-05",
        capacity_type="full_time",
        city="Lisbon",
        status="ranked" if tier else "insufficient_data",
        score=score,
        tier=tier,
        previous_tier=None,
        tier_reason=f"A score of {score:g}.",
        orders=40 if tier else 3,
        kpis={
            "on_time_rate": KpiScore("on_time_rate", 36, 40, 0.9, 0.93, 0.91, 0.7, 0.6, 420.0),
            "complaint_rate": KpiScore("complaint_rate", 0, 0, nan, nan, nan, nan, 0.0, 0.0),
        },
        improvements=[
            Improvement(
                "on_time_rate",
                180.0,
                0.9,
                0.97,
                "Raise your on-time rate from 90% to 97% to gain about 180 points.",
            )
        ]
        if tier
        else [],
    )


CARDS = {"ev-1": [card("R2", 812.5, "silver"), card("R1", math.nan, None)]}


def insert_cards(engine: sa.Engine, evaluation_id: str, cards: list[Scorecard]) -> None:
    with engine.begin() as con:
        con.execute(
            sa.text(
                "INSERT INTO evaluations (evaluation_id, period, period_start, period_end, "
                "policy_version, started_at, judgments, riders, purpose, published) VALUES "
                "(:e, '2026-W02', :start, :end, 'default', :at, 0, :n, 'official', :yes)"
            ),
            {
                "e": evaluation_id,
                "start": date(2026, 1, 5),
                "end": WEEK_END,
                "at": datetime(2026, 1, 13, tzinfo=UTC),
                "n": len(cards),
                "yes": True,
            },
        )
        for c in cards:
            con.execute(
                sa.text(
                    "INSERT INTO scorecards (evaluation_id, rider_id, period, period_end, "
                    "policy_version, status, score, tier, explanation, card) VALUES "
                    "(:e, :r, '2026-W02', :end, 'default', :status, :score, :tier, :why, :card)"
                ),
                {
                    "e": evaluation_id,
                    "r": c.rider_id,
                    "end": WEEK_END,
                    "status": c.status,
                    "score": None if math.isnan(c.score) else c.score,
                    "tier": c.tier,
                    "why": c.tier_reason,
                    "card": json.dumps(c.as_dict()),
                },
            )


def stored_cards(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as con:
        rows = con.execute(sa.text("SELECT rider_id, card FROM scorecards ORDER BY 1")).all()
    return {r: json.loads(c) if isinstance(c, str) else c for r, c in rows}


def test_json_cards_become_a_card_table_and_come_back_on_downgrade(settings: Settings) -> None:
    engine = make_engine(settings.app_database_url)
    try:
        command.upgrade(alembic_config(engine), "0013")
        insert_cards(engine, "ev-1", CARDS["ev-1"])
        before = stored_cards(engine)
        upgrade(engine)
        columns = {c["name"] for c in sa.inspect(engine).get_columns("scorecards")}
        assert "card" not in columns
        expected = sorted((c.as_dict() for c in CARDS["ev-1"]), key=lambda c: c["rider_id"])
        assert [c.as_dict() for c in load_cards(engine, "ev-1")] == expected
        assert [c.as_dict() for c in load_cards(engine, "ev-1", "R2")] == expected[1:]
        command.downgrade(alembic_config(engine), "0013")
        assert stored_cards(engine) == before
        assert "scorecard_tables" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
