"""Checks the decision rules of a policy, for `riderperf policy validate` and publishing."""

from __future__ import annotations

from riderperf.decisions.rules import PREFIX, read_rulebook
from riderperf.policy.parameters import ParameterSet, Policy, PolicyError


def validate_rules(params: ParameterSet) -> list[str]:
    """Problems of the decision rules in force on one date, each naming its parameter;
    [] when all is well (and when the policy has no `decisions` file at all)."""
    if not any(path.startswith(PREFIX + ".") for path in params.values):
        return []
    return read_rulebook(params)[1]


def validate_policy_rules(policy: Policy) -> list[str]:
    """`validate_rules` on every date a value of the policy changes; a problem found on
    several dates is reported once, with the first date."""
    dates = sorted({dated.since for p in policy.parameters.values() for dated in p.values})
    seen: set[str] = set()
    problems: list[str] = []
    for day in dates:
        try:
            params = policy.at(day)
        except PolicyError:
            continue  # a parameter has no value yet on that day: reported where it matters
        for problem in validate_rules(params):
            if problem not in seen:
                seen.add(problem)
                problems.append(f"{problem} (values in force on {day})")
    return problems
