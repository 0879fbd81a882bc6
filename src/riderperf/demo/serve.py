"""The demo's last act: demo logins for every kind of user, then the dashboard served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from riderperf.clock import Clock, system_clock
from riderperf.config import Settings
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.storage.models import Rider
from riderperf.users.orm import User
from riderperf.users.service import create_user

# A demo city runs on this machine only; its logins are printed for the newcomer to use.
DEMO_PASSWORD = "riderperf-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    note: str


def ensure_demo_logins(settings: Settings, rider_id: str | None, at: datetime) -> list[DemoLogin]:
    """Staff users of the demo get the demo password; a rider user (the rider whose appeal
    was overturned) and a fleet manager (of that rider's fleet, or the first fleet) are
    created when missing."""
    from riderperf.users.identity import hash_password

    secret = hash_password(DEMO_PASSWORD)
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            rider = session.get(Rider, rider_id) if rider_id else None
            if rider is None:
                rider = session.scalars(select(Rider).order_by(Rider.rider_id).limit(1)).first()
            fleet = (
                rider.fleet_id
                if rider is not None and rider.fleet_id
                else session.scalars(
                    select(Rider.fleet_id).where(Rider.fleet_id.is_not(None)).limit(1)
                ).first()
            )
            wanted = [
                ("rider.demo", "rider", rider.rider_id if rider else None, None),
                ("fleet.demo", "fleet_manager", None, fleet),
            ]
            for name, role, rider_ref, fleet_ref in wanted:
                if session.get(User, name) is None and (rider_ref or fleet_ref):
                    create_user(session, name, role, at=at, rider_id=rider_ref, fleet_id=fleet_ref)
            logins = []
            for user in session.scalars(select(User).where(User.username.like("%.demo"))):
                user.password_hash = secret
                note = user.rider_id or user.fleet_id or ""
                if user.role == "rider" and rider is not None:
                    note = f"rider {rider.rider_id}, portal in {rider.language or 'en'}"
                elif user.role == "fleet_manager":
                    note = f"fleet {user.fleet_id}"
                logins.append(DemoLogin(user.username, user.role, note))
    finally:
        engine.dispose()
    return sorted(logins, key=lambda login: login.username)


def print_logins(logins: list[DemoLogin], url: str, console: Console) -> None:
    table = Table(title=f"open {url} and sign in (password for all: {DEMO_PASSWORD})")
    for col in ("user", "role", ""):
        table.add_column(col)
    for login in logins:
        table.add_row(login.username, login.role, login.note)
    console.print(table)
    console.print(
        f"rider portal: {url}portal (as rider.demo) · dashboard: {url}dashboard · "
        f"API: {url}api/v1/openapi.json · stop with Ctrl-C"
    )


def serve_demo(settings: Settings, host: str, port: int, clock: Clock = system_clock) -> None:
    """Serves until interrupted; the story's acts all lie before `clock()`."""
    import uvicorn

    from riderperf.server import create_app

    uvicorn.run(create_app(settings, clock=clock), host=host, port=port, log_level="warning")
