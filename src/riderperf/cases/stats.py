"""Counts what the appeals of a period came to, for the supervision reports.

Definitions (window = [start, end)):
- submitted: cases submitted in the window; decided and by_outcome: cases decided in it.
- median_hours_to_first_response: over cases first answered in the window, hours from
  submission; median_hours_to_resolution: over cases decided in it, hours from submission
  to decision not counting the time spent waiting on the rider (the SLA's own measure).
- sla_breached: cases decided in the window or still undecided at its end, with either
  clock breached as things stood at the end.
- overturn_rate_by_rule: per rule behind the appealed decision or judgment, over the cases
  decided in the window: appeals, overturned (wholly or partly) and their ratio.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from riderperf.cases.model import OUTCOMES, OVERTURNING
from riderperf.cases.orm import Case
from riderperf.cases.sla import sla_state
from riderperf.cases.terms import as_utc

UNKNOWN_RULE = "unknown"


def appeal_stats(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """Appeal figures of [start, end); see the module docstring for each definition."""
    start, end = as_utc(start), as_utc(end)
    cases = session.scalars(
        select(Case).where(
            Case.submitted_at < end,
            or_(Case.decided_at.is_(None), Case.decided_at >= start),
        )
    ).all()
    submitted = [c for c in cases if start <= as_utc(c.submitted_at)]
    decided = [c for c in cases if c.decided_at is not None and _within(c.decided_at, start, end)]
    first_hours = [
        _hours(c.submitted_at, c.first_response_at)
        for c in cases
        if c.first_response_at is not None and _within(c.first_response_at, start, end)
    ]
    resolution_hours = [_resolution_hours(c) for c in decided]
    breached = 0
    for case in cases:
        state = sla_state(case.timing, case.sla_hours, end)
        if "breached" in (state.first_response, state.resolution):
            breached += 1
    outcomes = Counter(c.outcome for c in decided)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "submitted": len(submitted),
        "decided": len(decided),
        "by_outcome": {outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES},
        "median_hours_to_first_response": _median(first_hours),
        "median_hours_to_resolution": _median(resolution_hours),
        "sla_breached": breached,
        "overturn_rate_by_rule": _overturn_rates(decided),
    }


def _overturn_rates(decided: list[Case]) -> list[dict[str, Any]]:
    appeals: dict[tuple[str, str], int] = defaultdict(int)
    overturned: dict[tuple[str, str], int] = defaultdict(int)
    for case in decided:
        key = (case.rule_id or UNKNOWN_RULE, case.subject_type)
        appeals[key] += 1
        if case.outcome in OVERTURNING:
            overturned[key] += 1
    return [
        {
            "rule_id": rule_id,
            "subject_type": subject_type,
            "appeals": count,
            "overturned": overturned[(rule_id, subject_type)],
            "rate": round(overturned[(rule_id, subject_type)] / count, 4),
        }
        for (rule_id, subject_type), count in sorted(appeals.items())
    ]


def _within(moment: datetime, start: datetime, end: datetime) -> bool:
    return start <= as_utc(moment) < end


def _hours(since: datetime, until: datetime) -> float:
    return (as_utc(until) - as_utc(since)).total_seconds() / 3600


def _resolution_hours(case: Case) -> float:
    timing = case.timing
    decided = timing.decided_at
    assert decided is not None  # only decided cases are passed in
    paused = timing.paused_seconds(decided) / 3600
    return _hours(timing.submitted_at, decided) - paused


def _median(values: list[float]) -> float | None:
    return round(median(values), 2) if values else None
