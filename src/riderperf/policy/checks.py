"""Checks of a loaded policy beyond its file format: the rules it carries must compile."""

from __future__ import annotations

from riderperf.policy.parameters import Policy, PolicyError


def check_policy(policy: Policy) -> None:
    """Raises PolicyError naming every rule condition that would not compile or type-check
    on some date; the decision rules live in the policy, so a bad one is a bad policy."""
    from riderperf.decisions.validation import validate_policy_rules  # decisions uses policy

    problems = validate_policy_rules(policy)
    if problems:
        raise PolicyError(problems)
