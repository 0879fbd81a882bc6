"""CLI of users: create and list them, set passwords, issue and revoke API tokens."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from riderperf.audit.log import record_event
from riderperf.clock import system_clock
from riderperf.config import load_settings
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.orm import User
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
    password: Annotated[
        str | None,
        typer.Option("--password", help="Password for signing in to the web pages and API."),
    ] = None,
    ask_password: Annotated[
        bool, typer.Option("--ask-password", help="Type the password at a hidden prompt.")
    ] = False,
) -> None:
    """Create a user with one role (with a password to sign in, or none: tokens only)."""
    if ask_password:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    password_hash = _password_hash(password) if password is not None else None
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
                password_hash=password_hash,
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


@users_app.command("password")
def password_command(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password: Annotated[
        str | None, typer.Option("--password", help="The new password (else a hidden prompt).")
    ] = None,
) -> None:
    """Set or reset a user's password; their open web sessions end."""
    from riderperf.users.identity import end_sessions

    if password is None:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    hashed = _password_hash(password)
    engine = make_engine(load_settings().app_database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as session:
            user = session.get(User, username)
            if user is None:
                raise UserError(f"no user named {username!r}; `riderperf users list` shows them")
            user.password_hash = hashed
            end_sessions(session, username)
            record_event(
                session,
                actor=username,
                action="user.password_set",
                subject_type="user",
                subject_id=username,
                rider_id=user.rider_id,
                at=system_clock(),
            )
    except UserError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    out.print(f"password set for {username}")


@users_app.command("token")
def token_command(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option("--label", help="Which machine uses it, e.g. dispatch.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Issue an API token (Authorization: Bearer …) for a user; it is shown this once."""
    from riderperf.users.identity import issue_api_token

    engine = make_engine(load_settings().app_database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as session:
            token = issue_api_token(session, username, label=label, at=system_clock())
    except (LookupError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if as_json:
        out.print_json(json.dumps({"username": username, "label": label, "token": token}))
        return
    out.print(f"API token for {username} ({label}); store it now, it is not shown again:")
    typer.echo(token)


@users_app.command("revoke-token")
def revoke_token_command(
    prefix: Annotated[str, typer.Argument(help="The token's first 10 characters (rp_…).")],
) -> None:
    """Revoke an API token by the prefix shown when it was issued."""
    from riderperf.users.identity import revoke_api_token

    engine = make_engine(load_settings().app_database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as session:
            revoked = revoke_api_token(session, prefix, by="cli", at=system_clock())
    finally:
        engine.dispose()
    if not revoked:
        err.print(f"[red]error:[/red] no live token starts with {prefix!r}")
        raise typer.Exit(1)
    out.print(f"revoked {revoked} token(s) starting with {prefix}")


def _password_hash(password: str) -> str:
    from riderperf.users.identity import MIN_PASSWORD_LENGTH, hash_password

    if len(password) < MIN_PASSWORD_LENGTH:
        err.print(f"[red]error:[/red] a password needs at least {MIN_PASSWORD_LENGTH} characters")
        raise typer.Exit(1)
    return hash_password(password)
