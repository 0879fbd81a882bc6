"""Runs the decision policy cases in tests/policy_cases/decisions/*.yaml on the default policy.

A case describes riders as the decision rules see them and what the policy must decide,
in the words of operations. Keys:

- `title`, `period` (2026-W45 …), `at` (when decide runs; default the period's end, 08:00
  UTC).
- `riders.<id>.facts`: any facts of docs/decisions.md (tier, status, score, orders,
  delivered, late, cancellations, complaints, safety_incidents, expired_documents, …).
  Rates left out are worked out from the counts (late / delivered, cancellations / orders,
  complaints per 100 delivered).
- `riders.<id>.history`: `active_points`, `last_offence_on`, `sanctions` (measures in
  effect in the look-back window), `open_restrictions` (restrictions still proposed or in
  effect).
- `expect.<id>`: the exact list of decisions, each `{kind, rule}` with optional `status`,
  `points` and `params` (a subset of the notice's numbers).
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from riderperf.common.periods import parse_period
from riderperf.decisions.facts import RiderFacts, pct
from riderperf.decisions.model import DecisionDraft, History
from riderperf.decisions.plan import plan_rider
from riderperf.decisions.rules import RuleBook, load_rulebook
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy

CASES = Path(__file__).resolve().parents[1] / "policy_cases" / "decisions"


@pytest.fixture(scope="module")
def policy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("policy")
    for name in ("decisions.yaml", "tiers.yaml"):
        shutil.copy(default_policy_folder() / name, folder / name)
    return folder


def facts_of(rider_id: str, period: str, spec: dict[str, Any]) -> RiderFacts:
    data = {"rider_id": rider_id, "period": period} | dict(spec)
    if "orders" in data and "delivered" not in data:
        data["delivered"] = data["orders"]
    derived = {
        "late_rate_pct": ("late", "delivered"),
        "cancel_rate_pct": ("cancellations", "orders"),
        "complaints_per_100": ("complaints", "delivered"),
    }
    for rate, (part, whole) in derived.items():
        if rate not in data and data.get(whole):
            data[rate] = pct(data.get(part, 0), data[whole])
    if data.get("status") == "new":
        data.setdefault("new_rider", True)
    return RiderFacts.from_mapping(data)


def history_of(spec: dict[str, Any]) -> History:
    last = spec.get("last_offence_on")
    return History(
        active_points=int(spec.get("active_points", 0)),
        last_offence_on=last if isinstance(last, date) else None,
        sanctions=tuple(spec.get("sanctions", ())),
        open_restrictions=tuple(spec.get("open_restrictions", ())),
    )


def run_case(case: dict[str, Any], book: RuleBook) -> dict[str, list[DecisionDraft]]:
    period = parse_period(str(case["period"]))
    at = case.get("at") or datetime.combine(period.end, time(8), UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return {
        rider_id: plan_rider(
            facts_of(rider_id, period.label, spec.get("facts", {})),
            history_of(spec.get("history", {})),
            book,
            period,
            at,
        )
        for rider_id, spec in case["riders"].items()
    }


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def test_there_are_decision_policy_cases() -> None:
    assert len(case_files()) >= 8


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_decision_policy_case(path: Path, policy_folder: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    period = parse_period(str(case["period"]))
    book = load_rulebook(load_policy(policy_folder).at(period.start))
    decided = run_case(case, book)
    for rider_id, expected in case["expect"].items():
        where = f"{path.name}: {rider_id}"
        got = decided[rider_id]
        assert sorted((d.kind, d.rule_id) for d in got) == sorted(
            (e["kind"], e["rule"]) for e in expected or []
        ), where
        for item in expected or []:
            draft = next(d for d in got if (d.kind, d.rule_id) == (item["kind"], item["rule"]))
            what = f"{where}: {item['kind']} by {item['rule']}"
            if "status" in item:
                assert draft.status == item["status"], what
            if "points" in item:
                assert draft.points == item["points"], what
            for name, value in item.get("params", {}).items():
                assert draft.reason_params.get(name) == value, f"{what}: {name}"
