"""Judgments overturned on appeal: recorded in the app database, applied on every evaluation.

The warehouse `judgments` table is recomputed by each evaluation, so an overturn cannot be
an edit there: it is a row in `judgment_overrides`, and `apply_overrides` rewrites the
freshly judged rows of the period from it. The original judgment stays reproducible (the
override keeps the original party) and the audit log holds who overturned it and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from riderperf.audit.log import record_event
from riderperf.storage.models import Base
from riderperf.warehouse import built_days
from riderperf.warehouse.connection import Warehouse, has_table, transaction

if TYPE_CHECKING:
    import pandas as pd

OVERTURNED_RULE = "appeal_overturned"


class JudgmentOverride(Base):
    __tablename__ = "judgment_overrides"

    override_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    rider_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    original_party: Mapped[str | None] = mapped_column(String(20))
    party: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[str | None] = mapped_column(String(36))
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class JudgmentRef:
    """What an appeal needs to know of a judgment stored in the warehouse."""

    event_id: str
    event: str
    order_id: str | None
    rider_id: str | None
    occurred_at: datetime
    party: str
    rule: str
    policy_version: str
    explanation: str


def find_judgment(warehouse: Warehouse, event_id: str) -> JudgmentRef | None:
    """The newest stored judgment of `event_id` (any policy version), or None."""
    if not has_table(warehouse.con, "judgments"):
        return None
    row = warehouse.con.execute(
        "SELECT event_id, event, order_id, rider_id, occurred_at, party, rule, policy_version, "
        "explanation FROM judgments WHERE event_id = ? ORDER BY policy_version DESC LIMIT 1",
        [event_id],
    ).fetchone()
    return None if row is None else _ref(row)


def rider_judgments(
    warehouse: Warehouse, rider_id: str, event: str, start: datetime, end: datetime
) -> list[JudgmentRef]:
    """The rider-responsible judgments of one kind for a rider in [start, end)."""
    if not has_table(warehouse.con, "judgments"):
        return []
    rows = warehouse.con.execute(
        "SELECT DISTINCT ON (event_id) event_id, event, order_id, rider_id, occurred_at, party, "
        "rule, policy_version, explanation FROM judgments WHERE rider_id = ? AND event = ? "
        "AND party = 'rider' AND occurred_at >= ? AND occurred_at < ? ORDER BY event_id",
        [rider_id, event, start, end],
    ).fetchall()
    return [_ref(r) for r in rows]


def override_judgment(
    session: Session,
    event_id: str,
    *,
    party: str,
    case_id: str | None,
    by: str,
    at: datetime,
    judgment: JudgmentRef | None = None,
) -> JudgmentOverride:
    """Records that `event_id` is now judged `party` (usually none) and audits it."""
    override = JudgmentOverride(
        override_id=str(uuid4()),
        event_id=event_id,
        rider_id=judgment.rider_id if judgment else None,
        occurred_at=judgment.occurred_at if judgment else None,
        original_party=judgment.party if judgment else None,
        party=party,
        case_id=case_id,
        decided_by=by,
        decided_at=at,
    )
    session.add(override)
    record_event(
        session,
        actor=by,
        action="judgment.overturned",
        subject_type="judgment",
        subject_id=event_id,
        rider_id=override.rider_id,
        at=at,
        details={"party": party, "original_party": override.original_party, "case_id": case_id},
    )
    return override


def latest_overrides(session: Session) -> pd.DataFrame:
    """The newest override of every overturned event: event_id, party, case_id."""
    import pandas as pd  # only evaluations read overrides; the web server must start fast

    rows = session.execute(
        select(
            JudgmentOverride.event_id,
            JudgmentOverride.party,
            JudgmentOverride.case_id,
            JudgmentOverride.decided_at,
        ).order_by(JudgmentOverride.decided_at)
    ).all()
    frame = pd.DataFrame(rows, columns=["event_id", "party", "case_id", "decided_at"])
    return frame.drop_duplicates("event_id", keep="last")[["event_id", "party", "case_id"]]


def apply_overrides(
    session: Session, warehouse: Warehouse, policy_version: str, start: datetime, end: datetime
) -> int:
    """Rewrites the period's judgments that were overturned; returns how many.

    A judgment already rewritten to its override's party is left as it is: an evaluation
    keeps the judgments of days whose data did not change (`responsibility.store.
    judge_window`), and those were rewritten when they were made."""
    overrides = latest_overrides(session)
    if overrides.empty:
        return 0
    con = warehouse.con
    con.register("_overrides", overrides)
    try:
        with transaction(con):
            return _rewrite(con, policy_version, start, end)
    finally:
        con.unregister("_overrides")


def _rewrite(con: Any, policy_version: str, start: datetime, end: datetime) -> int:
    """The UPDATE of `apply_overrides`, after forgetting the built `rider_daily` days of the
    judgments it rewrites (`warehouse.built_days`)."""
    pending = (
        "SELECT j.day FROM judgments AS j JOIN _overrides AS o ON j.event_id = o.event_id "
        "WHERE j.policy_version = ? AND j.occurred_at >= ? AND j.occurred_at < ? "
        f"AND NOT (j.rule = '{OVERTURNED_RULE}' AND j.party = o.party)"
    )
    built_days.forget_days(con, pending, [policy_version, start, end], policy_version)
    row = con.execute(
        f"""
            UPDATE judgments AS j SET
                party = o.party,
                minutes_rider = CASE WHEN o.party = 'rider' THEN j.minutes_rider ELSE 0 END,
                rule = '{OVERTURNED_RULE}',
                confidence = 1.0,
                explanation = 'Overturned on appeal (case ' || coalesce(o.case_id, '-') ||
                    '); before: ' || j.explanation
            FROM _overrides AS o
            WHERE j.event_id = o.event_id AND j.policy_version = ?
              AND j.occurred_at >= ? AND j.occurred_at < ?
              AND NOT (j.rule = '{OVERTURNED_RULE}' AND j.party = o.party)
            """,
        [policy_version, start, end],
    ).fetchone()
    return int(row[0]) if row else 0


def overridden_expr(judgments: Any, overrides: Any) -> Any:
    """The Ibis table `judgments` with its overturned judgments rewritten as
    `apply_overrides` rewrites them, for an engine whose judgments are not a table to update
    (Spark judges a period afresh each run). `overrides` is `latest_overrides`' table."""
    import ibis

    found = overrides.select(
        _o_event=overrides.event_id, _o_party=overrides.party, _o_case=overrides.case_id
    )
    joined = judgments.left_join(found, judgments.event_id == found._o_event)
    hit = joined._o_event.notnull()
    case = joined._o_case.fill_null("-")
    explanation = "Overturned on appeal (case " + case + "); before: " + joined.explanation
    zero = ibis.literal(0.0).cast(joined.minutes_rider.type())
    return joined.mutate(
        party=ibis.ifelse(hit, joined._o_party, joined.party),
        minutes_rider=ibis.ifelse(hit & (joined._o_party != "rider"), zero, joined.minutes_rider),
        rule=ibis.ifelse(hit, ibis.literal(OVERTURNED_RULE), joined.rule),
        confidence=ibis.ifelse(
            hit, ibis.literal(1.0).cast(joined.confidence.type()), joined.confidence
        ),
        explanation=ibis.ifelse(hit, explanation, joined.explanation),
    ).select(*judgments.columns)


def _ref(row: Any) -> JudgmentRef:
    """A `judgments` row (in JudgmentRef's column order) with its time in UTC."""
    at: datetime = row[4]
    occurred = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return JudgmentRef(row[0], row[1], row[2], row[3], occurred, *row[5:9])
