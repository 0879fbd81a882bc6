"""Decides which decisions one rider gets for one period: rules fire on the facts, ladder
offences climb the ladder, fixed actions and rewards follow. Pure: no database, no clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from riderperf.clock import midnight
from riderperf.common.periods import Period
from riderperf.decisions.facts import RiderFacts
from riderperf.decisions.model import (
    RESTRICTING_KINDS,
    REWARD_KINDS,
    DecisionDraft,
    History,
    LadderOutcome,
    Offence,
    climb_ladder,
    rung,
)
from riderperf.decisions.rules import Rule, RuleBook

FRAUD_SIGNALS = ("fraud_signal", "fraud_complaint", "account_lending")
# Penalties in effect at once, with the appeal window running from the decision.
IMMEDIATE_PENALTIES = ("notice", "warning", "points", "retraining")


def offence_params(rule: Rule, facts: RiderFacts, book: RuleBook) -> dict[str, Any]:
    """The numbers of the rider's notice that say why (per offence code)."""
    f = facts
    by_offence: dict[str, dict[str, Any]] = {
        "low_score": {"score": round(f.score, 1), "threshold": book.score_threshold},
        "late_deliveries": {"count": f.late, "orders": f.delivered, "rate_pct": f.late_rate_pct},
        "rider_cancellations": {
            "count": f.cancellations,
            "orders": f.orders,
            "rate_pct": f.cancel_rate_pct,
        },
        "complaints": {"count": f.complaints, "per_100": f.complaints_per_100},
        "safety_incident": {"count": f.safety_incidents, "kind": f.worst_incident_kind},
        "inspection_violation": {
            "item": f.worst_violation_item,
            "severity": f.worst_violation_severity,
        },
        "document_expired": {"doc_type": f.expired_doc_type, "expired_on": f.expired_on},
        "fraud": {"signal": _fraud_signal(rule.rule_id, f)},
    }
    return {"offence": rule.offence, "period": f.period} | by_offence.get(str(rule.offence), {})


def _fraud_signal(rule_id: str, f: RiderFacts) -> str:
    found = [
        name
        for name, n in zip(
            FRAUD_SIGNALS, (f.fraud_signals, f.fraud_complaints, f.account_lending), strict=True
        )
        if n
    ]
    return rule_id if rule_id in found else (found[0] if found else rule_id)


class _Drafter:
    """Builds one rider's drafts with the inputs and dates every decision carries."""

    def __init__(
        self, facts: RiderFacts, base: dict[str, Any], book: RuleBook, at: datetime
    ) -> None:
        self.facts, self.base, self.book, self.at = facts, base, book, at
        self.deadline = at.date() + timedelta(days=book.ladder.appeal_window_days)
        # Numbers approval and repair need later, kept with the decision they belong to.
        self.numbers = {
            "appeal_window_days": book.ladder.appeal_window_days,
            "suspension_days": book.ladder.suspension_days,
            "partial_restore_share": book.partial_restore_share,
        }

    def __call__(
        self,
        rule: Rule,
        kind: str,
        params: dict[str, Any],
        numbers: dict[str, Any] | None = None,
        **dates: Any,
    ) -> DecisionDraft:
        inputs = self.base | {
            "rule": {"id": rule.rule_id, "when": rule.when, "action": rule.action},
            "numbers": self.numbers | (numbers or {}),
        }
        # A restriction gets its dates and appeal deadline when a person approves it.
        immediate = kind in IMMEDIATE_PENALTIES
        defaults: dict[str, Any] = {
            "appeal_deadline": self.deadline if immediate else None,
            "effective_from": None if kind in RESTRICTING_KINDS else self.at,
        }
        return DecisionDraft(
            self.facts.rider_id,
            kind,
            rule.rule_id,
            rule.offence,
            params,
            inputs,
            **(defaults | dates),
        )


def plan_rider(
    facts: RiderFacts, history: History, book: RuleBook, period: Period, at: datetime
) -> list[DecisionDraft]:
    """Every decision `facts` call for under `book`, in a stable order."""
    context = book.context(facts)
    fired = [rule for rule in book.rules if rule.fires(context)]
    rules = {rule.rule_id: rule for rule in fired}
    offences = [
        Offence(r.rule_id, str(r.offence), r.points, r.forgivable, offence_params(r, facts, book))
        for r in fired
        if r.action == "ladder"
    ]
    outcome = climb_ladder(offences, history, period.start, book.ladder)
    draft = _Drafter(
        facts, {"facts": facts.as_dict(), "ladder": _ladder_inputs(outcome, history)}, book, at
    )
    drafts = [draft(rules[o.rule_id], "notice", o.reason_params) for o in outcome.forgiven]
    expires_on = period.end + timedelta(days=book.ladder.points_expiry_days)
    for offence, total in outcome.scored:
        params = offence.reason_params | {
            "points": offence.points,
            "total_points": total,
            "expires_on": expires_on.isoformat(),
        }
        drafts.append(
            draft(
                rules[offence.rule_id],
                "points",
                params,
                points=offence.points,
                effective_from=midnight(period.end),
                effective_until=midnight(expires_on),
            )
        )
    fixed = [r for r in fired if r.action not in ("ladder", *REWARD_KINDS)]
    for rule in fixed:
        drafts.append(_measure(draft, rule, rule.action, offence_params(rule, facts, book)))
    # A fixed measure at least as strong as the ladder's already answers the period.
    covered = any(rung(r.action) >= rung(outcome.measure or "notice") for r in fixed)
    if outcome.measure and outcome.measure_rule and not covered:
        rule = rules[outcome.measure_rule.rule_id]
        drafts.append(_measure(draft, rule, outcome.measure, outcome.measure_rule.reason_params))
    for rule in fired:
        if rule.action in REWARD_KINDS:
            drafts += _reward(draft, rule, facts, book, period)
    # A restriction already awaiting a person, or still in effect, is not proposed again
    # every period (an unrenewed document would otherwise pile up proposals).
    return [d for d in drafts if d.kind not in history.open_restrictions]


def _measure(draft: _Drafter, rule: Rule, kind: str, params: dict[str, Any]) -> DecisionDraft:
    ladder = draft.book.ladder
    own = rule.days if rule.action == kind else None  # a fixed measure may set its days
    if kind == "suspension":
        days = own or ladder.suspension_days
        return draft(rule, kind, params | {"days": days}, {"days": days})
    if kind == "reduced_priority":
        weight, days = ladder.reduced_priority_weight, own or ladder.reduced_priority_days
        extra = {"weight": weight, "days": days}
        return draft(rule, kind, params | extra, extra)
    return draft(rule, kind, params)


def _reward(
    draft: _Drafter, rule: Rule, facts: RiderFacts, book: RuleBook, period: Period
) -> list[DecisionDraft]:
    rewards = book.rewards
    common = {"period": facts.period}
    span: dict[str, Any] = {
        "effective_from": midnight(period.end),
        "effective_until": midnight(period.end + timedelta(days=period.days)),
    }
    if rule.action == "tier_bonus":
        pct = rewards.tier_bonus_pct.get(facts.tier, 0.0)
        params = common | {"tier": facts.tier, "bonus_pct": pct}
        return [draft(rule, "tier_bonus", params, **span)] if pct > 0 else []
    if rule.action == "priority_weight":
        weight = rewards.priority_weight.get(facts.tier, 1.0)
        params = common | {"tier": facts.tier, "weight": weight}
        return [draft(rule, "priority_weight", params, **span)] if weight != 1.0 else []
    if rule.action == "badge":
        return [draft(rule, "badge", common | {"badge": str(rule.badge)}, **span)]
    ends = date.fromisoformat(facts.protected_until) if facts.protected_until else None
    if ends is not None and ends > period.end:
        span["effective_until"] = midnight(ends)
    params = common | {"weight": rewards.newcomer_boost_weight}
    return [draft(rule, "newcomer_boost", params, **span)]


def _ladder_inputs(outcome: LadderOutcome, history: History) -> dict[str, Any]:
    return {
        "active_points_before": history.active_points,
        "total_points_after": outcome.total_points or history.active_points,
        "last_offence_on": history.last_offence_on.isoformat() if history.last_offence_on else None,
        "prior_sanctions": list(history.sanctions),
        "clean_history": outcome.clean_history,
        "forgiven": [o.rule_id for o in outcome.forgiven],
        "measure": outcome.measure,
        "measure_reason": outcome.why or None,
        "open_restrictions": list(history.open_restrictions),
    }
