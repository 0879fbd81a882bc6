"""CLI of the audit log: `riderperf audit verify` and `riderperf audit show`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from riderperf.audit.timeline import rider_timeline, subject_timeline
from riderperf.audit.verify import verify_chain
from riderperf.config import load_settings
from riderperf.storage.db import app_database

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
audit_app = typer.Typer(no_args_is_help=True, help="The append-only, hash-chained audit log.")


@audit_app.command("verify")
def verify_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Recompute the whole hash chain; exit 1 naming every event that breaks it."""
    with app_database(load_settings().app_database_url) as engine:
        report = verify_chain(engine)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "ok": report.ok,
                    "events": report.events,
                    "broken_seq": report.broken_seq,
                    "broken_event_id": report.broken_event_id,
                    "problem": report.problem,
                    "breaks": [
                        {"seq": b.seq, "event_id": b.event_id, "problem": b.problem}
                        for b in report.breaks
                    ],
                    "unlisted": report.unlisted,
                }
            )
        )
    elif report.ok:
        out.print(f"audit log intact: {report.events} events verified")
    else:
        # Problems quote stored values an attacker chose: printed without rich markup.
        for found in report.breaks:
            err.print(found.problem, markup=False, highlight=False)
        if report.unlisted:
            err.print(f"… and {report.unlisted} more")
        err.print(
            f"[red]audit log broken:[/red] {report.break_count} problem(s) in "
            f"{report.events} events; the first: {escape(report.problem or '')}"
        )
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("show")
def show_command(
    subject: Annotated[
        str | None, typer.Option("--subject", help="TYPE:ID, e.g. case:1f2e… or decision:…")
    ] = None,
    rider: Annotated[str | None, typer.Option("--rider", help="Events about one rider.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the events as JSON.")] = False,
) -> None:
    """The timeline of one subject or one rider. Events someone tampered with into values
    the application never writes are shown as stored, with what is wrong (exit 1)."""
    if (subject is None) == (rider is None):
        err.print("give exactly one of --subject TYPE:ID or --rider ID")
        raise typer.Exit(2)
    kind, _, ident = (subject or "").partition(":")
    if subject is not None and not ident:
        err.print(f"--subject {subject!r}: write it as TYPE:ID", markup=False)
        raise typer.Exit(2)
    with app_database(load_settings().app_database_url) as engine:
        if subject is not None:
            entries = subject_timeline(engine, kind, ident)
        else:
            entries = rider_timeline(engine, str(rider))
    malformed = [e for e in entries if e.problem is not None]
    if as_json:
        out.print_json(json.dumps([e.as_dict() for e in entries]))
    else:
        for entry in entries:
            e = entry.values
            line = f"{e['seq']:>6}  {e['at']}  {e['actor']:<16} {e['action']:<28} {e['details']}"
            out.print(line, markup=False, highlight=False)
            if entry.problem is not None:
                out.print(f"        ^ malformed: {entry.problem}", markup=False, highlight=False)
    if malformed:
        err.print(
            f"[red]{len(malformed)} malformed event(s)[/red] in this timeline: the audit log "
            "was tampered with; run `riderperf audit verify`"
        )
        raise typer.Exit(1)
