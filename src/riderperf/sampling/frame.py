"""Builds the sampling frame of a period: each zone's active riders (the lots) and what is
known of each rider before the period starts (the risk features).

Sources: the app database's `riders` (or, when it has none, the warehouse's), the newest
scorecards published for a period ended by the start, checklist violations (through the
checklists helper's `violations_between`, when installed), and the warehouse's incidents
and documents when a warehouse is given.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riderperf.evaluation.cards import card_rows
from riderperf.evaluation.orm import Scorecard
from riderperf.evaluation.published import published_ids
from riderperf.inspections.violations import violations_between
from riderperf.sampling.risk import RiderFeatures
from riderperf.storage.models import Rider
from riderperf.warehouse.connection import Warehouse

NO_ZONE = "(no zone)"

if TYPE_CHECKING:
    from riderperf.metrics.card_table import CardRows


@dataclass(frozen=True)
class FrameRider:
    rider_id: str
    zone_id: str
    joined_on: date | None


@dataclass(frozen=True)
class FrameSettings:
    """The policy values the frame needs."""

    lookback_days: int
    newcomer_days: int
    document_horizon_days: int
    incident_kinds: tuple[str, ...]


def active_riders(
    session: Session, warehouse: Warehouse | None, zone: str | None
) -> list[FrameRider]:
    """Active riders sorted by zone and id; the warehouse's when the app database has none."""
    query = select(Rider.rider_id, Rider.zone_id, Rider.joined_on).where(Rider.status == "active")
    rows: list[tuple[Any, ...]] = [tuple(r) for r in session.execute(query)]
    if not rows and warehouse is not None:
        rows = [
            tuple(r)
            for r in warehouse.con.execute(
                "SELECT rider_id, zone_id, joined_on FROM riders WHERE status = 'active'"
            ).fetchall()
        ]
    riders = [FrameRider(str(r[0]), str(r[1]) if r[1] else NO_ZONE, r[2]) for r in rows]
    if zone is not None:
        riders = [r for r in riders if r.zone_id == zone]
    return sorted(riders, key=lambda r: (r.zone_id, r.rider_id))


def rider_features(
    session: Session,
    warehouse: Warehouse | None,
    riders: Sequence[FrameRider],
    start: date,
    settings: FrameSettings,
) -> list[RiderFeatures]:
    """The risk features of every rider, in the order of `riders`."""
    begin = start - timedelta(days=settings.lookback_days)
    rates = latest_rates(session, start)
    violations = violation_counts(session, _utc(begin), _utc(start))
    incidents: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    if warehouse is not None:
        incidents = incident_counts(warehouse, begin, start, settings.incident_kinds)
        horizon = start + timedelta(days=settings.document_horizon_days)
        documents = expiring_documents(warehouse, horizon)
    newcomer_since = start - timedelta(days=settings.newcomer_days)
    features = []
    for rider in riders:
        complaint, safety = rates.get(rider.rider_id, (math.nan, math.nan))
        features.append(
            RiderFeatures(
                rider_id=rider.rider_id,
                complaint_rate=complaint,
                safety_rate=safety,
                incidents=incidents[rider.rider_id],
                violations=violations[rider.rider_id],
                newcomer=rider.joined_on is not None and rider.joined_on >= newcomer_since,
                expiring_documents=documents[rider.rider_id],
            )
        )
    return features


def latest_rates(session: Session, start: date) -> dict[str, tuple[float, float]]:
    """Complaint and safety rates from each rider's published scorecard of the newest period
    that ended by `start` (the shrunk value, so a handful of orders does not make a rider look
    risky). A longer period ending the same day (the month) comes after the shorter one."""
    published = Scorecard.evaluation_id.in_(published_ids())
    newest = session.scalar(
        select(func.max(Scorecard.period_end)).where(Scorecard.period_end <= start, published)
    )
    if newest is None:
        return {}
    query = (
        select(Scorecard.rider_id, Scorecard.evaluation_id)
        .where(Scorecard.period_end == newest, published)
        .order_by(Scorecard.period.desc())
    )
    rows = session.execute(query).all()
    tables = {e: card_rows(session, e) for e in dict.fromkeys(e for _, e in rows)}
    rates: dict[str, tuple[float, float]] = {}
    for rider_id, evaluation_id in rows:
        table = tables[evaluation_id]
        found = None if table is None else table.index.get(rider_id)
        if table is None or found is None:
            rates[rider_id] = (math.nan, math.nan)
            continue
        rates[rider_id] = (
            _kpi_value(table, found, "complaint_rate"),
            _kpi_value(table, found, "safety_incidents"),
        )
    return rates


def violation_counts(session: Session, start: datetime, end: datetime) -> Counter[str]:
    """Checklist violations per rider in [start, end)."""
    return Counter(v.rider_id for v in violations_between(session, start, end))


def incident_counts(
    warehouse: Warehouse, start: date, end: date, kinds: Iterable[str]
) -> Counter[str]:
    wanted = list(kinds)
    if not wanted:
        return Counter()
    marks = ", ".join("?" for _ in wanted)
    rows = warehouse.con.execute(
        "SELECT rider_id, count(*) FROM incidents WHERE rider_id IS NOT NULL "
        f"AND occurred_at >= ? AND occurred_at < ? AND kind IN ({marks}) GROUP BY rider_id",
        [_utc(start), _utc(end), *wanted],
    ).fetchall()
    return Counter({str(r): int(c) for r, c in rows})


def expiring_documents(warehouse: Warehouse, horizon: date) -> Counter[str]:
    """Document types per rider whose newest expiry falls before `horizon` (expired or about
    to expire): a renewal is a later row, so only the newest expiry of a type counts."""
    rows = warehouse.con.execute(
        "SELECT rider_id, count(*) FROM (SELECT rider_id, doc_type, max(expires_on) AS last "
        "FROM documents WHERE rider_id IS NOT NULL GROUP BY rider_id, doc_type) "
        "WHERE last < ? GROUP BY rider_id",
        [horizon],
    ).fetchall()
    return Counter({str(r): int(c) for r, c in rows})


def group_by_zone(riders: Sequence[FrameRider]) -> dict[str, list[int]]:
    """Frame positions of each zone's riders, zones in sorted order."""
    zones: dict[str, list[int]] = defaultdict(list)
    for index, rider in enumerate(riders):
        zones[rider.zone_id].append(index)
    return dict(sorted(zones.items()))


def _kpi_value(table: CardRows, row: int, name: str) -> float:
    """The KPI's shrunk value in the card of `row`, else its own rate, else NaN."""
    for part in ("shrunk", "rate"):
        value = table.kpi_number(row, name, part)
        if not math.isnan(value):
            return value
    return math.nan


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)
