"""Published card tables: stored once per evaluation, decoded once per process, and loaded
by a starting server before its first reader asks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.evaluation.cards import card_dict, card_rows, forget_cards, warm_up
from riderperf.evaluation.records import load_cards, store_evaluation
from riderperf.metrics.card_table import table_from_cards
from riderperf.storage.db import app_database

WEEK = parse_period("2026-W02")
AT = datetime(2026, 1, 13, 8, tzinfo=UTC)


def card(rider_id: str, score: float | None) -> dict[str, object]:
    return {
        "rider_id": rider_id,
        "period": WEEK.label,
        "policy_version": "default",
        "policy_date": "2026-01-05",
        "capacity_type": "full_time",
        "city": "Lisbon",
        "status": "ranked" if score is not None else "insufficient_data",
        "score": score,
        "tier": "silver" if score is not None else None,
        "previous_tier": None,
        "tier_reason": "why",
        "orders": 12,
        "kpis": {"on_time_rate": {"name": "on_time_rate", "num": 10.0, "den": 12.0}},
        "improvements": [],
    }


def test_a_started_server_reads_the_newest_cards_from_memory(settings: Settings) -> None:
    table = table_from_cards([card("R2", 700.0), card("R1", None)])
    with app_database(settings.app_database_url) as engine:
        store_evaluation(engine, "ev-w02", WEEK, "default", AT, AT, 0, table, {})
        assert [c.rider_id for c in load_cards(engine, "ev-w02")] == ["R1", "R2"]
        forget_cards()
        warm_up(engine).join(timeout=60)
        with engine.begin() as con:
            con.execute(sa.text("DELETE FROM scorecard_tables"))
        with engine.connect() as con:
            found = card_dict(con, "ev-w02", "R2")  # kept since the warm-up
            assert found is not None and found["score"] == 700.0
            assert card_dict(con, "ev-w02", "R9") is None
            forget_cards()
            assert card_rows(con, "ev-w02") is None  # read again: nothing stored


def test_the_scorecard_rows_hold_status_score_and_tier(settings: Settings) -> None:
    table = table_from_cards([card("R2", 700.0), card("R1", None)])
    with app_database(settings.app_database_url) as engine:
        store_evaluation(engine, "ev-w02", WEEK, "default", AT, AT, 0, table, {})
        with engine.connect() as con:
            rows = con.execute(
                sa.text(
                    "SELECT rider_id, status, score, tier, period_end, explanation "
                    "FROM scorecards ORDER BY rider_id"
                )
            ).all()
    assert [(r[0], r[1], r[2], r[3], str(r[4]), r[5]) for r in rows] == [
        ("R1", "insufficient_data", None, None, str(date(2026, 1, 12)), "why"),
        ("R2", "ranked", 700.0, "silver", str(date(2026, 1, 12)), "why"),
    ]
