"""Rewards and penalties from a versioned policy, a points ledger and a human-approval gate."""

from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.ledger import points_balance, priority_weights
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.orm import Decision, LedgerEntry
from riderperf.decisions.records import (
    DecisionConflict,
    DecisionError,
    DecisionNotFound,
    DecisionStateError,
    decisions_for,
    get_decision,
)
from riderperf.decisions.repair import compensate_lost_bonus, overturn_decision
from riderperf.decisions.service import DecideResult, MissingEvaluation, decide_period
from riderperf.decisions.stats import overturn_rates
from riderperf.decisions.validation import validate_policy_rules, validate_rules

__all__ = [
    "RESTRICTING_KINDS",
    "DecideResult",
    "Decision",
    "DecisionConflict",
    "DecisionError",
    "DecisionNotFound",
    "DecisionStateError",
    "LedgerEntry",
    "MissingEvaluation",
    "approve_decision",
    "compensate_lost_bonus",
    "decide_period",
    "decisions_for",
    "get_decision",
    "overturn_decision",
    "overturn_rates",
    "points_balance",
    "priority_weights",
    "reject_decision",
    "validate_policy_rules",
    "validate_rules",
]
