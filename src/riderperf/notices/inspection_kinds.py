"""What the notices about on-site inspections and their corrective actions say, in English msgids.

Kept beside catalog.py (which merges them into NOTICE_KINDS and extracts them with Babel)
so that the message table stays small enough to read.
"""

from __future__ import annotations

from riderperf.notices.model import N_, Message, NoticeKind, Part

# An inspection finding has no decision deadline, so the decision appeal sentence (which
# names one) does not fit; the rider still learns how to contest it.
INSPECTION_APPEAL = N_(
    "If you think the inspection got this wrong, you can appeal: open this notice in the"
    " rider portal and choose “Appeal”. A person will review your appeal."
)


def _inspection_step(
    title: Message, happened: tuple[Part, ...], action: tuple[Part, ...]
) -> NoticeKind:
    """An inspection finding: the item is the reason, so no offence sentence is added."""
    return NoticeKind(title, happened, action, offence="none", appealable=False)


INSPECTION_KINDS: dict[str, NoticeKind] = {
    "inspection.failed": _inspection_step(
        N_("Something to fix after your inspection"),
        (
            N_(
                "At your on-site inspection, the item “{item}” did not pass the check"
                " (severity: {severity})."
            ),
        ),
        (
            N_(
                "Please put it right by {due_on}. An inspector will check it again at a"
                " re-inspection; once it passes, this item is closed."
            ),
            INSPECTION_APPEAL,
        ),
    ),
    "inspection.passed": _inspection_step(
        N_("You passed your inspection"),
        (N_("Well done! You passed your on-site inspection with a score of {score_pct}."),),
        (N_("Nothing needs to be fixed. Please keep your equipment in this good condition."),),
    ),
    "corrective_action.overdue": _inspection_step(
        N_("An inspection item is overdue"),
        (
            N_(
                "The item “{item}” from your on-site inspection had to be put right by"
                " {due_on}, and no inspection has found it fixed yet."
            ),
        ),
        (
            N_(
                "Please put it right as soon as possible. An inspector will check it again"
                " at a re-inspection."
            ),
            INSPECTION_APPEAL,
        ),
    ),
    "corrective_action.closed": _inspection_step(
        N_("Inspection item put right"),
        (N_("A later inspection found the item “{item}” in order, so it is now closed."),),
        (N_("Thank you for putting it right. You do not need to do anything."),),
    ),
}
