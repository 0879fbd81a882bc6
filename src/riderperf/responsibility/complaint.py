"""Decides who is responsible for one complaint, by its category and the order's facts.

The policy's category table (`responsibility.complaint.categories`) maps a category to a
party or to a decision from facts:

- `late_facts`: a late complaint follows the judgment of its order (a cancelled order's
  judgment too); an order delivered on time, or no order named, means nobody;
- `damage_evidence`: the rider, unless the complaint text or the order's rating tags name
  the packaging (`responsibility.complaint.packaging_words`, matched at the start of a word
  of the lower-cased text), then the restaurant;
- `rider_review`: the rider, with the low review confidence: a person must look first.

A category not in the table is nobody's, with low confidence. Without an order the
confidence is lowered (`no_order_factor`): nothing of the delivery can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from riderperf.responsibility.explain import VERDICT, render, subject_text
from riderperf.responsibility.model import Judgment, text_or_none
from riderperf.responsibility.params import (
    DAMAGE_EVIDENCE,
    LATE_FACTS,
    RIDER_REVIEW,
    JudgmentParams,
)


def points_at_packaging(params: JudgmentParams, *texts: str | None) -> bool:
    """Whether any text names the packaging (words of the policy, at the start of a word)."""
    if not params.packaging_words:
        return False
    pattern = re.compile(params.packaging_pattern, re.ASCII)
    return any(t is not None and pattern.search(t.lower()) for t in texts)


def judge_complaint(
    complaint: Mapping[str, Any],
    order: Mapping[str, Any] | None,
    order_judgment: Judgment | None,
    rating_tags: str | None,
    params: JudgmentParams,
    policy_version: str,
) -> Judgment:
    """The judgment of one complaint. `order` is its order (None when it names none),
    `order_judgment` that order's judgment (None when delivered on time), `rating_tags` the
    tags of the order's ratings joined by ';'."""
    category = text_or_none(complaint.get("category"))
    decision = params.complaint_categories.get(category) if category is not None else None
    confidence = params.confidence_rule
    template = None
    if decision is None:
        party, rule, confidence = "none", "complaint.unknown_category", params.confidence_unknown
    elif decision == LATE_FACTS:
        if order is None:
            party, rule = "none", "complaint.late_without_order"
        elif order_judgment is None:
            party, rule = "none", "complaint.late_on_time_order"
        else:
            party, rule = order_judgment.party, "complaint.late_follows_judgment"
            confidence = order_judgment.confidence
    elif decision == DAMAGE_EVIDENCE:
        text = text_or_none(complaint.get("text"))
        if points_at_packaging(params, text, rating_tags):
            party, rule = "merchant", "complaint.food_damaged_packaging"
        else:
            party, rule = "rider", "complaint.food_damaged"
    elif decision == RIDER_REVIEW:
        party, rule, confidence = "rider", "complaint.fraud_review", params.confidence_review
    else:
        party, rule, template = decision, f"complaint.{category}", "complaint.by_category"
    if order is None:
        confidence = confidence * params.confidence_no_order_factor
    fields = {"verdict": VERDICT[party], "subject": subject_text(category)}
    rider_id = text_or_none(complaint.get("rider_id"))
    if rider_id is None and order is not None:
        rider_id = text_or_none(order.get("rider_id"))
    return Judgment(
        event_id=str(complaint["complaint_id"]),
        event="complaint",
        order_id=text_or_none(complaint.get("order_id")),
        rider_id=rider_id,
        occurred_at=complaint["created_at"],
        party=party,
        late_minutes=None,
        minutes_platform=0.0,
        minutes_merchant=0.0,
        minutes_force_majeure=0.0,
        minutes_customer=0.0,
        minutes_rider=0.0,
        rule=rule,
        policy_version=policy_version,
        confidence=confidence,
        explanation=render(template or rule, fields),
    )
