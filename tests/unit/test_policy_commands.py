"""`riderperf policy validate`, and the value tables behind `show` and `diff` (no database)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import riderperf.policy
from riderperf.cli.policy import policy_app
from riderperf.policy.compare import diff_values, parameter_rows
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import PolicyError
from riderperf.policy.versions import missing_values
from riderperf.storage.db import make_engine
from riderperf.workflows.policies import publish_loaded_policy
from tests.policy_folders import write_policy

runner = CliRunner()


def test_validate_prints_ok_with_counts(tmp_path: Path) -> None:
    folder = write_policy(tmp_path / "p")
    result = runner.invoke(policy_app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout
    assert "4 parameters with 5 dated values in 2 files" in result.stdout
    as_json = json.loads(runner.invoke(policy_app, ["validate", str(folder), "--json"]).stdout)
    assert as_json | {"folder": None} == {
        "folder": None,
        "ok": True,
        "fingerprint": load_policy(folder).fingerprint(),
        "files": 2,
        "parameters": 4,
        "dated_values": 5,
    }


def test_validate_lists_every_problem_with_file_and_key_and_exits_1(tmp_path: Path) -> None:
    folder = write_policy(tmp_path / "p")
    (folder / "late.yaml").write_text(
        "a:\n  description: d\n  values: {2025-01-01: 1}\n"
        "b:\n  description: d\n  reference: r\n  colour: red\n  values: {2025-01-01: 1}\n"
    )
    (folder / "score.yaml").write_text(
        "weights:\n"
        "  x: {description: d, reference: r, values: {2025-01-01: 0.5}}\n"
        "  y: {description: d, reference: r, values: {2025-01-01: 0.4}}\n"
    )
    result = runner.invoke(policy_app, ["validate", str(folder)])
    assert result.exit_code == 1
    for problem in (
        "late.yaml: late.a: missing reference",
        "late.yaml: late.b.colour: unknown key",
        "score.yaml: score.weights: weights sum to 0.9 on 2025-01-01, not 1",
    ):
        assert problem in result.stderr
    as_json = json.loads(runner.invoke(policy_app, ["validate", str(folder), "--json"]).stdout)
    assert as_json["ok"] is False
    assert len(as_json["problems"]) == 4  # a's reference is both missing and empty


def test_validate_without_a_path_checks_the_bundled_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_policy(tmp_path / "bundled")
    monkeypatch.setattr(riderperf.policy, "DEFAULT_POLICY", folder)
    result = runner.invoke(policy_app, ["validate", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["folder"] == str(folder)


def test_rows_before_a_parameters_first_value_have_no_value(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path / "p", merchant_since="2025-03-01"))
    rows = parameter_rows(policy, date(2025, 2, 1))
    assert rows["late.merchant_wait_allowance_minutes"]["value"] is None
    assert rows["late.merchant_wait_allowance_minutes"]["since"] is None
    assert rows["late.dispatch_allowance_minutes"]["value"] == 3
    assert missing_values(policy, date(2025, 2, 1)) == [
        "late.merchant_wait_allowance_minutes: no value in force on 2025-02-01 "
        "(first from 2025-03-01)"
    ]
    assert missing_values(policy, date(2025, 3, 1)) == []


def test_diff_lists_changed_values_and_parameters_only_on_one_side(tmp_path: Path) -> None:
    base = load_policy(write_policy(tmp_path / "a"))
    reform_folder = write_policy(tmp_path / "b", dispatch_2026=7)
    (reform_folder / "extra.yaml").write_text(
        "cap:\n  description: d\n  reference: r\n  unit: order\n  values: {2025-01-01: 1.0}\n"
    )
    reform = load_policy(reform_folder)
    assert diff_values(base, reform, date(2025, 6, 1)) == [
        {"parameter": "extra.cap", "a": None, "b": 1.0, "unit": "order"}
    ]
    assert diff_values(base, reform, date(2026, 7, 1)) == [
        {"parameter": "extra.cap", "a": None, "b": 1.0, "unit": "order"},
        {"parameter": "late.dispatch_allowance_minutes", "a": 4, "b": 7, "unit": "minute"},
    ]
    assert diff_values(base, base, date(2026, 7, 1)) == []


def test_a_value_json_cannot_hold_is_refused_before_touching_the_database(
    tmp_path: Path,
) -> None:
    folder = write_policy(tmp_path / "p")
    (folder / "extra.yaml").write_text(
        "cap:\n  description: d\n  reference: r\n  values: {2025-01-01: .nan}\n"
    )
    engine = make_engine("sqlite://")  # no schema: publishing must stop before using it
    with pytest.raises(PolicyError, match="cannot be stored as JSON"):
        publish_loaded_policy(engine, load_policy(folder), "v1", date(2025, 1, 1), "ana")
    engine.dispose()


def test_validate_names_a_decision_rule_whose_condition_does_not_compile(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(riderperf.policy.default_policy_folder(), folder)
    rules = folder / "decisions.yaml"
    text = rules.read_text()
    good = '2000-01-01: status == "ranked" and tier == "watch"'
    assert good in text
    rules.write_text(text.replace(good, '2000-01-01: status == "ranked" and tierr == "watch"'))
    result = runner.invoke(policy_app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "low_score" in result.output
    assert "tierr" in result.output


def test_validate_refuses_a_bronze_threshold_one_kpi_alone_can_undercut(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(riderperf.policy.default_policy_folder(), folder)
    tiers = folder / "tiers.yaml"
    text = tiers.read_text()
    assert "2000-01-01: 650" in text
    tiers.write_text(text.replace("2000-01-01: 650", "2000-01-01: 700", 1))
    result = runner.invoke(policy_app, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert "scoring.most_points_one_kpi_costs is 350" in result.output
    assert "below bronze (700)" in result.output and "at most 300" in result.output
    tiers.write_text(text)
    assert runner.invoke(policy_app, ["validate", str(folder)]).exit_code == 0
