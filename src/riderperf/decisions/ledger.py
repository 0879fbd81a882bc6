"""Reads the points ledger and the history the ladder climbs on, and the dispatch weights
a priority feed applies.

An entry counts on day `d` when `effective_on <= d < expires_on`. Points given back by an
overturn are a negative entry with the same dates as the entry they cancel, so the two
always expire together and the balance never goes below what the rider truly owes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from riderperf.common.periods import Period
from riderperf.decisions.effects import as_utc
from riderperf.decisions.model import (
    MEASURES,
    PENALTY_KINDS,
    RESTRICTING_KINDS,
    History,
    Ladder,
)
from riderperf.decisions.orm import Decision, LedgerEntry

# Decisions that record an offence for forgiveness: rejected and overturned ones do not.
OFFENCE_STANDS = ("proposed", "in_effect", "partially_overturned")


def points_balance(session: Session, rider_id: str, at: datetime | date) -> int:
    """Active points of `rider_id` on the day of `at`."""
    return balances_on(session, _day(at), [rider_id]).get(rider_id, 0)


def balances_on(
    session: Session, day: date, rider_ids: Iterable[str] | None = None
) -> dict[str, int]:
    """Active points per rider on `day` (riders without any are left out)."""
    query = (
        select(LedgerEntry.rider_id, func.sum(LedgerEntry.points))
        .where(LedgerEntry.effective_on <= day, LedgerEntry.expires_on > day)
        .group_by(LedgerEntry.rider_id)
    )
    if rider_ids is not None:
        query = query.where(LedgerEntry.rider_id.in_(list(rider_ids)))
    return {rider: int(total) for rider, total in session.execute(query) if total}


def ledger_for(session: Session, rider_id: str) -> list[LedgerEntry]:
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.rider_id == rider_id)
        .order_by(LedgerEntry.effective_on, LedgerEntry.entry_id)
    )
    return list(session.scalars(query))


def rider_histories(
    session: Session, period: Period, ladder: Ladder, rider_ids: list[str]
) -> dict[str, History]:
    """What the ladder knows of each rider before `period`: active points on its last day
    (the period's own points start the day after), the last offence before it, and the
    measures in effect decided in the look-back window, and restrictions still open."""
    points = balances_on(session, period.last_day, rider_ids)
    period_end = datetime.combine(period.end, time(), UTC)
    last: dict[str, date] = {}
    offences = (
        select(Decision.rider_id, func.max(Decision.period_end))
        .where(
            Decision.kind.in_(PENALTY_KINDS),
            Decision.offence.is_not(None),
            Decision.status.in_(OFFENCE_STANDS),
            Decision.period_end <= period.start,
        )
        .group_by(Decision.rider_id)
    )
    for rider, end in session.execute(offences):
        last[rider] = end - timedelta(days=1)
    sanctions: dict[str, list[str]] = {}
    since = period.start - timedelta(days=ladder.lookback_days)
    measures = select(Decision.rider_id, Decision.kind).where(
        Decision.kind.in_(MEASURES),
        Decision.status == "in_effect",
        Decision.period_end <= period.start,
        Decision.period_end > since,
    )
    for rider, kind in session.execute(measures):
        sanctions.setdefault(rider, []).append(kind)
    still_open: dict[str, set[str]] = {}
    pending = select(Decision.rider_id, Decision.kind).where(
        Decision.kind.in_(RESTRICTING_KINDS),
        Decision.period_end <= period.start,
        or_(
            Decision.status == "proposed",
            and_(
                Decision.status == "in_effect",
                or_(Decision.effective_until.is_(None), Decision.effective_until > period_end),
            ),
        ),
    )
    for rider, kind in session.execute(pending):
        still_open.setdefault(rider, set()).add(kind)
    return {
        rider: History(
            active_points=points.get(rider, 0),
            last_offence_on=last.get(rider),
            sanctions=tuple(sorted(set(sanctions.get(rider, [])))),
            open_restrictions=tuple(sorted(still_open.get(rider, set()))),
        )
        for rider in rider_ids
    }


def priority_weights(
    session: Session, at: datetime, rider_ids: Iterable[str] | None = None
) -> dict[str, float]:
    """The dispatch weight of each rider with a decision bearing on it at `at`.

    Riders not in the answer weigh 1. The tier's weight, raised to the newcomer boost while
    it lasts, times a reduced-priority weight in effect; 0 while a suspension or
    deactivation is in effect. Only decisions in effect count: a proposal does nothing.
    """
    # Four columns, not whole decisions: the feed reads every rider's decisions per request.
    query = select(
        Decision.rider_id, Decision.kind, Decision.effective_from, Decision.reason_params
    ).where(
        Decision.status == "in_effect",
        Decision.kind.in_(
            ("priority_weight", "newcomer_boost", "reduced_priority", "suspension", "deactivation")
        ),
        Decision.effective_from <= at,
        or_(Decision.effective_until.is_(None), Decision.effective_until > at),
    )
    if rider_ids is not None:
        query = query.where(Decision.rider_id.in_(list(rider_ids)))
    newest_tier: dict[str, tuple[datetime, float]] = {}
    boost: dict[str, float] = {}
    reduced: dict[str, float] = {}
    stopped: set[str] = set()
    for d in session.execute(query.order_by(Decision.effective_from)):
        weight = float(d.reason_params.get("weight", 1.0))
        if d.kind == "priority_weight":
            newest_tier[d.rider_id] = (as_utc(d.effective_from) or at, weight)
        elif d.kind == "newcomer_boost":
            boost[d.rider_id] = max(boost.get(d.rider_id, 1.0), weight)
        elif d.kind == "reduced_priority":
            reduced[d.rider_id] = min(reduced.get(d.rider_id, 1.0), weight)
        else:
            stopped.add(d.rider_id)
    riders = set(newest_tier) | set(boost) | set(reduced) | stopped
    weights: dict[str, float] = {}
    for rider in sorted(riders):
        base = max(newest_tier.get(rider, (at, 1.0))[1], boost.get(rider, 1.0))
        weights[rider] = 0.0 if rider in stopped else round(base * reduced.get(rider, 1.0), 4)
    return weights


def _day(at: datetime | date) -> date:
    if isinstance(at, datetime):
        utc = as_utc(at)
        return utc.date() if utc else at.date()
    return at
