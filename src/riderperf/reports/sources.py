"""Reads the report sections other features own: appeals, inspections, sampling plans,
decisions.

Each adapter calls the owning feature's stats function (cases.stats, inspections.stats,
sampling.stats, decisions.stats, inspections.corrective) in a session of its own. When the
feature's tables do not exist yet, or the call fails, the section says there is no data
for this period and why: a report never crashes on one feature's failure and never makes
up a number (`stats_view` shows what the functions return).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, MetaData, inspect, select
from sqlalchemy import Table as SqlTable
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from riderperf.cases.stats import appeal_stats
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.stats import overturn_rates
from riderperf.inspections.corrective import overdue_actions as overdue_corrective_actions
from riderperf.inspections.stats import inspection_stats
from riderperf.inspections.violations import violations_between
from riderperf.reports.model import NO_DATA
from riderperf.sampling.stats import plan_stats

StatsFunction = Callable[..., Any]  # (session, *args) → the feature's figures

APPEAL_STATS: StatsFunction = appeal_stats
INSPECTION_STATS: StatsFunction = inspection_stats
PLAN_STATS: StatsFunction = plan_stats
VIOLATIONS: StatsFunction = violations_between
# Counts every decision so far: the section says so.
OVERTURN_RATES: StatsFunction = overturn_rates
OVERDUE_ACTIONS: StatsFunction = overdue_corrective_actions
DECISIONS_TABLE = "decisions"
OPEN_STATUSES = ("proposed", "in_effect")


def call_source(
    engine: Engine,
    function: StatsFunction,
    args: Sequence[Any],
    convert: Callable[[Any], Any] = lambda result: result,
) -> tuple[Any, str | None]:
    """(converted result, None), or (None, why there is no data). `convert` runs inside
    the session, so ORM rows can still be read."""
    try:
        with Session(engine) as session:
            return convert(function(session, *args)), None
    except SQLAlchemyError as exc:
        if _missing_table(exc):
            return None, f"{NO_DATA}: its tables do not exist yet (run `riderperf init`)"
        return None, f"{NO_DATA}: it could not be read ({type(exc).__name__}: {exc})"
    except Exception as exc:  # one feature's failure must not stop the whole report
        return None, f"{NO_DATA}: it could not be read ({type(exc).__name__}: {exc})"


def _missing_table(exc: SQLAlchemyError) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def violation_counts(facts: Iterable[Any], riders: Iterable[str] | None) -> list[dict[str, Any]]:
    """Inspection violations per item and severity: violations and riders concerned."""
    keep = set(riders) if riders is not None else None
    found: dict[tuple[str, str], set[str]] = {}
    counts: dict[tuple[str, str], int] = {}
    for fact in facts:
        rider = str(_field(fact, "rider_id"))
        if keep is not None and rider not in keep:
            continue
        key = (str(_field(fact, "item_code")), str(_field(fact, "severity")))
        counts[key] = counts.get(key, 0) + 1
        found.setdefault(key, set()).add(rider)
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    return [
        {
            "item_code": item,
            "severity": sev,
            "violations": counts[(item, sev)],
            "riders": len(found[(item, sev)]),
        }
        for item, sev in ranked
    ]


def open_restrictions(engine: Engine, at: datetime) -> tuple[dict[str, list[str]] | None, str]:
    """rider_id → sentences about restricting decisions proposed or in effect at `at`."""
    what = "Open restricting decisions"
    try:
        if not inspect(engine).has_table(DECISIONS_TABLE):
            return None, f"{what}: {NO_DATA} (decisions are not recorded yet)"
        table = SqlTable(DECISIONS_TABLE, MetaData(), autoload_with=engine)
        c = table.c
        query = select(c.rider_id, c.kind, c.status, c.effective_until).where(
            c.kind.in_(sorted(RESTRICTING_KINDS)), c.status.in_(OPEN_STATUSES)
        )
        if "created_at" in c:
            query = query.where(c.created_at < at)
        with engine.connect() as con:
            rows = con.execute(query).all()
    except (SQLAlchemyError, AttributeError) as exc:
        return None, f"{what}: {NO_DATA} (the decisions table could not be read: {exc})"
    found: dict[str, list[str]] = {}
    for rider_id, kind, status, until in rows:
        until = _utc(until)
        if until is not None and until <= at:
            continue
        if status == "proposed":
            sentence = f"{kind} proposed, awaiting human review"
        else:
            sentence = f"{kind} in effect" + (f" until {until:%Y-%m-%d}" if until else "")
        found.setdefault(str(rider_id), []).append(sentence)
    return found, ""


def overdue_actions(engine: Engine, on: date) -> tuple[dict[str, list[str]] | None, str]:
    """rider_id → sentences about corrective actions still open after their due day."""

    def sentences(items: Any) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for item in items or []:
            what = _field(item, "item_code") or "corrective action"
            severity = _field(item, "severity")
            due = _field(item, "due_on")
            text = f"corrective action on {what}" + (f" ({severity})" if severity else "")
            text += " overdue" + (f" since {str(due)[:10]}" if due else "")
            found.setdefault(str(_field(item, "rider_id")), []).append(text)
        return found

    result, note = call_source(engine, OVERDUE_ACTIONS, [on], sentences)
    return result, f"Overdue corrective actions: {note}" if note else ""


def _utc(value: Any) -> datetime | None:
    """SQLite hands back naive datetimes (and sometimes dates): read them as UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    return value if value.tzinfo else value.replace(tzinfo=UTC)
