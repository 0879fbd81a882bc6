"""A rider's notices, in the language they were written for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from riderperf.api.deps import NowDep, SessionDep, require
from riderperf.api.errors import errors, not_found
from riderperf.api.params import ID_PATTERN, RiderIdPath
from riderperf.api.schemas.notices import NoticeRead
from riderperf.api.scope import require_visible_rider
from riderperf.notices.orm import Notice
from riderperf.notices.service import mark_read, notices_for
from riderperf.users.orm import User

router = APIRouter(prefix="/riders/{rider_id}/notices", tags=["notices"])
Reader = Annotated[User, Depends(require("read_notices"))]
RiderUser = Annotated[User, Depends(require("mark_notices_read"))]
NoticeIdPath = Annotated[str, Path(pattern=ID_PATTERN)]


@router.get(
    "",
    operation_id="listNotices",
    response_model=list[NoticeRead],
    responses=errors(401, 403, 404, 422),
)
def list_notices(rider_id: RiderIdPath, session: SessionDep, user: Reader) -> list[NoticeRead]:
    """The rider's notices, newest first: decisions, appeal steps, inspections."""
    require_visible_rider(session, user, rider_id)
    return [read(n) for n in reversed(notices_for(session, rider_id))]


@router.post(
    "/{notice_id}/read",
    operation_id="markNoticeRead",
    response_model=NoticeRead,
    responses=errors(401, 403, 404, 422),
)
def mark_notice_read(
    rider_id: RiderIdPath,
    notice_id: NoticeIdPath,
    session: SessionDep,
    user: RiderUser,
    now: NowDep,
) -> NoticeRead:
    """The rider opened the notice (the first time is recorded)."""
    require_visible_rider(session, user, rider_id)
    notice = session.get(Notice, notice_id)
    if notice is None or notice.rider_id != rider_id:
        raise not_found(f"notice {notice_id}")
    notice = mark_read(session, notice_id, by=user.username, at=now)
    session.commit()
    return read(notice)


def read(notice: Notice) -> NoticeRead:
    return NoticeRead(
        notice_id=notice.notice_id,
        rider_id=notice.rider_id,
        kind=notice.kind,
        language=notice.language,
        direction=notice.direction,
        title=notice.title,
        body=notice.body,
        subject_type=notice.subject_type,
        subject_id=notice.subject_id,
        created_at=notice.created_at,
        read_at=notice.read_at,
    )
