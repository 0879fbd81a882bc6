"""The `riderperf appeals` commands end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import riderperf.workflows.appeals as reevaluate
from riderperf.cli import appeals as commands
from riderperf.cli.appeals import appeals_app
from riderperf.config import Settings
from riderperf.responsibility.model import JUDGMENTS_DDL
from riderperf.storage.db import make_engine, upgrade
from riderperf.warehouse.connection import open_warehouse
from riderperf.workflows.overturn import OverturnRepair
from tests.integration.test_cases_appeals import add_staff

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RIDERPERF_HOME", str(settings.home))
    monkeypatch.setenv("RIDERPERF_DATABASE_URL", settings.app_database_url)
    monkeypatch.setattr(commands, "system_clock", lambda: NOW)
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    add_staff(engine)
    engine.dispose()
    with open_warehouse(settings.warehouse_path) as warehouse:
        warehouse.con.execute(JUDGMENTS_DDL)
        warehouse.con.execute(
            "INSERT INTO judgments (event_id, event, order_id, rider_id, occurred_at, day, party, "
            "rule, policy_version, explanation) VALUES (?, 'late', 'o-9', 'r-1', ?, ?, 'rider', "
            "'late.rider_travel', 'default', 'Late by 12 minutes.')",
            ["late:o-9", NOW - timedelta(days=2), (NOW - timedelta(days=2)).date()],
        )
    return settings


def run(*args: str) -> Result:
    return runner.invoke(appeals_app, list(args))


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_judgment_appeal_goes_from_submit_to_decision_on_the_command_line(
    cli_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooked: list[Any] = []

    def hook(settings: Settings, result: Any) -> OverturnRepair:
        hooked.append(result)
        return OverturnRepair([], [])

    monkeypatch.setattr(reevaluate, "reevaluate_after_overturn", hook)
    photo = tmp_path / "door.png"
    photo.write_bytes(b"\x89PNG door photo")
    case = run_json(
        "submit",
        "late:o-9",
        "--rider",
        "r-1",
        "--reason",
        "Gate was locked.",
        "--evidence",
        str(photo),
    )
    case_id = case["case_id"]
    assert (case["status"], case["subject_type"], case["sla"]["first_response"]) == (
        "submitted",
        "judgment",
        "on_track",
    )
    assert [e["filename"] for e in case["evidence"]] == ["door.png"]
    asked = run_json(
        "move", case_id, "--to", "waiting_on_rider", "--by", "rev", "--note", "Which gate?"
    )
    assert asked["status"] == "waiting_on_rider" and asked["sla"]["paused"] is True
    answered = run_json("respond", case_id, "--rider", "r-1", "--text", "The north gate.")
    assert answered["status"] == "under_review"
    decided = run_json(
        "decide", case_id, "--outcome", "overturned", "--by", "rev", "--reason", "Gate locked."
    )
    assert decided["outcome"] == "overturned"
    assert decided["reevaluate"]["rider_id"] == "r-1"
    assert [r.case_id for r in hooked] == [case_id]
    listed = run_json("list", "--status", "decided")
    assert [c["case_id"] for c in listed] == [case_id]
    shown = run_json("show", case_id)
    assert [e["action"] for e in shown["timeline"]] == [
        "case.submitted",
        "case.evidence_added",
        "case.waiting_on_rider",
        "case.under_review",
        "case.decided",
    ]
    text = run("show", case_id)
    assert text.exit_code == 0 and "timeline" in text.stdout


def test_user_errors_exit_1_with_a_message_not_a_traceback(cli_settings: Settings) -> None:
    unknown = run("submit", "nothing-here", "--rider", "r-1", "--reason", "x")
    assert unknown.exit_code == 1
    assert "no decision or judged event 'nothing-here'" in unknown.output
    case_id = run_json("submit", "late:o-9", "--rider", "r-1", "--reason", "x")["case_id"]
    again = run("submit", "late:o-9", "--rider", "r-1", "--reason", "x")
    assert again.exit_code == 1 and "already appealed" in again.output
    early = run("decide", case_id, "--outcome", "upheld", "--by", "rev", "--reason", "r")
    assert early.exit_code == 1 and "from submitted to decided" in early.output
    denied = run("move", case_id, "--to", "triage", "--by", "insp")
    assert denied.exit_code == 1 and "insp" in denied.output
    missing = run("show", "case-000000000000")
    assert missing.exit_code == 1 and "no case case-000000000000" in missing.output
