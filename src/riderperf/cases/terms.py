"""Decides what a rider may appeal and until when, under the appeal terms of the policy in force.

Three subjects can be appealed: a decision (its own `appeal_deadline`), an inspection
violation (the policy's violation window after it was found) and a judgment of a single
event (the policy's judgment window after the event). Pure: the service looks the subject
up and hands it over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from riderperf.cases.model import AppealRefused, AppealWindowClosed
from riderperf.cases.sla import SlaHours
from riderperf.clock import as_utc
from riderperf.policy.parameters import ParameterSet

SUBJECT_TYPES = ("decision", "violation", "judgment")
APPEALABLE_DECISION_STATUS = "in_effect"
JUDGMENT_EXTRAS = ("event", "order_id", "policy_version", "explanation")


@dataclass(frozen=True)
class AppealTerms:
    """The appeals part of a policy version, as a case is held to it."""

    policy_version: str
    judgment_window_days: float
    sla: SlaHours
    respond_by_hours: float
    max_file_bytes: int
    max_files: int
    # None: the policy version predates violation appeals, so violations cannot be appealed
    # under it (decisions and judgments still can).
    violation_window_days: float | None = None

    @classmethod
    def from_parameters(cls, params: ParameterSet, policy_version: str) -> AppealTerms:
        try:
            found = params.group("appeals")
        except KeyError:
            raise AppealRefused(
                f"policy version {policy_version} has no appeals parameters; publish a "
                "version that includes appeals.yaml (the bundled default has one)"
            ) from None
        violation_window = found.get("violation_window_days")
        return cls(
            policy_version=policy_version,
            judgment_window_days=float(found["judgment_window_days"]),
            sla=SlaHours(
                first_response=float(found["sla.first_response_hours"]),
                resolution=float(found["sla.resolution_hours"]),
                at_risk_fraction=float(found["sla.at_risk_fraction"]),
            ),
            respond_by_hours=float(found["sla.respond_by_hours"]),
            max_file_bytes=int(found["evidence.max_file_bytes"]),
            max_files=int(found["evidence.max_files"]),
            violation_window_days=None if violation_window is None else float(violation_window),
        )


class JudgmentLike(Protocol):
    """What an appeal needs of a judged event: `riderperf.evaluation.overrides.JudgmentRef`
    (from `find_judgment(warehouse, event_id)`) has it."""

    @property
    def event_id(self) -> str: ...
    @property
    def rider_id(self) -> str | None: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def rule(self) -> str: ...
    @property
    def party(self) -> str: ...


class ViolationLike(Protocol):
    """What an appeal needs of an inspection violation:
    `riderperf.inspections.violations.ViolationFact` has it."""

    @property
    def violation_id(self) -> str: ...
    @property
    def rider_id(self) -> str: ...
    @property
    def inspection_id(self) -> str: ...
    @property
    def item_code(self) -> str: ...
    @property
    def kpi(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def found_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


class DecisionLike(Protocol):
    @property
    def decision_id(self) -> str: ...
    @property
    def rider_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def rule_id(self) -> str | None: ...
    @property
    def period(self) -> str | None: ...
    @property
    def appeal_deadline(self) -> date | datetime | None: ...


@dataclass(frozen=True)
class AppealSubject:
    """What is appealed, whose it is, the last moment it may be appealed and the rule behind it."""

    subject_type: str
    subject_id: str
    rider_id: str | None
    appeal_until: datetime | None  # None: this subject is never appealed
    rule_id: str | None
    details: dict[str, Any] = field(default_factory=dict)
    not_appealable: str | None = None  # why, when it cannot be appealed at all

    @property
    def label(self) -> str:
        return f"{self.subject_type} {self.subject_id}"


def judgment_subject(ref: JudgmentLike, terms: AppealTerms) -> AppealSubject:
    """A judgment may be appealed for the policy's window after the event, if it blamed the
    rider."""
    occurred = as_utc(ref.occurred_at)
    why = None
    if ref.party != "rider":
        why = f"it holds the {ref.party} responsible, not the rider; there is nothing to appeal"
    return AppealSubject(
        subject_type="judgment",
        subject_id=ref.event_id,
        rider_id=ref.rider_id,
        appeal_until=occurred + timedelta(days=terms.judgment_window_days),
        rule_id=ref.rule,
        details={
            "occurred_at": occurred.isoformat(),
            "rule": ref.rule,
            "party": ref.party,
            # Kept so the override can name the original judgment fully.
            **{name: getattr(ref, name, None) for name in JUDGMENT_EXTRAS},
        },
        not_appealable=why,
    )


def violation_subject(violation: ViolationLike, terms: AppealTerms) -> AppealSubject:
    """The rider who was inspected may appeal a violation for the policy's window after it
    was found, unless it was overturned already. Its rule is `inspection.<item code>`, so
    overturn rates are counted per checklist item."""
    found = as_utc(violation.found_at)
    window = terms.violation_window_days
    why = None
    if violation.status != "open":
        why = f"it is {violation.status} already; there is nothing left to appeal"
    elif window is None:
        why = (
            f"policy version {terms.policy_version} sets no appeals.violation_window_days; "
            "publish a version that does (the bundled default has one)"
        )
    return AppealSubject(
        subject_type="violation",
        subject_id=violation.violation_id,
        rider_id=violation.rider_id,
        appeal_until=None if window is None else found + timedelta(days=window),
        rule_id=f"inspection.{violation.item_code}",
        details={
            "inspection_id": violation.inspection_id,
            "item_code": violation.item_code,
            "kpi": violation.kpi,
            "severity": violation.severity,
            "found_at": found.isoformat(),
        },
        not_appealable=why,
    )


def decision_subject(decision: DecisionLike) -> AppealSubject:
    """A decision in effect may be appealed until its appeal deadline; a date means until the
    end of that day (UTC)."""
    deadline = decision.appeal_deadline
    until: datetime | None
    if deadline is None:
        until = None
    elif isinstance(deadline, datetime):
        until = as_utc(deadline)
    else:
        until = datetime.combine(deadline, time.max, tzinfo=UTC)
    why = None
    if decision.status != APPEALABLE_DECISION_STATUS:
        why = (
            f"it is {decision.status}; only a decision in effect is appealed "
            "(a proposed restriction is first reviewed by a person)"
        )
    elif until is None:
        why = "it carries no appeal deadline (rewards and compensations are not appealed)"
    return AppealSubject(
        subject_type="decision",
        subject_id=decision.decision_id,
        rider_id=decision.rider_id,
        appeal_until=until,
        rule_id=decision.rule_id,
        details={"kind": decision.kind, "period": decision.period},
        not_appealable=why,
    )


def check_admissible(subject: AppealSubject, rider_id: str, at: datetime) -> None:
    """Raises AppealRefused unless `rider_id` owns the subject and `at` is within its window."""
    if subject.rider_id != rider_id:
        raise AppealRefused(
            f"{subject.label} is not about rider {rider_id}; a rider appeals only what "
            "concerns them"
        )
    if subject.not_appealable:
        raise AppealRefused(f"{subject.label} cannot be appealed: {subject.not_appealable}")
    if subject.appeal_until is not None and as_utc(at) > subject.appeal_until:
        raise AppealWindowClosed(
            f"the appeal window of {subject.label} closed at "
            f"{subject.appeal_until.isoformat(timespec='minutes')}; appeals after it are "
            "not accepted"
        )
