"""Judges complaints in bulk, as Ibis expressions: complaint.py written column-wise."""

from __future__ import annotations

from typing import Any

import ibis

from riderperf.responsibility.explain import sentence_expr, subject_expr, verdict_expr
from riderperf.responsibility.model import JUDGMENT_COLUMNS, LATE_PARTIES
from riderperf.responsibility.params import (
    DAMAGE_EVIDENCE,
    LATE_FACTS,
    RIDER_REVIEW,
    JudgmentParams,
)
from riderperf.warehouse.functions import utc_day


def _packaging(text: Any, params: JudgmentParams) -> Any:
    if not params.packaging_words:
        return ibis.literal(False)
    return text.lower().re_search(params.packaging_pattern).fill_null(False)


def complaint_judgments(
    complaints: Any,
    orders: Any,
    ratings: Any,
    order_judgments: Any,
    params: JudgmentParams,
    policy_version: str,
) -> Any:
    """One row per complaint of `complaints`. `order_judgments` holds the judgments of (at
    least) every order the complaints name; `orders` and `ratings` the facts."""
    p = params
    named = complaints.select(n_order_id=complaints.order_id).distinct()
    # Only the named orders: a semi-join that DuckDB filters while scanning, instead of a
    # join probing every order of the warehouse.
    named_orders = orders.filter(orders.order_id.isin(named.n_order_id))
    facts = named_orders.select(o_order_id=named_orders.order_id, o_rider_id=named_orders.rider_id)
    judged = order_judgments.select(
        j_order_id=order_judgments.order_id,
        j_party=order_judgments.party,
        j_confidence=order_judgments.confidence,
    )
    t = complaints.left_join(facts, complaints.order_id == facts.o_order_id)
    t = t.left_join(judged, t.order_id == judged.j_order_id)
    if p.packaging_words:
        # The packaging evidence of the order's ratings: any tag names the packaging.
        evidence = (
            ratings.filter(ratings.order_id.isin(named.n_order_id))
            .group_by(e_order_id=ratings.order_id)
            .aggregate(e_packaging=_packaging(ratings.tags, p).any())
        )
        t = t.left_join(evidence, t.order_id == evidence.e_order_id)
        packaging = _packaging(t.text, p) | t.e_packaging.fill_null(False)
    else:
        packaging = ibis.literal(False)
    t = t.mutate(
        has_order=t.o_order_id.notnull(),
        judged_order=t.j_order_id.notnull(),
        packaging=packaging,
        decision=t.category.cases(
            *p.complaint_categories.items(), else_=ibis.null().cast("string")
        ),
    )
    has_order, judged_order, packaging, decision = (
        t.has_order,
        t.judged_order,
        t.packaging,
        t.decision,
    )
    is_party = decision.notnull() & ~decision.isin([LATE_FACTS, DAMAGE_EVIDENCE, RIDER_REVIEW])
    party = ibis.cases(
        (decision.isnull(), "none"),
        (decision == LATE_FACTS, (has_order & judged_order).ifelse(t.j_party, "none")),
        (decision == DAMAGE_EVIDENCE, packaging.ifelse("merchant", "rider")),
        (decision == RIDER_REVIEW, "rider"),
        else_=decision,
    )
    rule = ibis.cases(
        (decision.isnull(), "complaint.unknown_category"),
        ((decision == LATE_FACTS) & ~has_order, "complaint.late_without_order"),
        ((decision == LATE_FACTS) & ~judged_order, "complaint.late_on_time_order"),
        (decision == LATE_FACTS, "complaint.late_follows_judgment"),
        (
            decision == DAMAGE_EVIDENCE,
            packaging.ifelse("complaint.food_damaged_packaging", "complaint.food_damaged"),
        ),
        (decision == RIDER_REVIEW, "complaint.fraud_review"),
        else_="complaint." + t.category,
    )
    confidence = ibis.cases(
        (decision.isnull(), p.confidence_unknown),
        ((decision == LATE_FACTS) & has_order & judged_order, t.j_confidence),
        (decision == RIDER_REVIEW, p.confidence_review),
        else_=p.confidence_rule,
    )
    confidence = has_order.ifelse(confidence, confidence * p.confidence_no_order_factor)
    t = t.mutate(party=party, rule=rule, confidence=confidence, is_party=is_party)
    fields = {"verdict": verdict_expr(t.party), "subject": subject_expr(t.category)}
    templates = [
        "complaint.unknown_category",
        "complaint.late_without_order",
        "complaint.late_on_time_order",
        "complaint.late_follows_judgment",
        "complaint.food_damaged_packaging",
        "complaint.food_damaged",
        "complaint.fraud_review",
    ]
    explanation = ibis.cases(
        (t.is_party, sentence_expr("complaint.by_category", fields)),
        *((t.rule == r, sentence_expr(r, fields)) for r in templates),
    )
    values = {
        "event_id": t.complaint_id,
        "event": ibis.literal("complaint"),
        "order_id": t.order_id,
        "rider_id": has_order.ifelse(ibis.coalesce(t.rider_id, t.o_rider_id), t.rider_id),
        "occurred_at": t.created_at,
        "day": utc_day(t.created_at),
        "party": t.party,
        "late_minutes": ibis.null().cast("float64"),
        **{f"minutes_{party}": ibis.literal(0.0) for party in LATE_PARTIES},
        "rule": t.rule,
        "policy_version": ibis.literal(policy_version),
        "confidence": t.confidence.cast("float64"),
        "explanation": explanation,
    }
    return t.select(**{name: values[name] for name, _ in JUDGMENT_COLUMNS})
