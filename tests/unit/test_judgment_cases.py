"""Judgment policy cases: YAML files of orders and the judgment the default policy must give."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.responsibility.judge import judge_order
from riderperf.responsibility.params import JudgmentParams

CASES = Path(__file__).resolve().parents[1] / "policy_cases" / "judgments"


def load_cases() -> list[Any]:
    found = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for case in data["cases"]:
            found.append(pytest.param(data["defaults"], case, id=f"{path.stem}: {case['name']}"))
    return found


def as_order(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: datetime.fromisoformat(v) if k.endswith("_at") and isinstance(v, str) else v
        for k, v in fields.items()
    }


@pytest.mark.parametrize(("defaults", "case"), load_cases())
def test_default_policy_judges_the_case_as_written(
    defaults: dict[str, Any], case: dict[str, Any]
) -> None:
    params = JudgmentParams.from_parameters(
        load_policy(default_policy_folder()).at(date(2026, 1, 5))
    )
    order = as_order(defaults["order"] | case.get("order", {}))
    judgment = judge_order(
        order,
        params,
        "default",
        case.get("vehicle", defaults["vehicle"]),
        at_fault_accident=case.get("at_fault_accident", False),
    )
    assert judgment is not None
    expect = case["expect"]
    assert (judgment.party, judgment.rule) == (expect["party"], expect["rule"])
    if "late_minutes" in expect:
        assert judgment.late_minutes == pytest.approx(expect["late_minutes"])
    for party, minutes in expect.get("minutes", {}).items():
        assert getattr(judgment, f"minutes_{party}") == pytest.approx(minutes), party
    assert judgment.explanation


def test_every_case_file_has_cases() -> None:
    assert len(load_cases()) >= 10
