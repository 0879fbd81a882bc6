"""Decides the order in which a whole city is drawn and written, day by day, from one seed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import canonical_table, constant, take
from riderperf.simulate.city import City, build_city
from riderperf.simulate.day import IdCounters, simulate_day
from riderperf.simulate.documents import draw_documents
from riderperf.simulate.incidents import incidents_table
from riderperf.simulate.params import SimulationParams
from riderperf.simulate.truth import ORDER_TRUTH_COLUMNS, rider_truth_table
from riderperf.simulate.write import DatasetWriter

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimulationSummary:
    """What was written: rows per canonical table and the dataset folder."""

    rows: dict[str, int]
    out: Path


def riders_table(city: City) -> pa.Table:
    r = city.riders
    start_day = (city.start - date(1970, 1, 1)).days
    languages = pa.array(r.languages)
    return canonical_table(
        schema.RIDERS,
        {
            "rider_id": city.rider_ids,
            "capacity_type": take(pa.array(schema.CAPACITY_TYPES), r.capacity),
            "fleet_id": take(city.fleet_ids, np.maximum(r.fleet, 0), r.fleet >= 0),
            "city": constant(city.params.city, r.count),
            "zone_id": take(city.zone_ids, r.zone),
            "vehicle": take(pa.array(schema.VEHICLES), r.vehicle),
            "joined_on": pa.array((start_day + r.join_day).astype(np.int32), type=pa.date32()),
            "language": take(languages, r.language),
            "status": take(pa.array(schema.RIDER_STATUSES), r.status),
        },
    )


def simulate_city(
    riders: int,
    days: int,
    seed: int,
    start: date,
    out: Path,
    fmt: str = "parquet",
    progress: Progress | None = None,
    params: SimulationParams | None = None,
) -> SimulationSummary:
    """Write a synthetic city to `out`: one file per canonical table plus truth/.

    `riders` riders work at the start; newcomers join during the `days`-day period that
    begins on local date `start`. The same arguments always give byte-identical files.
    """
    if riders < 1 or days < 1:
        raise ValueError("riders and days must be at least 1")
    params = params or SimulationParams()
    params.validate()
    out = Path(out)
    rng = np.random.Generator(np.random.PCG64(seed))
    city = build_city(riders, days, start, params, rng)
    ids = IdCounters()
    with DatasetWriter(out, fmt) as writer:
        writer.write("riders", riders_table(city))
        writer.write_truth("riders", rider_truth_table(city.rider_ids, city.riders))
        empty = pa.table({c: pa.array([], pa.string()) for c in ORDER_TRUTH_COLUMNS})
        writer.write_truth("orders", empty)
        documents, expired = draw_documents(city, rng)
        writer.write("documents", documents)
        for day in range(days):
            for output in simulate_day(city, day, rng, ids):
                for name, table in output.tables.items():
                    writer.write(name, table)
                writer.write_truth("orders", output.truth)
            if progress is not None:
                progress(day + 1, days)
        first = ids.claim("incidents", len(expired.rider))
        writer.write("incidents", incidents_table(city, expired, None, first, rng))
        rows = dict(writer.rows)
    return SimulationSummary(rows=rows, out=out)
