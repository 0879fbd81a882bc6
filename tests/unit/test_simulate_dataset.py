"""The simulator writes valid canonical datasets in every format, reproducibly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from riderperf.common import canonical as schema
from riderperf.simulate import SimulationParams, simulate_city
from riderperf.simulate.arrow import fixed_width_ids, iso_text
from riderperf.simulate.params import parameter_docs

START = date(2026, 1, 5)
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "simulation.md"
_SQL_TYPES = {"timestamp": "TIMESTAMPTZ", "date": "DATE", "float": "DOUBLE", "int": "BIGINT"}
_SQL_TYPES |= {"bool": "BOOLEAN"}


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same small city written in each format."""
    root = tmp_path_factory.mktemp("sim")
    out = {}
    for fmt in ("parquet", "csv", "jsonl"):
        out[fmt] = root / fmt
        simulate_city(riders=150, days=4, seed=7, start=START, out=out[fmt], fmt=fmt)
    return out


def _source(path: Path, fmt: str, table: schema.Table) -> str:
    """SQL reading one table file with the canonical types (text formats cast strictly)."""
    file = f"'{path / f'{table.name}.{fmt}'}'"
    if fmt == "parquet":
        return f"read_parquet({file})"
    if fmt == "csv":
        raw = f"read_csv({file}, header=true, all_varchar=true)"
    else:
        cols = ", ".join(f"'{c}': 'VARCHAR'" for c in table.column_names)
        raw = f"read_json({file}, format='newline_delimited', columns={{{cols}}})"
    casts = ", ".join(
        f'CAST("{c.name}" AS {_SQL_TYPES.get(c.kind, "VARCHAR")}) AS "{c.name}"'
        for c in table.columns
    )
    return f"(SELECT {casts} FROM {raw})"


def schema_violations(path: Path, fmt: str) -> list[str]:
    """Every rule of schema.py checked generically; returns one line per broken rule."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in schema.TABLES:
        con.execute(f"CREATE VIEW {table.name} AS SELECT * FROM {_source(path, fmt, table)}")
    problems = []

    def count(sql: str) -> int:
        row = con.execute(sql).fetchone()
        assert row is not None
        return int(row[0])

    def check(label: str, sql: str) -> None:
        if n := count(sql):
            problems.append(f"{label}: {n} rows")

    for t in schema.TABLES:
        name = t.name
        columns = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
        if columns != list(t.column_names):
            problems.append(f"{name}: columns {columns}")
        keys = ", ".join(t.key)
        check(f"{name} key", f"SELECT count(*) - count(DISTINCT ({keys})) FROM {name}")
        for c in t.columns:
            where = f"FROM {name} WHERE {c.name} IS NOT NULL"
            if c.required:
                check(
                    f"{name}.{c.name} required",
                    f"SELECT count(*) FROM {name} WHERE {c.name} IS NULL",
                )
            if c.values:
                allowed = ", ".join(f"'{v}'" for v in c.values)
                check(
                    f"{name}.{c.name} enum",
                    f"SELECT count(*) {where} AND {c.name} NOT IN ({allowed})",
                )
            if c.minimum is not None:
                check(f"{name}.{c.name} min", f"SELECT count(*) {where} AND {c.name} < {c.minimum}")
            if c.maximum is not None:
                check(f"{name}.{c.name} max", f"SELECT count(*) {where} AND {c.name} > {c.maximum}")
        for r in t.references:
            check(
                f"{name}.{r.column} -> {r.table}",
                f"SELECT count(*) FROM {name} WHERE {r.column} IS NOT NULL AND {r.column} "
                f"NOT IN (SELECT {r.target} FROM {r.table})",
            )
        for cond in t.conditions:
            equals = ", ".join(f"'{v}'" for v in cond.equals)
            check(
                f"{name}.{cond.column} when {cond.when}",
                f"SELECT count(*) FROM {name} "
                f"WHERE {cond.when} IN ({equals}) AND {cond.column} IS NULL",
            )
        for o in t.timeline:
            check(
                f"{name} {o.earlier} <= {o.later}",
                f"SELECT count(*) FROM {name} WHERE {o.earlier} > {o.later}",
            )
    return problems


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_every_format_satisfies_every_schema_rule(datasets: dict[str, Path], fmt: str) -> None:
    assert schema_violations(datasets[fmt], fmt) == []


def test_every_canonical_table_and_truth_file_is_written(datasets: dict[str, Path]) -> None:
    for fmt, path in datasets.items():
        names = sorted(p.name for p in path.iterdir() if p.is_file())
        assert names == sorted(f"{t.name}.{fmt}" for t in schema.TABLES)
        assert sorted(p.name for p in (path / "truth").iterdir()) == ["orders.csv", "riders.csv"]


def test_formats_hold_the_same_rows(datasets: dict[str, Path]) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in schema.TABLES:
        rows = {
            fmt: con.execute(f"SELECT * FROM {_source(path, fmt, table)} ORDER BY ALL").fetchall()
            for fmt, path in datasets.items()
        }
        assert rows["parquet"] == rows["csv"] == rows["jsonl"], table.name


def test_parquet_timestamps_are_utc_aware_and_ids_are_strings(datasets: dict[str, Path]) -> None:
    for table in schema.TABLES:
        arrow_schema = pq.read_schema(datasets["parquet"] / f"{table.name}.parquet")
        for column in table.columns:
            kind = arrow_schema.field(column.name).type
            if column.kind == "timestamp":
                assert kind == pa.timestamp("us", tz="UTC"), column.name
            if column.name.endswith("_id"):
                assert kind == pa.string(), column.name


def test_text_formats_write_iso_timestamps_with_an_offset(datasets: dict[str, Path]) -> None:
    con = duckdb.connect()
    csv = datasets["csv"] / "orders.csv"
    bad = con.execute(
        f"SELECT count(*) FROM read_csv('{csv}', all_varchar=true) "
        f"WHERE NOT regexp_full_match(created_at, '{ISO}')"
        f" OR (delivered_at IS NOT NULL AND NOT regexp_full_match(delivered_at, '{ISO}'))"
    ).fetchone()
    assert bad == (0,)
    with (datasets["jsonl"] / "orders.jsonl").open() as lines:
        first = json.loads(next(lines))
    assert list(first) == list(schema.ORDERS.column_names)
    assert first["created_at"].endswith("+00:00") and "T" in first["created_at"]


def test_truth_files_have_the_documented_columns_and_codes(datasets: dict[str, Path]) -> None:
    truth = datasets["csv"] / "truth"
    con = duckdb.connect()
    orders = con.execute(f"SELECT * FROM read_csv('{truth / 'orders.csv'}', all_varchar=true)")
    assert [d[0] for d in orders.description] == ["order_id", "event", "cause"]
    rows = orders.fetchall()
    assert {r[1] for r in rows} == set(schema.TRUTH_EVENTS)
    assert {r[2] for r in rows} <= set(schema.RESPONSIBILITY_PARTIES)
    riders = con.execute(f"SELECT * FROM read_csv('{truth / 'riders.csv'}', all_varchar=true)")
    assert [d[0] for d in riders.description] == ["rider_id", "archetype"]
    assert {r[1] for r in riders.fetchall()} <= set(schema.ARCHETYPES)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    for fmt in ("parquet", "csv"):
        first, second, other = tmp_path / f"a{fmt}", tmp_path / f"b{fmt}", tmp_path / f"c{fmt}"
        for out, seed in ((first, 3), (second, 3), (other, 4)):
            simulate_city(riders=60, days=2, seed=seed, start=START, out=out, fmt=fmt)
        files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
        for f in files:
            assert (first / f).read_bytes() == (second / f).read_bytes(), f
        assert (first / f"orders.{fmt}").read_bytes() != (other / f"orders.{fmt}").read_bytes()


def test_summary_counts_the_rows_written(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    summary = simulate_city(
        riders=40,
        days=3,
        seed=1,
        start=START,
        out=tmp_path,
        fmt="parquet",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert summary.out == tmp_path
    assert list(summary.rows) == [t.name for t in schema.TABLES]
    for name, rows in summary.rows.items():
        assert pq.read_metadata(tmp_path / f"{name}.parquet").num_rows == rows


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="parquet, csv, jsonl"):
        simulate_city(riders=5, days=1, seed=0, start=START, out=tmp_path, fmt="xlsx")


def test_params_refuse_a_mix_that_is_not_a_distribution() -> None:
    table = dict(SimulationParams().capacity_table, fleet=(0.5, 0.9, 26.0, 10.5))
    params = SimulationParams(capacity_table=table)
    with pytest.raises(ValueError, match="capacity_table shares sum to"):
        params.validate()
    SimulationParams().validate()


def test_every_parameter_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name, _, _ in parameter_docs() if f"`{name}`" not in text]
    assert missing == []


def test_ids_are_zero_padded_and_timestamps_render_as_iso_utc() -> None:
    assert fixed_width_ids("O", np.array([1, 42]), 8).to_pylist() == ["O00000001", "O00000042"]
    stamps = pa.array([0, None, 1_767_614_587_000_000], type=pa.timestamp("us", tz="UTC"))
    assert iso_text(stamps).to_pylist() == [
        "1970-01-01T00:00:00+00:00",
        None,
        "2026-01-05T12:03:07+00:00",
    ]


def test_busy_days_are_written_in_batches_that_stay_valid(tmp_path: Path) -> None:
    params = SimulationParams(orders_per_batch=700)
    simulate_city(riders=80, days=2, seed=2, start=START, out=tmp_path, params=params)
    assert pq.ParquetFile(tmp_path / "orders.parquet").num_row_groups > 2
    assert schema_violations(tmp_path, "parquet") == []
