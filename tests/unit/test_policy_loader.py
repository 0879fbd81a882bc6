"""The strict policy loader: dated values, references, and every problem named by file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import Policy, PolicyError

GOOD = """
description: How late minutes are shared.
dispatch_allowance_minutes:
  description: Minutes the platform may take to find a rider.
  unit: minute
  reference: Platform dispatch SLA.
  values:
    2025-01-01: 3
    2026-07-01:
      value: 4
      reference: Revised SLA of July 2026.
"""

WEIGHTS = """
weights:
  full_time:
    on_time:
      description: w
      reference: r
      values: {2025-01-01: 0.6}
    rating:
      description: w
      reference: r
      values: {2025-01-01: 0.4, 2026-01-01: 0.5}
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy(folder)
    return caught.value.problems


def test_value_in_force_is_the_latest_dated_on_or_before_the_day(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "late.yaml", GOOD))
    param = policy.parameters["late.dispatch_allowance_minutes"]
    assert param.at(date(2025, 6, 1)) == 3
    assert param.at(date(2026, 7, 1)) == 4
    assert param.reference_at(date(2025, 6, 1)) == "Platform dispatch SLA."
    assert param.reference_at(date(2026, 8, 1)) == "Revised SLA of July 2026."
    assert policy.at(date(2026, 12, 1)).get("late.dispatch_allowance_minutes") == 4
    with pytest.raises(
        PolicyError, match=r"no value in force on 2024-12-31 \(first from 2025-01-01\)"
    ):
        param.at(date(2024, 12, 31))


def test_content_round_trips_and_fingerprint_follows_content(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "late.yaml", GOOD))
    again = Policy.from_content(policy.content())
    assert again == policy
    assert again.fingerprint() == policy.fingerprint()
    changed = load_policy(write(tmp_path / "b", "late.yaml", GOOD.replace("3\n", "5\n")))
    assert changed.fingerprint() != policy.fingerprint()


def test_duplicate_key_is_refused_with_its_line(tmp_path: Path) -> None:
    text = GOOD + "\ndispatch_allowance_minutes:\n  description: again\n"
    (found,) = problems(write(tmp_path, "late.yaml", text))
    assert found.startswith("late.yaml:")
    assert "duplicate key 'dispatch_allowance_minutes' (first at line 3)" in found


def test_unknown_key_missing_reference_and_bad_date_are_all_reported(tmp_path: Path) -> None:
    text = """
grace:
  description: g
  reference: ""
  colour: blue
  values:
    2025-13-01: 3
"""
    found = problems(write(tmp_path, "late.yaml", text))
    assert (
        "late.yaml: late.grace.colour: unknown key (allowed: description, reference, unit, values)"
        in found
    )
    assert (
        "late.yaml: late.grace.reference: every number needs a reference to where it comes from"
        in found
    )
    assert "late.yaml: late.grace.values.2025-13-01: not a date (write YYYY-MM-DD)" in found


def test_weights_must_sum_to_one_on_every_date(tmp_path: Path) -> None:
    (found,) = problems(write(tmp_path, "scoring.yaml", WEIGHTS))
    assert (
        found == "scoring.yaml: scoring.weights.full_time: weights sum to 1.1 on 2026-01-01, not 1"
    )


def test_weights_that_sum_to_one_load(tmp_path: Path) -> None:
    text = WEIGHTS.replace("2026-01-01: 0.5", "2026-01-01: 0.4")
    policy = load_policy(write(tmp_path, "scoring.yaml", text))
    assert policy.at(date(2026, 2, 1)).group("scoring.weights.full_time") == {
        "on_time": 0.6,
        "rating": 0.4,
    }


def test_a_stray_scalar_is_an_unknown_key(tmp_path: Path) -> None:
    (found,) = problems(write(tmp_path, "late.yaml", GOOD + "\nspeed: 15\n"))
    assert found == "late.yaml: late.speed: unknown key (expected a parameter or a group)"


def test_folder_without_files_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path}: no .yaml parameter files"]
