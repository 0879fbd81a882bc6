"""The message table of rider notices: what every kind of notice says, in English msgids.

Every sentence a rider reads is written here, in vocabulary.py or in inspection_kinds.py
and marked with `N_` / `Np_`, so Babel extracts exactly these msgids into
locale/riderperf.pot (a test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path

from riderperf.notices.inspection_kinds import INSPECTION_KINDS
from riderperf.notices.model import N_, Choice, Message, NoticeKind, Np_, Part
from riderperf.notices.vocabulary import OFFENCES, OPEN_TERMS, PARAM_TYPES, TERMS

__all__ = ["NOTICE_KINDS", "OFFENCES", "OPEN_TERMS", "PARAM_TYPES", "TERMS"]

# The files Babel extracts msgids from (keywords N_ and Np_:1,2).
MESSAGE_SOURCES = (
    Path(__file__),
    Path(__file__).with_name("vocabulary.py"),
    Path(__file__).with_name("inspection_kinds.py"),
)

APPEAL = N_(
    "If you think this decision is wrong, you can appeal until {appeal_deadline}: open this"
    " notice in the rider portal and choose “Appeal”. A person, not an automatic system,"
    " will review your appeal."
)
IMPROVE = N_("Your scorecard in the rider portal shows what counts and how you can improve.")
AFTER_REVIEW = N_("This follows a review of an earlier decision. You do not need to do anything.")
TOTAL_POINTS = Np_(
    "You now have {total_points} penalty point in total.",
    "You now have {total_points} penalty points in total.",
    "total_points",
)


def _case_step(title: Message, happened: tuple[Part, ...], action: tuple[Part, ...]) -> NoticeKind:
    """A step of an appeal: no offence to explain, and nothing to appeal against."""
    return NoticeKind(title, happened, action, offence="none", appealable=False)


NOTICE_KINDS: dict[str, NoticeKind] = {
    "decision.notice": NoticeKind(
        N_("A note about your results"),
        (
            N_(
                "We noticed a problem in your results for {period} that we want you to know"
                " about. This is only a notice: nothing changes in your work."
            ),
        ),
        (IMPROVE,),
    ),
    "decision.warning": NoticeKind(
        N_("Warning about your results"),
        (
            N_(
                "You have received a warning about your results for {period}. A warning does"
                " not change your work, but if the problem continues, a stronger measure may"
                " follow."
            ),
        ),
        (IMPROVE,),
    ),
    "decision.points": NoticeKind(
        N_("Penalty points added"),
        (
            Np_(
                "{points} penalty point has been added to your record for {period}. It expires"
                " on {expires_on}.",
                "{points} penalty points have been added to your record for {period}. They"
                " expire on {expires_on}.",
                "points",
            ),
            TOTAL_POINTS,
        ),
        (
            N_(
                "Points expire on their own. Avoiding new problems is the best way to bring"
                " your total down."
            ),
        ),
    ),
    "decision.retraining": NoticeKind(
        N_("Retraining needed"),
        (N_("Because of your results for {period}, we ask you to take a retraining session."),),
        (
            N_(
                "The training helps with the problem described above. Your operations team"
                " will tell you when and where it takes place; please attend it."
            ),
        ),
    ),
    "decision.reduced_priority": NoticeKind(
        N_("Lower order priority for a while"),
        (
            Np_(
                "Because of your results for {period}, you will be offered new orders with"
                " lower priority for the next {days} day (priority weight {weight}; normal"
                " is 1).",
                "Because of your results for {period}, you will be offered new orders with"
                " lower priority for the next {days} days (priority weight {weight}; normal"
                " is 1).",
                "days",
            ),
        ),
        (
            N_(
                "You can keep working as usual during this time. Your priority goes back to"
                " normal on its own when the period ends."
            ),
        ),
    ),
    "decision.suspension": NoticeKind(
        N_("Your account is suspended"),
        (
            Np_(
                "Because of your results for {period}, your account is suspended for {days}"
                " day, until {until}. You will not receive orders during this time.",
                "Because of your results for {period}, your account is suspended for {days}"
                " days, until {until}. You will not receive orders during this time.",
                "days",
            ),
        ),
        (
            N_(
                "The suspension ends on its own; you do not need to do anything to start"
                " working again."
            ),
        ),
    ),
    "decision.deactivation": NoticeKind(
        N_("Your account has been deactivated"),
        (
            N_(
                "Because of your results for {period}, your account has been deactivated."
                " You will no longer receive orders."
            ),
        ),
        (N_("A member of the operations team reviewed and approved this decision."),),
    ),
    "decision.tier_bonus": NoticeKind(
        N_("You earned a tier bonus"),
        (
            N_(
                "Well done! For {period} you reached the {tier} tier, which gives you a bonus"
                " of {bonus_pct} on your earnings."
            ),
        ),
        (N_("Keep up your results to stay in this tier."),),
    ),
    "decision.priority_weight": NoticeKind(
        N_("Your order priority"),
        (
            N_(
                "For {period}, your tier is {tier} and your order priority weight is {weight}"
                " (normal is 1)."
            ),
        ),
        (
            N_(
                "A higher weight means you are offered orders sooner. Better results raise"
                " your tier and your weight."
            ),
        ),
    ),
    "decision.badge": NoticeKind(
        N_("You earned a badge"),
        (N_("Congratulations! You earned the “{badge}” badge for {period}."),),
        (N_("Thank you for your good work."),),
    ),
    "decision.newcomer_boost": NoticeKind(
        N_("A head start for new riders"),
        (
            N_(
                "Welcome! As a new rider, you get a higher order priority (weight {weight})"
                " until {until}, so that you can build up your results."
            ),
        ),
        (N_("Deliver on time and treat customers well to build a good score."),),
    ),
    "decision.points_restored": NoticeKind(
        N_("Penalty points removed"),
        (
            Np_(
                "{points} penalty point has been removed from your record.",
                "{points} penalty points have been removed from your record.",
                "points",
            ),
            TOTAL_POINTS,
        ),
        (AFTER_REVIEW,),
    ),
    "decision.restriction_lifted": NoticeKind(
        N_("A measure has been lifted"),
        (N_("This measure no longer applies to you: {restriction}."),),
        (AFTER_REVIEW,),
    ),
    "decision.compensation": NoticeKind(
        N_("Compensation for an earlier decision"),
        (
            N_(
                "After reviewing an earlier decision, we are paying you a bonus of {bonus_pct}"
                " on your earnings for {period} as compensation."
            ),
        ),
        (N_("We are sorry for the trouble. You do not need to do anything."),),
    ),
    "decision.proposed_restriction": NoticeKind(
        N_("A measure is waiting for review by a person"),
        (
            N_(
                "Because of your results for {period}, a measure has been proposed:"
                " {restriction}. Nothing changes yet: a member of the operations team must"
                " review it first."
            ),
        ),
        (N_("You will receive another notice when a decision has been made."),),
        offence="required",
    ),
    "decision.rejected": NoticeKind(
        N_("Proposed measure not applied"),
        (N_("A reviewer decided not to apply the proposed measure: {restriction}."),),
        (N_("Nothing changes in your work, and you do not need to do anything."),),
    ),
    "case.submitted": _case_step(
        N_("We received your appeal"),
        (N_("We received your appeal {case_id}. Subject: {subject}."),),
        (
            N_(
                "A person will review it and reply by {resolution_due}. We may ask you for"
                " more information, so please check your notices."
            ),
        ),
    ),
    "case.triage": _case_step(
        N_("Your appeal is being checked"),
        (N_("We are checking your appeal and assigning it to a reviewer."),),
        (N_("You do not need to do anything now."),),
    ),
    "case.under_review": _case_step(
        N_("Your appeal is under review"),
        (N_("A reviewer is now looking at your appeal."),),
        (N_("You will receive another notice when a decision has been made."),),
    ),
    "case.waiting_on_rider": _case_step(
        N_("We need more information about your appeal"),
        (N_("The reviewer needs more information from you: {question}"),),
        (
            N_(
                "Please reply in the rider portal by {respond_by}. If we do not hear from you,"
                " the reviewer will decide with the information available."
            ),
        ),
    ),
    "case.decided": _case_step(
        N_("Decision on your appeal"),
        (
            Choice(
                "outcome",
                {
                    "upheld": N_("After review, the original decision stays in place."),
                    "overturned": N_(
                        "Your appeal was accepted: the original decision has been cancelled,"
                        " and any points or measures it caused have been reversed."
                    ),
                    "partially_overturned": N_(
                        "Your appeal was partly accepted: the original decision has been reduced."
                    ),
                },
            ),
            N_("The reviewer's reason: {reason}"),
        ),
        (N_("If you have questions about this decision, please contact rider support."),),
    ),
    "case.closed": _case_step(
        N_("Your appeal is closed"),
        (N_("Your appeal {case_id} is now closed."),),
        (N_("Thank you for your patience."),),
    ),
    **INSPECTION_KINDS,
}
