"""The human-approval gate: every restricting rule and measure of the default policy is only
ever proposed, only an ops manager's approval puts it in effect, and the database refuses
the shortcut on SQLite and PostgreSQL alike."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.facts import RiderFacts
from riderperf.decisions.ledger import priority_weights
from riderperf.decisions.model import RESTRICTING_KINDS, History
from riderperf.decisions.orm import Decision
from riderperf.decisions.plan import plan_rider
from riderperf.decisions.records import DecisionStateError, decide_key, store_draft
from riderperf.decisions.repair import overturn_decision
from riderperf.decisions.rules import RuleBook, load_rulebook
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import ParameterSet
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.service import PermissionDenied, create_user

PERIOD = parse_period("2026-W45")
AT = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
LATER = AT + timedelta(hours=2)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    made = make_engine(settings.app_database_url)
    upgrade(made)
    with unit_of_work(made) as session:
        for name, role in (("olga", "ops_manager"), ("rene", "reviewer"), ("tina", "trainer")):
            create_user(session, name, role, at=AT)
    yield made
    made.dispose()


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> ParameterSet:
    folder = tmp_path_factory.mktemp("policy")
    for name in ("decisions.yaml", "tiers.yaml"):
        shutil.copy(default_policy_folder() / name, folder / name)
    return load_policy(Path(folder)).at(PERIOD.start)


def described(rider_id: str) -> RiderFacts:
    """A rider whose every offence has the details its notice names."""
    return RiderFacts(
        rider_id,
        PERIOD.label,
        worst_incident_kind="speeding",
        expired_doc_type="licence",
        expired_on="2026-10-20",
        worst_violation_item="helmet",
        worst_violation_severity="critical",
        fraud_signals=1,
    )


def only_rule_fires(params: ParameterSet, book: RuleBook, rule_id: str) -> RuleBook:
    """The policy with every condition false except `rule_id`'s, which is always true."""
    forced = {f"decisions.rules.{r.rule_id}.when": "false" for r in book.rules}
    forced[f"decisions.rules.{rule_id}.when"] = "true"
    return load_rulebook(ParameterSet(params.when, params.values | forced))


def store_all(session: Session, facts: RiderFacts, history: History, book: RuleBook) -> None:
    for draft in plan_rider(facts, history, book, PERIOD, AT):
        key = decide_key(PERIOD.label, "gate", draft.rider_id, draft.rule_id, draft.kind)
        store_draft(
            session,
            draft,
            key=key,
            period=PERIOD.label,
            period_end=PERIOD.end,
            policy_version="gate",
            at=AT,
        )


def restricting_of(session: Session, rider_id: str) -> list[Decision]:
    return [
        d
        for d in session.query(Decision).filter(Decision.rider_id == rider_id)
        if d.kind in RESTRICTING_KINDS
    ]


def assert_only_approval_applies(session: Session, decision: Decision) -> None:
    what = f"{decision.rule_id} → {decision.kind}"
    assert decision.status == "proposed" and decision.approved_by is None, what
    assert priority_weights(session, LATER).get(decision.rider_id, 1.0) > 0, what
    with pytest.raises(DecisionStateError):
        overturn_decision(
            session,
            decision.decision_id,
            partial=False,
            by="olga",
            reason="x",
            case_id=None,
            at=LATER,
        )
    for user in ("rene", "tina"):
        with pytest.raises(PermissionDenied):
            approve_decision(session, decision.decision_id, by=user, reason="ok", at=LATER)
        with pytest.raises(PermissionDenied):
            reject_decision(session, decision.decision_id, by=user, reason="no", at=LATER)
    assert decision.status == "proposed", what
    approve_decision(session, decision.decision_id, by="olga", reason="reviewed", at=LATER)
    assert (decision.status, decision.approved_by) == ("in_effect", "olga"), what


def test_every_restricting_rule_of_the_default_policy_waits_for_an_ops_manager(
    engine: Engine, params: ParameterSet
) -> None:
    book = load_rulebook(params)
    rules = [r.rule_id for r in book.rules if r.action in RESTRICTING_KINDS]
    assert rules, "the default policy has restricting rules"
    with unit_of_work(engine) as session:
        for rule_id in rules:
            rider = f"R-{rule_id}"
            store_all(
                session,
                described(rider),
                History(),
                only_rule_fires(params, book, rule_id),
            )
            found = restricting_of(session, rider)
            assert [d.rule_id for d in found] == [rule_id]
            assert_only_approval_applies(session, found[0])


@pytest.mark.parametrize("measure", sorted(RESTRICTING_KINDS))
def test_every_restricting_measure_of_the_ladder_waits_for_an_ops_manager(
    engine: Engine, params: ParameterSet, measure: str
) -> None:
    book = load_rulebook(params)
    offence = next(r for r in book.rules if r.rule_id == "complaints")
    before = dict(book.ladder.measure_at)[measure] - offence.points
    facts = RiderFacts("R-ladder", PERIOD.label, complaints=5, complaints_per_100=10.0)
    with unit_of_work(engine) as session:
        store_all(session, facts, History(active_points=before), book)
        [proposal] = restricting_of(session, "R-ladder")
        assert proposal.kind == measure
        assert_only_approval_applies(session, proposal)


def test_overturning_the_finding_rejects_its_pending_restriction(
    engine: Engine, params: ParameterSet
) -> None:
    book = load_rulebook(params)
    facts = RiderFacts("R-repair", PERIOD.label, complaints=5, complaints_per_100=10.0)
    with unit_of_work(engine) as session:
        store_all(session, facts, History(active_points=10), book)
        [proposal] = restricting_of(session, "R-repair")
        points = session.query(Decision).filter_by(rider_id="R-repair", kind="points").one()
        made = overturn_decision(
            session,
            points.decision_id,
            partial=False,
            by="rene",
            reason="complaints were fake",
            case_id="C1",
            at=LATER,
        )
        assert [d.kind for d in made] == ["points_restored"]
        assert (proposal.status, proposal.rejected_by) == ("rejected", "rene")


def _insert_suspension(engine: Engine, decision_id: str, status: str) -> None:
    with engine.begin() as con:
        con.execute(
            text(
                "INSERT INTO decisions (decision_id, decision_key, rider_id, kind, status, "
                "rule_id, policy_version, period, period_end, inputs, reason_params, created_at) "
                "VALUES (:id, :id, 'R1', 'suspension', :status, 'r', 'v', '2026-W45', :end, "
                "'{}', '{}', :at)"
            ),
            {"id": decision_id, "status": status, "end": date(2026, 11, 9), "at": AT},
        )


def test_database_refuses_a_restriction_in_effect_without_approval(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        _insert_suspension(engine, "d-1", "proposed")
        refused = (
            "UPDATE decisions SET status = 'in_effect' WHERE decision_id = 'd-1'",
            "UPDATE decisions SET status = 'in_effect', approved_by = 'x' "
            "WHERE decision_id = 'd-1'",
            "UPDATE decisions SET status = 'overturned' WHERE decision_id = 'd-1'",
        )
        for statement in refused:
            with pytest.raises(IntegrityError), engine.begin() as con:
                con.execute(text(statement))
        with pytest.raises(IntegrityError):
            _insert_suspension(engine, "d-2", "in_effect")
        with engine.begin() as con:
            con.execute(
                text(
                    "UPDATE decisions SET status = 'in_effect', approved_by = 'olga', "
                    "approved_at = :at WHERE decision_id = 'd-1'"
                ),
                {"at": LATER},
            )
            assert con.execute(text("SELECT status FROM decisions")).scalar_one() == "in_effect"
            with pytest.raises(IntegrityError), con.begin_nested():
                con.execute(text("UPDATE decisions SET approved_by = NULL"))
    finally:
        engine.dispose()


def test_a_partly_overturned_deactivation_becomes_a_proposed_suspension(
    engine: Engine, params: ParameterSet
) -> None:
    book = load_rulebook(params)
    with unit_of_work(engine) as session:
        store_all(
            session, described("R-fraud"), History(), only_rule_fires(params, book, "fraud_signal")
        )
        [proposal] = restricting_of(session, "R-fraud")
        approve_decision(session, proposal.decision_id, by="olga", reason="checked", at=LATER)
        made = overturn_decision(
            session,
            proposal.decision_id,
            partial=True,
            by="rene",
            reason="signal was weak",
            case_id="C2",
            at=LATER,
        )
        assert [(d.kind, d.status) for d in made] == [
            ("restriction_lifted", "in_effect"),
            ("suspension", "proposed"),
        ]
        assert proposal.status == "partially_overturned"
        assert priority_weights(session, LATER + timedelta(hours=1)).get("R-fraud", 1.0) > 0


def test_rewards_cannot_be_overturned(engine: Engine, params: ParameterSet) -> None:
    book = load_rulebook(params)
    gold = RiderFacts("R-gold", PERIOD.label, tier="gold", orders=5)
    with unit_of_work(engine) as session:
        store_all(session, gold, History(), book)
        bonus = session.query(Decision).filter_by(rider_id="R-gold", kind="tier_bonus").one()
        with pytest.raises(DecisionStateError, match="only penalties"):
            overturn_decision(
                session,
                bonus.decision_id,
                partial=False,
                by="olga",
                reason="x",
                case_id=None,
                at=LATER,
            )
