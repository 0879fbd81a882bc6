"""Issues notices to riders in their own language and lists them; every notice is audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from riderperf.audit.log import record_event
from riderperf.notices.model import NoticeError
from riderperf.notices.orm import Notice
from riderperf.notices.render import render_notice
from riderperf.notices.translations import FALLBACK_LANGUAGE
from riderperf.storage.models import Rider
from riderperf.storage.moves import compare_and_set

_STORABLE = (str, int, float, bool, date, type(None))  # date covers datetime


class NoticeNotFound(LookupError):
    pass


def issue_notice(
    session: Session,
    *,
    rider_id: str,
    kind: str,
    params: Mapping[str, Any],
    at: datetime,
    subject_type: str,
    subject_id: str,
    language: str | None = None,
) -> Notice:
    """Renders the notice in `language` (None: the rider's own language, else English),
    stores it with its parameters and records `notice.issued` in the audit log.

    Raises NoticeError, before anything is written, when the notice cannot be rendered.
    """
    if at.tzinfo is None:
        raise NoticeError(f"notice {kind!r}: `at` must be timezone-aware (UTC)", kind=kind)
    for name, value in params.items():
        if not _storable(value):
            raise NoticeError(
                f"notice {kind!r}: parameter {name!r} holds a {type(value).__name__}; use int,"
                " float, str, date or datetime (or lists and mappings of them) so that it can"
                " be stored",
                kind=kind,
                param=name,
            )
    requested = language if language is not None else rider_language(session, rider_id)
    rendered = render_notice(kind, params, requested)
    notice = Notice(
        notice_id=str(uuid4()),
        rider_id=rider_id,
        kind=kind,
        params=dict(params),
        language=rendered.locale,
        title=rendered.title,
        body=rendered.body,
        direction=rendered.direction,
        subject_type=subject_type,
        subject_id=str(subject_id),
        created_at=at.astimezone(UTC),
        read_at=None,
    )
    session.add(notice)
    record_event(
        session,
        actor="system",
        action="notice.issued",
        subject_type="notice",
        subject_id=notice.notice_id,
        rider_id=rider_id,
        at=at,
        details={"kind": kind},
    )
    return notice


def _storable(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and _storable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(_storable(item) for item in value)
    return isinstance(value, _STORABLE)


# session.info key: (transaction, {rider_id: language}) of the languages read in it.
_LANGUAGES = "riderperf.notices.languages"


def rider_language(session: Session, rider_id: str) -> str:
    """The language the rider registered with, or English when unknown.

    Remembered for the rest of the transaction: deciding a week notifies most riders two
    or three times, and reading the language again each time took a tenth of it."""
    known = _known_languages(session)
    if rider_id not in known:
        language = session.scalar(select(Rider.language).where(Rider.rider_id == rider_id))
        known[rider_id] = language or FALLBACK_LANGUAGE
    return known[rider_id]


def remember_languages(session: Session, rider_ids: Iterable[str]) -> None:
    """Reads the languages of many riders in one query, for the notices this transaction
    will issue them (one query per rider also flushed the session's pending rows each
    time)."""
    known = _known_languages(session)
    wanted = sorted(set(rider_ids) - set(known))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found = dict(
            session.execute(
                select(Rider.rider_id, Rider.language).where(Rider.rider_id.in_(chunk))
            ).all()
        )
        for rider_id in chunk:
            known[rider_id] = found.get(rider_id) or FALLBACK_LANGUAGE


def _known_languages(session: Session) -> dict[str, str]:
    transaction = session.get_transaction() or session.begin()
    held = session.info.get(_LANGUAGES)
    if held and held[0] is transaction:
        known: dict[str, str] = held[1]
        return known
    known = {}
    session.info[_LANGUAGES] = (transaction, known)
    return known


def notices_for(session: Session, rider_id: str) -> list[Notice]:
    """A rider's notices, oldest first."""
    query = (
        select(Notice)
        .where(Notice.rider_id == rider_id)
        .order_by(Notice.created_at, Notice.kind, Notice.notice_id)
    )
    return list(session.scalars(query))


def mark_read(session: Session, notice_id: str, *, by: str, at: datetime) -> Notice:
    """Stamps the first time the rider opened the notice; later opens change nothing.

    The stamp is a compare-and-set on `read_at` still empty: two opens at once (two tabs, a
    double tap) stamp it once and write one `notice.read` event; the other open is a no-op
    that answers the notice as the first one stamped it.
    """
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NoticeNotFound(f"no notice {notice_id!r}")
    if notice.read_at is not None:
        return notice
    read_at = at.astimezone(UTC)
    stamped = compare_and_set(
        session,
        Notice,
        Notice.notice_id == notice_id,
        expected={"read_at": None},
        values={"read_at": read_at},
    )
    if not stamped:
        session.refresh(notice)  # the other open's stamp
        return notice
    set_committed_value(notice, "read_at", read_at)  # as given: SQLite drops the zone
    record_event(
        session,
        actor=by,
        action="notice.read",
        subject_type="notice",
        subject_id=notice_id,
        rider_id=notice.rider_id,
        at=at,
    )
    return notice
