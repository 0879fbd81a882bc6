"""CLI of decisions: `riderperf decide` and `riderperf decisions list|approve|reject|show|ledger`.

The names and the `--json` shapes are a contract users script against.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from riderperf.clock import system_clock
from riderperf.common.periods import parse_period
from riderperf.config import load_settings
from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.ledger import ledger_for, points_balance
from riderperf.decisions.model import STATUSES
from riderperf.decisions.records import (
    DecisionError,
    decision_as_dict,
    get_decision,
    list_decisions,
)
from riderperf.policy.parameters import PolicyError
from riderperf.storage.db import app_database, unit_of_work
from riderperf.users.service import PermissionDenied
from riderperf.workflows.periods import decide_period_with_violations

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
decisions_app = typer.Typer(
    no_args_is_help=True,
    help="Rewards and penalties: list them, approve or reject restrictions, see a ledger.",
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ByOpt = Annotated[str, typer.Option("--by", help="Your user name (ops_manager or admin).")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why, in words the rider can be shown.")]
VersionOpt = Annotated[
    int | None,
    typer.Option("--expected-version", help="Refuse if the decision changed since."),
]
USER_ERRORS = (DecisionError, PermissionDenied, PolicyError, LookupError, ValueError)


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(1)


@contextmanager
def _session() -> Iterator[Session]:
    """A unit of work on the app database; a user's mistake exits 1 with its message."""
    try:
        url = load_settings().app_database_url
        with app_database(url) as engine, unit_of_work(engine) as session:
            yield session
    except USER_ERRORS as exc:
        raise fail(str(exc)) from exc


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def decide_command(
    period: Annotated[str, typer.Option("--period", help="2026-W45, 2026-11, 2026-Q4 …")],
    policy_version: Annotated[
        str | None,
        typer.Option("--policy-version", help="Decide from the evaluation under this version."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide rewards and penalties from a period's evaluation (restrictions are proposed)."""
    try:
        chosen = parse_period(period)
        settings = load_settings()
        result = decide_period_with_violations(
            settings, chosen, at=system_clock(), policy_version=policy_version
        )
    except USER_ERRORS as exc:
        raise fail(str(exc)) from exc
    summary = result.summary()
    if as_json:
        _echo_json(summary)
        return
    out.print(
        f"decided {result.period} from evaluation {result.evaluation_id} under policy "
        f"{result.policy_version}: {summary['created']:,} new decisions for "
        f"{result.riders:,} riders ({summary['already_decided']:,} already decided)"
    )
    table = Table("kind", "new")
    for kind, n in summary["by_kind"].items():
        table.add_row(kind, f"{n:,}")
    out.print(table)
    if summary["proposed"]:
        out.print(
            f"{summary['proposed']:,} restrictions await a person's review: "
            "`riderperf decisions list --status proposed`"
        )


@decisions_app.command("list")
def list_command(
    rider: Annotated[str | None, typer.Option("--rider", help="Only this rider.")] = None,
    status: Annotated[str | None, typer.Option("--status", help=", ".join(STATUSES))] = None,
    as_json: JsonOpt = False,
) -> None:
    """Decisions, oldest first."""
    if status is not None and status not in STATUSES:
        raise fail(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    with _session() as session:
        found = [
            decision_as_dict(d) for d in list_decisions(session, rider_id=rider, status=status)
        ]
    if as_json:
        _echo_json(found)
        return
    table = Table("id", "rider", "kind", "status", "period", "rule", "offence")
    for d in found:
        table.add_row(
            d["decision_id"],
            d["rider_id"],
            d["kind"],
            d["status"],
            d["period"],
            d["rule_id"],
            d["offence"] or "-",
        )
    out.print(table)
    out.print(f"{len(found):,} decisions")


@decisions_app.command("approve")
def approve_command(
    decision_id: Annotated[str, typer.Argument(help="The proposed restriction's id.")],
    by: ByOpt,
    reason: ReasonOpt,
    expected_version: VersionOpt = None,
) -> None:
    """Put a proposed restriction in effect (ops_manager or admin, with a reason)."""
    with _session() as session:
        decision = approve_decision(
            session,
            decision_id,
            by=by,
            reason=reason,
            at=system_clock(),
            expected_version=expected_version,
        )
        until = decision.effective_until
        text = f"{decision.kind} of rider {decision.rider_id} is in effect"
        text += f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
    out.print(f"{text}; the rider may appeal until {decision.appeal_deadline}")


@decisions_app.command("reject")
def reject_command(
    decision_id: Annotated[str, typer.Argument(help="The proposed restriction's id.")],
    by: ByOpt,
    reason: ReasonOpt,
    expected_version: VersionOpt = None,
) -> None:
    """Refuse a proposed restriction (ops_manager or admin, with a reason)."""
    with _session() as session:
        decision = reject_decision(
            session,
            decision_id,
            by=by,
            reason=reason,
            at=system_clock(),
            expected_version=expected_version,
        )
    out.print(f"{decision.kind} of rider {decision.rider_id} rejected; the rider is told")


@decisions_app.command("show")
def show_command(
    decision_id: Annotated[str, typer.Argument(help="Decision id.")], as_json: JsonOpt = False
) -> None:
    """One decision: why, with which inputs and policy, and its timeline."""
    from riderperf.audit.log import events_for

    with _session() as session:
        shown = decision_as_dict(get_decision(session, decision_id))
        shown["timeline"] = [
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "details": e.details}
            for e in events_for(session, "decision", decision_id)
        ]
    if as_json:
        _echo_json(shown)
        return
    out.print(
        f"[bold]{shown['decision_id']}[/] · {shown['kind']} · {shown['status']} · rider "
        f"{shown['rider_id']} · {shown['period']} · rule {shown['rule_id']} · policy "
        f"{shown['policy_version']}"
    )
    for key in ("offence", "appeal_deadline", "effective_from", "effective_until", "approved_by"):
        if shown[key]:
            out.print(f"{key}: {shown[key]}")
    out.print(f"numbers: {escape(json.dumps(shown['reason_params'], default=str))}")
    for event in shown["timeline"]:
        out.print(f"• {event['at']} {event['actor']}: {event['action']}")


@decisions_app.command("ledger")
def ledger_command(
    rider: Annotated[str, typer.Argument(help="rider_id")], as_json: JsonOpt = False
) -> None:
    """A rider's points ledger and active balance today."""
    now = system_clock()
    with _session() as session:
        entries: list[dict[str, Any]] = [
            {
                "decision_id": e.decision_id,
                "points": e.points,
                "effective_on": e.effective_on.isoformat(),
                "expires_on": e.expires_on.isoformat(),
                "active": e.effective_on <= now.date() < e.expires_on,
            }
            for e in ledger_for(session, rider)
        ]
        balance = points_balance(session, rider, now)
    if as_json:
        _echo_json({"rider_id": rider, "balance": balance, "entries": entries})
        return
    table = Table("decision", "points", "from", "expires", "active")
    for e in entries:
        table.add_row(
            e["decision_id"],
            f"{e['points']:+d}",
            e["effective_on"],
            e["expires_on"],
            "yes" if e["active"] else "no",
        )
    out.print(table)
    out.print(f"rider {rider}: {balance} active points")


@decisions_app.command("overturn-rates")
def overturn_rates_command(as_json: JsonOpt = False) -> None:
    """Per rule: penalties decided and the share overturned on appeal (a rule that is often
    overturned is a bad rule)."""
    from riderperf.decisions.stats import overturn_rates

    with _session() as session:
        rows = overturn_rates(session)
    if as_json:
        _echo_json(rows)
        return
    table = Table("rule", "decisions", "overturned", "partly", "rate")
    for r in sorted(rows, key=lambda r: -r["rate"]):
        table.add_row(
            r["rule_id"],
            str(r["decisions"]),
            str(r["overturned"]),
            str(r["partially_overturned"]),
            f"{r['rate']:.1%}",
        )
    out.print(table)
