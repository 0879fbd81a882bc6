"""The main job on embedded defaults: simulate a city, import it, show what is in the stores."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from riderperf.config import Settings
from riderperf.ingest.report import ImportReport
from riderperf.ingest.service import import_path
from riderperf.warehouse.connection import open_warehouse
from riderperf.warehouse.summary import WarehouseSummary, summarise


@dataclass(frozen=True)
class DemoSettings:
    riders: int = 3000
    days: int = 28
    seed: int = 7
    start: date = date(2026, 1, 5)


@dataclass(frozen=True)
class DemoResult:
    city: Path
    report: ImportReport
    summary: WarehouseSummary
    simulate_seconds: float
    import_seconds: float


def run_demo(settings: Settings, demo: DemoSettings = DemoSettings()) -> DemoResult:
    from riderperf.simulate import simulate_city

    city = (settings.home / "demo" / f"city-{demo.riders}x{demo.days}-seed{demo.seed}").resolve()
    t0 = time.perf_counter()
    simulate_city(riders=demo.riders, days=demo.days, seed=demo.seed, start=demo.start, out=city)
    t1 = time.perf_counter()
    report = import_path(city, settings)
    t2 = time.perf_counter()
    with open_warehouse(settings.warehouse_path, read_only=True) as warehouse:
        summary = summarise(warehouse)
    return DemoResult(city, report, summary, t1 - t0, t2 - t1)


def print_demo(result: DemoResult, settings: Settings, console: Console) -> None:
    s = result.summary
    table = Table(title="riderperf demo: the warehouse after import")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("inserted now", justify="right")
    table.add_column("rejected now", justify="right")
    for name, n in s.rows.items():
        counts = result.report.tables.get(name)
        inserted = f"{counts.inserted:,}" if counts else "-"
        rejected = f"{counts.rejected + counts.conflicts:,}" if counts else "-"
        table.add_row(name, f"{n:,}", inserted, rejected)
    console.print(table)
    console.print(
        f"orders {s.first_order:%Y-%m-%d} to {s.last_order:%Y-%m-%d}: "
        f"{s.delivered:,} delivered, {s.cancelled:,} cancelled, "
        f"{s.late:,} delivered late ({s.late_share:.1%})"
    )
    capacity = ", ".join(f"{k} {v:,}" for k, v in sorted(s.riders_by_capacity.items()))
    console.print(f"riders by capacity type: {capacity}")
    weather = ", ".join(f"{k} {v:,}" for k, v in sorted(s.orders_by_weather.items()))
    console.print(f"orders by weather: {weather}")
    console.print(
        f"simulated in {result.simulate_seconds:.1f} s, imported in {result.import_seconds:.1f} s"
    )
    console.print(f"dataset:      {result.city} (planted truth in {result.city / 'truth'})")
    console.print(f"warehouse:    {settings.warehouse_path}")
    console.print(f"app database: {settings.app_database_url}")
    for path in result.report.rejects:
        console.print(f"rejects:      {path}")
