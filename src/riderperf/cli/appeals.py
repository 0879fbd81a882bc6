"""The `riderperf appeals` commands: submit, decide, list, move, respond and show cases.

The names and the `--json` shapes are a contract users script against.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from riderperf.cases.service import (
    appeal_terms_in_force,
    get_case,
    list_cases,
    lookup_subject,
    move_case,
    respond_to_case,
    submit_appeal,
)
from riderperf.cases.views import case_rows, case_view, full_case_view
from riderperf.clock import system_clock
from riderperf.config import Settings, load_settings
from riderperf.storage.db import app_database, unit_of_work
from riderperf.warehouse.connection import WarehouseError
from riderperf.workflows.appeals import decide_appeal

appeals_app = typer.Typer(
    no_args_is_help=True, help="Appeals: submit, review, decide and follow cases."
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Outcome(StrEnum):
    upheld = "upheld"
    overturned = "overturned"
    partially_overturned = "partially_overturned"


class MoveTo(StrEnum):
    triage = "triage"
    under_review = "under_review"
    waiting_on_rider = "waiting_on_rider"
    closed = "closed"


class SlaFilter(StrEnum):
    breached = "breached"
    at_risk = "at_risk"


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
EvidenceOpt = Annotated[
    list[Path] | None,
    typer.Option("--evidence", help="A file to attach (repeat for several).", show_default=False),
]


def _fail(message: str) -> typer.Exit:
    err.print(Text("error: ", style="red"), Text(message), sep="")
    return typer.Exit(1)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@contextmanager
def _app_database(settings: Settings) -> Iterator[Engine]:
    settings.home.mkdir(parents=True, exist_ok=True)
    try:
        with app_database(settings.app_database_url) as engine:
            yield engine
    except (ValueError, LookupError, WarehouseError) as exc:
        # CaseError, PermissionDenied, DecisionNotFound and policy errors all say what to do.
        raise _fail(str(exc)) from exc


@appeals_app.command("submit")
def submit_command(
    subject_id: Annotated[
        str, typer.Argument(help="A decision id, a violation id, or a judged event id.")
    ],
    rider: Annotated[str, typer.Option("--rider", help="The rider appealing.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, in the rider's words.")],
    evidence: EvidenceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Appeal a decision or a judgment (once, within its window), with evidence files."""
    settings, at = load_settings(), system_clock()
    with _app_database(settings) as engine:
        terms = appeal_terms_in_force(engine, at)
        subject = lookup_subject(engine, settings.warehouse_path, subject_id, terms)
        with unit_of_work(engine) as session:
            case = submit_appeal(
                session,
                subject,
                rider_id=rider,
                statement=reason,
                terms=terms,
                at=at,
                home=settings.home,
                evidence=evidence or [],
            )
            view = full_case_view(session, case, at)
    if as_json:
        _echo_json(view)
        return
    out.print(
        Text(
            f"case {view['case_id']} opened for {view['subject_type']} {view['subject_id']} "
            f"({len(view['evidence'])} evidence file(s)); decision due by "
            f"{_moment(view['sla']['resolution_due'])}"
        )
    )


@appeals_app.command("decide")
def decide_command(
    case_id: Annotated[str, typer.Argument(help="The case to decide.")],
    outcome: Annotated[Outcome, typer.Option("--outcome", help="The decision on the appeal.")],
    by: Annotated[str, typer.Option("--by", help="Reviewer (reviewer, ops_manager or admin).")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the rider to read.")],
    expected_version: Annotated[
        int | None, typer.Option("--expected-version", help="Refuse if the case changed since.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide an appeal; an overturn repairs the decision or the judgment at once."""
    settings, at = load_settings(), system_clock()
    with _app_database(settings) as engine, unit_of_work(engine) as session:
        decided = decide_appeal(
            session,
            settings,
            case_id,
            outcome=outcome.value,
            by=by,
            reason=reason,
            at=at,
            expected_version=expected_version,
        )
    result, repair = decided.decision, decided.repair
    if as_json:
        _echo_json(decided.as_dict())
        return
    out.print(Text(f"case {result.case_id} decided: {result.outcome} by {result.decided_by}"))
    for change in repair.changes if repair else []:
        out.print(
            Text(
                f"{change.period}: score {change.old_score} → {change.new_score}, "
                f"tier {change.old_tier} → {change.new_tier}"
            )
        )
    if decided.skipped_because:
        err.print(
            Text(
                f"warning: the re-evaluation did not run ({decided.skipped_because}); the "
                "decision stands: run `riderperf evaluate` for the affected periods"
            )
        )
    if result.compensating_decisions:
        out.print(Text("compensating decisions: " + ", ".join(result.compensating_decisions)))


@appeals_app.command("list")
def list_command(
    sla: Annotated[
        SlaFilter | None, typer.Option("--sla", help="Only cases with a clock in this state.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only cases in this state.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cases, most urgent first (breached, at risk, then by due time)."""
    settings, at = load_settings(), system_clock()
    with _app_database(settings) as engine, unit_of_work(engine) as session:
        standings = list_cases(
            session, sla=None if sla is None else sla.value, status=status, at=at
        )
        views = [case_view(s.case, at, s.sla) for s in standings]
    if as_json:
        _echo_json(views)
        return
    if not views:
        out.print("No case matches.")
        return
    table = Table(title=f"appeal cases at {at:%Y-%m-%d %H:%M} UTC")
    for column in ("case", "rider", "subject", "status", "first response", "resolution", "due"):
        table.add_column(column, overflow="fold")
    for row in case_rows(views):
        table.add_row(*(Text(cell) for cell in row))
    out.print(table)


@appeals_app.command("move")
def move_command(
    case_id: Annotated[str, typer.Argument(help="The case to move.")],
    to: Annotated[MoveTo, typer.Option("--to", help="The new state.")],
    by: Annotated[str, typer.Option("--by", help="Reviewer (reviewer, ops_manager or admin).")],
    note: Annotated[
        str | None, typer.Option("--note", help="A note; the question when asking the rider.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a case: triage, under review, ask the rider (waiting_on_rider), close."""
    settings, at = load_settings(), system_clock()
    with _app_database(settings) as engine, unit_of_work(engine) as session:
        case = move_case(session, case_id, to.value, by=by, at=at, note=note)
        view = case_view(case, at)
    if as_json:
        _echo_json(view)
        return
    out.print(Text(f"case {case_id} is now {view['status']} (version {view['version']})"))


@appeals_app.command("respond")
def respond_command(
    case_id: Annotated[str, typer.Argument(help="The case waiting on the rider.")],
    rider: Annotated[str, typer.Option("--rider", help="The rider answering.")],
    text: Annotated[str, typer.Option("--text", help="The answer.")],
    evidence: EvidenceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The rider answers the reviewer's question; the case goes back under review."""
    settings, at = load_settings(), system_clock()
    with _app_database(settings) as engine:
        terms = appeal_terms_in_force(engine, at)
        with unit_of_work(engine) as session:
            case = respond_to_case(
                session,
                case_id,
                rider_id=rider,
                text=text,
                terms=terms,
                at=at,
                home=settings.home,
                evidence=evidence or [],
            )
            view = full_case_view(session, case, at)
    if as_json:
        _echo_json(view)
        return
    out.print(Text(f"answer recorded; case {case_id} is {view['status']} again"))


@appeals_app.command("show")
def show_command(
    case_id: Annotated[str, typer.Argument(help="The case to show.")],
    as_json: JsonOpt = False,
) -> None:
    """A case with its clocks, evidence and timeline (from the audit log)."""
    settings, at = load_settings(), system_clock()
    with _app_database(settings) as engine, unit_of_work(engine) as session:
        view = full_case_view(session, get_case(session, case_id), at)
    if as_json:
        _echo_json(view)
        return
    sla = view["sla"]
    out.print(Text(f"case {view['case_id']} — {view['subject_type']} {view['subject_id']}"))
    out.print(Text(f"rider {view['rider_id']}, {view['status']} (version {view['version']})"))
    out.print(Text(f"appeal: {view['statement']}"))
    out.print(
        Text(
            f"first response {sla['first_response']} (due {_moment(sla['first_response_due'])}), "
            f"resolution {sla['resolution']} (due {_moment(sla['resolution_due'])})"
            + (", paused: waiting on the rider" if sla["paused"] else "")
        )
    )
    if view["outcome"]:
        out.print(Text(f"outcome {view['outcome']} by {view['decided_by']}: "))
        out.print(Text(str(view["decision_reason"])))
    for item in view["evidence"]:
        out.print(
            Text(f"evidence {item['filename']} ({item['size_bytes']} bytes, {item['sha256'][:12]})")
        )
    table = Table(title="timeline")
    for column in ("at", "who", "what", "details"):
        table.add_column(column, overflow="fold")
    for event in view["timeline"]:
        details = ", ".join(f"{k}: {v}" for k, v in event["details"].items())
        table.add_row(_moment(event["at"]), Text(event["actor"]), event["action"], Text(details))
    out.print(table)


def _moment(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
