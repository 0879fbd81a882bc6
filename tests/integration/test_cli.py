"""The `riderperf` command: exit statuses and the JSON report the issue promises."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from riderperf.cli.app import app
from tests.canonical_rows import order, rider, write_table

runner = CliRunner()


def env(tmp_path: Path) -> dict[str, str]:
    return {"RIDERPERF_HOME": str(tmp_path / "home")}


def test_init_twice_succeeds_and_names_both_stores(tmp_path: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["init"], env=env(tmp_path))
        assert result.exit_code == 0, result.output
    assert "warehouse.duckdb" in result.output
    assert (tmp_path / "home" / "riderperf.db").exists()


def test_import_json_report_and_exit_status_0_then_0_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    write_table(data, "orders", [order("O1"), order("O2")])
    first = runner.invoke(app, ["import", str(data), "--json"], env=env(tmp_path))
    second = runner.invoke(app, ["import", str(data), "--json"], env=env(tmp_path))
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["tables"]["orders"] == {
        "read": 2,
        "inserted": 2,
        "duplicates": 0,
        "conflicts": 0,
        "rejected": 0,
    }
    assert second.exit_code == 0
    assert json.loads(second.stdout)["tables"]["orders"]["duplicates"] == 2
    assert json.loads(second.stdout)["rejects"] == []


def test_import_with_bad_rows_exits_3_and_lists_the_rejects_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    write_table(data, "orders", [order("O1"), order("O2", status="lost")])
    result = runner.invoke(app, ["import", str(data), "--json"], env=env(tmp_path))
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["tables"]["orders"]["rejected"] == 1
    (rejects,) = report["rejects"]
    assert Path(rejects).read_text().count("\n") == 2  # header and the one bad row


def test_import_of_missing_path_exits_1_with_a_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "nowhere")], env=env(tmp_path))
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_human_report_shows_counts_and_reasons(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    write_table(data, "orders", [order("O1", distance_km="-3")])
    result = runner.invoke(app, ["import", str(data)], env=env(tmp_path))
    assert result.exit_code == 3  # the rider was imported, the order was not
    assert "distance_km (1)" in result.output
    assert "rejects written to" in result.output


def test_import_while_another_process_writes_the_warehouse_exits_1(tmp_path: Path) -> None:
    warehouse = tmp_path / "home" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, pathlib, sys, time; c = duckdb.connect(sys.argv[1]); "
            "pathlib.Path(sys.argv[2]).touch(); time.sleep(60)",
            str(warehouse),
            str(ready),
        ]
    )
    try:
        for _ in range(200):
            if ready.exists():
                break
            time.sleep(0.05)
        data = tmp_path / "data"
        write_table(data, "riders", [rider("R1")])
        result = runner.invoke(app, ["import", str(data)], env=env(tmp_path))
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert "in use by another riderperf process" in result.output


def test_warehouse_of_another_layout_is_refused_with_a_message(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"], env=env(tmp_path)).exit_code == 0
    con = duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"))
    con.execute("UPDATE _meta SET value = '999' WHERE key = 'layout'")
    con.close()
    result = runner.invoke(app, ["init"], env=env(tmp_path))
    assert result.exit_code == 1
    assert "has table layout 999" in result.output


def test_warehouse_with_unexpected_fact_columns_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "home" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE riders (rider_id VARCHAR, shoe_size INTEGER)")
    con.close()
    result = runner.invoke(app, ["init"], env=env(tmp_path))
    assert result.exit_code == 1
    assert "has a table riders with columns rider_id, shoe_size" in result.output
