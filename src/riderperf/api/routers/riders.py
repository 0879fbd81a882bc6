"""Riders: search and page through the riders the caller may see, or read one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, or_, select

from riderperf.api.deps import SessionDep, require
from riderperf.api.errors import errors, not_found
from riderperf.api.params import ID_PATTERN, Limit, Offset, OptionalId, RiderIdPath
from riderperf.api.schemas.riders import RiderPage, RiderRead
from riderperf.api.scope import FULL_PERSONAL_ROLES, mask_personal, rider_scope
from riderperf.storage.models import riders_table
from riderperf.users.orm import User

router = APIRouter(prefix="/riders", tags=["riders"])
Reader = Annotated[User, Depends(require("read_riders"))]
_COLUMNS = [c for c in riders_table.c]


@router.get(
    "", operation_id="listRiders", response_model=RiderPage, responses=errors(401, 403, 422)
)
def list_riders(
    session: SessionDep,
    user: Reader,
    q: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Part of an id or name.")
    ] = None,
    city: OptionalId = None,
    zone_id: OptionalId = None,
    fleet_id: OptionalId = None,
    capacity_type: OptionalId = None,
    status: OptionalId = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RiderPage:
    """The riders the caller may see (a fleet manager: their fleet; a rider: themself),
    filtered and paged, ordered by id."""
    t = riders_table.c
    where = [rider_scope(user, t.rider_id)]
    for column, value in (
        (t.city, city),
        (t.zone_id, zone_id),
        (t.fleet_id, fleet_id),
        (t.capacity_type, capacity_type),
        (t.status, status),
    ):
        if value is not None:
            where.append(column == value)
    if q:
        pattern = f"%{q.lower()}%"
        by_id = func.lower(t.rider_id).like(pattern)
        # Searching names the caller only sees masked would reveal them letter by letter.
        names = user.role in FULL_PERSONAL_ROLES or user.role == "fleet_manager"
        where.append(or_(by_id, func.lower(t.display_name).like(pattern)) if names else by_id)
    total = session.scalar(select(func.count()).select_from(riders_table).where(*where)) or 0
    rows = session.execute(
        select(*_COLUMNS).where(*where).order_by(t.rider_id).limit(limit).offset(offset)
    ).mappings()
    items = [RiderRead(**mask_personal(user, dict(row))) for row in rows]
    return RiderPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{rider_id}",
    operation_id="getRider",
    response_model=RiderRead,
    responses=errors(401, 403, 404, 422),
)
def get_rider(rider_id: RiderIdPath, session: SessionDep, user: Reader) -> RiderRead:
    """One rider, when the caller may see them (404 otherwise, as for an unknown id)."""
    return RiderRead(**mask_personal(user, rider_row(session, user, rider_id)))


def rider_row(session: SessionDep, user: User, rider_id: str) -> dict[str, Any]:
    """The rider's registry row within the caller's scope; 404 outside it."""
    t = riders_table.c
    row = (
        session.execute(
            select(*_COLUMNS).where(t.rider_id == rider_id, rider_scope(user, t.rider_id))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise not_found(f"rider {rider_id}")
    return dict(row)
