"""The `inspections` commands against a real app database: JSON contracts and clear errors."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from riderperf.cli import inspections as commands
from riderperf.cli.inspections import inspections_app
from riderperf.clock import fixed_clock
from riderperf.config import Settings
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.service import create_user
from tests.app_rows import app_rider
from tests.integration.test_inspections_records import GEAR

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(commands, "system_clock", fixed_clock(NOW))
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        create_user(session, "olga", "ops_manager", at=NOW)
        create_user(session, "ivy", "inspector", at=NOW)
        session.add(app_rider("r1", NOW))
    engine.dispose()
    env = {"RIDERPERF_HOME": str(settings.home), "RIDERPERF_DATABASE_URL": settings.database_url}

    def run(*args: str) -> Result:
        return runner.invoke(inspections_app, list(args), env=env)

    return run


def write(path: Path, tree: Any) -> str:
    json_file = path.suffix == ".json"
    path.write_text(json.dumps(tree) if json_file else yaml.safe_dump(tree, sort_keys=False))
    return str(path)


def test_templates_publish_list_show_and_archive(cli: Any, tmp_path: Path) -> None:
    gear = write(tmp_path / "gear.yaml", GEAR)
    published = cli("templates", "publish", gear, "--by", "olga", "--json")
    assert published.exit_code == 0, published.output
    assert json.loads(published.stdout) | {"fingerprint": None} == {
        "template_id": "gear",
        "version": 1,
        "ref": "gear@1",
        "status": "published",
        "name": "Gear check",
        "fingerprint": None,
        "items": 4,
        "created_by": "olga",
        "published_by": "olga",
        "archived_by": None,
        "created_at": NOW.isoformat(),
        "published_at": NOW.isoformat(),
        "archived_at": None,
    }
    listed = json.loads(cli("templates", "list", "--json").stdout)
    assert [(t["ref"], t["status"]) for t in listed] == [("gear@1", "published")]
    shown = json.loads(cli("templates", "show", "gear@1", "--json").stdout)
    assert [i["code"] for i in shown["checklist"]["items"]] == [
        "helmet",
        "vest",
        "box",
        "box_photo",
    ]
    table = cli("templates", "show", "gear")
    assert table.exit_code == 0 and "fastened" in table.stdout and "critical" in table.stdout
    archived = cli("templates", "archive", "gear", "--by", "olga", "--json")
    assert json.loads(archived.stdout)["status"] == "archived"


def test_templates_errors_exit_1_with_the_reason(cli: Any, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", GEAR | {"owner": "me"})
    refused = cli("templates", "publish", bad, "--by", "olga")
    assert refused.exit_code == 1
    assert "problem: bad.yaml: owner: unknown key" in refused.stderr
    gear = write(tmp_path / "gear.yaml", GEAR)
    denied = cli("templates", "publish", gear, "--by", "ivy")
    assert denied.exit_code == 1
    assert "user 'ivy' is inspector; this needs one of: ops_manager, admin" in denied.stderr
    missing = cli("templates", "show", "nothing@3")
    assert missing.exit_code == 1 and "no checklist template nothing@3" in missing.stderr


def test_record_list_and_corrective_actions_from_a_results_file(cli: Any, tmp_path: Path) -> None:
    assert (
        cli("templates", "publish", write(tmp_path / "g.yaml", GEAR), "--by", "olga").exit_code == 0
    )
    photo = tmp_path / "box.jpg"
    photo.write_bytes(b"box photo")
    sheet = {"results": {"helmet": "none", "vest": True, "box": "fail"}, "notes": "no helmet"}
    recorded = cli(
        "record",
        "--rider",
        "r1",
        "--inspector",
        "ivy",
        "--results",
        write(tmp_path / "s.yaml", sheet),
        "--template",
        "gear",
        "--photo",
        f"box_photo={photo}",
        "--at",
        "2026-11-02T10:00+01:00",
        "--place",
        "38.72,-9.14",
        "--json",
    )
    assert recorded.exit_code == 0, recorded.output
    done = json.loads(recorded.stdout)
    assert (done["at"], done["template"], done["failed_items"]) == (
        "2026-11-02T09:00:00+00:00",
        "gear@1",
        ["helmet", "box"],
    )
    assert done["place"] == {"text": None, "lat": 38.72, "lon": -9.14}
    photo_sha = {r["item_code"]: r["photo_sha256"] for r in done["results"]}["box_photo"]
    assert photo_sha == hashlib.sha256(b"box photo").hexdigest()
    listed = json.loads(cli("list", "--rider", "r1", "--period", "2026-11", "--json").stdout)
    assert [i["inspection_id"] for i in listed] == [done["inspection_id"]]
    assert json.loads(cli("list", "--period", "2026-10", "--json").stdout) == []
    overdue = json.loads(cli("corrective", "list", "--overdue", "--json").stdout)
    assert [(a["item_code"], a["due_on"], a["overdue"]) for a in overdue] == [
        ("helmet", "2026-11-04", True),
        ("box", "2026-11-09", True),
    ]
    recheck = {
        "results": {"helmet": "fastened", "box": True},
        "reinspection_of": done["inspection_id"],
    }
    again = cli(
        "record",
        "--rider",
        "r1",
        "--inspector",
        "ivy",
        "--results",
        write(tmp_path / "r.json", recheck),
        "--at",
        "2026-11-03T10:00Z",
    )
    assert again.exit_code == 0, again.output
    assert "2 corrective action(s) closed" in again.stdout
    assert json.loads(cli("corrective", "list", "--json").stdout) == []
    assert len(json.loads(cli("corrective", "list", "--all", "--json").stdout)) == 2


def test_record_uses_the_bundled_checklist_by_default(cli: Any, tmp_path: Path) -> None:
    answers = {
        "helmet": "worn_fastened",
        "reflective_gear": True,
        "box_condition": "minor_wear",
        "box_hygiene": True,
        "uniform": True,
        "id_and_licence": "valid",
        "service_script": "followed",
        "safe_riding": "safe",
        "brakes": "pass",
        "tyre_tread_mm": 2.5,
    }
    sheet = write(tmp_path / "s.yaml", {"results": answers, "place": "Rua Augusta 1"})
    recorded = cli("record", "--rider", "r1", "--inspector", "ivy", "--results", sheet, "--json")
    assert recorded.exit_code == 0, recorded.output
    done = json.loads(recorded.stdout)
    assert (done["template"], done["score"], done["at"]) == (
        "rider-standard@1",
        1.0,
        NOW.isoformat(),
    )
    assert done["place"]["text"] == "Rua Augusta 1"
    text = cli("list")
    assert text.exit_code == 0 and "100%" in text.stdout


def test_record_errors_exit_1_naming_the_item_or_option(cli: Any, tmp_path: Path) -> None:
    sheet = write(tmp_path / "s.yaml", {"results": {"helmet": "yes"}})
    wrong = cli("record", "--rider", "r1", "--inspector", "ivy", "--results", sheet)
    assert wrong.exit_code == 1
    assert "problem: results: helmet: answer one of worn_fastened" in wrong.stderr
    assert "problem: results: reflective_gear: missing answer" in wrong.stderr
    at = cli("record", "--rider", "r1", "--inspector", "ivy", "--results", sheet, "--at", "soon")
    assert at.exit_code == 1 and "--at 'soon': give an ISO 8601 time with offset" in at.stderr
    photo = cli("record", "--rider", "r1", "--inspector", "ivy", "--results", sheet, "--photo", "x")
    assert photo.exit_code == 1 and "write item=path" in photo.stderr
    period = cli("list", "--period", "november")
    assert period.exit_code == 1 and "period 'november' is not understood" in period.stderr
    assert json.loads(cli("list", "--json").stdout) == []
