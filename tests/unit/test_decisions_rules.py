"""Decision rules: typed validation of conditions, and what the planner makes of them."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from riderperf.common.periods import parse_period
from riderperf.decisions.facts import RiderFacts
from riderperf.decisions.model import RESTRICTING_KINDS, History
from riderperf.decisions.plan import plan_rider
from riderperf.decisions.rules import RuleBook, load_rulebook
from riderperf.decisions.validation import validate_policy_rules, validate_rules
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import ParameterSet, Policy, PolicyError

PERIOD = parse_period("2026-W45")
AT = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def decision_policy(folder: Path) -> Policy:
    """The bundled decisions and tiers files on their own (other files are not needed)."""
    for name in ("decisions.yaml", "tiers.yaml"):
        shutil.copy(default_policy_folder() / name, folder / name)
    return load_policy(folder)


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> ParameterSet:
    return decision_policy(tmp_path_factory.mktemp("policy")).at(PERIOD.start)


def changed(params: ParameterSet, **values: Any) -> ParameterSet:
    """A copy with `decisions.<path>` values replaced (`__` stands for `.`)."""
    updates = {f"decisions.{k.replace('__', '.')}": v for k, v in values.items()}
    return ParameterSet(params.when, params.values | updates)


def test_default_policy_rules_are_valid(params: ParameterSet) -> None:
    assert validate_rules(params) == []


def test_unknown_name_is_reported_with_the_rule_and_a_suggestion(params: ParameterSet) -> None:
    problems = validate_rules(changed(params, rules__late_deliveries__when="late_rat_pct > 3"))
    assert problems == [
        "decisions.rules.late_deliveries.when: unknown name 'late_rat_pct'; "
        "did you mean 'late_rate_pct'?"
    ]


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ("tier > 3", "data type mismatch"),
        ('score == "gold"', "compares a number with text"),
        ("late + 1", "must be true or false"),
        ("late >=", "syntax error"),
        ("", "a condition is needed"),
    ],
)
def test_type_errors_are_caught_when_the_policy_is_validated(
    params: ParameterSet, condition: str, says: str
) -> None:
    problems = validate_rules(changed(params, rules__complaints__when=condition))
    assert len(problems) == 1
    assert problems[0].startswith("decisions.rules.complaints.when: ")
    assert says in problems[0]


def test_a_rule_must_name_a_known_offence_and_action(params: ParameterSet) -> None:
    problems = validate_rules(
        changed(params, rules__low_score__offence="slow", rules__fraud_signal__action="fine")
    )
    assert any(p.startswith("decisions.rules.low_score.offence: 'slow'") for p in problems)
    assert any(p.startswith("decisions.rules.fraud_signal.action: 'fine'") for p in problems)


def test_a_field_the_action_does_not_use_is_reported(params: ParameterSet) -> None:
    problems = validate_rules(changed(params, rules__fraud_signal__points=3))
    assert problems == [
        "decisions.rules.fraud_signal.points: only a rule with action ladder has it"
    ]


def test_a_tier_weight_below_one_is_refused_because_it_restricts_work(
    params: ParameterSet,
) -> None:
    problems = validate_rules(changed(params, rewards__priority_weight__watch=0.7))
    assert len(problems) == 1
    assert problems[0].startswith("decisions.rewards.priority_weight.watch: 0.7 is below 1")


def test_a_threshold_may_not_shadow_a_fact(params: ParameterSet) -> None:
    problems = validate_rules(changed(params, thresholds__late=3))
    assert problems == [
        "decisions.thresholds.late: the name is taken by a rider fact; rename the threshold"
    ]


def test_a_policy_without_decisions_has_nothing_to_validate_but_cannot_decide() -> None:
    bare = ParameterSet(date(2026, 1, 1), {"tiers.minimum_orders": 20})
    assert validate_rules(bare) == []
    with pytest.raises(PolicyError, match="no decision rules"):
        load_rulebook(bare)


def restricting_rules(book: RuleBook) -> list[str]:
    return [r.rule_id for r in book.rules if r.action in RESTRICTING_KINDS]


def test_default_policy_has_restricting_rules(params: ParameterSet) -> None:
    assert restricting_rules(load_rulebook(params))


def test_every_restricting_rule_is_only_ever_proposed(params: ParameterSet) -> None:
    book = load_rulebook(params)
    for rule_id in restricting_rules(book):
        forced = {f"rules__{r.rule_id}__when": "false" for r in book.rules}
        forced[f"rules__{rule_id}__when"] = "true"
        drafts = plan_rider(
            RiderFacts("R1", PERIOD.label),
            History(),
            load_rulebook(changed(params, **forced)),
            PERIOD,
            AT,
        )
        restricting = [d for d in drafts if d.kind in RESTRICTING_KINDS]
        assert restricting, rule_id
        for draft in restricting:
            assert draft.status == "proposed", rule_id
            assert draft.effective_from is None and draft.appeal_deadline is None, rule_id


@pytest.mark.parametrize("measure", sorted(RESTRICTING_KINDS))
def test_restricting_measures_of_the_ladder_are_only_ever_proposed(
    params: ParameterSet, measure: str
) -> None:
    book = load_rulebook(params)
    offence = next(r for r in book.rules if r.rule_id == "complaints")
    before = dict(book.ladder.measure_at)[measure] - offence.points
    facts = RiderFacts("R1", PERIOD.label, complaints=5, complaints_per_100=10.0, delivered=50)
    drafts = plan_rider(facts, History(active_points=before), book, PERIOD, AT)
    assert [(d.kind, d.status) for d in drafts if d.kind == measure] == [(measure, "proposed")]


def test_rewards_follow_the_tier_and_badges_need_volume(params: ParameterSet) -> None:
    book = load_rulebook(params)
    gold = RiderFacts("G", PERIOD.label, tier="gold", score=980.0, orders=120, delivered=118)
    kinds = {d.kind: d.reason_params for d in plan_rider(gold, History(), book, PERIOD, AT)}
    assert kinds["tier_bonus"]["bonus_pct"] == 5.0
    assert kinds["priority_weight"]["weight"] == 1.15
    assert kinds["badge"]["badge"] in ("safe_rider", "zero_complaints")
    few = RiderFacts("F", PERIOD.label, tier="gold", score=980.0, orders=5, delivered=5)
    assert "badge" not in {d.kind for d in plan_rider(few, History(), book, PERIOD, AT)}


def test_a_rule_broken_from_a_later_date_is_reported_with_that_date(tmp_path: Path) -> None:
    decision_policy(tmp_path)
    path = tmp_path / "decisions.yaml"
    text = path.read_text(encoding="utf-8")
    good = '        2000-01-01: status == "ranked" and tier == "watch"\n'
    assert good in text
    path.write_text(text.replace(good, good + "        2026-06-01: tier < 650\n"), "utf-8")
    assert validate_policy_rules(load_policy(tmp_path)) == [
        "decisions.rules.low_score.when: data type mismatch in `tier < 650` "
        "(values in force on 2026-06-01)"
    ]
