"""How often each rule's penalties are overturned: a rule overturned often is a rule to fix."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riderperf.decisions.orm import Decision


def overturn_rates(session: Session) -> list[dict[str, Any]]:
    """Per rule: penalties decided (compensating decisions left out), how many were
    overturned and partially overturned, and the share overturned at least partly."""
    query = (
        select(Decision.rule_id, Decision.status, func.count())
        .where(Decision.offence.is_not(None), Decision.compensates.is_(None))
        .group_by(Decision.rule_id, Decision.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for rule_id, status, n in session.execute(query):
        counts.setdefault(rule_id, {})[status] = int(n)
    rows = []
    for rule_id in sorted(counts):
        by_status = counts[rule_id]
        decided = sum(by_status.values())
        overturned = by_status.get("overturned", 0)
        partly = by_status.get("partially_overturned", 0)
        rows.append(
            {
                "rule_id": rule_id,
                "decisions": decided,
                "overturned": overturned,
                "partially_overturned": partly,
                "rate": round((overturned + partly) / decided, 4) if decided else 0.0,
            }
        )
    return rows
