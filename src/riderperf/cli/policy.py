"""The `riderperf policy` commands: validate, publish, list, show and diff policy versions."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from riderperf.config import load_settings
from riderperf.policy import default_policy_folder
from riderperf.policy.compare import diff_values, parameter_rows
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import PolicyError
from riderperf.policy.versions import (
    PolicyVersion,
    PolicyVersionError,
    get_version,
    list_versions,
)
from riderperf.workflows.policies import check_policy, publish_policy

policy_app = typer.Typer(
    no_args_is_help=True, help="Policy as code: validate, publish and inspect policy versions."
)

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DATE_FORMATS = ["%Y-%m-%d"]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
AtOption = Annotated[
    datetime | None, typer.Option("--at", formats=DATE_FORMATS, help="Date, YYYY-MM-DD.")
]


@contextmanager
def _app_database() -> Iterator[Engine]:
    """The app database of the current settings, brought to the newest schema."""
    from riderperf.storage.db import app_database

    with app_database(load_settings().app_database_url) as engine:
        yield engine


def _fail(message: str) -> typer.Exit:
    err_console.print(Text("error: ", style="red"), Text(message), sep="")
    return typer.Exit(1)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@policy_app.command("validate")
def validate_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="A policy folder (default: the policy bundled with riderperf)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a policy folder strictly; print OK with counts, or every problem (exit 1)."""
    folder = path or default_policy_folder()
    try:
        policy = load_policy(folder)
        check_policy(policy)
    except PolicyError as exc:
        if as_json:
            _echo_json({"folder": str(folder), "ok": False, "problems": exc.problems})
        else:
            for problem in exc.problems:
                err_console.print(Text("problem: ", style="red"), Text(problem), sep="")
            err_console.print(f"{len(exc.problems)} problem(s) in {folder}")
        raise typer.Exit(1) from exc
    counts = {
        "files": len(list(folder.glob("*.yaml"))),
        "parameters": len(policy.parameters),
        "dated_values": sum(len(p.values) for p in policy.parameters.values()),
    }
    if as_json:
        _echo_json(
            {"folder": str(folder), "ok": True, "fingerprint": policy.fingerprint()} | counts
        )
        return
    out_console.print(
        Text("OK ", style="green"),
        Text(
            f"{folder}: {counts['parameters']} parameters with {counts['dated_values']} "
            f"dated values in {_count(counts['files'], 'file')} "
            f"(fingerprint {policy.fingerprint()[:12]})"
        ),
        sep="",
    )


@policy_app.command("publish")
def publish_command(
    path: Annotated[Path, typer.Argument(help="The policy folder to publish.")],
    version: Annotated[str, typer.Option("--version", help="New version id, e.g. 2026.1.")],
    effective: Annotated[
        datetime,
        typer.Option(
            "--effective",
            formats=DATE_FORMATS,
            help="First day in force, YYYY-MM-DD; may be in the past (docs/policy.md, backdating).",
        ),
    ],
    by: Annotated[
        str | None, typer.Option("--by", help="Who publishes it (default: the OS user).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why this version exists.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Publish a policy folder as an immutable version (exit 1 with the reason if refused)."""
    with _app_database() as engine:
        try:
            published = publish_policy(
                engine, path, version, effective.date(), by or _os_user(), note
            )
        except PolicyError as exc:
            raise _fail(f"policy version {version} not published:\n" + str(exc)) from exc
        except PolicyVersionError as exc:
            raise _fail(str(exc)) from exc
    if as_json:
        _echo_json(published.summary())
        return
    out_console.print(
        Text(
            f"policy version {published.version} effective from {published.effective_from} "
            f"(fingerprint {published.fingerprint[:12]}, published "
            f"{_moment(published.published_at)} by {published.published_by})"
        )
    )


@policy_app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """Published versions, newest effective date first."""
    with _app_database() as engine:
        versions = list_versions(engine)
    if as_json:
        _echo_json([v.summary() for v in versions])
        return
    if not versions:
        out_console.print(
            "No policy version is published yet: `riderperf policy publish` publishes one "
            "(evaluating publishes the bundled default)."
        )
        return
    table = Table(title="policy versions")
    for column in ("version", "effective from", "fingerprint", "published", "by", "note"):
        table.add_column(column, overflow="fold")
    for v in versions:
        table.add_row(
            Text(v.version),
            v.effective_from.isoformat(),
            v.fingerprint[:12],
            _moment(v.published_at),
            Text(v.published_by),
            Text(v.note),
        )
    out_console.print(table)


@policy_app.command("show")
def show_command(
    version: Annotated[str, typer.Argument(help="A published version id.")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every parameter of a version with its value, unit and reference in force at a date.

    The date defaults to the version's effective date.
    """
    with _app_database() as engine:
        found = _get(engine, version)
    when = at.date() if at else found.effective_from
    rows = parameter_rows(found.policy, when)
    if as_json:
        _echo_json(found.summary() | {"at": when.isoformat(), "parameters": rows})
        return
    table = Table(title=f"policy {found.version} at {when}")
    for column in ("parameter", "value", "unit", "since", "reference"):
        table.add_column(column, overflow="fold")  # a cut-off parameter path is useless
    for path, row in rows.items():
        table.add_row(
            Text(path),
            Text(_shown(row["value"])),
            Text(row["unit"] or ""),
            row["since"] or "",
            Text(row["reference"]),
        )
    out_console.print(table)


@policy_app.command("diff")
def diff_command(
    a: Annotated[str, typer.Argument(help="The baseline version id.")],
    b: Annotated[str, typer.Argument(help="The version compared with it.")],
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at",
            formats=DATE_FORMATS,
            help="Date, YYYY-MM-DD (default: the later of the two effective dates).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Parameters whose values in force at a date differ between two versions."""
    with _app_database() as engine:
        first, second = _get(engine, a), _get(engine, b)
    when = at.date() if at else max(first.effective_from, second.effective_from)
    differences = diff_values(first.policy, second.policy, when)
    if as_json:
        _echo_json({"a": a, "b": b, "at": when.isoformat(), "differences": differences})
        return
    if not differences:
        out_console.print(Text(f"{a} and {b} have the same values on {when}."))
        return
    table = Table(title=f"{a} → {b} on {when}")
    for column in ("parameter", a, b, "unit"):
        table.add_column(column, overflow="fold")
    for d in differences:
        table.add_row(
            Text(d["parameter"]), Text(_shown(d["a"])), Text(_shown(d["b"])), d["unit"] or ""
        )
    out_console.print(table)


def _get(engine: Engine, version: str) -> PolicyVersion:
    try:
        return get_version(engine, version)
    except PolicyVersionError as exc:
        raise _fail(str(exc)) from exc


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _moment(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _shown(value: Any) -> str:
    return "—" if value is None else json.dumps(value, ensure_ascii=False)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
