"""The day facts the import keeps, and evaluations that judge only the days that changed.

A city is imported in two parts (every day but the last, then the last day) and, beside
it, all at once; the day facts must equal a count from scratch after each part, and an
evaluation of the window ending with the new day must judge only the days the new rows
touch and give exactly what a fresh warehouse judging every day gives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from riderperf.common.periods import days_period
from riderperf.config import Settings
from riderperf.evaluation.overrides import find_judgment, override_judgment
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.simulate.split import split_at
from riderperf.storage.db import unit_of_work
from riderperf.stores import open_stores
from riderperf.warehouse import changed_days
from riderperf.warehouse.day_facts import DAY_FACTS, recount_sql
from tests.databases import copy_sqlite
from tests.snapshots import Snapshots

START = date(2026, 1, 5)
DAYS = 8
LAST = START + timedelta(days=DAYS - 1)


def rows(settings: Settings, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def facts_match_recount(settings: Settings) -> bool:
    kept = rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL")
    counted = rows(settings, f"SELECT * FROM ({recount_sql()}) ORDER BY ALL")
    return bool(kept) and kept == counted


@pytest.fixture
def city(snapshots: Snapshots) -> Path:
    return snapshots.dataset(riders=60, days=DAYS, seed=11, start=START)


@pytest.fixture
def two_parts(city: Path, tmp_path: Path) -> tuple[Path, Path]:
    early, late = tmp_path / "parts" / "early", tmp_path / "parts" / "late"
    split_at(city, LAST, early, late)
    return early, late


@pytest.fixture
def stores_of(sqlite_template: Path, tmp_path: Path) -> Callable[[str], Settings]:
    """Makes stores (a migrated SQLite app database and a warehouse) in a folder of their
    own."""

    def make(name: str) -> Settings:
        settings = Settings(home=tmp_path / name)
        copy_sqlite(sqlite_template, settings.home / "riderperf.db")
        return settings

    return make


WINDOW_1 = days_period(START, LAST)  # every day before the last
WINDOW_2 = days_period(START + timedelta(days=1), LAST + timedelta(days=1))  # one day on


def judgments_of(settings: Settings, first: date, end: date) -> list[tuple[Any, ...]]:
    return rows(
        settings,
        "SELECT * EXCLUDE (explanation) FROM judgments WHERE day >= ? AND day < ? ORDER BY ALL",
        [first, end],
    )


def daily_of(settings: Settings, first: date, end: date) -> list[tuple[Any, ...]]:
    return rows(
        settings, "SELECT * FROM rider_daily WHERE day >= ? AND day < ? ORDER BY ALL", [first, end]
    )


def test_import_keeps_day_facts_equal_to_a_recount(
    two_parts: tuple[Path, Path], stores_of: Callable[[str], Settings]
) -> None:
    early, late = two_parts
    settings = stores_of("parts")
    assert import_path(early, settings).exit_code == 0
    assert facts_match_recount(settings)
    first = rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL")
    assert import_path(late, settings).exit_code == 0
    assert facts_match_recount(settings)
    assert rows(settings, f"SELECT max(day) FROM {DAY_FACTS}")[0][0] == LAST
    kept = rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL")
    assert kept != first
    # The same files again add nothing.
    assert import_path(late, settings).exit_code == 0
    assert import_path(early, settings).exit_code == 0
    assert rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL") == kept


def test_a_batch_that_fails_leaves_neither_rows_nor_facts(
    two_parts: tuple[Path, Path],
    stores_of: Callable[[str], Settings],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    early, late = two_parts
    settings = stores_of("failing")
    assert import_path(early, settings).exit_code == 0
    orders = rows(settings, "SELECT count(*) FROM orders")
    facts = rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL")

    def broken(*args: Any) -> int:
        raise RuntimeError("killed while recording the changed days")

    monkeypatch.setattr(changed_days, "record_batch", broken)
    with pytest.raises(RuntimeError, match="killed"):
        import_path(late, settings)
    assert rows(settings, "SELECT count(*) FROM orders") == orders
    assert rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL") == facts


def test_an_older_warehouse_gets_its_day_facts_counted(
    city: Path, stores_of: Callable[[str], Settings], tmp_path: Path
) -> None:
    settings = stores_of("older")
    assert import_path(city, settings).exit_code == 0
    kept = rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL")
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute(f"DROP TABLE {DAY_FACTS}")
    con.close()
    result = evaluate_period(settings, WINDOW_2)
    assert result.cards
    assert rows(settings, f"SELECT * FROM {DAY_FACTS} ORDER BY ALL") == kept


def test_the_next_day_judges_only_what_changed_and_agrees_with_a_fresh_warehouse(
    city: Path, two_parts: tuple[Path, Path], stores_of: Callable[[str], Settings]
) -> None:
    early, late = two_parts
    rolling = stores_of("rolling")
    assert import_path(early, rolling).exit_code == 0
    first = evaluate_period(rolling, WINDOW_1)
    assert (first.judged_days, first.reused_days) == (DAYS - 1, 0)
    assert import_path(late, rolling).exit_code == 0
    second = evaluate_period(rolling, WINDOW_2)
    # The new day, and at most the days of complaints about orders that the new day's
    # ratings or incidents name.
    assert 1 <= second.judged_days <= 3
    assert second.judged_days + second.reused_days == DAYS - 1
    assert second.summary()["reused_days"] == second.reused_days

    fresh = stores_of("fresh")
    assert import_path(city, fresh).exit_code == 0
    again = evaluate_period(fresh, WINDOW_2)
    assert (again.judged_days, again.reused_days) == (DAYS - 1, 0)
    window = (WINDOW_2.start, WINDOW_2.end)
    assert judgments_of(rolling, *window) == judgments_of(fresh, *window)
    assert daily_of(rolling, *window) == daily_of(fresh, *window)
    assert second.judgments == again.judgments
    assert [(c.rider_id, c.score) for c in second.cards] == [
        (c.rider_id, c.score) for c in again.cards
    ]

    # Nothing new: nothing is judged again.
    third = evaluate_period(rolling, WINDOW_2)
    assert (third.judged_days, third.reused_days) == (0, DAYS - 1)
    assert [(c.rider_id, c.score) for c in third.cards] == [
        (c.rider_id, c.score) for c in second.cards
    ]


def test_a_late_complaint_for_an_old_day_judges_that_day_again(
    city: Path, stores_of: Callable[[str], Settings], tmp_path: Path
) -> None:
    settings = stores_of("late-complaint")
    assert import_path(city, settings).exit_code == 0
    before = evaluate_period(settings, WINDOW_2)
    day = START + timedelta(days=3)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    order = con.execute(
        f"SELECT order_id, created_at, rider_id FROM read_parquet('{city / 'orders.parquet'}') "
        "WHERE status = 'delivered' AND created_at >= ? AND created_at < ? ORDER BY order_id "
        "LIMIT 1",
        [day, day + timedelta(days=1)],
    ).fetchone()
    assert order is not None
    extra = tmp_path / "extra"
    extra.mkdir()
    con.execute(
        "COPY (SELECT * REPLACE (? AS complaint_id, ? AS order_id, ? AS created_at, "
        f"? AS rider_id) "
        f"FROM read_parquet('{city / 'complaints.parquet'}') LIMIT 1) "
        f"TO '{extra / 'complaints.parquet'}' (FORMAT parquet)",
        ["C-LATE-1", order[0], order[1] + timedelta(hours=2), order[2]],
    )
    con.close()
    assert import_path(extra, settings).exit_code == 0
    after = evaluate_period(settings, WINDOW_2)
    assert (after.judged_days, after.reused_days) == (1, DAYS - 2)
    assert after.judgments == before.judgments + 1
    found = rows(settings, "SELECT day FROM judgments WHERE event_id = 'C-LATE-1'")
    assert found == [(day,)]


def test_an_overturn_is_applied_once_to_judgments_that_are_kept(
    city: Path, stores_of: Callable[[str], Settings]
) -> None:
    settings = stores_of("overturn")
    assert import_path(city, settings).exit_code == 0
    evaluate_period(settings, WINDOW_2)
    [(event_id,)] = rows(
        settings, "SELECT event_id FROM judgments WHERE party = 'rider' ORDER BY event_id LIMIT 1"
    )
    with open_stores(settings) as stores:
        judgment = find_judgment(stores.warehouse, event_id)
        with unit_of_work(stores.engine) as session:
            override_judgment(
                session,
                event_id,
                party="none",
                case_id="CASE-1",
                by="lead",
                at=datetime.now(UTC),
                judgment=judgment,
            )
    for _ in range(2):
        result = evaluate_period(settings, WINDOW_2)
        assert result.judged_days == 0
        found = rows(
            settings,
            "SELECT party, rule, explanation FROM judgments WHERE event_id = ?",
            [event_id],
        )
        assert len(found) == 1
        party, rule, explanation = found[0]
        assert (party, rule) == ("none", "appeal_overturned")
        assert explanation.count("Overturned on appeal") == 1
