"""Judges one order: a late delivery or a cancellation, or nothing when it was on time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riderperf.responsibility.cancel import judge_cancellation
from riderperf.responsibility.late import split_lateness
from riderperf.responsibility.model import Judgment, text_or_none
from riderperf.responsibility.params import JudgmentParams


def judge_order(
    order: Mapping[str, Any],
    params: JudgmentParams,
    policy_version: str,
    rider_vehicle: str | None,
    at_fault_accident: bool = False,
) -> Judgment | None:
    """The judgment of a cancelled or late order; None when it was delivered on time (or its
    status is neither delivered nor cancelled). `rider_vehicle` is the vehicle of the order's
    rider, `at_fault_accident` whether an accident incident for the order says the rider was
    at fault."""
    status = order.get("status")
    common = {
        "event_id": str(order["order_id"]),
        "order_id": str(order["order_id"]),
        "rider_id": text_or_none(order.get("rider_id")),
        "occurred_at": order["created_at"],
        "policy_version": policy_version,
    }
    if status == "cancelled":
        verdict = judge_cancellation(order, params, at_fault_accident)
        return Judgment(
            event="cancelled",
            party=verdict.party,
            late_minutes=None,
            minutes_platform=0.0,
            minutes_merchant=0.0,
            minutes_force_majeure=0.0,
            minutes_customer=0.0,
            minutes_rider=0.0,
            rule=verdict.rule,
            confidence=verdict.confidence,
            explanation=verdict.explanation,
            **common,
        )
    if status != "delivered":
        return None
    split = split_lateness(order, params, rider_vehicle)
    if split is None:
        return None
    return Judgment(
        event="late",
        party=split.party,
        late_minutes=split.late_minutes,
        minutes_platform=split.minutes["platform"],
        minutes_merchant=split.minutes["merchant"],
        minutes_force_majeure=split.minutes["force_majeure"],
        minutes_customer=split.minutes["customer"],
        minutes_rider=split.minutes["rider"],
        rule=split.rule,
        confidence=split.confidence,
        explanation=split.explanation,
        **common,
    )
