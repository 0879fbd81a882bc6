"""The typed facts record a rider's decision rules read for one period, and how it is built.

Every field is a name a rule condition may use (`late_rate_pct >= late_rate_pct_limit`);
its Python type gives the rule engine's type, so a misspelt name or a comparison of text
with a number is refused when the policy is validated, not when a rider is judged.
Counts come from the period's scorecard (volumes), the warehouse `judgments` of the
evaluation's policy version (who was responsible), `incidents`, `documents` and the
inspection violations of the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol

SEVERITY_ORDER = ("minor", "major", "critical")
# The rule engine's DataType of each field type of RiderFacts. The engine compiles its
# grammar when imported (about 0.4 s), so the functions that need it import it: modules
# that only read decisions, such as the web server's, never load it.
_ENGINE_TYPE_NAMES = {"str": "STRING", "int": "FLOAT", "float": "FLOAT", "bool": "BOOLEAN"}


class ViolationLike(Protocol):
    """What decisions read of an inspection violation (riderperf.inspections ViolationFact)."""

    @property
    def violation_id(self) -> str: ...
    @property
    def rider_id(self) -> str: ...
    @property
    def item_code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def found_at(self) -> datetime: ...


@dataclass(frozen=True)
class RiderFacts:
    """One rider in one period, as the decision rules see them."""

    rider_id: str
    period: str
    status: str = "ranked"  # ranked | new | insufficient_data
    tier: str = "none"  # "none" when the scorecard has no tier
    has_score: bool = True
    score: float = 0.0
    score_threshold: float = 0.0  # lowest score of the tier above the bottom one
    orders: int = 0  # orders accepted in the period
    delivered: int = 0  # delivered orders with a promised time
    late: int = 0  # late deliveries judged on the rider
    late_rate_pct: float = 0.0
    cancellations: int = 0  # cancellations judged on the rider
    cancel_rate_pct: float = 0.0
    complaints: int = 0  # complaints judged on the rider
    complaints_received: int = 0  # complaints naming the rider, whoever was responsible
    complaints_per_100: float = 0.0
    fraud_complaints: int = 0  # fraud complaints judged on the rider
    safety_incidents: int = 0  # safety incidents with the rider at fault
    serious_safety_incidents: int = 0  # of which major or critical
    incidents_not_cleared: int = 0  # safety incidents not cleared (at fault yes or unknown)
    worst_incident_kind: str = ""
    fraud_signals: int = 0  # critical fraud_signal incidents with the rider at fault
    expired_documents: int = 0  # documents expired by the period's end and not renewed
    expired_doc_type: str = ""
    expired_on: str = ""  # ISO date of the earliest of them
    minor_violations: int = 0
    major_violations: int = 0
    critical_violations: int = 0
    worst_violation_item: str = ""
    worst_violation_severity: str = ""
    account_lending: int = 0  # violations showing someone else rode on the account
    new_rider: bool = False
    protected_until: str = ""  # ISO date the protected new status ends
    active_points: int = 0  # points on the ledger before the period

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RiderFacts:
        """Facts from a mapping (a policy case), refusing unknown names."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown facts {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        values: dict[str, Any] = {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()
        }
        return cls(**values)


def fact_types() -> dict[str, Any]:
    """Rule-engine type of each fact name (counts are numbers to the engine, like rates)."""
    import rule_engine

    return {
        f.name: getattr(rule_engine.DataType, _ENGINE_TYPE_NAMES[str(f.type)])
        for f in fields(RiderFacts)
    }


def engine_type_of(value: Any) -> Any:
    """Rule-engine type of a policy threshold value (None for values rules cannot use)."""
    import rule_engine

    if isinstance(value, bool):
        return rule_engine.DataType.BOOLEAN
    if isinstance(value, int | float):
        return rule_engine.DataType.FLOAT
    if isinstance(value, str):
        return rule_engine.DataType.STRING
    return None


@dataclass(frozen=True)
class EventCounts:
    """Judged events of one rider in the period."""

    late: int = 0
    cancellations: int = 0
    complaints: int = 0
    complaints_received: int = 0
    fraud_complaints: int = 0


@dataclass(frozen=True)
class Incident:
    kind: str
    severity: str
    at_fault: str | None


@dataclass(frozen=True)
class Document:
    doc_type: str
    expires_on: date


def pct(part: float, whole: float, scale: float = 100.0) -> float:
    return round(scale * part / whole, 2) if whole else 0.0


def incident_facts(incidents: Iterable[Incident], safety_kinds: Iterable[str]) -> dict[str, Any]:
    """Safety and fraud-signal counts; an incident of unknown fault is never held against
    the rider, but it does keep a clean-safety badge away."""
    kinds = set(safety_kinds)
    safety = [i for i in incidents if i.kind in kinds]
    at_fault = [i for i in safety if i.at_fault == "yes"]
    serious = [i for i in at_fault if i.severity in ("major", "critical")]
    worst = max(at_fault, key=lambda i: _severity_rank(i.severity), default=None)
    return {
        "safety_incidents": len(at_fault),
        "serious_safety_incidents": len(serious),
        "incidents_not_cleared": sum(1 for i in safety if i.at_fault != "no"),
        "worst_incident_kind": worst.kind if worst else "",
        "fraud_signals": sum(
            1
            for i in incidents
            if i.kind == "fraud_signal" and i.severity == "critical" and i.at_fault == "yes"
        ),
    }


def document_facts(documents: Iterable[Document], period_end: date) -> dict[str, Any]:
    """Document types whose newest expiry date is before the period's end (not renewed)."""
    newest: dict[str, date] = {}
    for doc in documents:
        if doc.doc_type not in newest or doc.expires_on > newest[doc.doc_type]:
            newest[doc.doc_type] = doc.expires_on
    expired = sorted((d, t) for t, d in newest.items() if d < period_end)
    return {
        "expired_documents": len(expired),
        "expired_doc_type": expired[0][1] if expired else "",
        "expired_on": expired[0][0].isoformat() if expired else "",
    }


def violation_facts(
    violations: Iterable[ViolationLike], lending_items: Iterable[str]
) -> dict[str, Any]:
    found = list(violations)
    lending = set(lending_items)
    worst = max(found, key=lambda v: _severity_rank(v.severity), default=None)
    return {
        "minor_violations": sum(1 for v in found if v.severity == "minor"),
        "major_violations": sum(1 for v in found if v.severity == "major"),
        "critical_violations": sum(1 for v in found if v.severity == "critical"),
        "worst_violation_item": worst.item_code if worst else "",
        "worst_violation_severity": worst.severity if worst else "",
        "account_lending": sum(1 for v in found if v.item_code in lending),
    }


def _severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else -1
