"""Small policy folders written in a test's tmp_path, independent of the bundled default."""

from __future__ import annotations

from pathlib import Path

LATE = """
description: How late minutes are shared.
dispatch_allowance_minutes:
  description: Minutes the platform may take to find a rider.
  unit: minute
  reference: Platform dispatch SLA.
  values:
    {first}: {dispatch}
    2026-07-01:
      value: {dispatch_2026}
      reference: Revised SLA of July 2026.
merchant_wait_allowance_minutes:
  description: Minutes a rider may wait for food before the merchant owes them.
  unit: minute
  reference: Industry practice.
  values:
    {merchant_since}: 5
"""

SCORE = """
weights:
  full_time:
    on_time:
      description: Weight of the on-time rate.
      reference: Operations committee.
      values: {{{first}: 0.6}}
    rating:
      description: Weight of the customer rating.
      reference: Operations committee.
      values: {{{first}: 0.4}}
"""


def write_policy(
    folder: Path,
    *,
    dispatch: int = 3,
    dispatch_2026: int = 4,
    merchant_since: str = "2025-01-01",
    first: str = "2025-01-01",
) -> Path:
    """A two-file policy (late.yaml, score.yaml) whose numbers the test can vary; `first`
    is the first date of every value but the merchant allowance's."""
    folder.mkdir(parents=True, exist_ok=True)
    late = LATE.format(
        dispatch=dispatch, dispatch_2026=dispatch_2026, merchant_since=merchant_since, first=first
    )
    (folder / "late.yaml").write_text(late, encoding="utf-8")
    (folder / "score.yaml").write_text(SCORE.format(first=first), encoding="utf-8")
    return folder
