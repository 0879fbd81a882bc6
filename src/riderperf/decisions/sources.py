"""Collects each rider's facts for a period from the scorecards, the warehouse and the
inspection violations handed in."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from riderperf.clock import midnight
from riderperf.common.periods import Period
from riderperf.decisions.facts import (
    Document,
    EventCounts,
    Incident,
    RiderFacts,
    ViolationLike,
    document_facts,
    incident_facts,
    pct,
    violation_facts,
)
from riderperf.decisions.model import History
from riderperf.decisions.rules import RuleBook
from riderperf.metrics.scorecard import Scorecard
from riderperf.warehouse.connection import Warehouse

_JUDGED = """
SELECT j.rider_id,
       count(*) FILTER (WHERE j.event = 'late' AND j.party = 'rider'),
       count(*) FILTER (WHERE j.event = 'cancelled' AND j.party = 'rider'),
       count(*) FILTER (WHERE j.event = 'complaint' AND j.party = 'rider'),
       count(*) FILTER (WHERE j.event = 'complaint'),
       count(*) FILTER (WHERE j.event = 'complaint' AND j.party = 'rider'
                        AND c.category = 'fraud')
FROM judgments j
LEFT JOIN complaints c ON j.event = 'complaint' AND c.complaint_id = j.event_id
WHERE j.policy_version = ? AND j.day >= ? AND j.day < ? AND j.rider_id IS NOT NULL
GROUP BY j.rider_id
"""
_INCIDENTS = """
SELECT rider_id, kind, severity, at_fault, count(*)
FROM incidents WHERE occurred_at >= ? AND occurred_at < ?
GROUP BY rider_id, kind, severity, at_fault
"""


def judged_events(
    warehouse: Warehouse, period: Period, policy_version: str
) -> dict[str, EventCounts]:
    """Per rider: late, cancelled and complaint judgments of the period under the version."""
    rows = warehouse.con.execute(_JUDGED, [policy_version, period.start, period.end]).fetchall()
    return {str(r[0]): EventCounts(*(int(n) for n in r[1:])) for r in rows}


def period_incidents(warehouse: Warehouse, period: Period) -> dict[str, list[Incident]]:
    start, end = midnight(period.start), midnight(period.end)
    found: dict[str, list[Incident]] = {}
    for rider, kind, severity, fault, n in warehouse.con.execute(
        _INCIDENTS, [start, end]
    ).fetchall():
        found.setdefault(str(rider), []).extend([Incident(kind, severity, fault)] * int(n))
    return found


def rider_documents(warehouse: Warehouse) -> dict[str, list[Document]]:
    found: dict[str, list[Document]] = {}
    for rider, doc_type, expires_on in warehouse.con.execute(
        "SELECT rider_id, doc_type, expires_on FROM documents"
    ).fetchall():
        found.setdefault(str(rider), []).append(Document(doc_type, expires_on))
    return found


def joined_dates(warehouse: Warehouse) -> dict[str, date]:
    rows = warehouse.con.execute("SELECT rider_id, joined_on FROM riders").fetchall()
    return {str(rider): joined for rider, joined in rows if joined is not None}


def period_violations(
    violations: Iterable[ViolationLike], period: Period
) -> dict[str, list[ViolationLike]]:
    start, end = midnight(period.start), midnight(period.end)
    found: dict[str, list[ViolationLike]] = {}
    for v in violations:
        if start <= v.found_at < end:
            found.setdefault(v.rider_id, []).append(v)
    return found


def facts_from_card(
    card: Scorecard,
    period: Period,
    book: RuleBook,
    history: History,
    *,
    events: EventCounts,
    incidents: Sequence[Incident] = (),
    documents: Sequence[Document] = (),
    violations: Sequence[ViolationLike] = (),
    joined_on: date | None = None,
) -> RiderFacts:
    """A rider's facts: volumes from the scorecard, the rest from the warehouse."""
    delivered = _den(card, "on_time_rate")
    complaint_orders = _den(card, "complaint_rate") or delivered
    has_score = not math.isnan(card.score)
    protected = joined_on + timedelta(weeks=book.new_rider_weeks) if joined_on is not None else None
    values: dict[str, Any] = {
        "rider_id": card.rider_id,
        "period": period.label,
        "status": card.status,
        "tier": card.tier or "none",
        "has_score": has_score,
        "score": round(card.score, 2) if has_score else 0.0,
        "score_threshold": book.score_threshold,
        "orders": card.orders,
        "delivered": delivered,
        "late": events.late,
        "late_rate_pct": pct(events.late, delivered),
        "cancellations": events.cancellations,
        "cancel_rate_pct": pct(events.cancellations, card.orders),
        "complaints": events.complaints,
        "complaints_received": events.complaints_received,
        "complaints_per_100": pct(events.complaints, complaint_orders),
        "fraud_complaints": events.fraud_complaints,
        "new_rider": card.status == "new",
        "protected_until": protected.isoformat() if protected else "",
        "active_points": history.active_points,
    }
    values |= incident_facts(incidents, book.safety_kinds)
    values |= document_facts(documents, period.end)
    values |= violation_facts(violations, book.lending_items)
    return RiderFacts(**values)


def collect_facts(
    warehouse: Warehouse,
    cards: Sequence[Scorecard],
    period: Period,
    policy_version: str,
    book: RuleBook,
    histories: dict[str, History],
    violations: Iterable[ViolationLike] = (),
) -> list[RiderFacts]:
    """The facts of every rider with a scorecard in the period, in rider order."""
    events = judged_events(warehouse, period, policy_version)
    incidents = period_incidents(warehouse, period)
    documents = rider_documents(warehouse)
    joined = joined_dates(warehouse)
    found = period_violations(violations, period)
    return [
        facts_from_card(
            card,
            period,
            book,
            histories.get(card.rider_id, History()),
            events=events.get(card.rider_id, EventCounts()),
            incidents=incidents.get(card.rider_id, []),
            documents=documents.get(card.rider_id, []),
            violations=found.get(card.rider_id, []),
            joined_on=joined.get(card.rider_id),
        )
        for card in sorted(cards, key=lambda c: c.rider_id)
    ]


def _den(card: Scorecard, kpi: str) -> int:
    found = card.kpis.get(kpi)
    return int(found.den) if found is not None and not math.isnan(found.den) else 0
