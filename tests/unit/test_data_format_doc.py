"""The format documentation keeps up with the schema."""

from __future__ import annotations

from pathlib import Path

from riderperf.common.canonical import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"


def test_every_table_column_and_enum_value_is_documented() -> None:
    text = DOC.read_text()
    for table in TABLES:
        assert f"### {table.name}" in text
        for column in table.columns:
            assert column.name in text, f"{table.name}.{column.name} is not documented"
            for value in column.values:
                assert f"`{value}`" in text, f"{table.name}.{column.name}={value} missing"


def test_every_numeric_range_is_documented() -> None:
    text = DOC.read_text()
    for table in TABLES:
        for column in table.columns:
            if column.minimum is None and column.maximum is None:
                continue
            bounds = "–".join(f"{b:g}" for b in (column.minimum, column.maximum) if b is not None)
            assert f"`{column.name}` {bounds}" in text, f"{table.name}.{column.name} range"
