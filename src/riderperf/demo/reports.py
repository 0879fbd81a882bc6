"""Writes the demo's supervision reports, of the last week and of the month, as HTML and PDF."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from riderperf.common.periods import Period
from riderperf.config import Settings
from riderperf.demo.progress import Phases
from riderperf.reports.data import gather_report
from riderperf.reports.render import write_report
from riderperf.stores import open_stores

FORMS: tuple[Literal["html", "pdf"], ...] = ("html", "pdf")


def write_reports(
    settings: Settings, periods: list[Period], at: datetime, phases: Phases
) -> list[Path]:
    written = []
    labels = " and ".join(p.label for p in periods)
    total = len(periods) * len(FORMS)
    with (
        phases.phase(f"supervision reports of {labels}", total) as step,
        open_stores(settings) as stores,
    ):
        for period in periods:
            data = gather_report(stores, period, at=at)
            for form in FORMS:
                out = settings.home / "reports" / f"supervision-{period.label}.{form}"
                write_report(data, form, out)
                written.append(out)
                step()
    return written
