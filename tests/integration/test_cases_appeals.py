"""Appeals on SQLite and PostgreSQL: submit once within the window, evidence, moves, decisions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from riderperf.audit.log import events_for
from riderperf.cases.decide import decide_case
from riderperf.cases.evidence import EvidenceTooLarge, evidence_path, read_evidence
from riderperf.cases.model import (
    AppealAlreadyFiled,
    AppealRefused,
    AppealWindowClosed,
    CaseConflict,
    CaseError,
    ForbiddenMove,
)
from riderperf.cases.orm import Case, CaseEvidence
from riderperf.cases.service import (
    appeal_terms_in_force,
    cases_for,
    list_cases,
    move_case,
    respond_to_case,
    submit_appeal,
)
from riderperf.cases.sla import SlaHours
from riderperf.cases.stats import appeal_stats
from riderperf.cases.terms import AppealSubject, AppealTerms, judgment_subject
from riderperf.cases.transition import open_case
from riderperf.config import Settings
from riderperf.evaluation.overrides import JudgmentOverride, JudgmentRef
from riderperf.notices.service import notices_for
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.service import PermissionDenied, create_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TERMS = AppealTerms(
    policy_version="test",
    judgment_window_days=30,
    sla=SlaHours(first_response=72, resolution=336, at_risk_fraction=0.75),
    respond_by_hours=168,
    max_file_bytes=1000,
    max_files=3,
)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def judgment(
    event_id: str = "late:o-1", rider_id: str = "r-1", party: str = "rider"
) -> JudgmentRef:
    return JudgmentRef(
        event_id=event_id,
        event="late",
        order_id=event_id.split(":")[-1],
        rider_id=rider_id,
        occurred_at=T0 - timedelta(days=1),
        party=party,
        rule="late.rider_travel",
        policy_version="default",
        explanation="The ride took 14 minutes longer than expected.",
    )


def subject(event_id: str = "late:o-1", rider_id: str = "r-1") -> AppealSubject:
    return judgment_subject(judgment(event_id, rider_id), TERMS)


def add_staff(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        create_user(session, "rev", "reviewer", at=T0)
        create_user(session, "rev2", "reviewer", at=T0)
        create_user(session, "ops", "ops_manager", at=T0)
        create_user(session, "insp", "inspector", at=T0)


def submit(engine: Engine, home: Path, event_id: str = "late:o-1", **kw: object) -> str:
    evidence = kw.pop("evidence", ())
    at = kw.pop("at", T0)
    with unit_of_work(engine) as session:
        case = submit_appeal(
            session,
            subject(event_id),
            rider_id=str(kw.pop("rider_id", "r-1")),
            statement=str(kw.pop("statement", "The restaurant gave me the wrong bag first.")),
            terms=TERMS,
            at=at,  # type: ignore[arg-type]
            home=home,
            evidence=evidence,  # type: ignore[arg-type]
        )
        return case.case_id


def review(engine: Engine, case_id: str, at: datetime = T0) -> None:
    with unit_of_work(engine) as session:
        move_case(session, case_id, "under_review", by="rev", at=at)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    add_staff(engine)
    yield engine
    engine.dispose()


def test_a_rider_appeals_a_judgment_with_evidence_stored_by_hash(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    photo = tmp_path / "bag.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the bag label")
    case_id = submit(engine, settings.home, evidence=[photo, photo])
    with unit_of_work(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.version, case.rider_id) == ("submitted", 1, "r-1")
        assert (case.subject_type, case.subject_id) == ("judgment", "late:o-1")
        rows = session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case_id)).all()
        assert len(rows) == 1  # the same file twice is kept once
        assert (rows[0].filename, rows[0].content_type) == ("bag.jpg", "image/jpeg")
        assert read_evidence(settings.home, rows[0].sha256) == photo.read_bytes()
        assert evidence_path(settings.home, rows[0].sha256).is_file()
        actions = [e.action for e in events_for(session, "case", case_id)]
        assert actions == ["case.submitted", "case.evidence_added"]
        notices = [n for n in notices_for(session, "r-1") if n.kind == "case.submitted"]
        assert len(notices) == 1


def test_a_subject_is_appealed_only_once(engine: Engine, settings: Settings) -> None:
    case_id = submit(engine, settings.home)
    with pytest.raises(AppealAlreadyFiled, match=f"already appealed in case {case_id}"):
        submit(engine, settings.home, at=h(1))


def test_the_database_refuses_a_second_case_for_the_same_subject(
    engine: Engine, settings: Settings
) -> None:
    submit(engine, settings.home)
    with pytest.raises(AppealAlreadyFiled, match="appealed once"), unit_of_work(engine) as session:
        # Straight to the insert, as a request racing past the check would.
        open_case(
            session, "case-race", subject(), rider_id="r-1", statement="x", terms=TERMS, at=T0
        )


def test_an_appeal_after_the_window_is_refused_and_nothing_is_stored(
    engine: Engine, settings: Settings
) -> None:
    late = T0 - timedelta(days=1) + timedelta(days=30, minutes=1)
    with pytest.raises(AppealWindowClosed, match="appeal window of judgment late:o-1 closed"):
        submit(engine, settings.home, at=late)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_rider_cannot_appeal_another_riders_judgment(engine: Engine, settings: Settings) -> None:
    with pytest.raises(AppealRefused, match="not about rider r-2"):
        submit(engine, settings.home, rider_id="r-2")


def test_a_too_large_evidence_file_refuses_the_whole_appeal(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    big = tmp_path / "video.mp4"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(EvidenceTooLarge, match="limit is 1,000 bytes"):
        submit(engine, settings.home, evidence=[big])
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_case_goes_through_review_a_question_and_an_overturn(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    case_id = submit(engine, settings.home)
    with unit_of_work(engine) as session:
        move_case(session, case_id, "triage", by="ops", at=h(1))
        move_case(session, case_id, "under_review", by="rev", at=h(2))
        move_case(session, case_id, "waiting_on_rider", by="rev", at=h(3), note="Which bag?")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF receipt")
    with unit_of_work(engine) as session:
        case = respond_to_case(
            session,
            case_id,
            rider_id="r-1",
            text="The one with the blue label.",
            terms=TERMS,
            at=h(51),
            home=settings.home,
            evidence=[receipt],
        )
        assert case.status == "under_review"
        assert case.respond_by is None
    with unit_of_work(engine) as session:
        result = decide_case(
            session, case_id, outcome="overturned", by="rev", reason="Merchant error.", at=h(60)
        )
    assert result.reevaluate is not None
    assert (result.reevaluate.rider_id, result.reevaluate.week) == (
        "r-1",
        "2026-W09",
    )  # the event was on Sunday 1 March
    with unit_of_work(engine) as session:
        move_case(session, case_id, "closed", by="rev", at=h(61))
    with unit_of_work(engine) as session:
        stored = session.get(Case, case_id)
        assert stored is not None
        assert (stored.status, stored.version, stored.outcome, stored.decided_by) == (
            "closed",
            7,
            "overturned",
            "rev",
        )
        assert stored.first_response_at is not None
        assert stored.timing.paused_seconds(h(100)) == 48 * 3600
        timeline = events_for(session, "case", case_id)
        assert [e.action for e in timeline] == [
            "case.submitted",
            "case.triage",
            "case.under_review",
            "case.waiting_on_rider",
            "case.evidence_added",
            "case.under_review",
            "case.decided",
            "case.closed",
        ]
        assert timeline[3].details["question"] == "Which bag?"
        overrides = session.scalars(select(JudgmentOverride)).all()
        assert [(o.event_id, o.party, o.case_id) for o in overrides] == [
            ("late:o-1", "none", case_id)
        ]
        kinds = [n.kind for n in notices_for(session, "r-1")]
        assert kinds.count("case.decided") == 1 and kinds.count("case.waiting_on_rider") == 1


def test_moves_outside_the_table_are_refused_naming_both_states(
    engine: Engine, settings: Settings
) -> None:
    case_id = submit(engine, settings.home)
    with (
        pytest.raises(ForbiddenMove, match="from submitted to closed"),
        unit_of_work(engine) as session,
    ):
        move_case(session, case_id, "closed", by="rev", at=h(1))
    with (
        pytest.raises(ForbiddenMove, match="from submitted to decided"),
        unit_of_work(engine) as session,
    ):
        decide_case(session, case_id, outcome="upheld", by="rev", reason="ok", at=h(1))


def test_asking_the_rider_needs_a_question(engine: Engine, settings: Settings) -> None:
    case_id = submit(engine, settings.home)
    with (
        pytest.raises(CaseError, match="what the rider should answer"),
        unit_of_work(engine) as session,
    ):
        move_case(session, case_id, "waiting_on_rider", by="rev", at=h(1))


def test_only_reviewers_decide(engine: Engine, settings: Settings) -> None:
    case_id = submit(engine, settings.home)
    review(engine, case_id, h(1))
    with pytest.raises(PermissionDenied, match="insp"), unit_of_work(engine) as session:
        decide_case(session, case_id, outcome="upheld", by="insp", reason="ok", at=h(2))


def test_a_decided_case_cannot_be_decided_again(engine: Engine, settings: Settings) -> None:
    case_id = submit(engine, settings.home)
    review(engine, case_id, h(1))
    with unit_of_work(engine) as session:
        decide_case(
            session, case_id, outcome="upheld", by="rev", reason="Travel was slow.", at=h(2)
        )
    with (
        pytest.raises(CaseConflict, match=f"case {case_id} was decided by rev at"),
        unit_of_work(engine) as session,
    ):
        decide_case(session, case_id, outcome="overturned", by="rev2", reason="no", at=h(3))


def test_a_stale_expected_version_is_a_conflict(engine: Engine, settings: Settings) -> None:
    case_id = submit(engine, settings.home)
    review(engine, case_id, h(1))
    with pytest.raises(CaseConflict, match="version 2"), unit_of_work(engine) as session:
        decide_case(
            session, case_id, outcome="upheld", by="rev", reason="r", at=h(2), expected_version=1
        )


def test_a_judgment_is_not_partially_overturned(engine: Engine, settings: Settings) -> None:
    case_id = submit(engine, settings.home)
    review(engine, case_id, h(1))
    with pytest.raises(CaseError, match="overturned whole"), unit_of_work(engine) as session:
        decide_case(session, case_id, outcome="partially_overturned", by="rev", reason="r", at=h(2))


def test_cases_are_listed_most_urgent_first_and_filtered_by_sla(
    engine: Engine, settings: Settings
) -> None:
    old = submit(engine, settings.home, "late:o-old", at=h(-100))  # first response breached
    warm = submit(engine, settings.home, "late:o-warm", at=h(-60))  # at risk
    fresh = submit(engine, settings.home, "late:o-new", at=h(-1))
    with unit_of_work(engine) as session:
        ranked = [s.case.case_id for s in list_cases(session, at=T0)]
        assert ranked == [old, warm, fresh]
        breached = list_cases(session, sla="breached", at=T0)
        assert [s.case.case_id for s in breached] == [old]
        assert [s.case.case_id for s in list_cases(session, sla="at_risk", at=T0)] == [warm]
        assert {c.case_id for c in cases_for(session, "r-1")} == {old, warm, fresh}
        assert list_cases(session, status="decided", at=T0) == []


def test_appeal_stats_count_outcomes_medians_breaches_and_overturn_rates(
    engine: Engine, settings: Settings
) -> None:
    first = submit(engine, settings.home, "late:o-1", at=h(0))
    second = submit(engine, settings.home, "late:o-2", at=h(0))
    submit(engine, settings.home, "late:o-3", at=h(0))  # never answered: breached by h(100)
    review(engine, first, h(10))
    review(engine, second, h(30))
    with unit_of_work(engine) as session:
        decide_case(session, first, outcome="overturned", by="rev", reason="r", at=h(40))
        decide_case(session, second, outcome="upheld", by="rev", reason="r", at=h(50))
    with unit_of_work(engine) as session:
        stats = appeal_stats(session, h(-1), h(100))
    assert stats["submitted"] == 3
    assert stats["decided"] == 2
    assert stats["by_outcome"] == {"upheld": 1, "overturned": 1, "partially_overturned": 0}
    assert stats["median_hours_to_first_response"] == 20
    assert stats["median_hours_to_resolution"] == 45
    assert stats["sla_breached"] == 1
    assert stats["overturn_rate_by_rule"] == [
        {
            "rule_id": "late.rider_travel",
            "subject_type": "judgment",
            "appeals": 2,
            "overturned": 1,
            "rate": 0.5,
        }
    ]


def test_terms_in_force_come_from_the_published_policy(engine: Engine) -> None:
    terms = appeal_terms_in_force(engine, T0)
    assert terms.sla.resolution == 336
    assert terms.policy_version.startswith("default")
