"""Import of canonical files: good rows land, bad rows are set aside with their reasons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from riderperf.config import Settings
from riderperf.ingest.report import ImportReport
from riderperf.ingest.service import import_path
from riderperf.storage.db import unit_of_work
from riderperf.storage.models import ImportRun, Rider
from riderperf.stores import open_stores
from tests.canonical_rows import order, rider, write_table

FORMATS = ["csv", "parquet", "jsonl"]


def read_rejects(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        return list(pq.read_table(path).to_pylist())
    con = duckdb.connect()
    if path.suffix == ".jsonl":
        rel = con.execute(f"SELECT * FROM read_json('{path}', format='newline_delimited')")
    else:
        rel = con.execute(f"SELECT * FROM read_csv('{path}', all_varchar=true)")
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def warehouse_rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def mixed_orders() -> list[dict[str, Any]]:
    """Rows 1, 2, 8 are good; rows 3-7 and 9 are each broken in one way."""
    return [
        order("O1"),
        order("O2", rider_id="R2"),
        order("O3", status="lost"),
        order("O4", created_at="yesterday at noon"),
        order("O5", distance_km="-1.5"),
        order("O6", rider_id="R404"),
        order("O7", delivered_at="2026-01-05T12:05:00+04:00"),
        order("O8", rider_id="R2", weather="rain"),
        order("O1", delivered_at="2026-01-05T12:35:00+04:00"),
    ]


EXPECTED_REJECTS = {
    3: ("status", "lost is not one of: delivered, cancelled"),
    4: ("created_at", "not a valid timestamp: yesterday at noon"),
    5: ("distance_km", "must be at least 0, got -1.5"),
    6: ("rider_id", "rider_id R404 does not exist in riders"),
    7: ("delivered_at", "is before picked_up_at"),
    9: ("order_id", "conflict: order_id O1 already appears at row 1"),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_mixed_file_keeps_good_rows_and_sets_bad_ones_aside(
    tmp_path: Path, sqlite_settings: Settings, fmt: str
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1"), rider("R2")], fmt)
    write_table(data, "orders", mixed_orders(), fmt)

    report = import_path(data, sqlite_settings)

    counts = report.tables["orders"].as_dict()
    assert counts == {"read": 9, "inserted": 3, "duplicates": 0, "conflicts": 1, "rejected": 5}
    assert report.exit_code == 3
    stored = warehouse_rows(sqlite_settings, "SELECT order_id FROM orders ORDER BY 1")
    assert [r[0] for r in stored] == ["O1", "O2", "O8"]
    (rejects_file,) = report.rejects
    assert rejects_file.suffix == f".{fmt}"
    rejects = read_rejects(rejects_file)
    assert {int(r["_row"]): r["_field"] for r in rejects} == {
        row: field for row, (field, _) in EXPECTED_REJECTS.items()
    }
    for r in rejects:
        _, reason = EXPECTED_REJECTS[int(r["_row"])]
        assert reason in r["_error"]
        assert r["_file"].endswith(f"orders.{fmt}")
        # The rejected row is kept as it was sent, so it can be fixed and sent again.
        assert r["order_id"] == mixed_orders()[int(r["_row"]) - 1]["order_id"]


def test_reimport_of_the_same_files_changes_nothing(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1"), rider("R2")])
    write_table(data, "orders", [order("O1"), order("O2", rider_id="R2")])
    first = import_path(data, sqlite_settings)
    second = import_path(data, sqlite_settings)
    assert first.exit_code == 0
    assert first.tables["orders"].inserted == 2
    assert second.exit_code == 0
    assert {t: c.inserted for t, c in second.tables.items()} == {"riders": 0, "orders": 0}
    assert second.tables["orders"].duplicates == 2


def test_same_instant_in_another_offset_is_a_duplicate_not_a_conflict(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    write_table(tmp_path / "a", "riders", [rider("R1")])
    write_table(tmp_path / "a", "orders", [order("O1")])
    import_path(tmp_path / "a", sqlite_settings)
    utc = order("O1", created_at="2026-01-05T08:00:00Z")
    write_table(tmp_path / "b", "orders", [utc])
    report = import_path(tmp_path / "b" / "orders.csv", sqlite_settings)
    assert report.tables["orders"].duplicates == 1
    assert report.exit_code == 0


def test_changed_row_is_a_conflict_naming_the_changed_fields_and_keeps_the_stored_one(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    write_table(tmp_path / "a", "riders", [rider("R1")])
    write_table(tmp_path / "a", "orders", [order("O1")])
    import_path(tmp_path / "a", sqlite_settings)
    changed = order("O1", delivered_at="2026-01-05T12:39:00+04:00", weather="storm")
    write_table(tmp_path / "b", "orders", [changed, order("O2")])

    report = import_path(tmp_path / "b", sqlite_settings)

    assert report.tables["orders"].as_dict() == {
        "read": 2,
        "inserted": 1,
        "duplicates": 0,
        "conflicts": 1,
        "rejected": 0,
    }
    assert report.exit_code == 3
    (reject,) = read_rejects(report.rejects[0])
    assert reject["_field"] == "delivered_at;weather"
    assert "stored orders row with order_id O1 differs in delivered_at, weather" in reject["_error"]
    stored = warehouse_rows(sqlite_settings, "SELECT weather FROM orders WHERE order_id = 'O1'")
    assert stored == [("clear",)]


def test_malformed_csv_lines_are_rejected_and_later_rows_keep_their_numbers(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    path = write_table(data, "orders", [order("O1"), order("O2"), order("O3", status="x")])
    lines = path.read_text().splitlines()
    lines.insert(2, '"O9","R1","Dubai"')  # becomes data row 2
    path.write_text("\n".join(lines) + "\n")

    report = import_path(data, sqlite_settings)

    assert report.tables["orders"].as_dict() == {
        "read": 4,
        "inserted": 2,
        "duplicates": 0,
        "conflicts": 0,
        "rejected": 2,
    }
    rejects = {int(r["_row"]): r for r in read_rejects(report.rejects[0])}
    assert set(rejects) == {2, 4}
    assert "fewer fields than the header" in rejects[2]["_error"]
    assert '"O9","R1","Dubai"' in rejects[2]["_raw"]
    assert rejects[4]["_field"] == "status"


def test_every_problem_of_a_row_is_reported(tmp_path: Path, sqlite_settings: Settings) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1", capacity_type="fleet", vehicle="rocket")])
    report = import_path(data, sqlite_settings)
    (reject,) = read_rejects(report.rejects[0])
    assert reject["_field"] == "vehicle;fleet_id"
    assert "vehicle: rocket is not one of: foot, bicycle" in reject["_error"]
    assert "fleet_id: required when capacity_type is fleet" in reject["_error"]
    assert report.exit_code == 1  # nothing could be imported


def test_timestamp_without_offset_is_rejected(tmp_path: Path, sqlite_settings: Settings) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    write_table(data, "orders", [order("O1", promised_at="2026-01-05 12:40:00")])
    report = import_path(data, sqlite_settings)
    (reject,) = read_rejects(report.rejects[0])
    assert reject["_field"] == "promised_at"
    assert "no UTC offset" in reject["_error"]


def test_unknown_columns_are_kept_aside_not_dropped(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1", shoe_size="42", shift="night")])
    report = import_path(data, sqlite_settings)
    assert report.unknown_columns == {str(data / "riders.csv"): ["shoe_size", "shift"]}
    (extra,) = warehouse_rows(sqlite_settings, "SELECT _extra FROM riders")
    assert json.loads(extra[0]) == {"shoe_size": "42", "shift": "night"}


def test_missing_required_column_rejects_rows_naming_the_column(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "riders.csv").write_text("rider_id,city\nR1,Dubai\n")
    report = import_path(data, sqlite_settings)
    (reject,) = read_rejects(report.rejects[0])
    assert "capacity_type: required column is missing from the file" in reject["_error"]
    assert report.exit_code == 1


def test_unreadable_file_exits_1_and_says_which_file(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "riders.parquet").write_bytes(b"this is not parquet")
    report: ImportReport = import_path(data, sqlite_settings)
    assert report.exit_code == 1
    (error,) = report.file_errors
    assert "riders.parquet" in error.message
    assert "cannot be read as parquet" in error.message


def test_folder_without_dataset_files_exits_1(tmp_path: Path, sqlite_settings: Settings) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    report = import_path(tmp_path, sqlite_settings)
    assert report.exit_code == 1
    assert report.ignored_files == [tmp_path / "notes.txt"]
    assert "no dataset files found" in report.file_errors[0].message


def test_empty_folder_into_an_existing_warehouse_exits_1_and_keeps_it(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data, empty = tmp_path / "data", tmp_path / "empty"
    write_table(data, "riders", [rider("R1")])
    empty.mkdir()
    assert import_path(data, sqlite_settings).exit_code == 0
    report = import_path(empty, sqlite_settings)
    assert report.exit_code == 1
    assert "no dataset files found" in report.file_errors[0].message
    assert import_path(data, sqlite_settings).tables["riders"].duplicates == 1


def test_references_reach_rows_imported_earlier_in_the_same_run(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    write_table(data, "orders", [order("O1")])
    offers = [
        {
            "offer_id": "F1",
            "order_id": "O1",
            "rider_id": "R1",
            "offered_at": "2026-01-05T12:00:30+04:00",
            "response": "accepted",
            "responded_at": "2026-01-05T12:01:00+04:00",
        },
        {
            "offer_id": "F2",
            "order_id": "O404",
            "rider_id": "R1",
            "offered_at": "2026-01-05T12:00:30+04:00",
            "response": "declined",
            "responded_at": "2026-01-05T12:00:10+04:00",
        },
    ]
    write_table(data, "offers", offers)
    report = import_path(data, sqlite_settings)
    assert report.tables["offers"].inserted == 1
    (reject,) = read_rejects(report.rejects[0])
    assert reject["_field"] == "responded_at;order_id"


def test_progress_reaches_the_end_in_order(tmp_path: Path, sqlite_settings: Settings) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    write_table(data, "orders", [order("O1")])
    seen: list[tuple[int, int, str]] = []
    import_path(data, sqlite_settings, progress=lambda d, t, label: seen.append((d, t, label)))
    done = [d for d, _, _ in seen]
    assert done == sorted(done)
    assert seen[-1][0] == seen[-1][1] == 10  # two files, five steps each
    assert seen[0][2] == "riders.csv: read 1 rows"


def test_jsonl_text_timestamp_without_offset_is_rejected_like_csv(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], "jsonl")
    write_table(
        data, "orders", [order("O1"), order("O2", promised_at="2026-01-05T12:40:00")], "jsonl"
    )
    report = import_path(data, sqlite_settings)
    (reject,) = read_rejects(report.rejects[0])
    assert reject["order_id"] == "O2"
    assert "promised_at: timestamp has no UTC offset" in reject["_error"]


def test_jsonl_key_first_seen_on_a_late_line_is_kept(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    rows = [rider(f"R{i}") for i in range(30_000)]
    rows[-1] = rows[-1] | {"badge": "gold"}
    write_table(tmp_path / "data", "riders", rows, "jsonl")
    lines = (tmp_path / "data" / "riders.jsonl").read_text().splitlines()
    # write_table gives every row every key; drop "badge" from all but the last row.
    stripped = [line.replace(', "badge": null', "") for line in lines]
    (tmp_path / "data" / "riders.jsonl").write_text("\n".join(stripped) + "\n")
    report = import_path(tmp_path / "data", sqlite_settings)
    assert report.unknown_columns == {str(tmp_path / "data" / "riders.jsonl"): ["badge"]}
    (extra,) = warehouse_rows(
        sqlite_settings, "SELECT _extra FROM riders WHERE rider_id = 'R29999'"
    )
    assert json.loads(extra[0]) == {"badge": "gold"}


def test_broken_json_line_refuses_the_file_and_names_the_line(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    path = write_table(tmp_path / "data", "riders", [rider("R1"), rider("R2")], "jsonl")
    path.write_text(path.read_text() + '{"rider_id": "R3", "city": }\n')
    report = import_path(tmp_path / "data", sqlite_settings)
    assert report.exit_code == 1
    assert "riders.jsonl" in report.file_errors[0].message
    assert "line 3" in report.file_errors[0].message


def rating(rating_id: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "rating_id": rating_id,
        "order_id": "O1",
        "rider_id": "R1",
        "source": "customer",
        "stars": "5",
        "tags": "fast",
        "created_at": "2026-01-05T12:45:00+04:00",
    }
    return row | changes


def doc_row(rider_id: str) -> dict[str, Any]:
    return {"rider_id": rider_id, "doc_type": "licence", "expires_on": "2027-03-31"}


def assert_bad_value_is_one_rejected_row(
    data: Path, settings: Settings, table: str, field: str, reason: str
) -> None:
    """The bad row is set aside; its file's good rows and later tables still land."""
    report = import_path(data, settings)
    assert report.exit_code == 3, report.as_json()
    assert report.tables[table].rejected == 1
    assert report.tables[table].inserted >= 1
    assert report.tables["documents"].inserted == 1  # a table imported after the bad one
    (rejects_file,) = report.rejects
    (reject,) = read_rejects(rejects_file)
    assert int(reject["_row"]) == 2
    assert reject["_field"] == field
    assert reason in reject["_error"]
    with open_stores(settings) as stores, unit_of_work(stores.engine) as session:
        run = session.get(ImportRun, report.import_id)
        assert run is not None and run.finished_at is not None and run.exit_code == 3
        riders = list(session.scalars(select(Rider.rider_id)))
    assert "R1" in riders
    again = import_path(data, settings)
    assert again.exit_code == 3
    assert again.tables[table].inserted == 0
    assert again.tables[table].rejected == 1


@pytest.mark.parametrize(
    ("fmt", "stars", "reason"),
    [
        ("csv", "99999999999", "stars: must be at most 5, got 99999999999"),
        ("jsonl", "1e30", "stars: must be at most 5, got 1e30"),
        ("parquet", "-99999999999", "stars: must be at least 1, got -99999999999"),
        ("csv", "nan", "stars: not a valid int: nan"),
    ],
)
def test_out_of_range_int_is_a_rejected_row_not_a_crash(
    tmp_path: Path, sqlite_settings: Settings, fmt: str, stars: str, reason: str
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], fmt)
    write_table(data, "orders", [order("O1")], fmt)
    write_table(data, "ratings", [rating("RT1"), rating("RT2", stars=stars)], fmt)
    write_table(data, "documents", [doc_row("R1")], fmt)
    assert_bad_value_is_one_rejected_row(data, sqlite_settings, "ratings", "stars", reason)


@pytest.mark.parametrize(
    ("fmt", "km", "reason"),
    [
        ("jsonl", "1e30", "distance_km: must be at most 1000, got 1e30"),
        ("csv", "1e308", "distance_km: must be at most 1000, got 1e308"),
        ("csv", "1e309", "distance_km: not a valid float: 1e309"),
    ],
)
def test_huge_float_is_a_rejected_row(
    tmp_path: Path, sqlite_settings: Settings, fmt: str, km: str, reason: str
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], fmt)
    write_table(data, "orders", [order("O1"), order("O2", distance_km=km)], fmt)
    write_table(data, "documents", [doc_row("R1")], fmt)
    assert_bad_value_is_one_rejected_row(data, sqlite_settings, "orders", "distance_km", reason)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("names", [("rowid",), ("ROWID", "_rid"), ("_error", "_row", "_field")])
def test_source_columns_named_like_internal_ones_are_kept_aside(
    tmp_path: Path, sqlite_settings: Settings, fmt: str, names: tuple[str, ...]
) -> None:
    data = tmp_path / "data"
    extra = {n: f"x{i}" for i, n in enumerate(names)}
    write_table(data, "riders", [rider("R1", **extra)], fmt)
    write_table(data, "orders", [order("O1", **extra), order("O2", status="lost", **extra)], fmt)
    write_table(data, "documents", [doc_row("R1")], fmt)
    report = import_path(data, sqlite_settings)
    assert report.exit_code == 3, report.as_json()
    assert report.tables["riders"].inserted == 1
    assert report.tables["orders"].as_dict() == {
        "read": 2,
        "inserted": 1,
        "duplicates": 0,
        "conflicts": 0,
        "rejected": 1,
    }
    (extra_json,) = warehouse_rows(sqlite_settings, "SELECT _extra FROM riders")
    assert json.loads(extra_json[0]) == extra
    (reject,) = read_rejects(report.rejects[0])
    assert int(reject["_row"]) == 2
    assert reject["_field"] == "status"
    assert reject["_error"] == "status: lost is not one of: delivered, cancelled"
    # The file's own columns are kept; one that clashes with the added ones is renamed.
    for name, value in extra.items():
        kept = f"_src{name}" if name in ("_error", "_row", "_field", "_file") else name
        assert reject[kept] == value
    again = import_path(data, sqlite_settings)
    assert again.exit_code == 3
    assert again.tables["orders"].duplicates == 1


# Ids the API would refuse, look-alike ids and impossible timestamps: each is one rejected
# row naming the field, while the good rows beside it are kept.
BAD_IDS = {
    "too_long": ("R" * 200, "200 characters long; at most 100"),
    "nul": ("R\x001", "control character (U+0000)"),
    "ansi": ("R\x1b[31m1", "control character (U+001B)"),
    "full_width": ("R\uff11", "not in Unicode NFKC form (it would read as R1)"),
    "json_object": ({"id": "R9"}, "not a JSON object"),
    "json_array": (["R9"], "not a JSON array"),
}


# NUL is sent in JSON Lines only: the CSV and Parquet writers these tests use cannot write it.
BAD_ID_CASES = [
    (fmt, case) for case in sorted(BAD_IDS) for fmt in FORMATS if case != "nul" or fmt == "jsonl"
]


@pytest.mark.parametrize(("fmt", "case"), BAD_ID_CASES)
def test_bad_rider_id_is_a_rejected_row(
    tmp_path: Path, sqlite_settings: Settings, fmt: str, case: str
) -> None:
    bad, reason = BAD_IDS[case]
    value = bad if fmt == "jsonl" else (json.dumps(bad) if not isinstance(bad, str) else bad)
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1"), rider(value), rider("R2")], fmt)  # type: ignore[arg-type]
    report = import_path(data, sqlite_settings)
    assert report.tables["riders"].inserted == 2
    assert report.tables["riders"].rejected == 1
    assert report.exit_code == 3
    stored = warehouse_rows(sqlite_settings, "SELECT rider_id FROM riders ORDER BY 1")
    assert [r[0] for r in stored] == ["R1", "R2"]
    (reject,) = read_rejects(report.rejects[0])
    assert int(reject["_row"]) == 2
    assert reject["_field"] == "rider_id"
    assert reason in reject["_error"]
    assert reject["_file"].endswith(f"riders.{fmt}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_ids_in_other_id_columns_are_rejected(
    tmp_path: Path, sqlite_settings: Settings, fmt: str
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], fmt)
    orders = [
        order("O1"),
        order("O2", merchant_id="M" * 101),
        order("O3", customer_id="C\x07"),
        order("O4", zone_id="Z\uff11"),
        order("O\x1b5"),
    ]
    write_table(data, "orders", orders, fmt)
    report = import_path(data, sqlite_settings)
    assert report.tables["orders"].inserted == 1
    assert report.exit_code == 3
    rejects = {int(r["_row"]): r["_field"] for r in read_rejects(report.rejects[0])}
    assert rejects == {2: "merchant_id", 3: "customer_id", 4: "zone_id", 5: "order_id"}


BAD_TIMESTAMPS = {
    "offset_25": ("2026-01-05T12:00:00+25:00", "UTC offset must be a real one"),
    "offset_99": ("2026-01-05T12:00:00+99:99", "UTC offset must be a real one"),
    "offset_minus_15": ("2026-01-05T12:00:00-1500", "UTC offset must be a real one"),
    "offset_61_minutes": ("2026-01-05T12:00:00+01:61", "UTC offset must be a real one"),
    "year_10000": ("10000-01-05T12:00:00+00:00", "year must be between 2000 and 2100"),
    "year_1999": ("1999-12-31T12:00:00+00:00", "year must be between 2000 and 2100"),
    "year_2101": ("2101-01-05T12:00:00Z", "year must be between 2000 and 2100"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", sorted(BAD_TIMESTAMPS))
def test_impossible_timestamp_is_a_rejected_row_not_a_wrong_instant(
    tmp_path: Path, sqlite_settings: Settings, fmt: str, case: str
) -> None:
    bad, reason = BAD_TIMESTAMPS[case]
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], fmt)
    orders = [order("O1"), order("O2", promised_at=bad), order("O3")]
    write_table(data, "orders", orders, fmt)
    report = import_path(data, sqlite_settings)
    assert report.tables["orders"].inserted == 2
    assert report.tables["orders"].rejected == 1
    assert report.exit_code == 3
    stored = warehouse_rows(sqlite_settings, "SELECT order_id FROM orders ORDER BY 1")
    assert [r[0] for r in stored] == ["O1", "O3"]
    (reject,) = read_rejects(report.rejects[0])
    assert int(reject["_row"]) == 2
    assert reject["_field"] == "promised_at"
    assert reason in reject["_error"]
    assert reject["_file"].endswith(f"orders.{fmt}")


@pytest.mark.parametrize("ts", ["2026-01-05T12:00:00+14:00", "2026-01-05T12:00:00-12:00"])
def test_extreme_real_offsets_are_accepted(
    tmp_path: Path, sqlite_settings: Settings, ts: str
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    row = order("O1")
    shifted = {k: v.replace("+04:00", ts[-6:]) for k, v in row.items() if k.endswith("_at") and v}
    write_table(data, "orders", [row | shifted])
    report = import_path(data, sqlite_settings)
    assert report.exit_code == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_timestamp_without_offset_blames_only_its_own_field(
    tmp_path: Path, sqlite_settings: Settings, fmt: str
) -> None:
    # Read as UTC, 12:00 would fall before the order's other times (written at +04:00
    # they are 08:00 UTC onwards); it has no instant, so no timeline check may use it.
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], fmt)
    write_table(data, "orders", [order("O1", created_at="2026-01-05T12:00:00")], fmt)
    report = import_path(data, sqlite_settings)
    (reject,) = read_rejects(report.rejects[0])
    assert reject["_field"] == "created_at"
    assert "created_at: timestamp has no UTC offset" in reject["_error"]


def test_parquet_bytes_that_are_not_utf8_are_a_rejected_row_not_escaped_text(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    # Some writers store text as plain binary; UTF-8 bytes are text, other bytes are not.
    data = tmp_path / "data"
    rows = [rider("R1"), rider("R2"), rider("R3")]
    columns = {n: pa.array([r[n] for r in rows], pa.string()) for n in rows[0]}
    columns["rider_id"] = pa.array([b"R1", b"R\xff2", b"R3"], pa.binary())
    columns["zone_id"] = pa.array([b"Z1", b"Z1", b"Z\xfe"], pa.binary())
    data.mkdir()
    pq.write_table(pa.table(columns), data / "riders.parquet")
    report = import_path(data, sqlite_settings)
    assert report.tables["riders"].inserted == 1
    assert report.tables["riders"].rejected == 2
    stored = warehouse_rows(sqlite_settings, "SELECT rider_id, zone_id FROM riders")
    assert stored == [("R1", "Z1")]
    rejects = {int(r["_row"]): r for r in read_rejects(report.rejects[0])}
    assert rejects[2]["_field"] == "rider_id" and "not valid UTF-8" in rejects[2]["_error"]
    assert rejects[3]["_field"] == "zone_id" and "not valid UTF-8" in rejects[3]["_error"]


def test_parquet_timestamps_stored_as_bytes_are_checked_as_text(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], "parquet")
    rows = [order("O1"), order("O2"), order("O3")]
    columns = {n: pa.array([r[n] for r in rows], pa.string()) for n in rows[0]}
    promised = [r["promised_at"] for r in rows]
    promised[1], promised[2] = "2026-01-05T12:40:00+25:00", "2026-01-05T12:40:00"
    columns["promised_at"] = pa.array([p.encode() for p in promised], pa.binary())
    pq.write_table(pa.table(columns), data / "orders.parquet")
    report = import_path(data, sqlite_settings)
    assert report.tables["orders"].inserted == 1
    rejects = {int(r["_row"]): r for r in read_rejects(report.rejects[0])}
    assert (
        rejects[2]["_field"] == "promised_at"
        and "UTC offset must be a real one" in (rejects[2]["_error"])
    )
    assert rejects[3]["_field"] == "promised_at" and "no UTC offset" in rejects[3]["_error"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"rider_id": "R3", "rider_id": "R4"}', 'line 2 has the key "rider_id" twice'),
        ('{"rider_id": "R3", "": "x"}', "line 2 has an empty key"),
    ],
)
def test_json_line_whose_keys_cannot_be_columns_refuses_the_file_and_says_why(
    tmp_path: Path, sqlite_settings: Settings, line: str, reason: str
) -> None:
    path = write_table(tmp_path / "data", "riders", [rider("R1")], "jsonl")
    path.write_text(path.read_text() + line + "\n")
    report = import_path(tmp_path / "data", sqlite_settings)
    assert report.exit_code == 1
    (error,) = report.file_errors
    assert f"riders.jsonl: cannot be read as jsonl: {reason}" in error.message


def test_csv_value_that_is_not_utf8_is_a_rejected_row_naming_its_field(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    path = write_table(data, "orders", [order("O1"), order("O2"), order("O3")])
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Dubai", b"Dub\xffai")
    path.write_bytes(b"\n".join(lines))
    report = import_path(data, sqlite_settings)
    assert report.tables["orders"].inserted == 2
    (reject,) = read_rejects(report.rejects[0])
    assert int(reject["_row"]) == 2
    assert reject["_field"] == "city"
    assert reject["_error"].startswith("city: the value is not valid UTF-8 text")
    assert report.errors_by_field["orders"] == {"city": 1}
