"""Appeal use cases: submit an appeal, move a case, let the rider answer, list cases by urgency.

Deciding a case lives in `riderperf.cases.decide`; every status change goes through
`riderperf.cases.transition.transition`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple
from uuid import uuid4

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from riderperf.cases.evidence import attach_evidence, check_evidence_files
from riderperf.cases.model import (
    PAUSED_STATE,
    STATES,
    AppealAlreadyFiled,
    AppealRefused,
    CaseConflict,
    CaseError,
    CaseNotFound,
)
from riderperf.cases.orm import Case
from riderperf.cases.sla import CLOCK_STATES, SlaState, sla_state, urgency_key
from riderperf.cases.terms import (
    AppealSubject,
    AppealTerms,
    as_utc,
    check_admissible,
    decision_subject,
    judgment_subject,
    violation_subject,
)
from riderperf.cases.transition import open_case, transition
from riderperf.clock import fixed_clock
from riderperf.decisions.records import DecisionNotFound, get_decision
from riderperf.evaluation.overrides import find_judgment
from riderperf.inspections.violations import find_violation
from riderperf.policy.versions import NoPolicyInForce, ensure_default_published, version_for_day
from riderperf.storage.db import unit_of_work
from riderperf.users.service import require_role
from riderperf.warehouse.connection import open_warehouse

REVIEWER_ROLES = ("reviewer", "ops_manager", "admin")
STAFF_MOVES = ("triage", "under_review", "waiting_on_rider", "closed")


class CaseStanding(NamedTuple):
    """A case with its SLA clocks at the moment asked."""

    case: Case
    sla: SlaState


def appeal_terms_in_force(engine: Engine, at: datetime) -> AppealTerms:
    """The appeal terms of the policy version in force on `at`'s day (the bundled default is
    published first if nothing is)."""
    ensure_default_published(engine, fixed_clock(at))
    day: date = as_utc(at).date()
    try:
        version = version_for_day(engine, day)
    except NoPolicyInForce as exc:
        raise AppealRefused(str(exc)) from exc
    return AppealTerms.from_parameters(version.policy.at(day), version.version)


def decision_appeal_subject(session: Session, decision_id: str) -> AppealSubject:
    """The decision as an appeal subject; raises the decisions module's DecisionNotFound."""
    return decision_subject(get_decision(session, decision_id))


def violation_appeal_subject(
    session: Session, violation_id: str, terms: AppealTerms
) -> AppealSubject | None:
    """The inspection violation as an appeal subject, or None when there is no such violation."""
    found = find_violation(session, violation_id)
    return None if found is None else violation_subject(found, terms)


def lookup_subject(
    engine: Engine, warehouse_path: Path, subject_id: str, terms: AppealTerms
) -> AppealSubject:
    """A decision with that id, or else an inspection violation, or else the judged event
    with that id in the warehouse."""
    with unit_of_work(engine) as session:
        try:
            return decision_appeal_subject(session, subject_id)
        except DecisionNotFound:
            pass
        violation = violation_appeal_subject(session, subject_id, terms)
        if violation is not None:
            return violation
    missing = (
        f"no decision or judged event {subject_id!r}, nor an inspection violation with that "
        "id; check the id on the rider's notice"
    )
    if not warehouse_path.is_file():
        raise CaseNotFound(missing)
    with open_warehouse(warehouse_path, read_only=True) as warehouse:
        ref = find_judgment(warehouse, subject_id)
    if ref is None:
        raise CaseNotFound(missing)
    return judgment_subject(ref, terms)


def submit_appeal(
    session: Session,
    subject: AppealSubject,
    *,
    rider_id: str,
    statement: str,
    terms: AppealTerms,
    at: datetime,
    home: Path,
    evidence: Sequence[Path] = (),
) -> Case:
    """Opens a case for `rider_id` against `subject`, with their words and evidence files.

    Refused (AppealRefused) when the subject is not the rider's, cannot be appealed, its
    window has closed, it was appealed before, the statement is empty or a file is too large.
    """
    at = as_utc(at)
    check_admissible(subject, rider_id, at)
    if not statement.strip():
        raise AppealRefused("an appeal needs the rider's reason in their own words (--reason)")
    existing = case_for_subject(session, subject.subject_type, subject.subject_id)
    if existing is not None:
        raise AppealAlreadyFiled(
            f"{subject.label} was already appealed in case {existing.case_id} "
            f"(submitted {existing.submitted_at:%Y-%m-%d %H:%M}, now {existing.status}); "
            "a subject is appealed once"
        )
    check_evidence_files(evidence, max_bytes=terms.max_file_bytes, max_files=terms.max_files)
    case = open_case(
        session,
        new_case_id(),
        subject,
        rider_id=rider_id,
        statement=statement.strip(),
        terms=terms,
        at=at,
    )
    attach_evidence(
        session,
        case,
        evidence,
        home=home,
        max_bytes=terms.max_file_bytes,
        max_files=terms.max_files,
        by=rider_id,
        at=at,
    )
    return case


def move_case(
    session: Session,
    case_id: str,
    to_state: str,
    *,
    by: str,
    at: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """A reviewer moves a case (triage, under review, ask the rider, close); deciding is
    `decide_case`. Moving to waiting_on_rider needs the question as `note`."""
    if to_state not in STAFF_MOVES:
        hint = (
            "use `decide`" if to_state == "decided" else f"choose one of {', '.join(STAFF_MOVES)}"
        )
        raise CaseError(f"case {case_id} cannot be moved to {to_state!r} here: {hint}")
    require_role(session, by, REVIEWER_ROLES)
    case = get_case(session, case_id)
    check_version(case, expected_version)
    details: dict[str, str] = {}
    if note:
        details["question" if to_state == PAUSED_STATE else "note"] = note
    return transition(session, case, to_state, actor=by, at=at, details=details)


def respond_to_case(
    session: Session,
    case_id: str,
    *,
    rider_id: str,
    text: str,
    terms: AppealTerms,
    at: datetime,
    home: Path,
    evidence: Sequence[Path] = (),
) -> Case:
    """The rider answers the reviewer's question; the case goes back under review."""
    at = as_utc(at)
    case = get_case(session, case_id)
    if case.rider_id != rider_id:
        raise AppealRefused(f"case {case_id} is not rider {rider_id}'s appeal")
    if case.status != PAUSED_STATE:
        raise CaseError(
            f"case {case_id} is not waiting on the rider's answer (it is {case.status})"
        )
    if not text.strip():
        raise CaseError("an answer needs some text (--text)")
    added = attach_evidence(
        session,
        case,
        evidence,
        home=home,
        max_bytes=terms.max_file_bytes,
        max_files=terms.max_files,
        by=rider_id,
        at=at,
    )
    details = {"response": text.strip(), "evidence": [row.sha256 for row in added]}
    return transition(session, case, "under_review", actor=rider_id, at=at, details=details)


def get_case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no case {case_id}; `riderperf appeals list` shows the cases")
    return case


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuses to act on a case someone changed since the caller last saw it."""
    if expected_version is not None and case.version != expected_version:
        raise CaseConflict(
            f"case {case.case_id} is at version {case.version} ({case.status}), not "
            f"{expected_version}: someone changed it since you looked; look again and retry"
        )


def case_for_subject(session: Session, subject_type: str, subject_id: str) -> Case | None:
    return session.scalars(
        select(Case).where(Case.subject_type == subject_type, Case.subject_id == subject_id)
    ).first()


def cases_for(session: Session, rider_id: str) -> list[Case]:
    """A rider's cases, newest first."""
    return list(
        session.scalars(
            select(Case)
            .where(Case.rider_id == rider_id)
            .order_by(Case.submitted_at.desc(), Case.case_id)
        )
    )


def case_sla(case: Case, at: datetime) -> SlaState:
    return sla_state(case.timing, case.sla_hours, at)


def list_cases(
    session: Session, *, sla: str | None = None, status: str | None = None, at: datetime
) -> list[CaseStanding]:
    """Cases with their clocks at `at`, most urgent first; `sla` keeps the cases with a running
    clock in that state (breached, at_risk, on_track), `status` those in that state."""
    if sla is not None and sla not in CLOCK_STATES[:3]:
        raise CaseError(f"--sla {sla!r}: choose breached, at_risk or on_track")
    if status is not None and status not in STATES:
        raise CaseError(f"--status {status!r}: choose one of {', '.join(STATES)}")
    query = select(Case)
    if status is not None:
        query = query.where(Case.status == status)
    standings = [CaseStanding(case, case_sla(case, at)) for case in session.scalars(query)]
    if sla is not None:
        standings = [s for s in standings if sla in s.sla.running_states()]
    return sorted(standings, key=lambda s: (urgency_key(s.sla), s.case.case_id))


def new_case_id() -> str:
    return f"case-{uuid4().hex[:12]}"
