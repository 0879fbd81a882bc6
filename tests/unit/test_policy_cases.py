"""Runs the policy test cases in tests/policy_cases/*.yaml against the default policy.

A case describes riders and what they did (in the words of operations: orders delivered,
late ones by judged party, cancellations, ratings, complaints, offers, incidents,
documents), the period, and what the policy must decide: KPI values, scores, statuses,
tiers, and which rider must score higher than which. The expected numbers are worked out
by hand in each file's comments from the policy values; the runner only compares.

Case file keys:

- `title`, `period` (2026-W45 …), `as_of` (default: the period's end).
- `riders.<id>`: `capacity_type` (full_time), `city` (Port Meridian), `joined_on`
  (2024-01-01), `previous_tier` (none), `documents` (default: one `id` valid until
  2030-12-31), `days`: a list of rider-days with `day` (default: the period's first day),
  `delivered`, `late` {party: n}, `cancelled` {party: n}, `ratings` {stars: n},
  `complaints` {party: n}, `declined`, `expired`, `incidents` [{kind, at_fault}],
  `equipment` {passed: n, checked: n} (equipment items at that day's inspections). Every
  order the rider accepted comes with its accepted offer.
- `expect.<id>`: any of `status`, `tier`, `score` and `kpis.<kpi>.<field>` (rate,
  peer_rate, shrunk, normalised, weight, contribution).
- `compare`: a list of `{higher: A, lower: B}` or `{equal: [A, B]}` on scores.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from riderperf.common.periods import parse_period
from riderperf.metrics.daily import build_daily_facts
from riderperf.metrics.evaluate import evaluate_scores
from riderperf.metrics.scorecard import Scorecard
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.warehouse.connection import connect
from tests.unit.test_metrics_rows import Activity, Rows

CASES = Path(__file__).resolve().parents[1] / "policy_cases"
VERSION = "case"
SCORE_TOLERANCE = 0.011  # hand arithmetic rounds each contribution to 0.01
VALUE_TOLERANCE = 1e-5  # relative; hand values carry six significant digits


def run_case(case: dict[str, Any]) -> dict[str, Scorecard]:
    period = parse_period(str(case["period"]))
    as_of = case.get("as_of", period.end)
    rows = Rows(policy_version=VERSION)
    first, last = period.start, period.end
    previous: dict[str, str] = {}
    checks: list[tuple[str, date, int, int]] = []
    for rider_id, spec in case["riders"].items():
        rows.rider(
            rider_id,
            capacity_type=spec.get("capacity_type", "full_time"),
            city=spec.get("city", "Port Meridian"),
            joined_on=spec.get("joined_on", date(2024, 1, 1)),
        )
        if spec.get("previous_tier"):
            previous[rider_id] = spec["previous_tier"]
        for doc in spec.get("documents", [{"doc_type": "id", "expires_on": date(2030, 12, 31)}]):
            rows.document(rider_id, doc["doc_type"], doc["expires_on"])
        for day in spec.get("days", []):
            done = {k: v for k, v in day.items() if k != "equipment"}
            act = Activity(**({"day": period.start} | done))
            rows.activity(rider_id, act)
            if "equipment" in day:
                found = day["equipment"]
                checks.append((rider_id, act.day, found["passed"], found["checked"]))
            first, last = min(first, act.day), max(last, act.day + timedelta(days=1))
    warehouse = connect(None)
    try:
        rows.write(warehouse)
        build_daily_facts(warehouse, first, last, VERSION, equipment_checks=checks)
        params = load_policy(default_policy_folder()).at(period.start)
        cards = evaluate_scores(warehouse, period, params, VERSION, previous, as_of)
    finally:
        warehouse.close()
    return {card.rider_id: card for card in cards}


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def test_there_are_policy_cases() -> None:
    assert len(case_files()) >= 5


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_policy_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    cards = run_case(case)
    for rider_id, expected in case.get("expect", {}).items():
        card = cards[rider_id]
        where = f"{path.name}: {rider_id}"
        for key in ("status", "tier"):
            if key in expected:
                assert getattr(card, key) == expected[key], f"{where}: {key} ({card.tier_reason})"
        if "score" in expected:
            assert card.score == pytest.approx(expected["score"], abs=SCORE_TOLERANCE), where
        for kpi, fields in expected.get("kpis", {}).items():
            for field, value in fields.items():
                got = getattr(card.kpis[kpi], field)
                assert got == pytest.approx(value, rel=VALUE_TOLERANCE, abs=1e-9), (
                    f"{where}: {kpi}.{field}"
                )
    for rule in case.get("compare", []):
        if "equal" in rule:
            a, b = rule["equal"]
            assert cards[a].score == cards[b].score, f"{path.name}: {a} = {b}"
        else:
            higher, lower = cards[rule["higher"]], cards[rule["lower"]]
            assert higher.score > lower.score, f"{path.name}: {higher.rider_id} > {lower.rider_id}"
