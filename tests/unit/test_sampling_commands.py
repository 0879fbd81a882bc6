"""`riderperf inspections sampling-plan`: the standard's plan for a lot, as JSON or a sentence."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from riderperf.cli.sampling import sampling_app

runner = CliRunner()


def test_sampling_plan_json_has_exactly_the_four_contract_keys() -> None:
    result = runner.invoke(
        sampling_app,
        ["sampling-plan", "--lot-size", "2000", "--level", "II", "--aql", "1.0", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "code_letter": "K",
        "sample_size": 125,
        "accept": 3,
        "reject": 4,
    }


def test_sampling_plan_follows_the_severity() -> None:
    args = ["sampling-plan", "--lot-size", "2000", "--aql", "1.0", "--json"]
    tightened = runner.invoke(sampling_app, [*args, "--severity", "tightened"])
    reduced = runner.invoke(sampling_app, [*args, "--severity", "reduced"])
    assert json.loads(tightened.stdout)["accept"] == 2
    assert json.loads(reduced.stdout) == {
        "code_letter": "K",
        "sample_size": 50,
        "accept": 1,
        "reject": 4,
    }


def test_sampling_plan_says_when_the_whole_lot_is_inspected() -> None:
    result = runner.invoke(sampling_app, ["sampling-plan", "--lot-size", "5", "--aql", "10"])
    assert result.exit_code == 0, result.output
    assert "100 % inspection" in result.output


def test_an_aql_outside_the_tables_exits_1_with_the_allowed_values() -> None:
    result = runner.invoke(sampling_app, ["sampling-plan", "--lot-size", "2000", "--aql", "3"])
    assert result.exit_code == 1
    assert "not one of the standard's AQLs" in result.output
    assert "Traceback" not in result.output


def test_a_bad_period_exits_1_naming_the_forms() -> None:
    result = runner.invoke(sampling_app, ["plan", "--period", "next week"])
    assert result.exit_code == 1
    assert "2026-W45" in result.output
