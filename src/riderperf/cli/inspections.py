"""The `riderperf inspections` commands: checklist templates, recording, listing, corrective
actions (the sampling plan commands are added to `inspections_app` beside these)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from riderperf.clock import system_clock
from riderperf.config import load_settings
from riderperf.inspections.checklists import ChecklistError
from riderperf.inspections.corrective import corrective_actions, overdue_actions
from riderperf.inspections.history import Inspection, inspections_between
from riderperf.inspections.photos import photo_folder
from riderperf.inspections.records import record_inspection
from riderperf.inspections.results_file import (
    parse_moment,
    parse_photo_options,
    parse_place,
    read_results_file,
)
from riderperf.inspections.template_store import (
    TemplateVersion,
    get_template,
    list_templates,
    parse_template_ref,
)
from riderperf.inspections.templates import (
    archive_template,
    ensure_default_template,
    publish_template_file,
)

inspections_app = typer.Typer(
    no_args_is_help=True, help="On-site inspections: checklists, records, corrective actions."
)
templates_app = typer.Typer(no_args_is_help=True, help="Checklist templates and their versions.")
corrective_app = typer.Typer(no_args_is_help=True, help="Corrective actions after failed items.")
inspections_app.add_typer(templates_app, name="templates")
inspections_app.add_typer(corrective_app, name="corrective")

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ByOption = Annotated[str, typer.Option("--by", help="Your user name (ops_manager or admin).")]


@contextmanager
def _session() -> Iterator[Session]:
    """A unit of work on the app database; a user-caused error ends the command with exit 1."""
    from riderperf.storage.db import make_engine, unit_of_work, upgrade

    engine = make_engine(load_settings().app_database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as session:
            yield session
    except ChecklistError as exc:
        for problem in exc.problems:
            err_console.print(Text("problem: ", style="red"), Text(problem), sep="")
        raise typer.Exit(1) from exc
    except ValueError as exc:  # PermissionDenied, TemplateError, InspectionError
        err_console.print(Text("error: ", style="red"), Text(str(exc)), sep="")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@templates_app.command("list")
def templates_list(as_json: JsonOption = False) -> None:
    """Every stored template version with its status."""
    with _session() as session:
        versions = list_templates(session)
    if as_json:
        _echo_json([v.summary() for v in versions])
        return
    table = Table(title="checklist templates")
    for column in ("template", "status", "name", "items", "published", "by"):
        table.add_column(column, overflow="fold")
    for v in versions:
        published = f"{v.published_at:%Y-%m-%d %H:%M}" if v.published_at else ""
        row = (v.ref, v.status, v.name, str(len(v.checklist.items)), published, v.published_by)
        table.add_row(*(Text(cell or "") for cell in row))
    out_console.print(table if versions else "No checklist template is stored yet.")


@templates_app.command("show")
def templates_show(
    ref: Annotated[str, typer.Argument(help="rider-standard (in force) or rider-standard@2.")],
    as_json: JsonOption = False,
) -> None:
    """The items of a template version: kind, what passes, weight, severity, KPI."""
    with _session() as session:
        version = get_template(session, *parse_template_ref(ref))
    if as_json:
        _echo_json(version.summary() | {"checklist": version.content})
        return
    table = Table(title=f"{version.ref} ({version.status}): {version.name}")
    for column in ("item", "kind", "label", "passes when", "weight", "severity", "kpi"):
        table.add_column(column, overflow="fold")
    for item in version.checklist.items:
        passes = {
            "pass_fail": "pass",
            "number": f"{item.minimum if item.minimum is not None else '…'} to "
            f"{item.maximum if item.maximum is not None else '…'} {item.unit or ''}",
            "choice": ", ".join(item.passing),
        }.get(item.kind, "(evidence)")
        optional = "" if item.required else " (optional)"
        cells = (item.code + optional, item.kind, item.label, passes, f"{item.weight:g}")
        table.add_row(*(Text(c) for c in cells), item.severity or "", item.kpi or "")
    out_console.print(table)


@templates_app.command("publish")
def templates_publish(
    path: Annotated[Path, typer.Argument(help="A checklist template YAML file.")],
    by: ByOption,
    as_json: JsonOption = False,
) -> None:
    """Publish a template file as the next version of its id (the previous one is archived)."""
    with _session() as session:
        version = publish_template_file(session, path, by=by, at=system_clock())
    _report_template(version, as_json)


@templates_app.command("archive")
def templates_archive(
    ref: Annotated[str, typer.Argument(help="rider-standard (in force) or rider-standard@2.")],
    by: ByOption,
    as_json: JsonOption = False,
) -> None:
    """Archive a published version: no new inspection may be recorded against it."""
    with _session() as session:
        template_id, number = parse_template_ref(ref)
        number = number or get_template(session, template_id).version
        version = archive_template(session, template_id, number, by=by, at=system_clock())
    _report_template(version, as_json)


@inspections_app.command("record")
def record_command(
    rider: Annotated[str, typer.Option("--rider", help="The rider inspected.")],
    inspector: Annotated[str, typer.Option("--inspector", help="Your user name.")],
    results: Annotated[Path, typer.Option("--results", help="Results file, JSON or YAML.")],
    photo: Annotated[
        list[str] | None, typer.Option("--photo", help="item=path, repeatable.")
    ] = None,
    template: Annotated[
        str | None, typer.Option("--template", help="Template (default rider-standard).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="When, ISO 8601 with offset (default now).")
    ] = None,
    place: Annotated[str | None, typer.Option("--place", help="Text or 'lat,lon'.")] = None,
    reinspection_of: Annotated[
        str | None, typer.Option("--reinspection-of", help="The inspection re-checked.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record an inspection from a results file (format: docs/inspections.md)."""
    now = system_clock()
    with _session() as session:
        when = parse_moment(at, "--at") if at else now
        sheet = read_results_file(results)
        photos = dict(sheet.photos) | parse_photo_options(photo or [])
        problems: list[str] = []
        where = parse_place(place, "--place", problems) if place else sheet.place
        if problems:
            raise ChecklistError(problems)
        template_id, version = parse_template_ref(template) if template else (None, None)
        if template is None and (reinspection_of or sheet.reinspection_of) is None:
            ensure_default_template(session, now)
        inspection = record_inspection(
            session,
            rider_id=rider,
            inspector=inspector,
            at=when,
            results=sheet.results,
            template_id=template_id,
            template_version=version,
            place=where,
            photos=photos,
            notes=sheet.notes,
            photo_store=photo_folder(load_settings()),
            reinspection_of=reinspection_of or sheet.reinspection_of,
            zone_id=sheet.zone_id,
        )
    if as_json:
        _echo_json(inspection.summary())
        return
    failed = ", ".join(inspection.failed_items) or "none"
    out_console.print(
        Text(
            f"inspection {inspection.inspection_id} of rider {rider} "
            f"({inspection.template_id}@{inspection.template_version}): score "
            f"{inspection.score:.0%}, failed items: {failed}; {len(inspection.violations)} "
            f"violation(s), {len(inspection.closed_actions)} corrective action(s) closed"
        )
    )


@inspections_app.command("list")
def list_command(
    rider: Annotated[str | None, typer.Option("--rider", help="Only this rider.")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="2026-W45, 2026-11, 2026-Q4 or a..b.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recorded inspections, oldest first."""
    from riderperf.common.periods import parse_period

    start = end = None
    if period:
        try:
            span = parse_period(period)
        except ValueError as exc:
            err_console.print(Text("error: ", style="red"), Text(str(exc)), sep="")
            raise typer.Exit(1) from exc
        start = datetime.combine(span.start, time(), UTC)
        end = datetime.combine(span.end, time(), UTC)
    with _session() as session:
        found = inspections_between(session, start, end, rider_id=rider)
    if as_json:
        _echo_json([i.summary() for i in found])
        return
    _inspection_table(found)


@corrective_app.command("list")
def corrective_list(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue actions.")] = False,
    include_closed: Annotated[bool, typer.Option("--all", help="Closed ones too.")] = False,
    rider: Annotated[str | None, typer.Option("--rider", help="Only this rider.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Open corrective actions, soonest due first (overdue ones marked)."""
    today = system_clock().date()
    with _session() as session:
        if overdue:
            actions = overdue_actions(session, today)
        else:
            actions = corrective_actions(session, status=None if include_closed else "open")
    actions = [a for a in actions if rider is None or a.rider_id == rider]
    if as_json:
        _echo_json([a.summary(today) for a in actions])
        return
    table = Table(title=f"corrective actions on {today}")
    for column in ("rider", "item", "severity", "opened", "due", "status"):
        table.add_column(column, overflow="fold")
    for a in actions:
        status = "overdue" if a.overdue_on(today) else a.status
        cells = (a.rider_id, a.item_code, a.severity, f"{a.opened_at:%Y-%m-%d}", str(a.due_on))
        table.add_row(
            *(Text(c) for c in cells), Text(status, style="red" if a.overdue_on(today) else "")
        )
    out_console.print(table if actions else "No corrective action to show.")


def _report_template(version: TemplateVersion, as_json: bool) -> None:
    if as_json:
        _echo_json(version.summary())
        return
    out_console.print(Text(f"checklist template {version.ref} is {version.status}"))


def _inspection_table(found: list[Inspection]) -> None:
    if not found:
        out_console.print("No inspection recorded in that selection.")
        return
    table = Table(title="inspections")
    for column in ("at", "rider", "template", "inspector", "score", "failed", "id"):
        table.add_column(column, overflow="fold")
    for i in found:
        cells = (
            f"{i.at:%Y-%m-%d %H:%M}",
            i.rider_id,
            f"{i.template_id}@{i.template_version}",
            i.inspector,
            f"{i.score:.0%}",
            ", ".join(i.failed_items),
            i.inspection_id,
        )
        table.add_row(*(Text(c) for c in cells))
    out_console.print(table)
