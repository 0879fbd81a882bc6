"""Who may appeal an inspection violation and until when: the window, ownership, once."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from riderperf.cases.model import AppealRefused, AppealWindowClosed
from riderperf.cases.terms import SUBJECT_TYPES, AppealTerms, check_admissible, violation_subject
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy

FOUND = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class FakeViolation:
    violation_id: str = "v-1"
    rider_id: str = "r-1"
    inspection_id: str = "i-1"
    item_code: str = "helmet"
    kpi: str = "safety"
    severity: str = "critical"
    found_at: datetime = FOUND
    status: str = "open"


@pytest.fixture(scope="module")
def terms(tmp_path_factory: pytest.TempPathFactory) -> AppealTerms:
    """The bundled appeals parameters, read on their own."""
    folder: Path = tmp_path_factory.mktemp("policy")
    shutil.copy(default_policy_folder() / "appeals.yaml", folder / "appeals.yaml")
    params = load_policy(folder).at(date(2026, 11, 1))
    return AppealTerms.from_parameters(params, "default")


def test_violations_are_looked_up_after_decisions_and_before_judgments() -> None:
    assert SUBJECT_TYPES == ("decision", "violation", "judgment")


def test_the_bundled_policy_gives_thirty_days_to_appeal_a_violation(terms: AppealTerms) -> None:
    assert terms.violation_window_days == 30


def test_a_violation_is_appealable_until_thirty_days_after_it_was_found(
    terms: AppealTerms,
) -> None:
    subject = violation_subject(FakeViolation(), terms)
    assert (subject.subject_type, subject.subject_id, subject.rider_id) == (
        "violation",
        "v-1",
        "r-1",
    )
    assert subject.appeal_until == FOUND + timedelta(days=30)
    assert subject.rule_id == "inspection.helmet"
    assert subject.details == {
        "inspection_id": "i-1",
        "item_code": "helmet",
        "kpi": "safety",
        "severity": "critical",
        "found_at": FOUND.isoformat(),
    }
    check_admissible(subject, "r-1", FOUND)
    check_admissible(subject, "r-1", FOUND + timedelta(days=30))


def test_an_appeal_after_the_window_is_refused_with_the_closing_time(terms: AppealTerms) -> None:
    subject = violation_subject(FakeViolation(), terms)
    with pytest.raises(AppealWindowClosed, match="window of violation v-1 closed at 2026-12-02"):
        check_admissible(subject, "r-1", FOUND + timedelta(days=30, seconds=1))


def test_a_naive_found_at_from_sqlite_counts_as_utc(terms: AppealTerms) -> None:
    naive = FakeViolation(found_at=FOUND.replace(tzinfo=None))
    assert violation_subject(naive, terms).appeal_until == FOUND + timedelta(days=30)


def test_only_the_rider_who_was_inspected_may_appeal_the_violation(terms: AppealTerms) -> None:
    subject = violation_subject(FakeViolation(), terms)
    with pytest.raises(AppealRefused, match="violation v-1 is not about rider r-2"):
        check_admissible(subject, "r-2", FOUND)


def test_an_overturned_violation_cannot_be_appealed_again(terms: AppealTerms) -> None:
    subject = violation_subject(FakeViolation(status="overturned"), terms)
    with pytest.raises(AppealRefused, match="it is overturned already"):
        check_admissible(subject, "r-1", FOUND + timedelta(days=1))


def test_a_policy_without_a_violation_window_refuses_violation_appeals_and_says_why(
    terms: AppealTerms,
) -> None:
    older = replace(terms, policy_version="v-2025", violation_window_days=None)
    subject = violation_subject(FakeViolation(), older)
    assert subject.appeal_until is None
    with pytest.raises(AppealRefused, match=r"v-2025 sets no appeals\.violation_window_days"):
        check_admissible(subject, "r-1", FOUND)


def test_an_older_policy_without_the_window_still_reads_its_other_terms(tmp_path: Path) -> None:
    text = (default_policy_folder() / "appeals.yaml").read_text()
    start = text.index("violation_window_days:")
    end = text.index("\nsla:")
    (tmp_path / "appeals.yaml").write_text(text[:start] + text[end + 1 :])
    params = load_policy(tmp_path).at(date(2026, 11, 1))
    older = AppealTerms.from_parameters(params, "v-2025")
    assert (older.violation_window_days, older.judgment_window_days) == (None, 30)
