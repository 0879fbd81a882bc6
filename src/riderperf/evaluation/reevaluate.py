"""Re-evaluates the published periods an overturned judgment or equipment violation
touched.

An overturn changes the judgments a score was built on (or voids an equipment item of an
inspection), so every published period whose window holds one of the overturned events is
evaluated again, officially, under the same policy version. The earlier evaluation stays
stored (nothing is deleted); the new one is published. Scenario evaluations are what-ifs and
are left as they were. What follows from a changed tier (a bonus owed back) is decided by
`workflows.overturn`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.clock import fixed_clock, utc_day
from riderperf.common.periods import parse_period
from riderperf.evaluation.orm import OFFICIAL, Evaluation, Scorecard
from riderperf.evaluation.published import published_evaluation
from riderperf.evaluation.service import evaluate_in
from riderperf.storage.db import unit_of_work
from riderperf.stores import Stores


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


def affected_periods(session: Session, moments: Sequence[datetime]) -> list[tuple[str, str]]:
    """(period label, policy version) of the published evaluation of every period whose
    window holds one of `moments`."""
    days = {utc_day(m) for m in moments}
    rows = session.execute(
        select(Evaluation.period, Evaluation.policy_version)
        .where(
            Evaluation.published.is_(True),
            Evaluation.period_start <= max(days),
            Evaluation.period_end > min(days),
        )
        .order_by(Evaluation.period)
    ).all()
    found = []
    for label, version in rows:
        period = parse_period(label)
        if any(period.start <= d < period.end for d in days):
            found.append((label, version))
    return found


def reevaluate_for_rider(
    stores: Stores, rider_id: str, moments: Sequence[datetime], *, at: datetime
) -> list[Reevaluation]:
    """Evaluates again every published period holding one of `moments` and reports how the
    rider's score and tier moved."""
    if not moments:
        return []
    with unit_of_work(stores.engine) as session:
        periods = affected_periods(session, moments)
    changes: list[Reevaluation] = []
    for label, version in periods:
        with unit_of_work(stores.engine) as session:
            before = _published_card(session, label, rider_id)
            old_score, old_tier = (before.score, before.tier) if before else (None, None)
        result = evaluate_in(
            stores,
            parse_period(label),
            policy_version=version,
            clock=fixed_clock(at),
            purpose=OFFICIAL,
        )
        after = result.card(rider_id)
        new_score = None if after is None or after.score != after.score else after.score
        changes.append(
            Reevaluation(
                label,
                result.evaluation_id,
                old_score,
                new_score,
                old_tier,
                after.tier if after else None,
            )
        )
    return changes


def _published_card(session: Session, period: str, rider_id: str) -> Scorecard | None:
    evaluation = published_evaluation(session, period)
    if evaluation is None:
        return None
    return session.get(Scorecard, (evaluation.evaluation_id, rider_id))
