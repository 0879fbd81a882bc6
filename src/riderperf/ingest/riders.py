"""Keeps the app database's rider registry in step with the riders in the warehouse."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select

from riderperf.storage.db import unit_of_work
from riderperf.storage.models import Rider
from riderperf.warehouse.connection import Warehouse

_COLUMNS = (
    "rider_id",
    "capacity_type",
    "fleet_id",
    "city",
    "zone_id",
    "vehicle",
    "joined_on",
    "language",
    "status",
)
_BATCH = 5_000


def register_new_riders(warehouse: Warehouse, engine: Engine, now: datetime) -> int:
    """Adds every warehouse rider the app database does not know yet; returns how many.

    Only missing riders are added: a rider's status is the app's to change (suspensions,
    reinstatements), so a later import never overwrites it. Running this again after a
    crash finishes the job, so the two stores converge.
    """
    import pyarrow as pa  # imports only; the web server imports this module at start

    with engine.connect() as con:
        known = [r for (r,) in con.execute(select(Rider.rider_id))]
    known_ids = pa.table({"rider_id": pa.array(known, pa.string())})
    warehouse.con.register("_known_riders", known_ids)
    try:
        cols = ", ".join(_COLUMNS)
        new = warehouse.con.execute(
            f"SELECT {cols} FROM riders WHERE rider_id NOT IN (SELECT rider_id FROM _known_riders)"
            " ORDER BY rider_id"
        ).fetchall()
    finally:
        warehouse.con.unregister("_known_riders")
    rows = [dict(zip(_COLUMNS, r, strict=True)) | {"registered_at": now} for r in new]
    with unit_of_work(engine) as session:
        for start in range(0, len(rows), _BATCH):
            session.execute(insert(Rider), rows[start : start + _BATCH])
    return len(rows)
