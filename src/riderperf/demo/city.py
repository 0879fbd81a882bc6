"""Simulates the demo city on the days the timeline gives it and imports it into the stores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from riderperf.clock import fixed_clock
from riderperf.config import Settings
from riderperf.demo.progress import Phases
from riderperf.demo.timeline import Timeline
from riderperf.ingest.report import ImportReport
from riderperf.ingest.service import import_path
from riderperf.warehouse.connection import open_warehouse
from riderperf.warehouse.summary import WarehouseSummary, summarise


@dataclass(frozen=True)
class DemoSettings:
    riders: int = 3000
    days: int = 28
    seed: int = 7


class DemoHomeInUse(ValueError):
    """The data directory holds the demo city of another week."""


@dataclass(frozen=True)
class DemoCity:
    path: Path
    report: ImportReport
    summary: WarehouseSummary


def build_city(
    settings: Settings, demo: DemoSettings, timeline: Timeline, phases: Phases
) -> DemoCity:
    """Writes the city (named by its size, seed and first day, so a later run in the same
    week reuses nothing stale) and imports it."""
    from riderperf.simulate import simulate_city

    start = timeline.city_start
    name = f"city-{demo.riders}x{demo.days}-seed{demo.seed}-from{start:%Y-%m-%d}"
    path = (settings.home / "demo" / name).resolve()
    others = sorted(p.name for p in path.parent.glob("city-*") if p.name != name)
    if others:
        # Riders and orders of two cities share ids: importing both would conflict.
        raise DemoHomeInUse(
            f"{settings.home} holds the demo city {others[0]}, of another week or size; the "
            f"demo tells its story up to last Sunday, so it needs a city of its own: remove "
            f"{settings.home} or set RIDERPERF_HOME to a new folder, and run it again"
        )
    label = f"simulate {demo.riders:,} riders × {demo.days} days from {start}"
    with phases.phase(label, total=demo.days) as step:
        simulate_city(
            riders=demo.riders,
            days=demo.days,
            seed=demo.seed,
            start=start,
            out=path,
            progress=lambda done, total: step(completed=done, total=total),
        )
    with phases.phase("import into the warehouse", counted=True) as step:
        report = import_path(
            path,
            settings,
            # stamped before the first evaluation that reads it
            clock=fixed_clock(timeline.at(timeline.weeks[0].end, 5)),
            progress=lambda done, total, what: step(
                completed=done, total=total, description=f"import: {what}"
            ),
        )
    with open_warehouse(settings.warehouse_path, read_only=True) as warehouse:
        summary = summarise(warehouse)
    return DemoCity(path, report, summary)
