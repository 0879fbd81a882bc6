"""Overturn means repair: an overturned penalty is never deleted; it is marked overturned
and compensating decisions give back what it took.

- Points: a `points_restored` decision with a negative ledger entry carrying the original
  entry's dates (as if the points had never counted); a partial overturn gives back the
  policy's share (`decisions.repair.partial_restore_share`) rounded up.
- Retraining and restrictions in effect: `restriction_lifted`; a partial overturn then
  puts the next milder measure in place (a suspension becomes a warning, a deactivation
  a suspension, proposed for approval like any restriction).
- A full overturn repairs every decision of the same finding (same rider, period, policy
  version and rule) and rejects its pending proposals.
- A re-evaluation that raises the tier: `compensate_lost_bonus` pays the bonus difference.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.clock import midnight
from riderperf.common.periods import parse_period
from riderperf.decisions.effects import as_utc, aware_utc, notify_rider
from riderperf.decisions.ledger import points_balance
from riderperf.decisions.model import (
    LIFTABLE_KINDS,
    PENALTY_KINDS,
    DecisionDraft,
    partial_replacement,
    restored_points,
)
from riderperf.decisions.orm import Decision, LedgerEntry
from riderperf.decisions.records import (
    DecisionStateError,
    check_move,
    find_by_key,
    get_decision,
    move_decision,
    require_reason,
    store_draft,
)
from riderperf.policy.parameters import ParameterSet, Policy
from riderperf.policy.versions import PolicyVersion
from riderperf.users.service import REVIEWERS, require_role

# Offence parameters survive into a replacement; the measure's own numbers do not.
_MEASURE_PARAMS = ("days", "weight", "until", "points", "total_points", "expires_on")


def overturn_decision(
    session: Session,
    decision_id: str,
    *,
    partial: bool,
    by: str,
    reason: str,
    case_id: str | None,
    at: datetime,
) -> list[Decision]:
    """Marks the decision (and the rest of its finding) overturned or partially overturned
    and returns the compensating decisions created; `by` must decide appeals."""
    when = aware_utc(at)
    text = require_reason(reason)
    require_role(session, by, REVIEWERS)
    original = get_decision(session, decision_id)
    # A milder measure put in place by a partial overturn is a penalty too: appealable.
    if original.kind not in PENALTY_KINDS:
        raise DecisionStateError(
            f"decision {decision_id} is a {original.kind}; only penalties can be overturned"
        )
    to = "partially_overturned" if partial else "overturned"
    check_move(original, to)
    created: list[Decision] = []
    for decision in [original, *_same_finding(session, original)]:
        if decision.status == "proposed":
            if not partial:
                _reject_pending(session, decision, by, text, case_id, when)
            continue
        move_decision(
            session, decision, to, by=by, at=when, reason=text, details={"case_id": case_id}
        )
        created += _compensate(session, decision, partial, by, case_id, when)
    return created


def _same_finding(session: Session, original: Decision) -> list[Decision]:
    query = select(Decision).where(
        Decision.rider_id == original.rider_id,
        Decision.period == original.period,
        Decision.policy_version == original.policy_version,
        Decision.rule_id == original.rule_id,
        Decision.compensates.is_(None),
        Decision.decision_id != original.decision_id,
        Decision.status.in_(("in_effect", "proposed")),
    )
    return list(session.scalars(query.order_by(Decision.decision_id)))


def _reject_pending(
    session: Session, decision: Decision, by: str, reason: str, case_id: str | None, at: datetime
) -> None:
    # Withdrawing a pending restriction only ever restricts less, so whoever decides the
    # appeal may do it.
    why = f"the finding was overturned on appeal: {reason}"
    move_decision(
        session, decision, "rejected", by=by, at=at, reason=why, details={"case_id": case_id}
    )
    notify_rider(session, decision, "decision.rejected", at)


def _compensate(
    session: Session, original: Decision, partial: bool, by: str, case_id: str | None, at: datetime
) -> list[Decision]:
    numbers: dict[str, Any] = original.inputs.get("numbers", {})
    created: list[Decision] = []
    entry = session.scalars(
        select(LedgerEntry).where(LedgerEntry.decision_id == original.decision_id)
    ).first()
    if entry is not None and entry.points > 0:
        share = float(numbers.get("partial_restore_share", 0.5))
        back = restored_points(entry.points, partial, share)
        active = entry.effective_on <= at.date() < entry.expires_on
        total = points_balance(session, original.rider_id, at) - (back if active else 0)
        draft = _draft(original, "points_restored", {"points": back, "total_points": total}, at)
        draft = replace(
            draft,
            points=-back,
            effective_from=midnight(entry.effective_on),
            effective_until=midnight(entry.expires_on),
        )
        created.append(_store(session, original, draft, by, case_id, at))
    if original.kind in LIFTABLE_KINDS:
        draft = _draft(original, "restriction_lifted", {"restriction": original.kind}, at)
        created.append(_store(session, original, draft, by, case_id, at))
    milder = partial_replacement(original.kind) if partial else None
    if milder is not None:
        params = {k: v for k, v in original.reason_params.items() if k not in _MEASURE_PARAMS}
        extra: dict[str, Any] = {}
        if milder == "suspension":
            days = int(numbers.get("suspension_days", 1))
            params["days"], extra["numbers"] = days, numbers | {"days": days}
        draft = _draft(original, milder, params, at, **extra)
        if milder != "suspension":
            window = timedelta(days=int(numbers.get("appeal_window_days", 0)))
            if not window and original.appeal_deadline and original.effective_from:
                # Made outside decide (no numbers kept): the original's own window.
                started = as_utc(original.effective_from) or at
                window = original.appeal_deadline - started.date()
            draft = replace(draft, appeal_deadline=at.date() + window)
        else:
            draft = replace(draft, effective_from=None)
        created.append(_store(session, original, draft, by, case_id, at))
    return created


def _draft(
    original: Decision, kind: str, params: dict[str, Any], at: datetime, **inputs: Any
) -> DecisionDraft:
    return DecisionDraft(
        rider_id=original.rider_id,
        kind=kind,
        rule_id=original.rule_id,
        offence=original.offence,
        reason_params=params,
        inputs={"compensates": original.decision_id, "numbers": original.inputs.get("numbers", {})}
        | inputs,
        effective_from=at,
    )


def _store(
    session: Session,
    original: Decision,
    draft: DecisionDraft,
    by: str,
    case_id: str | None,
    at: datetime,
) -> Decision:
    return store_draft(
        session,
        draft,
        key=f"repair|{original.decision_id}|{draft.kind}",
        period=original.period,
        period_end=original.period_end,
        policy_version=original.policy_version,
        at=at,
        actor=by,
        compensates=original.decision_id,
        case_id=case_id,
    )


def compensate_lost_bonus(
    session: Session,
    rider_id: str,
    period: str,
    *,
    old_tier: str | None,
    new_tier: str | None,
    policy: PolicyVersion | Policy | ParameterSet,
    at: datetime,
    case_id: str | None,
) -> Decision | None:
    """A `compensation` paying the tier-bonus difference when a re-evaluation after an
    overturn raised the rider's tier for `period`; None when the bonus did not rise.
    Calling it again for the same case returns the decision already made."""
    when = aware_utc(at)
    chosen = parse_period(period)
    params, version = _bonus_table(policy, chosen.start)
    key = f"compensation|{rider_id}|{chosen.label}|{case_id or '-'}|{old_tier}|{new_tier}"
    if (existing := find_by_key(session, key)) is not None:
        return existing
    gain = _bonus(params, new_tier) - _bonus(params, old_tier)
    if gain <= 0:
        return None
    earlier = session.scalars(
        select(Decision).where(
            Decision.rider_id == rider_id,
            Decision.period == chosen.label,
            Decision.kind == "tier_bonus",
            Decision.compensates.is_(None),
        )
    ).first()
    draft = DecisionDraft(
        rider_id=rider_id,
        kind="compensation",
        rule_id="tier_bonus",
        offence=None,
        reason_params={"bonus_pct": round(gain, 4), "period": chosen.label},
        inputs={"old_tier": old_tier, "new_tier": new_tier, "case_id": case_id},
        effective_from=when,
    )
    return store_draft(
        session,
        draft,
        key=key,
        period=chosen.label,
        period_end=chosen.end,
        policy_version=version or (earlier.policy_version if earlier else "-"),
        at=when,
        compensates=earlier.decision_id if earlier else None,
        case_id=case_id,
    )


def _bonus_table(
    policy: PolicyVersion | Policy | ParameterSet, on: Any
) -> tuple[ParameterSet, str | None]:
    if isinstance(policy, PolicyVersion):
        return policy.policy.at(on), policy.version
    if isinstance(policy, Policy):
        return policy.at(on), None
    return policy, None


def _bonus(params: ParameterSet, tier: str | None) -> float:
    if not tier:
        return 0.0
    try:
        return float(params.get(f"decisions.rewards.tier_bonus_pct.{tier}"))
    except KeyError:
        return 0.0
