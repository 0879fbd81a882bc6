"""Evaluating periods long before today: the shipped policy covers them, and when no
version does, the error names the version and the command that publishes one."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from typer.testing import CliRunner, Result

from riderperf.cli.app import app
from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.policy import default_policy_folder
from tests.snapshots import Snapshots

runner = CliRunner()


def cli(settings: Settings, *args: str) -> Result:
    env = {"RIDERPERF_HOME": str(settings.home), "RIDERPERF_DATABASE_URL": settings.database_url}
    return runner.invoke(app, list(args), env=env)


def publish(settings: Settings, folder: Path, version: str, effective: str) -> None:
    args = ["policy", "publish", str(folder), "--version", version, "--effective", effective]
    published = cli(settings, *args)
    assert published.exit_code == 0, published.output


def policy_starting(folder: Path, first: str) -> Path:
    """The bundled policy with every value dated `first`, as in releases before 2000-01-01."""
    shutil.copytree(default_policy_folder(), folder)
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(" 2000-01-01:", f" {first}:"), encoding="utf-8")
    return folder


def test_a_2019_period_is_evaluated_under_the_shipped_policy_with_no_manual_step(
    snapshots: Snapshots, sqlite_settings: Settings
) -> None:
    city = snapshots.dataset(riders=40, days=7, seed=3, start=date(2019, 3, 4))
    assert import_path(city, sqlite_settings).exit_code == 0
    done = cli(sqlite_settings, "evaluate", "--period", "2019-W10", "--json")
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["policy_version"] == "default"
    assert summary["riders"] > 0
    assert summary["judgments"] > 0
    assert summary["statuses"].get("ranked", 0) > 0


def test_with_no_version_in_force_the_error_is_the_command_to_run(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    own = policy_starting(tmp_path / "own", "2025-01-01")
    publish(sqlite_settings, own, "2025.1", "2025-01-01")
    refused = cli(sqlite_settings, "evaluate", "--period", "2019-W10")
    assert refused.exit_code == 1
    message = " ".join(refused.stderr.split())
    assert (
        "no policy version is in force on 2019-03-04 (the earliest, 2025.1, is in force from "
        "2025-01-01)" in message
    )
    command = (
        f"riderperf policy publish {default_policy_folder()} --version bundled-from-2019-03-04 "
        "--effective 2019-03-04"
    )
    assert command in message
    ran = cli(sqlite_settings, *command.split()[1:])
    assert ran.exit_code == 0, ran.output
    done = cli(sqlite_settings, "evaluate", "--period", "2019-W10", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["policy_version"] == "bundled-from-2019-03-04"


def test_a_named_version_without_values_on_the_period_is_named_in_the_error(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    old = policy_starting(tmp_path / "old", "2025-01-01")
    publish(sqlite_settings, old, "old-2025", "2025-01-01")
    refused = cli(sqlite_settings, "evaluate", "--period", "2019-W10", "--policy", "old-2025")
    assert refused.exit_code == 1
    message = " ".join(refused.stderr.split())
    assert "policy version old-2025 has no values before 2025-01-01" in message
    assert "cannot judge 2019-03-04" in message
    assert "appeals." not in message
