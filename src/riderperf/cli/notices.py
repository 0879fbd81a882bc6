"""`riderperf notices RIDER`: the notices a rider was sent, as they read them."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from riderperf.config import load_settings
from riderperf.notices.render import render_notice
from riderperf.notices.service import notices_for
from riderperf.storage.db import app_database, unit_of_work

out = Console(soft_wrap=True)


def notices_command(
    rider: Annotated[str, typer.Argument(help="rider_id")],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Render again in this language (default: as sent)."),
    ] = None,
    last: Annotated[int, typer.Option("--last", min=1, help="Only the newest N.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the notices as JSON.")] = False,
) -> None:
    """The notices a rider was sent, oldest first, in the language they were sent in."""
    url = load_settings().app_database_url
    with app_database(url) as engine, unit_of_work(engine) as session:
        found = notices_for(session, rider)[-last:]
        rows = []
        for n in found:
            text = render_notice(n.kind, n.params, lang) if lang else n
            rows.append(
                {
                    "notice_id": n.notice_id,
                    "kind": n.kind,
                    "subject_type": n.subject_type,
                    "subject_id": n.subject_id,
                    "created_at": n.created_at.isoformat(),
                    "language": lang or n.language,
                    "direction": text.direction,
                    "title": text.title,
                    "body": text.body,
                }
            )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print(f"no notices for rider {rider}")
    for row in rows:
        out.rule(Text(f"{row['created_at'][:16]}  {row['title']}  [{row['kind']}]"))
        out.print(Text(row["body"]))
