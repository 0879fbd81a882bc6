"""`riderperf decide` and `riderperf decisions …` against the app objects the lead registers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from riderperf.cli.decisions import decide_command, decisions_app
from tests.integration.test_decisions_city import (
    PERIOD,
    VERSION,
    evaluated_city,
)
from tests.snapshots import Snapshots

runner = CliRunner()
app = typer.Typer()
app.command("decide")(decide_command)
app.add_typer(decisions_app, name="decisions")


@pytest.fixture
def env(snapshots: Snapshots, backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A copy of the city after `prepare`: imported, policy published, week 2 evaluated."""
    with snapshots.copy(evaluated_city(snapshots, backend), tmp_path) as settings:
        yield {
            "RIDERPERF_HOME": str(settings.home),
            "RIDERPERF_DATABASE_URL": settings.app_database_url,
        }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_decide_then_approve_show_and_ledger(env: dict[str, str]) -> None:
    code, output = run(env, "decide", "--period", PERIOD.label, "--json")
    assert code == 0, output
    summary = json.loads(output)
    assert summary["policy_version"] == VERSION and summary["created"] > 0
    assert summary["proposed"] == sum(
        summary["by_kind"].get(k, 0) for k in ("reduced_priority", "suspension", "deactivation")
    )
    code, output = run(env, "decide", "--period", PERIOD.label, "--json")
    assert json.loads(output)["created"] == 0

    code, output = run(env, "decisions", "list", "--status", "proposed", "--json")
    assert code == 0, output
    proposal = json.loads(output)[0]
    decision_id = proposal["decision_id"]

    code, output = run(env, "decisions", "approve", decision_id, "--by", "rene", "--reason", "ok")
    assert code == 1 and "reviewer" in output and "ops_manager" in output
    code, output = run(env, "decisions", "approve", decision_id, "--by", "olga", "--reason", "ok")
    assert code == 0, output
    assert "in effect" in output
    code, output = run(env, "decisions", "approve", decision_id, "--by", "olga", "--reason", "ok")
    assert code == 1 and "already in effect" in output

    code, output = run(env, "decisions", "show", decision_id, "--json")
    shown = json.loads(output)
    assert (shown["status"], shown["approved_by"]) == ("in_effect", "olga")
    assert [e["action"] for e in shown["timeline"]] == ["decision.proposed", "decision.approved"]

    rider = proposal["rider_id"]
    code, output = run(env, "decisions", "ledger", rider, "--json")
    assert code == 0, output
    assert json.loads(output)["rider_id"] == rider


def test_cli_errors_say_what_to_do(env: dict[str, str]) -> None:
    code, output = run(env, "decide", "--period", "2026-W07")
    assert code == 1 and "riderperf evaluate --period 2026-W07" in output
    code, output = run(env, "decide", "--period", "2026-W99")
    assert code == 1 and "no ISO week 99" in output
    code, output = run(env, "decisions", "show", "d-nope")
    assert code == 1 and "no decision 'd-nope'" in output
    code, output = run(env, "decisions", "reject", "d-nope", "--by", "olga", "--reason", "x")
    assert code == 1 and "no decision" in output
    code, output = run(env, "decisions", "list", "--status", "maybe")
    assert code == 1 and "proposed" in output
