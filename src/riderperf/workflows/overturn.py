"""Repairs what an overturned appeal undoes beyond the case itself: the judgments a fully
overturned penalty counted, the scores of every published period holding the overturned
events, and the tier bonus a wrong judgment cost.

It opens each store once for the whole repair and is called after the case decision is
committed (`workflows.appeals.decide_appeal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from riderperf.cases.decide import CaseDecision
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.decisions.records import get_decision
from riderperf.decisions.repair import compensate_lost_bonus
from riderperf.evaluation.orm import Evaluation
from riderperf.evaluation.overrides import override_judgment, rider_judgments
from riderperf.evaluation.reevaluate import Reevaluation, reevaluate_for_rider
from riderperf.policy.versions import get_version
from riderperf.storage.db import unit_of_work
from riderperf.stores import Stores, open_stores

# A penalty for these offences counts the rider-responsible judgments of one event kind.
OFFENCE_EVENTS = {
    "late_deliveries": "late",
    "rider_cancellations": "cancelled",
    "complaints": "complaint",
}


@dataclass(frozen=True)
class OverturnRepair:
    """What re-evaluating after an overturn changed: periods, and bonus compensations."""

    changes: list[Reevaluation]
    compensations: list[str]  # decision ids of the compensation decisions made


def reevaluate_after_overturn(settings: Settings, decided: CaseDecision) -> OverturnRepair:
    """Repairs after a committed case decision.

    An overturned judgment, or an overturned violation of an equipment item (the item no
    longer counts in equipment compliance): its periods are evaluated again. A penalty
    overturned in full whose offence counts judgments (late deliveries, cancellations,
    complaints): the reviewer found that the counted events were not the rider's fault, so
    each of the rider's rider-responsible judgments of that kind in the decision's period is
    overturned too, and the period evaluated again, so the score stops counting them. A
    partial overturn lowers the sanction and leaves the judgments as they were.
    """
    needed = decided.reevaluate
    full_penalty = decided.subject_type == "decision" and decided.outcome == "overturned"
    if needed is None and not full_penalty:
        return OverturnRepair([], [])
    with open_stores(settings) as stores:
        if needed is not None:
            rider_id, moments = needed.rider_id, [needed.occurred_at]
        else:
            rider_id, moments = decided.rider_id, overturn_counted_judgments(stores, decided)
        return repair_after_overturn(
            stores, rider_id, moments, case_id=decided.case_id, at=decided.decided_at
        )


def repair_after_overturn(
    stores: Stores,
    rider_id: str,
    moments: Sequence[datetime],
    *,
    case_id: str | None,
    at: datetime,
) -> OverturnRepair:
    """Re-evaluates the published periods holding `moments`, then pays back the tier bonus
    of every period whose tier rose (a `compensation` decision; none when the bonus did not
    rise)."""
    changes = reevaluate_for_rider(stores, rider_id, moments, at=at)
    paid: list[str] = []
    with unit_of_work(stores.engine) as session:
        for change in changes:
            if change.old_tier == change.new_tier:
                continue
            version = get_version(stores.engine, _evaluation_version(session, change))
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
    return OverturnRepair(changes, paid)


def _evaluation_version(session: Session, change: Reevaluation) -> str:
    found = session.get(Evaluation, change.evaluation_id)
    if found is None:
        raise LookupError(
            f"evaluation {change.evaluation_id} disappeared while repairing an overturn"
        )
    return found.policy_version


def overturn_counted_judgments(stores: Stores, decided: CaseDecision) -> list[datetime]:
    """Overturns the judgments a fully overturned penalty counted; returns their times."""
    with unit_of_work(stores.engine) as session:
        decision = get_decision(session, decided.subject_id)
        event = OFFENCE_EVENTS.get(decision.offence or "")
        period = parse_period(decision.period) if decision.period else None
    if event is None or period is None:
        return []
    start = datetime.combine(period.start, datetime.min.time(), UTC)
    end = datetime.combine(period.end, datetime.min.time(), UTC)
    counted = rider_judgments(stores.warehouse, decided.rider_id, event, start, end)
    with unit_of_work(stores.engine) as session:
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
    return [j.occurred_at for j in counted]
