"""Decides which riders a user may see and how much of their personal data.

A rider sees only themself, a fleet manager only the riders of their fleet; everyone else
with a staff role sees every rider. Someone asking for a rider outside their scope is told
"not found", exactly as for an unknown id, so ids are never confirmed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, false, select, true
from sqlalchemy.orm import Session

from riderperf.api.errors import not_found
from riderperf.storage.models import Rider
from riderperf.users.orm import User

# Who reads names and phone numbers in full: people who act on a rider's employment.
FULL_PERSONAL_ROLES = frozenset({"admin", "ops_manager"})
MASK = "•••"


def visible_rider_ids(session: Session, user: User) -> set[str] | None:
    """The riders `user` may see; None means every rider."""
    if user.role == "rider":
        return {user.rider_id} if user.rider_id else set()
    if user.role == "fleet_manager":
        if not user.fleet_id:
            return set()
        return set(session.scalars(select(Rider.rider_id).where(Rider.fleet_id == user.fleet_id)))
    return None


def rider_scope(user: User, rider_column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose `rider_column` the user may see (for lists,
    without loading a fleet's ids into memory)."""
    if user.role == "rider":
        return rider_column == user.rider_id if user.rider_id else false()
    if user.role == "fleet_manager":
        if not user.fleet_id:
            return false()
        fleet = select(Rider.rider_id).where(Rider.fleet_id == user.fleet_id)
        result: ColumnElement[bool] = rider_column.in_(fleet)
        return result
    return true()


def can_see_rider(session: Session | Connection, user: User, rider_id: str) -> bool:
    if user.role == "rider":
        return bool(user.rider_id) and rider_id == user.rider_id
    if user.role == "fleet_manager":
        fleet = session.scalar(select(Rider.fleet_id).where(Rider.rider_id == rider_id))
        return bool(user.fleet_id) and fleet == user.fleet_id
    return True


def require_visible_rider(session: Session | Connection, user: User, rider_id: str) -> None:
    """404 (not 403) when the rider is outside the user's scope."""
    if not can_see_rider(session, user, rider_id):
        raise not_found(f"rider {rider_id}")


def mask_personal(user: User, rider_row: dict[str, Any]) -> dict[str, Any]:
    """`rider_row` with `display_name` and `phone` masked as the user's role requires.

    Admins, operations managers and the rider themself see both; a fleet manager sees
    their riders' names but masked phones; other staff see initials and the last digits.
    """
    row = dict(rider_row)
    own = user.role == "rider" and user.rider_id == row.get("rider_id")
    if own or user.role in FULL_PERSONAL_ROLES:
        return row
    if user.role != "fleet_manager":
        row["display_name"] = mask_name(row.get("display_name"))
    row["phone"] = mask_phone(row.get("phone"))
    return row


def mask_name(name: str | None) -> str | None:
    """ "Maria Souza" → "M. S."."""
    if not name or not name.strip():
        return name
    return " ".join(f"{part[0].upper()}." for part in name.split())


def mask_phone(phone: str | None) -> str | None:
    """ "+55 11 98765 4821" → "+55 ••• ••• 4821": the country code and the last four digits."""
    if not phone or not phone.strip():
        return phone
    digits = "".join(c for c in phone if c.isdigit())
    country = ""
    first = phone.strip().split()[0]
    if first.startswith("+") and len(phone.split()) > 1:
        country = first + " "
    return f"{country}{MASK} {MASK} {digits[-4:]}" if len(digits) > 4 else f"{MASK} {MASK}"
