"""Decides which riders a supervisor should look at this period, and says why for each.

A rider needs attention when they are in the bottom tier, dropped a tier against their
previous one, have a restricting decision open (proposed or in effect), or have an
overdue corrective action from an inspection. The last two come from other packages and
may be unavailable; the list then says so in its notes instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from riderperf.metrics.rules import TierRules
from riderperf.reports.model import Attention, AttentionRow, RiderRow
from riderperf.reports.summaries import tier_change

REASONS = ("bottom_tier", "tier_drop", "restricting_decision", "overdue_corrective_action")


def riders_needing_attention(
    rows: Sequence[RiderRow],
    rules: TierRules,
    restrictions: Mapping[str, list[str]] | None,
    overdue: Mapping[str, list[str]] | None,
    notes: Sequence[str] = (),
) -> Attention:
    """The riders with at least one reason, most reasons first, then lowest score first.

    `restrictions` / `overdue` map rider_id → sentences; None means the source could not
    be read (its note is in `notes`), an empty mapping means nobody has one.
    """
    counts = dict.fromkeys(REASONS, 0)
    found = []
    for row in rows:
        reasons: list[tuple[str, str]] = []
        if row.tier == rules.bottom:
            reasons.append(("bottom_tier", f"in the {rules.bottom} tier"))
        if tier_change(row, rules) == "down":
            reasons.append(("tier_drop", f"dropped from {row.previous_tier} to {row.tier}"))
        for sentence in (restrictions or {}).get(row.rider_id, []):
            reasons.append(("restricting_decision", sentence))
        for sentence in (overdue or {}).get(row.rider_id, []):
            reasons.append(("overdue_corrective_action", sentence))
        if not reasons:
            continue
        for kind in {kind for kind, _ in reasons}:
            counts[kind] += 1
        found.append(
            AttentionRow(
                rider_id=row.rider_id,
                unit=row.unit,
                status=row.status,
                score=row.score,
                tier=row.tier,
                previous_tier=row.previous_tier,
                reasons=[sentence for _, sentence in reasons],
            )
        )
    found.sort(key=lambda r: (-len(r.reasons), _score_key(r.score), r.rider_id))
    return Attention(found, counts, list(notes))


def _score_key(score: float | None) -> float:
    return score if score is not None else float("inf")
