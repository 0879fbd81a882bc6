"""The words the rider portal shows for codes: KPIs, tiers, decisions, case states and the
rules that judged an event on the rider. English is the msgid; each language translates it
in `web/locale/<lang>/LC_MESSAGES/riderperf_web.po`."""

from __future__ import annotations

from riderperf.web.i18n import N_, Translator

KPI_NAMES = {
    "on_time_rate": N_("On-time deliveries"),
    "rider_cancel_rate": N_("Cancelled orders"),
    "customer_rating": N_("Customer rating"),
    "complaint_rate": N_("Complaints"),
    "acceptance_rate": N_("Accepted offers"),
    "safety_incidents": N_("Safe riding"),
    "document_compliance": N_("Valid documents"),
    "equipment_compliance": N_("Equipment in order"),
}

# Why a KPI earns the rider no points: it weighs nothing for their kind of work, or it is
# measured on a sample (equipment at inspections) and the rider was not checked.
KPI_NOT_COUNTED = N_("Not part of your score for your kind of work.")
KPI_NOT_CHECKED = N_("Not checked in this period, so not part of your score.")

TIERS = {
    "gold": N_("Gold"),
    "silver": N_("Silver"),
    "bronze": N_("Bronze"),
    "watch": N_("Needs improvement"),
}

CARD_STATUSES = {
    "ranked": N_("Your tier follows your score."),
    "new": N_("You are a new rider: you are never placed in the lowest tier while you learn."),
    "insufficient_data": N_("Fewer than 20 orders in this period: your tier stays as it was."),
}

DECISION_KINDS = {
    "notice": N_("Notice"),
    "warning": N_("Warning"),
    "points": N_("Penalty points"),
    "retraining": N_("Retraining"),
    "reduced_priority": N_("Lower order priority"),
    "suspension": N_("Suspension"),
    "deactivation": N_("Account deactivation"),
    "tier_bonus": N_("Tier bonus"),
    "priority_weight": N_("Order priority"),
    "badge": N_("Badge"),
    "newcomer_boost": N_("New rider boost"),
    "points_restored": N_("Penalty points given back"),
    "restriction_lifted": N_("Restriction lifted"),
    "compensation": N_("Compensation"),
}

DECISION_STATUSES = {
    "proposed": N_("Waiting for review by a person"),
    "in_effect": N_("In effect"),
    "rejected": N_("Rejected: it never took effect"),
    "overturned": N_("Overturned"),
    "partially_overturned": N_("Partly overturned"),
}

CASE_STATUSES = {
    "submitted": N_("Received"),
    "triage": N_("Being sorted"),
    "under_review": N_("Under review"),
    "waiting_on_rider": N_("Waiting for your answer"),
    "decided": N_("Decided"),
    "closed": N_("Closed"),
}

OUTCOMES = {
    "upheld": N_("Upheld: the decision stays"),
    "overturned": N_("Overturned: the decision was withdrawn"),
    "partially_overturned": N_("Partly overturned: the measure was reduced"),
}

EVENTS = {
    "late": N_("Late delivery"),
    "cancelled": N_("Cancelled order"),
    "complaint": N_("Complaint"),
}

# Why an event was judged on the rider, one line per rule of the responsibility judgment;
# the judgment's own full sentence (English) is shown beneath it.
RULES = {
    "late.rider_travel": N_("The ride to the customer took longer than expected."),
    "late.rider_pickup": N_("The food was ready but the pickup came late."),
    "cancel.rider_no_show": N_("The order was cancelled because no rider came for it."),
    "cancel.rider_vehicle_breakdown": N_("The order was cancelled after a vehicle breakdown."),
    "cancel.rider_accident_at_fault": N_("The order was cancelled after an accident at fault."),
    "complaint.contact": N_("A complaint about contact with the customer."),
    "complaint.food_damaged": N_("A complaint that the food arrived damaged."),
    "complaint.fraud_review": N_("A complaint under review for possible fraud."),
    "complaint.late_follows_judgment": N_("A complaint about a delivery judged late on you."),
    "complaint.rude": N_("A complaint about rude behaviour."),
    "complaint.uniform": N_("A complaint about the uniform."),
    "complaint.unsafe_riding": N_("A complaint about unsafe riding."),
    "complaint.wrong_handover": N_("A complaint that the order went to the wrong person."),
    "appeal_overturned": N_("Overturned on appeal: it no longer counts against you."),
}
OTHER_RULE = N_("Judged to be your responsibility.")


def label(translator: Translator, table: dict[str, str], code: str | None) -> str:
    """The translated word for `code`, or the code itself when the table lacks it (a newer
    policy may add a tier or a rule)."""
    if code is None:
        return "—"
    message = table.get(code)
    return translator.gettext(message) if message else code
