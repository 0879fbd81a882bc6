"""The day facts the import keeps, and evaluations that judge only the days that changed.

A city is imported in two parts (every day but the last, then the last day) and, beside
it, all at once; the day facts must equal a count from scratch after each part, and an
evaluation of the window ending with the new day must judge only the days the new rows
touch and give exactly what a fresh warehouse judging every day gives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from riderperf.clock import midnight
from riderperf.common.periods import days_period
from riderperf.config import Settings
from riderperf.evaluation.overrides import find_judgment, override_judgment
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.inspections.records import record_inspection
from riderperf.inspections.stats import equipment_checks_by_day
from riderperf.inspections.templates import ensure_default_template
from riderperf.metrics.daily import build_daily_facts
from riderperf.simulate.split import split_at
from riderperf.storage.db import unit_of_work
from riderperf.stores import open_stores
from riderperf.users.service import create_user
from riderperf.warehouse import changed_days
from riderperf.warehouse.day_facts import DAY_FACTS, recount_sql
from tests.databases import copy_sqlite
from tests.integration.test_inspections_notices import ALL_PASS
from tests.snapshots import Snapshots

START = date(2026, 1, 5)
DAYS = 8
LAST = START + timedelta(days=DAYS - 1)
AT = datetime(2026, 1, 20, 12, tzinfo=UTC)


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
    # rider_daily: the new day and the days the late part's rows or judgments touched.
    assert 1 <= second.built_days < DAYS - 1

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

    # Nothing new: nothing is judged or built again.
    third = evaluate_period(rolling, WINDOW_2)
    assert (third.judged_days, third.reused_days, third.built_days) == (0, DAYS - 1, 0)
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


def daily_agrees_with_a_rebuild(settings: Settings, version: str) -> bool:
    """rider_daily of WINDOW_2 as the evaluations kept it equals one built from scratch."""
    kept = daily_of(settings, WINDOW_2.start, WINDOW_2.end)
    start, end = midnight(WINDOW_2.start), midnight(WINDOW_2.end)
    with open_stores(settings) as stores:
        with unit_of_work(stores.engine) as session:
            checks = equipment_checks_by_day(session, start, end)
        build_daily_facts(
            stores.warehouse, WINDOW_2.start, WINDOW_2.end, version, equipment_checks=checks
        )
    return bool(kept) and kept == daily_of(settings, WINDOW_2.start, WINDOW_2.end)


def test_rider_daily_is_built_again_only_for_the_days_that_changed(
    city: Path, stores_of: Callable[[str], Settings], tmp_path: Path
) -> None:
    """An overturn rebuilds its judgment's day, an inspection its day, a batch of documents
    every day; with nothing new, no day is built again."""
    settings = stores_of("built-days")
    assert import_path(city, settings).exit_code == 0
    assert evaluate_period(settings, WINDOW_2).built_days == DAYS - 1
    assert evaluate_period(settings, WINDOW_2).built_days == 0

    [(event_id,)] = rows(
        settings,
        "SELECT event_id FROM judgments WHERE party = 'rider' AND day >= ? "
        "ORDER BY event_id LIMIT 1",
        [WINDOW_2.start],
    )
    with open_stores(settings) as stores:
        judgment = find_judgment(stores.warehouse, event_id)
        with unit_of_work(stores.engine) as session:
            override_judgment(
                session, event_id, party="none", case_id="C-1", by="lead", at=AT, judgment=judgment
            )
    overturned = evaluate_period(settings, WINDOW_2)
    assert (overturned.judged_days, overturned.built_days) == (0, 1)
    assert daily_agrees_with_a_rebuild(settings, overturned.policy_version)

    assert judgment is not None and judgment.rider_id is not None
    rider = judgment.rider_id
    inspected_on = WINDOW_2.start + timedelta(days=2)
    with open_stores(settings) as stores, unit_of_work(stores.engine) as session:
        create_user(session, "ivy", "inspector", at=AT)
        ensure_default_template(session, AT)
        record_inspection(
            session,
            rider_id=rider,
            inspector="ivy",
            at=datetime.combine(inspected_on, time(15), UTC),
            results=ALL_PASS | {"box_hygiene": False},
        )
    inspected = evaluate_period(settings, WINDOW_2)
    assert inspected.built_days == 1
    assert daily_agrees_with_a_rebuild(settings, inspected.policy_version)
    assert evaluate_period(settings, WINDOW_2).built_days == 0

    documents = tmp_path / "documents"
    documents.mkdir()
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * REPLACE (expires_on + INTERVAL 400 DAY AS expires_on) "
        f"FROM read_parquet('{city / 'documents.parquet'}') LIMIT 1) "
        f"TO '{documents / 'documents.parquet'}' (FORMAT parquet)"
    )
    con.close()
    assert import_path(documents, settings).exit_code == 0
    renewed = evaluate_period(settings, WINDOW_2)
    assert (renewed.judged_days, renewed.built_days) == (0, DAYS - 1)
    assert daily_agrees_with_a_rebuild(settings, renewed.policy_version)
