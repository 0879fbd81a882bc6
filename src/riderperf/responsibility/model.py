"""A judgment: who is responsible for one late delivery, cancellation or complaint, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from riderperf.clock import utc_day
from riderperf.common.canonical import RESPONSIBILITY_PARTIES

PARTIES = RESPONSIBILITY_PARTIES
EVENTS = ("late", "cancelled", "complaint")
# Parties that can owe late minutes, in tie-break order: on equal minutes the earlier one is
# responsible, and the rider comes last so that a tie never falls on the rider.
LATE_PARTIES = ("platform", "merchant", "force_majeure", "customer", "rider")

# The warehouse table `judgments`; the metrics code reads these exact columns.
JUDGMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("event", "VARCHAR"),
    ("order_id", "VARCHAR"),
    ("rider_id", "VARCHAR"),
    ("occurred_at", "TIMESTAMPTZ"),
    ("day", "DATE"),
    ("party", "VARCHAR"),
    ("late_minutes", "DOUBLE"),
    ("minutes_platform", "DOUBLE"),
    ("minutes_merchant", "DOUBLE"),
    ("minutes_force_majeure", "DOUBLE"),
    ("minutes_customer", "DOUBLE"),
    ("minutes_rider", "DOUBLE"),
    ("rule", "VARCHAR"),
    ("policy_version", "VARCHAR"),
    ("confidence", "DOUBLE"),
    ("explanation", "VARCHAR"),
)
JUDGMENTS_DDL = (
    "CREATE TABLE IF NOT EXISTS judgments (\n    "
    + ",\n    ".join(f"{name} {kind}" for name, kind in JUDGMENT_COLUMNS)
    + "\n)"
)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Judgment:
    """One judged event with its minutes per party, the rule that fired and its sentence."""

    event_id: str
    event: str
    order_id: str | None
    rider_id: str | None
    occurred_at: datetime
    party: str
    late_minutes: float | None
    minutes_platform: float
    minutes_merchant: float
    minutes_force_majeure: float
    minutes_customer: float
    minutes_rider: float
    rule: str
    policy_version: str
    confidence: float
    explanation: str

    @property
    def day(self) -> date:
        """The UTC date of the event."""
        return utc_day(self.occurred_at)

    def minutes(self) -> dict[str, float]:
        """Late minutes owed per party (all zero unless the event is a late delivery)."""
        return {p: float(getattr(self, f"minutes_{p}")) for p in LATE_PARTIES}

    def as_row(self) -> dict[str, Any]:
        """The judgment as a row of the `judgments` table."""
        row = asdict(self)
        row["day"] = self.day
        return {name: row[name] for name, _ in JUDGMENT_COLUMNS}


def is_missing(value: Any) -> bool:
    """None, or a NaN / NaT that a dataframe row may carry for an empty cell."""
    return value is None or value != value


def minutes_between(later: Any, earlier: Any) -> float | None:
    """Minutes from `earlier` to `later` counted in whole microseconds (as the bulk path
    does, so both give the same float); None when either is missing."""
    if is_missing(later) or is_missing(earlier):
        return None
    return ((later - earlier) // _MICROSECOND) / 60_000_000


def text_or_none(value: Any) -> str | None:
    return None if is_missing(value) else str(value)
