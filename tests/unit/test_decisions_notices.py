"""Every decision the default policy can make renders as a rider notice, in every state."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from riderperf.common.periods import parse_period
from riderperf.decisions.effects import notice_params
from riderperf.decisions.facts import RiderFacts
from riderperf.decisions.model import RESTRICTING_KINDS, DecisionDraft, History
from riderperf.decisions.orm import Decision
from riderperf.decisions.plan import plan_rider
from riderperf.decisions.rules import RuleBook, load_rulebook
from riderperf.notices.render import render_notice
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import ParameterSet

PERIOD = parse_period("2026-W45")
AT = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
RIDER = RiderFacts(
    "R1",
    PERIOD.label,
    status="new",
    tier="gold",
    score=612.5,
    orders=80,
    delivered=78,
    late=14,
    late_rate_pct=17.95,
    cancellations=4,
    cancel_rate_pct=5.0,
    complaints=5,
    complaints_per_100=6.41,
    fraud_complaints=2,
    safety_incidents=2,
    serious_safety_incidents=1,
    worst_incident_kind="speeding",
    fraud_signals=1,
    expired_documents=1,
    expired_doc_type="insurance",
    expired_on="2026-10-30",
    major_violations=1,
    worst_violation_item="helmet",
    worst_violation_severity="major",
    new_rider=True,
    protected_until="2026-11-30",
)


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> ParameterSet:
    folder = Path(tmp_path_factory.mktemp("policy"))
    for name in ("decisions.yaml", "tiers.yaml"):
        shutil.copy(default_policy_folder() / name, folder / name)
    return load_policy(folder).at(PERIOD.start)


def every_rule_fires(params: ParameterSet, book: RuleBook) -> RuleBook:
    forced = {f"decisions.rules.{r.rule_id}.when": "true" for r in book.rules}
    return load_rulebook(ParameterSet(params.when, params.values | forced))


def as_decision(draft: DecisionDraft) -> Decision:
    return Decision(
        decision_id="d-1",
        rider_id=draft.rider_id,
        kind=draft.kind,
        status=draft.status,
        rule_id=draft.rule_id,
        period=PERIOD.label,
        offence=draft.offence,
        reason_params=draft.reason_params,
        appeal_deadline=draft.appeal_deadline,
        effective_from=draft.effective_from,
        effective_until=draft.effective_until,
    )


def test_every_rule_and_measure_renders_its_notice(params: ParameterSet) -> None:
    book = every_rule_fires(params, load_rulebook(params))
    drafts = plan_rider(RIDER, History(active_points=20), book, PERIOD, AT)
    assert {d.rule_id for d in drafts} == {r.rule_id for r in book.rules}
    for draft in drafts:
        decision = as_decision(draft)
        if decision.kind in RESTRICTING_KINDS:
            kinds = ["decision.proposed_restriction", "decision.rejected"]
            # as approve_decision leaves it:
            approved = as_decision(draft)
            approved.effective_until = AT + timedelta(days=3)
            approved.appeal_deadline = date(2026, 11, 23)
            rendered = render_notice(
                f"decision.{draft.kind}", notice_params(approved, f"decision.{draft.kind}"), "en"
            )
            assert "November 23, 2026" in rendered.body, draft.kind
        else:
            kinds = [f"decision.{decision.kind}"]
        for kind in kinds:
            rendered = render_notice(kind, notice_params(decision, kind), "ar")
            assert rendered.title and rendered.body, (draft.rule_id, kind)


def test_penalty_notices_carry_the_appeal_deadline_and_rewards_do_not(
    params: ParameterSet,
) -> None:
    book = every_rule_fires(params, load_rulebook(params))
    for draft in plan_rider(RIDER, History(), book, PERIOD, AT):
        shown = notice_params(as_decision(draft), f"decision.{draft.kind}")
        if draft.kind in ("notice", "warning", "points", "retraining"):
            assert shown["appeal_deadline"] == date(2026, 11, 23), draft.rule_id
            assert shown["offence"] == draft.offence
        elif draft.kind not in RESTRICTING_KINDS:
            assert "appeal_deadline" not in shown and "offence" not in shown, draft.rule_id
