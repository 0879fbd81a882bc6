"""`riderperf inspections corrective notify-overdue`: tell riders their fix is overdue."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from riderperf.clock import system_clock
from riderperf.config import load_settings
from riderperf.inspections.corrective import notify_overdue
from riderperf.storage.db import app_database, unit_of_work


def notify_overdue_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the count as JSON.")] = False,
) -> None:
    """Notify riders whose corrective action is overdue (once per action; run it daily)."""
    at = system_clock()
    url = load_settings().app_database_url
    with app_database(url) as engine, unit_of_work(engine) as session:
        sent = notify_overdue(session, at.date(), at)
    if as_json:
        typer.echo(json.dumps({"notified": sent, "on": at.date().isoformat()}))
    else:
        typer.echo(f"{sent} overdue notice(s) sent")
