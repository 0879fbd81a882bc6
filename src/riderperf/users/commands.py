"""CLI of users: `riderperf users create` and `riderperf users list`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from riderperf.clock import system_clock
from riderperf.config import load_settings
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.service import ROLES, UserError, create_user, list_users

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
users_app = typer.Typer(no_args_is_help=True, help="People who use riderperf and their roles.")


@users_app.command("create")
def create_command(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help=" | ".join(ROLES))],
    rider_id: Annotated[str | None, typer.Option("--rider-id", help="For role rider.")] = None,
    fleet_id: Annotated[
        str | None, typer.Option("--fleet-id", help="For role fleet_manager.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
) -> None:
    """Create a user with one role."""
    engine = make_engine(load_settings().app_database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as session:
            create_user(
                session,
                username,
                role,
                at=system_clock(),
                rider_id=rider_id,
                fleet_id=fleet_id,
                display_name=name,
            )
    except UserError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    out.print(f"created user {username} ({role})")


@users_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the users as JSON.")] = False,
) -> None:
    """Every user with their role."""
    engine = make_engine(load_settings().app_database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as session:
            users = [
                {
                    "username": u.username,
                    "role": u.role,
                    "rider_id": u.rider_id,
                    "fleet_id": u.fleet_id,
                    "active": u.active,
                }
                for u in list_users(session)
            ]
    finally:
        engine.dispose()
    if as_json:
        out.print_json(json.dumps(users))
        return
    for u in users:
        scope = u["rider_id"] or u["fleet_id"] or ""
        out.print(f"{u['username']:<24} {u['role']:<14} {scope}")
