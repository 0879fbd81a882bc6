"""Checks and publishes a policy with every feature's rules in view: the file format is the
policy package's business, but whether the decision rules compile and type-check is known
only to `decisions`. Written once for the CLI and the API.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from riderperf.clock import Clock, system_clock
from riderperf.decisions.validation import validate_policy_rules
from riderperf.metrics.rules import scoring_problems
from riderperf.policy import versions
from riderperf.policy.parameters import Policy, PolicyError
from riderperf.policy.versions import PolicyVersion


def check_policy(policy: Policy) -> None:
    """Raises PolicyError naming every rule condition that would not compile or type-check
    on some date, and every date on which the scoring and tier values contradict each
    other; the rules live in the policy, so a bad one is a bad policy."""
    problems = validate_policy_rules(policy) + policy.problems_on_every_date(scoring_problems)
    if problems:
        raise PolicyError(problems)


def publish_policy(
    engine: Engine,
    folder: Path,
    version: str,
    effective_from: date,
    published_by: str,
    note: str = "",
    clock: Clock = system_clock,
) -> PolicyVersion:
    """Loads `folder` strictly, checks it and publishes it as `version`."""
    return versions.publish_policy(
        engine, folder, version, effective_from, published_by, note, clock, check=check_policy
    )


def publish_loaded_policy(
    engine: Engine,
    policy: Policy,
    version: str,
    effective_from: date,
    published_by: str,
    note: str = "",
    clock: Clock = system_clock,
) -> PolicyVersion:
    """Checks an already loaded policy (a reform, for instance) and publishes it."""
    return versions.publish_loaded_policy(
        engine, policy, version, effective_from, published_by, note, clock, check=check_policy
    )
