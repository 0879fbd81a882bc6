"""Creates users and decides whether a named user may take an action."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.audit.log import record_event
from riderperf.users.orm import User

ROLES = ("admin", "ops_manager", "reviewer", "inspector", "trainer", "fleet_manager", "rider")
APPROVERS = ("ops_manager", "admin")
REVIEWERS = ("reviewer", "ops_manager", "admin")
INSPECTORS = ("inspector", "admin")


class UserError(ValueError):
    """A user that cannot be created as asked."""


class PermissionDenied(ValueError):
    """The named user does not exist, is inactive, or lacks a role the action needs."""


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    at: datetime,
    rider_id: str | None = None,
    fleet_id: str | None = None,
    display_name: str | None = None,
    password_hash: str | None = None,
    created_by: str = "system",
) -> User:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if not username.strip():
        raise UserError("a user needs a name")
    if role == "rider" and not rider_id:
        raise UserError("a rider user needs --rider-id: the rider they are")
    if role == "fleet_manager" and not fleet_id:
        raise UserError("a fleet manager needs --fleet-id: the fleet they manage")
    if session.get(User, username) is not None:
        raise UserError(f"user {username!r} exists already")
    user = User(
        username=username,
        role=role,
        rider_id=rider_id,
        fleet_id=fleet_id,
        display_name=display_name,
        password_hash=password_hash,
        active=True,
        created_at=at,
    )
    session.add(user)
    record_event(
        session,
        actor=created_by,
        action="user.created",
        subject_type="user",
        subject_id=username,
        rider_id=rider_id,
        at=at,
        details={"role": role, "fleet_id": fleet_id},
    )
    return user


def require_role(session: Session, username: str, allowed: Iterable[str]) -> User:
    """The user, when they exist, are active and hold one of the `allowed` roles."""
    allowed = tuple(allowed)
    user = session.get(User, username)
    if user is None:
        raise PermissionDenied(
            f"no user named {username!r}: create one with "
            f"`riderperf users create {username} --role {allowed[0]}`"
        )
    if not user.active:
        raise PermissionDenied(f"user {username!r} is deactivated")
    if user.role not in allowed:
        raise PermissionDenied(
            f"user {username!r} is {user.role}; this needs one of: {', '.join(allowed)}"
        )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
