"""Re-evaluates the periods an overturned judgment or equipment violation touched, and
repays a bonus it cost.

An overturn changes the judgments a score was built on (or voids an equipment item of an
inspection), so every published period whose window holds one of the overturned events is
evaluated again under the same policy version. The earlier evaluation stays published
(nothing is deleted); the new one is the latest. When the rider's tier rises, the bonus
the rider lost is owed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.clock import fixed_clock, utc_day
from riderperf.config import Settings
from riderperf.evaluation.orm import Evaluation, Scorecard
from riderperf.evaluation.service import evaluate_period
from riderperf.metrics.periods import parse_period
from riderperf.storage.db import make_engine, unit_of_work

if TYPE_CHECKING:
    from riderperf.cases.decide import CaseDecision


@dataclass(frozen=True)
class Reevaluation:
    """One period evaluated again for one rider: the scores and tiers before and after."""

    period: str
    evaluation_id: str
    old_score: float | None
    new_score: float | None
    old_tier: str | None
    new_tier: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "evaluation_id": self.evaluation_id,
            "old_score": self.old_score,
            "new_score": self.new_score,
            "old_tier": self.old_tier,
            "new_tier": self.new_tier,
        }


def affected_periods(settings: Settings, moments: Sequence[datetime]) -> list[tuple[str, str]]:
    """(period label, policy version) of the newest evaluation of every published period
    whose window holds one of `moments`."""
    days = {utc_day(m) for m in moments}
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            rows = session.execute(
                select(Evaluation.period, Evaluation.policy_version, Evaluation.period_start)
                .where(Evaluation.period_start <= max(days), Evaluation.period_end > min(days))
                .order_by(Evaluation.started_at)
            ).all()
    finally:
        engine.dispose()
    latest: dict[str, str] = {}
    for label, version, _start in rows:
        period = parse_period(label)
        if any(period.start <= d < period.end for d in days):
            latest[label] = version
    return sorted(latest.items())


def reevaluate_for_rider(
    settings: Settings,
    rider_id: str,
    moments: Sequence[datetime],
    *,
    at: datetime,
) -> list[Reevaluation]:
    """Evaluates again every published period holding one of `moments` and reports how the
    rider's score and tier moved. The caller must not hold the warehouse open."""
    if not moments:
        return []
    changes: list[Reevaluation] = []
    for label, version in affected_periods(settings, moments):
        before = _card(settings, label, rider_id)
        result = evaluate_period(
            settings, parse_period(label), policy_version=version, clock=fixed_clock(at)
        )
        after = next((c for c in result.cards if c.rider_id == rider_id), None)
        new_score = None if after is None or after.score != after.score else after.score
        changes.append(
            Reevaluation(
                label,
                result.evaluation_id,
                before.score if before else None,
                new_score,
                before.tier if before else None,
                after.tier if after else None,
            )
        )
    return changes


def _card(settings: Settings, period: str, rider_id: str) -> Scorecard | None:
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            return session.scalars(
                select(Scorecard)
                .join(Evaluation, Evaluation.evaluation_id == Scorecard.evaluation_id)
                .where(Scorecard.period == period, Scorecard.rider_id == rider_id)
                .order_by(Evaluation.started_at.desc())
                .limit(1)
            ).first()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class OverturnRepair:
    """What re-evaluating after an overturn changed: periods, and bonus compensations."""

    changes: list[Reevaluation]
    compensations: list[str]  # decision ids of the compensation decisions made


def repair_after_overturn(
    settings: Settings,
    rider_id: str,
    moments: Sequence[datetime],
    *,
    case_id: str | None,
    at: datetime,
) -> OverturnRepair:
    """Re-evaluates the periods holding `moments`, then pays back the tier bonus of every
    period whose tier rose (a `compensation` decision; none when the bonus did not rise)."""
    from riderperf.decisions.repair import compensate_lost_bonus
    from riderperf.policy.versions import get_version

    changes = reevaluate_for_rider(settings, rider_id, moments, at=at)
    paid: list[str] = []
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            for change in changes:
                if change.old_tier == change.new_tier:
                    continue
                version = get_version(engine, _evaluation_version(session, change.evaluation_id))
                made = compensate_lost_bonus(
                    session,
                    rider_id,
                    change.period,
                    old_tier=change.old_tier,
                    new_tier=change.new_tier,
                    policy=version,
                    at=at,
                    case_id=case_id,
                )
                if made is not None:
                    paid.append(made.decision_id)
    finally:
        engine.dispose()
    return OverturnRepair(changes, paid)


def _evaluation_version(session: Session, evaluation_id: str) -> str:
    found = session.get(Evaluation, evaluation_id)
    if found is None:
        raise LookupError(f"evaluation {evaluation_id} disappeared while repairing an overturn")
    return found.policy_version


# A penalty for these offences counts the rider-responsible judgments of one event kind.
OFFENCE_EVENTS = {
    "late_deliveries": "late",
    "rider_cancellations": "cancelled",
    "complaints": "complaint",
}


def reevaluate_after_overturn(settings: Settings, decided: CaseDecision) -> OverturnRepair:
    """The appeal commands' hook, called after the case decision is committed.

    An overturned judgment, or an overturned violation of an equipment item (the item no
    longer counts in equipment compliance): its periods are evaluated again. A penalty
    overturned in full
    whose offence counts judgments (late deliveries, cancellations, complaints): the
    reviewer found that the counted events were not the rider's fault, so each of the
    rider's rider-responsible judgments of that kind in the decision's period is overturned
    too, and the period evaluated again, so the score stops counting them. A partial
    overturn lowers the sanction and leaves the judgments as they were.
    """
    needed = decided.reevaluate
    if needed is not None:
        return repair_after_overturn(
            settings,
            needed.rider_id,
            [needed.occurred_at],
            case_id=decided.case_id,
            at=decided.decided_at,
        )
    if decided.subject_type != "decision" or decided.outcome != "overturned":
        return OverturnRepair([], [])
    moments = overturn_counted_judgments(settings, decided)
    return repair_after_overturn(
        settings, decided.rider_id, moments, case_id=decided.case_id, at=decided.decided_at
    )


def overturn_counted_judgments(settings: Settings, decided: CaseDecision) -> list[datetime]:
    """Overturns the judgments a fully overturned penalty counted; returns their times."""
    from riderperf.decisions import get_decision
    from riderperf.evaluation.overrides import override_judgment, rider_judgments
    from riderperf.warehouse.connection import open_warehouse

    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            decision = get_decision(session, decided.subject_id)
            event = OFFENCE_EVENTS.get(decision.offence or "")
            period = parse_period(decision.period) if decision.period else None
        if event is None or period is None:
            return []
        start = datetime.combine(period.start, datetime.min.time(), UTC)
        end = datetime.combine(period.end, datetime.min.time(), UTC)
        with open_warehouse(settings.warehouse_path, read_only=True) as warehouse:
            counted = rider_judgments(warehouse, decided.rider_id, event, start, end)
        with unit_of_work(engine) as session:
            for judgment in counted:
                override_judgment(
                    session,
                    judgment.event_id,
                    party="none",
                    case_id=decided.case_id,
                    by=decided.decided_by,
                    at=decided.decided_at,
                    judgment=judgment,
                )
    finally:
        engine.dispose()
    return [j.occurred_at for j in counted]
