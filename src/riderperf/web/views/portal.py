"""The rider portal's view of one rider, in their language: score and tier, why (each KPI's
points and the judgments that counted against them), how to improve, decisions with the
notices sent, appeals, and what may still be appealed until when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.cases.model import AppealRefused
from riderperf.cases.orm import Case
from riderperf.cases.service import case_sla
from riderperf.cases.terms import AppealTerms, decision_subject
from riderperf.decisions.ledger import points_balance
from riderperf.decisions.orm import Decision
from riderperf.decisions.records import decisions_for
from riderperf.metrics.registry import KPI_BY_NAME, Kpi
from riderperf.notices.orm import Notice
from riderperf.notices.service import notices_for
from riderperf.policy.versions import version_in_force
from riderperf.warehouse.connection import Warehouse
from riderperf.web.i18n import Translator
from riderperf.web.views import portal_text as words
from riderperf.web.views.judgments import JudgmentRow, rider_judgments
from riderperf.web.views.riders import score_history


@dataclass(frozen=True)
class AppealOption:
    """A subject the rider may still appeal, and the last moment they may."""

    subject_type: str
    subject_id: str
    deadline: str


@dataclass(frozen=True)
class KpiLine:
    label: str
    value: str
    points: str
    maximum: str
    share: float  # of the KPI's maximum, 0–1, for the bar
    counted: bool  # False: the KPI weighs nothing for the rider (`note` says why)
    note: str = ""


@dataclass(frozen=True)
class CountedEvent:
    kind: str
    when: str
    summary: str
    sentence: str  # the judgment's own sentence (English)
    appeal: AppealOption | None
    case_id: str | None


@dataclass(frozen=True)
class DecisionLine:
    decision_id: str
    kind: str
    status: str
    period: str
    notices: list[Notice]
    appeal: AppealOption | None
    case_id: str | None


@dataclass(frozen=True)
class CaseLine:
    case_id: str
    subject: str
    status: str
    outcome: str | None
    submitted: str
    due: str


@dataclass
class RiderPortal:
    rider_id: str
    words: Translator
    points: int = 0
    period: str | None = None
    score: str | None = None
    tier: str | None = None
    status_note: str | None = None
    kpis: list[KpiLine] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    counted: list[CountedEvent] = field(default_factory=list)
    decisions: list[DecisionLine] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    cases: list[CaseLine] = field(default_factory=list)
    appeals_open: bool = True


def build_portal(
    session: Session,
    engine: Any,
    rider_id: str,
    t: Translator,
    at: datetime,
    warehouse: Warehouse | None,
) -> RiderPortal:
    """Everything the portal shows one rider; `warehouse` None leaves out the judgments."""
    portal = RiderPortal(rider_id, t, points=points_balance(session, rider_id, at))
    terms = _terms(engine, at)
    portal.appeals_open = terms is not None
    cases = {(c.subject_type, c.subject_id): c for c in _cases(session, rider_id)}
    history, evaluations = score_history(session, rider_id)
    if history:
        _add_score(portal, history[-1])
        evaluation = evaluations[-1]
        judged = rider_judgments(
            warehouse,
            rider_id,
            evaluation.policy_version,
            evaluation.period_start,
            evaluation.period_end,
        )
        portal.counted = [_counted(t, row, cases, terms, at) for row in judged]
    notices = notices_for(session, rider_id)
    portal.notices = list(reversed(notices))
    portal.decisions = [
        _decision_line(t, d, notices, cases.get(("decision", d.decision_id)), at)
        for d in reversed(decisions_for(session, rider_id))
    ]
    portal.cases = [case_line(t, c, at) for c in cases.values()]
    return portal


def _add_score(portal: RiderPortal, latest: dict[str, Any]) -> None:
    t, card = portal.words, latest["card"]
    portal.period = t.text(latest["period"])
    portal.score = None if latest["score"] is None else t.number(latest["score"], 0)
    portal.tier = words.label(t, words.TIERS, latest["tier"]) if latest["tier"] else None
    portal.status_note = words.label(t, words.CARD_STATUSES, latest["status"])
    portal.kpis = [
        _kpi_line(t, name, kpi) for name, kpi in card["kpis"].items() if name in KPI_BY_NAME
    ]
    portal.improvements = [_improvement(t, i) for i in card.get("improvements", [])]


def _counted(
    t: Translator,
    row: JudgmentRow,
    cases: dict[tuple[str, str], Case],
    terms: AppealTerms | None,
    at: datetime,
) -> CountedEvent:
    case = cases.get(("judgment", row.event_id))
    until = row.appeal_until(terms.judgment_window_days) if terms else None
    open_ = until is not None and until >= at and case is None
    return CountedEvent(
        kind=words.label(t, words.EVENTS, row.event),
        when=t.moment(row.occurred_at),
        summary=t.gettext(words.RULES.get(row.rule, words.OTHER_RULE)),
        sentence=row.explanation,
        appeal=AppealOption("judgment", row.event_id, t.moment(until)) if open_ else None,
        case_id=case.case_id if case else None,
    )


def _decision_line(
    t: Translator, decision: Decision, notices: list[Notice], case: Case | None, at: datetime
) -> DecisionLine:
    return DecisionLine(
        decision_id=decision.decision_id,
        kind=words.label(t, words.DECISION_KINDS, decision.kind),
        status=words.label(t, words.DECISION_STATUSES, decision.status),
        period=t.text(decision.period),
        notices=[
            n
            for n in notices
            if n.subject_type == "decision" and n.subject_id == decision.decision_id
        ],
        appeal=_decision_appeal(t, decision, at) if case is None else None,
        case_id=case.case_id if case else None,
    )


def case_line(t: Translator, case: Case, at: datetime) -> CaseLine:
    sla = case_sla(case, at)
    subject = (
        t.gettext("Decision {id}", id=t.text(case.subject_id))
        if case.subject_type == "decision"
        else t.gettext("Judged event {id}", id=t.text(case.subject_id))
    )
    return CaseLine(
        case_id=case.case_id,
        subject=subject,
        status=words.label(t, words.CASE_STATUSES, case.status),
        outcome=words.label(t, words.OUTCOMES, case.outcome) if case.outcome else None,
        submitted=t.moment(case.submitted_at),
        due=t.moment(sla.resolution_due),
    )


def _decision_appeal(t: Translator, decision: Decision, at: datetime) -> AppealOption | None:
    subject = decision_subject(decision)
    if subject.not_appealable or subject.appeal_until is None or subject.appeal_until < at:
        return None
    return AppealOption("decision", decision.decision_id, t.date(subject.appeal_until))


def _cases(session: Session, rider_id: str) -> list[Case]:
    return list(
        session.scalars(
            select(Case).where(Case.rider_id == rider_id).order_by(Case.submitted_at.desc())
        )
    )


def _terms(engine: Any, at: datetime) -> AppealTerms | None:
    """The appeal terms in force today, read only (None when no version has them)."""
    day = at.astimezone(UTC).date()
    version = version_in_force(engine, day)
    if version is None:
        return None
    try:
        return AppealTerms.from_parameters(version.policy.at(day), version.version)
    except (AppealRefused, KeyError, ValueError):
        return None


def _kpi_line(t: Translator, name: str, kpi: dict[str, Any]) -> KpiLine:
    info = KPI_BY_NAME[name]
    weight = float(kpi.get("weight") or 0)
    points = float(kpi.get("contribution") or 0)
    rate = kpi.get("rate")
    unchecked = info.sampled and not kpi.get("den")
    return KpiLine(
        label=words.label(t, words.KPI_NAMES, name),
        value=kpi_value(t, info, rate if rate is not None else kpi.get("shrunk")),
        points=t.number(points, 0),
        maximum=t.number(1000 * weight, 0),
        share=points / (1000 * weight) if weight else 0.0,
        counted=weight > 0,
        note=""
        if weight > 0
        else t.gettext(words.KPI_NOT_CHECKED if unchecked else words.KPI_NOT_COUNTED),
    )


def kpi_value(t: Translator, kpi: Kpi, value: float | None) -> str:
    """A KPI value in the rider's language: 97.5%, 4.31 ★, 1.2 per 100 orders."""
    if value is None or value != value:
        return "—"
    if kpi.unit == "share":
        return t.percent(value)
    if kpi.unit == "stars":
        return f"{t.number(value, 2)} ★"
    if kpi.unit == "per 100 orders":
        return t.gettext("{value} per 100 orders", value=t.number(value, 1))
    return t.gettext("{value} per 1,000 orders", value=t.number(value, 1))


def _improvement(t: Translator, item: dict[str, Any]) -> str:
    kpi = KPI_BY_NAME.get(item["kpi"])
    if kpi is None:
        return str(item.get("sentence", ""))
    gain = max(1, round(float(item["gain"])))
    values = {
        "kpi": words.label(t, words.KPI_NAMES, kpi.name),
        "current": kpi_value(t, kpi, item["current"]),
        "target": kpi_value(t, kpi, item["target"]),
        "gain": t.number(gain),
    }
    current, target = float(item["current"]), float(item["target"])
    meets = current >= target if kpi.direction == "higher" else current <= target
    if meets:
        return t.ngettext(
            "{kpi}: keep it at {target} over more orders to gain about {gain} point.",
            "{kpi}: keep it at {target} over more orders to gain about {gain} points.",
            gain,
            **values,
        )
    if kpi.direction == "higher":
        return t.ngettext(
            "{kpi}: raise it from {current} to {target} to gain about {gain} point.",
            "{kpi}: raise it from {current} to {target} to gain about {gain} points.",
            gain,
            **values,
        )
    return t.ngettext(
        "{kpi}: lower it from {current} to {target} to gain about {gain} point.",
        "{kpi}: lower it from {current} to {target} to gain about {gain} points.",
        gain,
        **values,
    )
