"""Hand-made canonical rows for tests: a few riders and orders, valid unless a test breaks them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from riderperf.common.canonical import TABLES_BY_NAME

Row = dict[str, Any]


def rider(rider_id: str, **changes: Any) -> Row:
    row: Row = {
        "rider_id": rider_id,
        "capacity_type": "full_time",
        "fleet_id": None,
        "city": "Dubai",
        "zone_id": "Z1",
        "vehicle": "motorbike",
        "joined_on": "2025-03-01",
        "language": "ar",
        "status": "active",
    }
    return row | changes


def order(order_id: str, rider_id: str | None = "R1", **changes: Any) -> Row:
    row: Row = {
        "order_id": order_id,
        "rider_id": rider_id,
        "city": "Dubai",
        "zone_id": "Z1",
        "merchant_id": "M1",
        "customer_id": "C1",
        "created_at": "2026-01-05T12:00:00+04:00",
        "accepted_at": "2026-01-05T12:01:00+04:00",
        "arrived_store_at": "2026-01-05T12:10:00+04:00",
        "merchant_ready_at": "2026-01-05T12:11:00+04:00",
        "picked_up_at": "2026-01-05T12:12:00+04:00",
        "arrived_customer_at": "2026-01-05T12:30:00+04:00",
        "delivered_at": "2026-01-05T12:31:00+04:00",
        "promised_at": "2026-01-05T12:40:00+04:00",
        "status": "delivered",
        "cancelled_at": None,
        "cancel_initiator": None,
        "cancel_reason": None,
        "distance_km": "3.5",
        "weather": "clear",
    }
    return row | changes


def write_table(folder: Path, table: str, rows: list[Row], fmt: str = "csv") -> Path:
    """Writes rows as text values (as a CSV exporter would) in the given format."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(TABLES_BY_NAME[table].column_names)
    names = list(dict.fromkeys(names + [k for r in rows for k in r]))
    path = folder / f"{table}.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps({n: r.get(n) for n in names}) + "\n" for r in rows))
        return path
    columns = {n: pa.array([_text(r.get(n)) for r in rows], pa.string()) for n in names}
    data = pa.table(columns)
    if fmt == "csv":
        pacsv.write_csv(data, path)
    else:
        pq.write_table(data, path)
    return path


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
