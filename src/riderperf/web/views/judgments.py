"""Reads the judgments that held a rider responsible in a period from the warehouse, with the
sentence each one carries, and tells which of them may still be appealed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from riderperf.clock import midnight
from riderperf.warehouse.connection import Warehouse, has_table

# The judged events a rider can be held responsible for, as the warehouse names them.
EVENTS = ("late", "cancelled", "complaint")


@dataclass(frozen=True)
class JudgmentRow:
    """One event judged on the rider: what, when, by which rule, and the sentence why."""

    event_id: str
    event: str
    order_id: str | None
    occurred_at: datetime
    party: str
    rule: str
    minutes_rider: float | None
    explanation: str

    def appeal_until(self, window_days: float) -> datetime:
        return self.occurred_at + timedelta(days=window_days)


def rider_judgments(
    warehouse: Warehouse | None,
    rider_id: str,
    policy_version: str,
    start: date,
    end: date,
    *,
    only_rider: bool = True,
    limit: int = 200,
) -> list[JudgmentRow]:
    """The judgments of `rider_id` under `policy_version` with events in [start, end), newest
    first; by default only those holding the rider responsible."""
    if warehouse is None or not has_table(warehouse.con, "judgments"):
        return []
    party = "AND party = 'rider'" if only_rider else ""
    rows = warehouse.con.execute(
        "SELECT event_id, event, order_id, occurred_at, party, rule, minutes_rider, explanation "
        "FROM judgments WHERE rider_id = ? AND policy_version = ? AND occurred_at >= ? "
        f"AND occurred_at < ? {party} ORDER BY occurred_at DESC, event_id LIMIT ?",
        [rider_id, policy_version, midnight(start), midnight(end), limit],
    ).fetchall()
    return [
        JudgmentRow(
            event_id=str(r[0]),
            event=str(r[1]),
            order_id=r[2],
            occurred_at=_utc(r[3]),
            party=str(r[4]),
            rule=str(r[5]),
            minutes_rider=None if r[6] is None else float(r[6]),
            explanation=str(r[7] or ""),
        )
        for r in rows
    ]


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
