"""Statements compiled once per policy version: the period comes from variables at run time,
the text is kept in the warehouse, and any change to what it was built from compiles anew."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import ibis
import pytest

from riderperf.clock import midnight
from riderperf.common.periods import days_period
from riderperf.metrics.daily import build_daily_facts
from riderperf.metrics.windows import kpi_window
from riderperf.responsibility.model import JUDGMENT_COLUMNS
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import judgments_expr, write_judgments
from riderperf.warehouse import compiled
from riderperf.warehouse.compiled import (
    COMPILED_TABLE,
    Bounds,
    bounds_set,
    compiled_sql,
    release,
    statement_key,
)
from riderperf.warehouse.connection import Warehouse, connect, open_warehouse
from tests.unit.test_responsibility_store import DAY, NEXT, insert, late_order
from tests.unit.test_responsibility_store import parameter_set as parameter_set
from tests.unit.test_responsibility_store import params as params

COLUMNS = ", ".join(name for name, _ in JUDGMENT_COLUMNS)


@pytest.fixture
def warehouse() -> Iterator[Warehouse]:
    """Late orders on three days in a row, each a period of its own."""
    wh = connect(None)
    insert(wh, "riders", [{"rider_id": "R1", "vehicle": "ebike"}])
    orders = [late_order(f"O-{i}", DAY + timedelta(days=i, hours=12)) for i in range(3)]
    insert(wh, "orders", orders)
    yield wh
    wh.close()


@pytest.fixture(autouse=True)
def nothing_kept_in_this_process() -> Iterator[None]:
    """Each test starts without the statements earlier ones compiled in this process."""
    saved = dict(compiled._KEPT)
    compiled._KEPT.clear()
    yield
    compiled._KEPT.clear()
    compiled._KEPT.update(saved)


def kept(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    return warehouse.con.execute(f"SELECT name, key FROM {COMPILED_TABLE} ORDER BY ALL").fetchall()


def with_literals(
    warehouse: Warehouse, params: JudgmentParams, start: datetime, end: datetime
) -> list[tuple[Any, ...]]:
    """The judgments of [start, end) from SQL with the period written in, not kept."""
    expr = judgments_expr(warehouse.ibis_con, params, "v1", start, end)
    sql = ibis.to_sql(expr, dialect="duckdb")
    return warehouse.con.execute(f"SELECT {COLUMNS} FROM ({sql}) ORDER BY ALL").fetchall()


def written(warehouse: Warehouse, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    return warehouse.con.execute(
        f"SELECT {COLUMNS} FROM judgments WHERE occurred_at >= ? AND occurred_at < ? ORDER BY ALL",
        [start, end],
    ).fetchall()


def test_one_statement_judges_every_period_of_a_policy_version(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    days = [DAY + timedelta(days=i) for i in range(4)]
    for start, end in pairwise(days):
        write_judgments(warehouse, params, "v1", start, end)
    assert [name for name, _ in kept(warehouse)] == ["judgments"]
    for start, end in pairwise(days):
        found = written(warehouse, start, end)
        assert len(found) == 1  # that day's late order, and only it
        assert found == with_literals(warehouse, params, start, end)


def test_other_numbers_or_another_version_compile_a_statement_of_their_own(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    # Each order waited 17 minutes for the food: with 30 minutes allowed nobody is to blame.
    patient = dataclasses.replace(params, food_wait_allowance=30.0)
    later = NEXT + timedelta(days=1)
    write_judgments(warehouse, params, "v1", DAY, NEXT)
    write_judgments(warehouse, patient, "v1", NEXT, later)
    write_judgments(warehouse, params, "v2", NEXT, later)
    assert len(kept(warehouse)) == 3
    parties = warehouse.con.execute(
        "SELECT policy_version, event_id, party FROM judgments ORDER BY ALL"
    ).fetchall()
    assert parties == [("v1", "O-0", "merchant"), ("v1", "O-1", "none"), ("v2", "O-1", "merchant")]


def test_a_kept_statement_is_read_back_from_the_warehouse(warehouse: Warehouse) -> None:
    key = statement_key("probe", "v1")
    warehouse.con.execute(compiled._COMPILED_DDL)
    warehouse.con.execute(
        f"INSERT INTO {COMPILED_TABLE} VALUES (?, 'probe', ?, 'SELECT 42 AS x', now())",
        [key, release()],
    )

    def never() -> Any:
        raise AssertionError("a kept statement is not compiled again")

    assert compiled_sql(warehouse, "probe", "v1", never) == "SELECT 42 AS x"


def test_other_code_does_not_read_a_statement_kept_by_this_code(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = ibis.table({"x": "int64"}, name="t")
    first = compiled_sql(warehouse, "probe", "v1", lambda: table.select(y=table.x + 1))
    monkeypatch.setattr(compiled, "source_digest", lambda: "another release")
    compiled._KEPT.clear()
    second = compiled_sql(warehouse, "probe", "v1", lambda: table.select(y=table.x + 2))
    assert "+ 1" in first and "+ 2" in second
    # The statement of the other release is gone: the table keeps one release's.
    assert kept(warehouse) == [("probe", statement_key("probe", "v1"))]


def test_the_period_is_gone_once_the_statement_has_run(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    write_judgments(warehouse, params, "v1", DAY, NEXT)
    build_daily_facts(warehouse, DAY.date(), NEXT.date(), "v1")
    left = warehouse.con.execute(
        "SELECT getvariable('riderperf_start_at'), getvariable('riderperf_first_day')"
    ).fetchone()
    assert left == (None, None)


def test_a_failing_statement_still_removes_the_period(warehouse: Warehouse) -> None:
    con = warehouse.con
    with pytest.raises(RuntimeError), bounds_set(con, DAY, NEXT):
        assert con.execute("SELECT getvariable('riderperf_end_day')").fetchone() == (NEXT.date(),)
        raise RuntimeError("the statement failed")
    assert con.execute("SELECT getvariable('riderperf_end_day')").fetchone() == (None,)


def test_literal_and_variable_bounds_select_the_same_days(warehouse: Warehouse) -> None:
    orders = warehouse.ibis_con.table("orders")

    def chosen(bounds: Bounds) -> list[Any]:
        picked = orders.filter(
            orders.created_at >= bounds.start_at, orders.created_at < bounds.end_at
        )
        sql = ibis.to_sql(picked.select("order_id"), dialect="duckdb")
        return warehouse.con.execute(f"{sql} ORDER BY 1").fetchall()

    first, end = date(2026, 3, 3), date(2026, 3, 5)
    literals = Bounds(*(ibis.literal(v) for v in (midnight(first), midnight(end), first, end)))
    with bounds_set(warehouse.con, midnight(first), midnight(end)):
        assert chosen(Bounds.variables()) == chosen(literals)
    assert chosen(literals) == [("O-1",), ("O-2",)]


def test_a_read_only_reader_compiles_for_itself_and_writes_nothing(
    tmp_path: Path, params: JudgmentParams
) -> None:
    path = tmp_path / "warehouse.duckdb"
    with open_warehouse(path) as wh:
        insert(wh, "riders", [{"rider_id": "R1", "vehicle": "ebike"}])
        insert(wh, "orders", [late_order("O-0", DAY + timedelta(hours=12))])
        write_judgments(wh, params, "v1", DAY, NEXT)
        build_daily_facts(wh, DAY.date(), NEXT.date(), "v1")
        before = kept(wh)
    compiled._KEPT.clear()
    with open_warehouse(path, read_only=True) as wh:
        window = kpi_window(wh, days_period(DAY.date(), NEXT.date()), "v1", "rider")
        assert window["on_time_rate_den"].tolist() == [1]
        assert kept(wh) == before  # kpi_window's statement was not written
    assert "kpi_window" not in [name for name, _ in before]


def test_a_table_kept_in_another_layout_starts_over(warehouse: Warehouse) -> None:
    warehouse.con.execute(f"CREATE TABLE {COMPILED_TABLE} (key VARCHAR, sql VARCHAR)")
    warehouse.con.execute(f"INSERT INTO {COMPILED_TABLE} VALUES ('k', 'SELECT 1')")
    table = ibis.table({"x": "int64"}, name="t")
    sql = compiled_sql(warehouse, "probe", "v1", lambda: table.select(y=table.x + 1))
    assert "+ 1" in sql
    assert kept(warehouse) == [("probe", statement_key("probe", "v1"))]
