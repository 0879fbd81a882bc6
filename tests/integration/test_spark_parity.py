"""An evaluation on Spark publishes the same scorecards as one on DuckDB, through the same
rows at every stage.

A small simulated city is imported into a DuckDB warehouse and evaluated there
(`evaluate_period`), a judgment is overturned on appeal and the period evaluated again.
Its canonical tables are written as Parquet, and a copy of the app database evaluates the
period over them on Spark (`workflows.spark_evaluate`, as `riderperf evaluate` does with
`RIDERPERF_WAREHOUSE_URL=lakehouse:///…`): the same Ibis expressions, each stage reading
Spark's own output of the stage before, the overturn applied there too. Every column of
every row of every stage must be equal (text character for character, floats exactly), and
so must every published scorecard.

Spark needs Java: without it the tests skip on a developer's machine and fail in CI
(`make test` installs Java 17 when it is missing).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from riderperf.clock import as_utc
from riderperf.common.periods import days_period
from riderperf.config import Settings
from riderperf.evaluation.orm import OFFICIAL, Scorecard
from riderperf.evaluation.overrides import OVERTURNED_RULE, find_judgment, override_judgment
from riderperf.evaluation.published import published_scorecards
from riderperf.evaluation.records import load_cards
from riderperf.evaluation.service import EvaluationResult, evaluate_period
from riderperf.ingest.service import import_path
from riderperf.inspections.records import record_inspection
from riderperf.inspections.templates import ensure_default_template
from riderperf.metrics.daily import RIDER_DAILY
from riderperf.metrics.registry import fact_columns
from riderperf.metrics.scorecard import Scorecard as Card
from riderperf.metrics.windows import GROUP_KEYS, RIDER_COLUMNS, kpi_window
from riderperf.responsibility.model import JUDGMENT_COLUMNS
from riderperf.storage.db import app_database, unit_of_work
from riderperf.stores import open_stores
from riderperf.users.service import create_user
from riderperf.warehouse.connection import open_warehouse
from riderperf.warehouse.day_facts import DAY_FACTS, FACT_COUNTS
from riderperf.warehouse.lakehouse import export_parquet
from riderperf.workflows import spark_pipeline
from riderperf.workflows.spark_evaluate import evaluate_on_spark
from tests.databases import IN_CI, copy_sqlite
from tests.integration.test_inspections_notices import ALL_PASS
from tests.snapshots import Snapshots

START = date(2026, 2, 2)
DAYS = 3
# The judged days leave out the first, so complaints about its orders come from later days.
FIRST, END = START + timedelta(days=1), START + timedelta(days=DAYS)
PERIOD = days_period(FIRST, END)
VERSION = "default"
AT = datetime(2026, 2, 6, 9, 0, tzinfo=UTC)  # when the late delivery is overturned
DATE_COLUMNS = {"day", "joined_on"}
# A few hundred rows: Spark's code generation (a Java compile per stage, seconds for the
# judgments' plan) and the JVM's optimising compiler cost more than they save, about
# halving the judgments' time here; adaptive execution re-plans each stage at run time,
# which costs more than it finds on a few hundred rows. Results are the same either way.
SMALL_DATA = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
    "spark.sql.adaptive.enabled": "false",
}


def card_json(card: Card) -> str:
    """The card as JSON text, NaN as null: what the API shows of it."""
    return json.dumps(card.as_dict(), sort_keys=False)


def _java_or_skip() -> None:
    if shutil.which("java") is not None:
        return
    reason = "Spark needs Java 17 (make test installs openjdk-17-jre-headless)"
    if IN_CI:
        pytest.fail(f"the Spark parity tests must run in CI, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark for the whole test session: one core, one shuffle partition."""
    _java_or_skip()
    from riderperf.warehouse.spark import connect_spark

    warehouse = connect_spark(master="local[1]", options=SMALL_DATA)
    warehouse.session.sparkContext.setLogLevel("ERROR")
    yield warehouse
    warehouse.stop()


@pytest.fixture(scope="module")
def duck(
    snapshots: Snapshots,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """The city evaluated on DuckDB with one late delivery overturned: its tables' rows,
    its published scorecards, the lakehouse folder and the app database's copy for Spark."""
    city = snapshots.dataset(riders=40, days=DAYS, seed=5, start=START)
    root = tmp_path_factory.mktemp("spark-parity")
    settings = Settings(home=root / "home")
    copy_sqlite(sqlite_template, settings.home / "riderperf.db")
    assert import_path(city, settings).exit_code == 0
    evaluate_period(settings, PERIOD)
    found: dict[str, Any] = {
        "overturned": overturn_one_late_delivery(settings),
        "inspected": inspect_one_rider(settings),
    }
    result = evaluate_period(settings, PERIOD)
    with open_warehouse(settings.warehouse_path) as warehouse:
        for name in ("judgments", DAY_FACTS, RIDER_DAILY):
            found[name] = warehouse.con.execute(f"SELECT * FROM {name}").fetchall()
        for group_by in ("rider", "zone"):
            found[group_by] = kpi_window(warehouse, PERIOD, VERSION, group_by)
        found["lake"] = root / "lake"
        export_parquet(warehouse, found["lake"])
    with open_stores(settings, read_only=True) as stores:
        found["cards"] = load_cards(stores.engine, result.evaluation_id)
    found["app"] = copy_sqlite(settings.home / "riderperf.db", root / "spark-app.db")
    return found


def inspect_one_rider(settings: Settings) -> str:
    """Records an inspection with a failed equipment item for the first rider with a
    scorecard, inside the period; returns the rider's id."""
    with open_stores(settings) as stores, unit_of_work(stores.engine) as session:
        rider = min(session.scalars(published_scorecards().with_only_columns(Scorecard.rider_id)))
        create_user(session, "ivy", "inspector", at=AT)
        ensure_default_template(session, AT)
        record_inspection(
            session,
            rider_id=rider,
            inspector="ivy",
            at=AT - timedelta(days=2),
            results=ALL_PASS | {"box_hygiene": False},
        )
    return rider


def overturn_one_late_delivery(settings: Settings) -> str:
    """Overturns the first late delivery judged the rider's; returns its event id."""
    with open_stores(settings) as stores:
        (event_id,) = stores.warehouse.con.execute(
            "SELECT min(event_id) FROM judgments WHERE event = 'late' AND party = 'rider'"
        ).fetchone() or (None,)
        assert event_id is not None
        judgment = find_judgment(stores.warehouse, event_id)
        with unit_of_work(stores.engine) as session:
            override_judgment(
                session, event_id, party="none", case_id="c-1", by="rev", at=AT, judgment=judgment
            )
    return str(event_id)


@pytest.fixture(scope="module")
def lake(spark: Any, duck: dict[str, Any]) -> Any:
    spark.register_lakehouse(duck["lake"])
    return spark


def plain(value: Any, column: str) -> Any:
    """A value as both engines' rows can be compared: dates as dates, instants in UTC,
    missing as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if column in DATE_COLUMNS and isinstance(value, datetime):
        return value.date()
    if isinstance(value, datetime):
        return as_utc(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows_of(records: list[tuple[Any, ...]], columns: list[str]) -> list[tuple[Any, ...]]:
    out = [tuple(plain(v, c) for v, c in zip(r, columns, strict=True)) for r in records]
    return sorted(out, key=lambda r: tuple((v is None, str(v)) for v in r))


def spark_rows(spark: Any, expr: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    table = spark.to_arrow(expr.select(*columns))
    return rows_of([tuple(r.values()) for r in table.to_pylist()], columns)


@pytest.fixture(scope="module")
def evaluated(lake: Any, duck: dict[str, Any]) -> EvaluationResult:
    """The period evaluated on Spark over the lakehouse, published to the app database's
    copy; the stages' tables stay in Spark's memory for the tests."""
    settings = Settings(
        home=duck["lake"].parent / "spark-home",
        database_url=f"sqlite:///{duck['app']}",
        warehouse_url=f"lakehouse://{duck['lake']}",
    )
    return evaluate_on_spark(settings, PERIOD, spark=lake)


@pytest.fixture(scope="module")
def on_spark(lake: Any, evaluated: EvaluationResult) -> Any:
    return lake


def test_the_spark_run_writes_each_stage_as_parquet(
    on_spark: Any, evaluated: EvaluationResult, duck: dict[str, Any]
) -> None:
    out = duck["lake"] / "_riderperf" / VERSION / PERIOD.label
    for table in ("judgments", DAY_FACTS, RIDER_DAILY):
        written = on_spark.session.read.parquet(str(out / table)).count()
        assert written == on_spark.session.table(table).count() > 0
    assert evaluated.judgments == len(duck["judgments"])
    assert {"judgments", DAY_FACTS, RIDER_DAILY, "window", "scores", "publish"} <= set(
        evaluated.seconds
    )


def test_spark_publishes_the_scorecards_duckdb_published(
    evaluated: EvaluationResult, duck: dict[str, Any]
) -> None:
    expected = [card_json(c) for c in sorted(duck["cards"], key=lambda c: c.rider_id)]
    inspected = next(c for c in evaluated.cards if c.rider_id == duck["inspected"])
    equipment = inspected.kpis["equipment_compliance"]
    assert (equipment.num, equipment.den) == (3, 4)
    days = (evaluated.period.end - evaluated.period.start).days
    assert (evaluated.judged_days, evaluated.built_days) == (days, days)
    found = [card_json(c) for c in sorted(evaluated.cards, key=lambda c: c.rider_id)]
    assert len(found) == len(expected) > 20
    assert found == expected
    assert evaluated.purpose == OFFICIAL
    with app_database(f"sqlite:///{duck['app']}") as engine:
        stored = load_cards(engine, evaluated.evaluation_id)
    assert [card_json(c) for c in sorted(stored, key=lambda c: c.rider_id)] == expected


def test_the_overturned_judgment_is_rewritten_on_spark(on_spark: Any, duck: dict[str, Any]) -> None:
    table = on_spark.table("judgments")
    mine = table.filter(table.event_id == duck["overturned"]).select(
        "party", "rule", "minutes_rider"
    )
    assert on_spark.to_arrow(mine).to_pylist() == [
        {"party": "none", "rule": OVERTURNED_RULE, "minutes_rider": 0.0}
    ]


def test_judgments_on_spark_equal_duckdbs(on_spark: Any, duck: dict[str, Any]) -> None:
    columns = [name for name, _ in JUDGMENT_COLUMNS]
    expected = rows_of(duck["judgments"], columns)
    found = spark_rows(on_spark, on_spark.table("judgments"), columns)
    assert len(found) == len(expected) > 50
    assert {r[1] for r in found} == {"late", "cancelled", "complaint"}
    assert found == expected


def test_day_facts_on_spark_equal_the_ones_the_import_keeps(
    on_spark: Any, duck: dict[str, Any]
) -> None:
    columns = ["rider_id", "day", *FACT_COUNTS]
    expected = rows_of(duck[DAY_FACTS], columns)
    found = spark_rows(on_spark, on_spark.table(DAY_FACTS), columns)
    assert len(found) == len(expected) > 40
    assert found == expected


def test_daily_counts_on_spark_equal_duckdbs(on_spark: Any, duck: dict[str, Any]) -> None:
    columns = ["rider_id", "day", "policy_version", *fact_columns()]
    expected = rows_of(duck[RIDER_DAILY], columns)
    found = spark_rows(on_spark, on_spark.table(RIDER_DAILY), columns)
    assert len(found) == len(expected) > 40
    assert found == expected


@pytest.mark.parametrize("group_by", ["rider", "zone"])
def test_kpi_window_on_spark_equals_duckdbs(
    on_spark: Any, duck: dict[str, Any], group_by: str
) -> None:
    key = GROUP_KEYS[group_by]
    columns = [key, "riders", *fact_columns()]
    if group_by == "rider":
        columns += list(RIDER_COLUMNS)
    frame = duck[group_by]
    expected = rows_of(list(frame[columns].itertuples(index=False, name=None)), columns)
    window = spark_pipeline.window(on_spark, VERSION, FIRST, END, group_by)  # type: ignore[arg-type]
    found = spark_rows(on_spark, window, columns)
    assert len(found) == len(expected) > 1
    assert found == expected
