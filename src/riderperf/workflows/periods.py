"""Decides a period with everything the policy's rules may count: the published evaluation's
scorecards and judgments (read by `decisions`) and the inspection violations found during
the period (kept by `inspections`). Written once for the CLI, the API and the demo, so none
of them decides without the violations.
"""

from __future__ import annotations

from datetime import datetime

from riderperf.clock import midnight
from riderperf.common.periods import Period
from riderperf.config import Settings
from riderperf.decisions.service import DecideResult, decide_period
from riderperf.inspections.violations import violations_between
from riderperf.storage.db import unit_of_work
from riderperf.stores import Stores, open_stores


def decide_period_with_violations(
    target: Settings | Stores,
    period: Period,
    *,
    at: datetime,
    policy_version: str | None = None,
) -> DecideResult:
    """Rewards and penalties of `period` (restrictions proposed for a person to approve),
    counting the inspection violations found in it. Raises what `decide_period` raises."""
    if isinstance(target, Settings):
        with open_stores(target) as stores:
            return decide_period_with_violations(
                stores, period, at=at, policy_version=policy_version
            )
    with unit_of_work(target.engine) as session:
        found = violations_between(session, midnight(period.start), midnight(period.end))
    return decide_period(target, period, at=at, policy_version=policy_version, violations=found)
