"""The words a notice's reason is built from: offence sentences, translated terms, param types."""

from __future__ import annotations

from riderperf.notices.model import N_, Message, Np_, ParamType

OFFENCES: dict[str, Message] = {
    "low_score": N_(
        "Your performance score for {period} was {score}, below the minimum of {threshold}."
    ),
    "late_deliveries": Np_(
        "{count} of your {orders} deliveries was late because of delays on your side ({rate_pct}).",
        "{count} of your {orders} deliveries were late because of delays on your side"
        " ({rate_pct}).",
        "count",
    ),
    "rider_cancellations": N_("You cancelled {count} of your {orders} orders ({rate_pct})."),
    "complaints": Np_(
        "{count} complaint about your service was found to be justified"
        " ({per_100} per 100 orders).",
        "{count} complaints about your service were found to be justified"
        " ({per_100} per 100 orders).",
        "count",
    ),
    "safety_incident": Np_(
        "{count} safety incident was recorded: {kind}.",
        "{count} safety incidents were recorded: {kind}.",
        "count",
    ),
    "inspection_violation": N_(
        "An on-site inspection found a problem with “{item}” (severity: {severity})."
    ),
    "document_expired": N_(
        "A required document has expired: {doc_type} (expired on {expired_on})."
    ),
    "fraud": N_("Our checks flagged a possible case of fraud: {signal}."),
}

_MEASURES = {
    "notice": N_("notice"),
    "warning": N_("warning"),
    "points": N_("penalty points"),
    "retraining": N_("retraining"),
    "reduced_priority": N_("lower order priority"),
    "suspension": N_("suspension"),
    "deactivation": N_("account deactivation"),
}

# Codes from closed lists (DESIGN.md, contracts) and the words a rider reads for them.
TERMS: dict[str, dict[str, Message]] = {
    "restriction": _MEASURES,
    "kind": {
        "accident": N_("accident"),
        "traffic_violation": N_("traffic violation"),
        "speeding": N_("speeding"),
        "helmet_missing": N_("riding without a helmet"),
        "equipment_missing": N_("missing safety equipment"),
        "document_expired": N_("expired document"),
        "fraud_signal": N_("signs of fraud"),
        "other": N_("other safety problem"),
    },
    "severity": {"minor": N_("minor"), "major": N_("serious"), "critical": N_("critical")},
    "doc_type": {
        "id": N_("identity document"),
        "licence": N_("driving licence"),
        "health_certificate": N_("health certificate"),
        "insurance": N_("insurance"),
        "vehicle_registration": N_("vehicle registration"),
    },
    "tier": {
        "gold": N_("Gold"),
        "silver": N_("Silver"),
        "bronze": N_("Bronze"),
        "watch": N_("Needs improvement"),
    },
    # The item codes of the bundled checklist (inspections/default_checklist.yaml).
    "item": {
        "helmet": N_("helmet"),
        "reflective_gear": N_("reflective vest or jacket"),
        "box_condition": N_("condition of the delivery box"),
        "box_hygiene": N_("cleanliness of the delivery box"),
        "box_photo": N_("photo of the delivery box"),
        "uniform": N_("uniform"),
        "id_and_licence": N_("identity document and driving licence"),
        "brakes": N_("brakes"),
        "lights": N_("lights and reflectors"),
        "tyre_tread_mm": N_("tyre tread depth"),
        "service_script": N_("service standard"),
        "safe_riding": N_("safe riding"),
        "remarks": N_("inspector's remarks"),
    },
}
# Open lists, whose unknown codes are shown as given: tier names come from the policy, which
# may add tiers; item codes come from checklist templates, which operators may write.
OPEN_TERMS = frozenset({"tier", "item"})

PARAM_TYPES: dict[str, ParamType] = {
    "period": ParamType.TEXT,
    "appeal_deadline": ParamType.DATE,
    "points": ParamType.INTEGER,
    "total_points": ParamType.INTEGER,
    "expires_on": ParamType.DATE,
    "days": ParamType.INTEGER,
    "until": ParamType.DATE,
    "weight": ParamType.DECIMAL,
    "tier": ParamType.TERM,
    "bonus_pct": ParamType.PERCENT,
    "badge": ParamType.TEXT,
    "restriction": ParamType.TERM,
    "score": ParamType.DECIMAL,
    "threshold": ParamType.DECIMAL,
    "count": ParamType.INTEGER,
    "orders": ParamType.INTEGER,
    "rate_pct": ParamType.PERCENT,
    "per_100": ParamType.DECIMAL,
    "kind": ParamType.TERM,
    "item": ParamType.TERM,
    "due_on": ParamType.DATE,
    "severity": ParamType.TERM,
    "doc_type": ParamType.TERM,
    "expired_on": ParamType.DATE,
    "signal": ParamType.TEXT,
    "case_id": ParamType.TEXT,
    "subject": ParamType.TEXT,
    "resolution_due": ParamType.DATETIME,
    "question": ParamType.TEXT,
    "respond_by": ParamType.DATETIME,
    "reason": ParamType.TEXT,
    "score_pct": ParamType.PERCENT,
}
