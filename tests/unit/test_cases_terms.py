"""What a rider may appeal and until when: ownership, windows, appealable subjects."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from riderperf.cases.model import AppealRefused, AppealWindowClosed
from riderperf.cases.terms import (
    AppealTerms,
    check_admissible,
    decision_subject,
    judgment_subject,
)
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy

OCCURRED = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


@dataclass(frozen=True)
class FakeJudgment:
    event_id: str = "late:o-1"
    rider_id: str | None = "r-1"
    occurred_at: datetime = OCCURRED
    rule: str = "late.rider_travel"
    party: str = "rider"


@dataclass(frozen=True)
class FakeDecision:
    decision_id: str = "d-1"
    rider_id: str = "r-1"
    status: str = "in_effect"
    kind: str = "points"
    rule_id: str | None = "penalty.late_deliveries"
    period: str | None = "2026-W10"
    appeal_deadline: date | datetime | None = date(2026, 3, 23)


@pytest.fixture(scope="module")
def terms(tmp_path_factory: pytest.TempPathFactory) -> AppealTerms:
    """The bundled appeals parameters, read on their own."""
    folder = tmp_path_factory.mktemp("policy")
    shutil.copy(default_policy_folder() / "appeals.yaml", folder / "appeals.yaml")
    params = load_policy(folder).at(date(2026, 3, 1))
    return AppealTerms.from_parameters(params, "default")


def test_the_bundled_policy_gives_two_weeks_to_resolve_and_thirty_days_to_appeal(
    terms: AppealTerms,
) -> None:
    assert terms.sla.resolution == 336
    assert terms.sla.first_response == 72
    assert terms.judgment_window_days == 30
    assert terms.max_file_bytes == 10 * 1024 * 1024


def test_a_judgment_may_be_appealed_until_the_end_of_its_window(terms: AppealTerms) -> None:
    subject = judgment_subject(FakeJudgment(), terms)
    check_admissible(subject, "r-1", OCCURRED + timedelta(days=30))
    with pytest.raises(AppealWindowClosed, match="closed at 2026-04-01T18:30"):
        check_admissible(subject, "r-1", OCCURRED + timedelta(days=30, seconds=1))


def test_a_rider_cannot_appeal_someone_elses_judgment(terms: AppealTerms) -> None:
    subject = judgment_subject(FakeJudgment(), terms)
    with pytest.raises(AppealRefused, match="not about rider r-2"):
        check_admissible(subject, "r-2", OCCURRED)


def test_a_judgment_that_blamed_the_merchant_is_not_appealed(terms: AppealTerms) -> None:
    subject = judgment_subject(FakeJudgment(party="merchant"), terms)
    with pytest.raises(AppealRefused, match="holds the merchant responsible"):
        check_admissible(subject, "r-1", OCCURRED)


def test_a_decision_deadline_date_covers_that_whole_day() -> None:
    subject = decision_subject(FakeDecision())
    check_admissible(subject, "r-1", datetime(2026, 3, 23, 23, 59, tzinfo=UTC))
    with pytest.raises(AppealWindowClosed):
        check_admissible(subject, "r-1", datetime(2026, 3, 24, 0, 0, tzinfo=UTC))


def test_a_naive_decision_deadline_is_read_as_utc() -> None:
    subject = decision_subject(FakeDecision(appeal_deadline=datetime(2026, 3, 23, 12, 0)))
    assert subject.appeal_until == datetime(2026, 3, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("decision", "why"),
    [
        (FakeDecision(status="proposed"), "it is proposed"),
        (FakeDecision(status="overturned"), "it is overturned"),
        (FakeDecision(kind="tier_bonus", appeal_deadline=None), "no appeal deadline"),
    ],
)
def test_decisions_not_in_effect_or_without_deadline_are_not_appealed(
    decision: FakeDecision, why: str
) -> None:
    with pytest.raises(AppealRefused, match=why):
        check_admissible(decision_subject(decision), "r-1", datetime(2026, 3, 3, tzinfo=UTC))


def test_a_subject_carries_the_rule_behind_it_for_the_overturn_statistics(
    terms: AppealTerms,
) -> None:
    assert decision_subject(FakeDecision()).rule_id == "penalty.late_deliveries"
    assert judgment_subject(FakeJudgment(), terms).rule_id == "late.rider_travel"


def test_a_policy_without_appeals_parameters_is_named(tmp_path: Path) -> None:
    shutil.copy(default_policy_folder() / "tiers.yaml", tmp_path / "tiers.yaml")
    params = load_policy(tmp_path).at(date(2026, 3, 1))
    with pytest.raises(AppealRefused, match="policy version v7 has no appeals parameters"):
        AppealTerms.from_parameters(params, "v7")
