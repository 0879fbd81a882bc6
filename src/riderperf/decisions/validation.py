"""Checks the decision rules of a policy, for `riderperf policy validate` and publishing."""

from __future__ import annotations

from riderperf.decisions.rules import PREFIX, read_rulebook
from riderperf.policy.parameters import ParameterSet, Policy


def validate_rules(params: ParameterSet) -> list[str]:
    """Problems of the decision rules in force on one date, each naming its parameter;
    [] when all is well (and when the policy has no `decisions` file at all)."""
    if not any(path.startswith(PREFIX + ".") for path in params.values):
        return []
    return read_rulebook(params)[1]


def validate_policy_rules(policy: Policy) -> list[str]:
    """`validate_rules` on every date a value of the policy changes."""
    return policy.problems_on_every_date(validate_rules)
