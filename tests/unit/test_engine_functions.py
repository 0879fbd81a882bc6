"""The engine functions of the pipeline per Ibis backend: DuckDB's SQL as written, Spark's
functions of the same meaning swapped in for Spark, and period bounds as literals."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import ibis
import pytest

from riderperf.warehouse.compiled import Bounds
from riderperf.warehouse.functions import for_backend, minutes_between, utc_day

TIMES = ibis.table({"a": "timestamp('UTC')", "b": "timestamp('UTC')"}, name="t")
EXPR = TIMES.select(day=utc_day(TIMES.a), minutes=minutes_between(TIMES.a, TIMES.b))


def test_duckdb_gets_the_expression_as_written() -> None:
    assert for_backend(EXPR, "duckdb") is EXPR
    sql = str(ibis.to_sql(EXPR, dialect="duckdb"))
    assert "EPOCH_US" in sql and "MAKE_TIMESTAMP" in sql


def test_spark_gets_its_own_microsecond_functions() -> None:
    ibis.pyspark  # noqa: B018  (loads the backend, which registers its compile options)
    sql = str(ibis.to_sql(for_backend(EXPR, "pyspark"), dialect="pyspark"))
    assert "UNIX_MICROS" in sql and "TIMESTAMP_MICROS" in sql
    assert "EPOCH_US" not in sql and "MAKE_TIMESTAMP" not in sql
    # The expression it was made from is unchanged.
    assert "EPOCH_US" in str(ibis.to_sql(EXPR, dialect="duckdb"))


def test_a_backend_without_engine_functions_is_refused() -> None:
    with pytest.raises(ValueError, match="no engine functions for the Ibis backend 'trino'"):
        for_backend(EXPR, "trino")


def test_literal_bounds_are_utc_instants_and_days() -> None:
    bounds = Bounds.literals(datetime(2026, 2, 2, 23, 30), datetime(2026, 2, 4, tzinfo=UTC))
    assert bounds.start_at.op().value == datetime(2026, 2, 2, 23, 30, tzinfo=UTC)
    assert (bounds.first_day.op().value, bounds.end_day.op().value) == (
        date(2026, 2, 2),
        date(2026, 2, 4),
    )


def test_the_spark_modules_load_no_spark_until_used() -> None:
    code = (
        "import sys, riderperf.warehouse.spark, riderperf.workflows.spark_pipeline; "
        "print(sorted(m for m in ('pyspark', 'py4j') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
