"""How warehouse events and inspection violations become the facts the rules read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from riderperf.common.periods import parse_period
from riderperf.decisions.facts import (
    Document,
    Incident,
    RiderFacts,
    document_facts,
    fact_types,
    incident_facts,
    violation_facts,
)
from riderperf.decisions.sources import period_violations

SAFETY = ("accident", "speeding", "helmet_missing")


@dataclass(frozen=True)
class Violation:
    violation_id: str
    rider_id: str
    item_code: str
    severity: str
    found_at: datetime
    inspection_id: str = "I1"
    kpi: str = "safety"


def test_only_incidents_with_the_rider_at_fault_count_against_them() -> None:
    found = incident_facts(
        [
            Incident("accident", "major", "no"),
            Incident("accident", "critical", "unknown"),
            Incident("speeding", "minor", "yes"),
            Incident("fraud_signal", "critical", "unknown"),
        ],
        SAFETY,
    )
    assert found == {
        "safety_incidents": 1,
        "serious_safety_incidents": 0,
        "incidents_not_cleared": 2,  # the unknown accident keeps the badge away
        "worst_incident_kind": "speeding",
        "fraud_signals": 0,  # a signal of unknown fault is not fraud
    }


def test_a_critical_fraud_signal_at_fault_is_counted() -> None:
    assert (
        incident_facts([Incident("fraud_signal", "critical", "yes")], SAFETY)["fraud_signals"] == 1
    )
    assert incident_facts([Incident("fraud_signal", "major", "yes")], SAFETY)["fraud_signals"] == 0


def test_a_renewed_document_is_not_expired() -> None:
    end = date(2026, 11, 9)
    renewed = [Document("licence", date(2026, 10, 1)), Document("licence", date(2028, 10, 1))]
    lapsed = [Document("insurance", date(2026, 11, 3)), Document("id", date(2026, 9, 30))]
    assert document_facts(renewed, end)["expired_documents"] == 0
    assert document_facts(renewed + lapsed, end) == {
        "expired_documents": 2,
        "expired_doc_type": "id",
        "expired_on": "2026-09-30",
    }
    assert document_facts([Document("id", end)], end)["expired_documents"] == 0


def test_violations_of_the_period_by_severity_and_lending() -> None:
    period = parse_period("2026-W45")
    inside = datetime(2026, 11, 4, 10, tzinfo=UTC)
    found = period_violations(
        [
            Violation("V1", "R1", "uniform", "minor", inside),
            Violation("V2", "R1", "account_lending", "critical", inside),
            Violation("V3", "R1", "helmet", "major", datetime(2026, 11, 9, tzinfo=UTC)),
        ],
        period,
    )
    assert [v.violation_id for v in found["R1"]] == ["V1", "V2"]
    assert violation_facts(found["R1"], ["account_lending"]) == {
        "minor_violations": 1,
        "major_violations": 0,
        "critical_violations": 1,
        "worst_violation_item": "account_lending",
        "worst_violation_severity": "critical",
        "account_lending": 1,
    }


def test_every_fact_has_a_rule_engine_type_and_unknown_facts_are_refused() -> None:
    assert set(fact_types()) == set(RiderFacts("R1", "2026-W45").as_dict())
    with pytest.raises(ValueError, match="unknown facts lates"):
        RiderFacts.from_mapping({"rider_id": "R1", "period": "P", "lates": 3})
