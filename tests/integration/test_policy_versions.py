"""Policy versions on SQLite and PostgreSQL: publishing, resolution by date, immutability."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner, Result

import riderperf.policy
from riderperf.cli.policy import policy_app
from riderperf.clock import fixed_clock
from riderperf.config import Settings
from riderperf.policy import versions
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import PolicyError
from riderperf.policy.versions import (
    PolicyVersionConflict,
    PolicyVersionError,
    UnknownPolicyVersion,
    ensure_default_published,
    get_version,
    list_versions,
    version_in_force,
)
from riderperf.storage.db import alembic_config, make_engine, upgrade
from riderperf.workflows.policies import publish_policy
from tests.policy_folders import write_policy

JAN_2 = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
JAN_3 = datetime(2026, 1, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def publish(
    engine: Engine,
    folder: Path,
    version: str,
    effective: date,
    at: datetime = JAN_2,
    note: str = "",
) -> versions.PolicyVersion:
    return publish_policy(engine, folder, version, effective, "ana", note, clock=fixed_clock(at))


def test_published_version_keeps_the_policy_its_fingerprint_and_who_published_it(
    tmp_path: Path, engine: Engine
) -> None:
    folder = write_policy(tmp_path / "p")
    published = publish(engine, folder, "2026.1", date(2026, 1, 1), note="first")
    stored = get_version(engine, "2026.1")
    loaded = load_policy(folder)
    assert stored == published
    assert stored.fingerprint == loaded.fingerprint()
    assert stored.policy == loaded
    assert stored.policy.at(date(2026, 8, 1)).get("late.dispatch_allowance_minutes") == 4
    assert (stored.published_by, stored.note, stored.published_at) == ("ana", "first", JAN_2)
    assert stored.effective_from == date(2026, 1, 1)


def test_version_in_force_is_the_latest_effective_on_or_before_the_day(
    tmp_path: Path, engine: Engine
) -> None:
    publish(engine, write_policy(tmp_path / "a"), "2025.1", date(2025, 1, 1))
    publish(engine, write_policy(tmp_path / "b", dispatch=6), "2026.1", date(2026, 1, 1))
    publish(engine, write_policy(tmp_path / "c", dispatch=7), "2025.2", date(2025, 6, 1))

    assert [v.version for v in list_versions(engine)] == ["2026.1", "2025.2", "2025.1"]
    assert version_in_force(engine, date(2024, 12, 31)) is None
    in_force = {
        day: version_in_force(engine, day)
        for day in (date(2025, 1, 1), date(2025, 5, 31), date(2025, 6, 1), date(2027, 1, 1))
    }
    assert {day: v.version if v else None for day, v in in_force.items()} == {
        date(2025, 1, 1): "2025.1",
        date(2025, 5, 31): "2025.1",
        date(2025, 6, 1): "2025.2",
        date(2027, 1, 1): "2026.1",
    }


def test_on_the_same_effective_date_the_latest_published_version_is_in_force(
    tmp_path: Path, engine: Engine
) -> None:
    publish(engine, write_policy(tmp_path / "late"), "b-later", date(2025, 1, 1), at=JAN_3)
    publish(engine, write_policy(tmp_path / "early", dispatch=9), "z-earlier", date(2025, 1, 1))
    in_force = version_in_force(engine, date(2025, 3, 1))
    assert in_force is not None
    assert in_force.version == "b-later"
    assert [v.version for v in list_versions(engine)] == ["b-later", "z-earlier"]


def test_publishing_the_same_content_again_returns_the_first_publication(
    tmp_path: Path, engine: Engine
) -> None:
    first = publish(engine, write_policy(tmp_path / "a"), "2026.1", date(2026, 1, 1), note="one")
    # Same numbers from another folder, later, by someone else: still the first one.
    again = publish_policy(
        engine,
        write_policy(tmp_path / "copy"),
        "2026.1",
        date(2026, 1, 1),
        "bo",
        "two",
        clock=fixed_clock(JAN_3),
    )
    assert again == first
    assert (again.published_by, again.note, again.published_at) == ("ana", "one", JAN_2)
    assert len(list_versions(engine)) == 1


def test_a_publication_racing_another_one_for_the_same_id_settles_on_the_stored_one(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = publish(engine, write_policy(tmp_path / "a"), "2026.1", date(2026, 1, 1))
    real_find = versions._find
    calls: list[str] = []

    def find_after_the_race(engine: Engine, version: str) -> versions.PolicyVersion | None:
        calls.append(version)  # the first look misses the row the other publisher wrote
        return None if len(calls) == 1 else real_find(engine, version)

    monkeypatch.setattr(versions, "_find", find_after_the_race)
    assert publish(engine, write_policy(tmp_path / "a"), "2026.1", date(2026, 1, 1)) == first
    calls.clear()
    with pytest.raises(PolicyVersionConflict, match=r"2026\.1 .*other content"):
        publish(engine, write_policy(tmp_path / "b", dispatch=8), "2026.1", date(2026, 1, 1))
    assert list_versions(engine) == [first]


def test_publication_time_is_stored_in_utc(tmp_path: Path, engine: Engine) -> None:
    paris = datetime(2026, 1, 2, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    published = publish(engine, write_policy(tmp_path / "p"), "2026.1", date(2026, 1, 1), at=paris)
    stored = get_version(engine, "2026.1").published_at
    assert stored == published.published_at == JAN_2
    assert stored.tzinfo == UTC


def test_other_content_under_a_published_id_is_refused_naming_the_version(
    tmp_path: Path, engine: Engine
) -> None:
    publish(engine, write_policy(tmp_path / "a"), "2026.1", date(2026, 1, 1))
    with pytest.raises(PolicyVersionConflict, match=r"policy version 2026\.1 .*other content"):
        publish(engine, write_policy(tmp_path / "b", dispatch=8), "2026.1", date(2026, 1, 1))
    with pytest.raises(PolicyVersionConflict, match=r"2026\.1 .*effective from 2026-01-01"):
        publish(engine, write_policy(tmp_path / "a"), "2026.1", date(2026, 2, 1))
    assert get_version(engine, "2026.1").policy == load_policy(tmp_path / "a")


def test_a_parameter_without_a_value_on_the_effective_date_is_refused(
    tmp_path: Path, engine: Engine
) -> None:
    folder = write_policy(tmp_path / "p", merchant_since="2025-03-01")
    with pytest.raises(PolicyError) as caught:
        publish(engine, folder, "2025.1", date(2025, 2, 1))
    assert caught.value.problems == [
        "version 2025.1: late.merchant_wait_allowance_minutes: no value in force on "
        "2025-02-01 (first from 2025-03-01)"
    ]
    assert list_versions(engine) == []
    assert publish(engine, folder, "2025.1", date(2025, 3, 1)).version == "2025.1"


def test_invalid_folder_or_version_id_publishes_nothing(tmp_path: Path, engine: Engine) -> None:
    broken = write_policy(tmp_path / "broken")
    (broken / "late.yaml").write_text("x:\n  description: d\n  values: {2025-01-01: 1}\n")
    with pytest.raises(PolicyError, match=r"late\.yaml: late\.x: missing reference"):
        publish(engine, broken, "2025.1", date(2025, 1, 1))
    with pytest.raises(PolicyVersionError, match="version id 'two words'"):
        publish(engine, write_policy(tmp_path / "ok"), "two words", date(2025, 1, 1))
    assert list_versions(engine) == []


def test_unknown_version_is_named_in_the_error(engine: Engine) -> None:
    with pytest.raises(UnknownPolicyVersion, match=r"no published policy version '2030\.9'"):
        get_version(engine, "2030.9")


def test_the_database_refuses_to_update_or_delete_a_published_version(
    tmp_path: Path, engine: Engine
) -> None:
    published = publish(engine, write_policy(tmp_path / "p"), "2026.1", date(2026, 1, 1))
    statements = [
        "UPDATE policy_versions SET note = 'rewritten' WHERE version = '2026.1'",
        "UPDATE policy_versions SET effective_from = '2020-01-01'",
        "DELETE FROM policy_versions WHERE version = '2026.1'",
        "DELETE FROM policy_versions",
    ]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE policy_versions")
    for statement in statements:
        with pytest.raises(DBAPIError, match="immutable once published"), engine.begin() as con:
            con.execute(text(statement))
    assert list_versions(engine) == [published]
    assert get_version(engine, "2026.1").note == ""


@pytest.mark.replays_migrations
def test_the_migration_downgrades_and_upgrades_again_with_its_triggers(
    tmp_path: Path, engine: Engine
) -> None:
    command.downgrade(alembic_config(engine), "0001")
    assert "policy_versions" not in inspect(engine).get_table_names()
    upgrade(engine)
    publish(engine, write_policy(tmp_path / "p"), "2026.1", date(2026, 1, 1))
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as con:
        con.execute(text("DELETE FROM policy_versions"))


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled default folder, replaced by a tmp policy (the real one keeps changing),
    whose values start on 2000-01-01 as the real one's do."""
    folder = write_policy(tmp_path / "bundled", first="2000-01-01", merchant_since="2000-01-01")
    monkeypatch.setattr(riderperf.policy, "DEFAULT_POLICY", folder)
    return folder


def test_ensure_default_publishes_the_bundled_policy_once(bundled: Path, engine: Engine) -> None:
    first = ensure_default_published(engine, clock=fixed_clock(JAN_2))
    second = ensure_default_published(engine, clock=fixed_clock(JAN_3))
    assert first.version == "default"
    assert first.effective_from == date(2000, 1, 1)
    assert first.fingerprint == load_policy(bundled).fingerprint()
    assert second == first
    assert second.published_at == JAN_2
    assert list_versions(engine) == [first]


def test_upgraded_defaults_are_published_beside_the_old_ones_and_take_over(
    bundled: Path, engine: Engine
) -> None:
    old = ensure_default_published(engine, clock=fixed_clock(JAN_2))
    write_policy(bundled, dispatch=5, first="2000-01-01", merchant_since="2000-01-01")
    new = ensure_default_published(engine, clock=fixed_clock(JAN_3))
    assert new.version == f"default-{load_policy(bundled).fingerprint()[:8]}"
    assert new.effective_from == old.effective_from
    assert get_version(engine, "default") == old
    assert version_in_force(engine, date(2025, 6, 1)) == new
    assert ensure_default_published(engine) == new
    assert len(list_versions(engine)) == 2


def test_an_upgrade_of_a_default_effective_in_2025_takes_over_from_2025(
    bundled: Path, engine: Engine
) -> None:
    # Releases before 2000-01-01 was the bundled effective date published `default` in 2025.
    old = publish(engine, write_policy(bundled.parent / "old"), "default", date(2025, 1, 1))
    new = ensure_default_published(engine, clock=fixed_clock(JAN_3))
    assert new.version.startswith("default-")
    assert new.effective_from == old.effective_from
    assert version_in_force(engine, date(2025, 6, 1)) == new
    assert version_in_force(engine, date(2019, 6, 1)) is None


def test_ensure_default_leaves_an_operator_policy_alone(
    tmp_path: Path, bundled: Path, engine: Engine
) -> None:
    own = publish(engine, write_policy(tmp_path / "own", dispatch=2), "2025.1", date(2025, 1, 1))
    (bundled / "late.yaml").write_text("not: [a policy")  # never read in this case
    assert ensure_default_published(engine) == own
    assert list_versions(engine) == [own]


runner = CliRunner()


def cli(settings: Settings, *args: str) -> Result:
    env = {"RIDERPERF_HOME": str(settings.home), "RIDERPERF_DATABASE_URL": settings.database_url}
    return runner.invoke(policy_app, list(args), env=env)


def test_cli_publish_exits_0_then_0_again_and_1_for_other_content(
    tmp_path: Path, settings: Settings
) -> None:
    folder = str(write_policy(tmp_path / "p"))
    args = ["publish", folder, "--version", "2026.1", "--effective", "2026-01-01", "--by", "ana"]
    first = cli(settings, *args, "--note", "launch", "--json")
    again = cli(settings, *args, "--json")
    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert json.loads(first.stdout) | {"published_at": None} == {
        "version": "2026.1",
        "effective_from": "2026-01-01",
        "fingerprint": load_policy(Path(folder)).fingerprint(),
        "published_at": None,
        "published_by": "ana",
        "note": "launch",
    }
    other = str(write_policy(tmp_path / "other", dispatch=9))
    refused = cli(settings, "publish", other, "--version", "2026.1", "--effective", "2026-01-01")
    assert refused.exit_code == 1
    assert "policy version 2026.1 is already published with other content" in refused.stderr


def test_cli_publish_exits_1_naming_a_missing_value_or_an_invalid_folder(
    tmp_path: Path, settings: Settings
) -> None:
    late = str(write_policy(tmp_path / "late", merchant_since="2025-03-01"))
    missing = cli(settings, "publish", late, "--version", "v1", "--effective", "2025-01-01")
    assert missing.exit_code == 1
    assert "late.merchant_wait_allowance_minutes: no value in force on 2025-01-01" in (
        missing.stderr
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    invalid = cli(settings, "publish", str(empty), "--version", "v1", "--effective", "2025-01-01")
    assert invalid.exit_code == 1
    assert "no .yaml parameter files" in invalid.stderr
    assert json.loads(cli(settings, "list", "--json").stdout) == []


def test_cli_list_show_and_diff_print_versions_values_and_differences(
    tmp_path: Path, settings: Settings
) -> None:
    base, reform = write_policy(tmp_path / "base"), write_policy(tmp_path / "reform", dispatch=6)
    for version, folder, effective in (
        ("2025.1", base, "2025-01-01"),
        ("2025.2", reform, "2025-06-01"),
    ):
        published = cli(
            settings, "publish", str(folder), "--version", version, "--effective", effective
        )
        assert published.exit_code == 0, published.output

    listed = cli(settings, "list", "--json")
    assert [v["version"] for v in json.loads(listed.stdout)] == ["2025.2", "2025.1"]
    table = cli(settings, "list")
    assert table.exit_code == 0
    assert "2025.2" in table.stdout and "2025-06-01" in table.stdout

    shown = json.loads(cli(settings, "show", "2025.1", "--json").stdout)
    assert shown["at"] == "2025-01-01"
    assert shown["parameters"]["late.dispatch_allowance_minutes"] == {
        "value": 3,
        "unit": "minute",
        "since": "2025-01-01",
        "reference": "Platform dispatch SLA.",
        "description": "Minutes the platform may take to find a rider.",
    }
    later = json.loads(cli(settings, "show", "2025.1", "--at", "2026-07-01", "--json").stdout)
    assert later["parameters"]["late.dispatch_allowance_minutes"]["value"] == 4
    assert later["parameters"]["late.dispatch_allowance_minutes"]["reference"] == (
        "Revised SLA of July 2026."
    )
    shown_table = cli(settings, "show", "2025.1")
    assert shown_table.exit_code == 0
    assert "Operations committee." in shown_table.stdout  # the table wraps longer cells

    diff = json.loads(cli(settings, "diff", "2025.1", "2025.2", "--json").stdout)
    assert diff == {
        "a": "2025.1",
        "b": "2025.2",
        "at": "2025-06-01",
        "differences": [
            {"parameter": "late.dispatch_allowance_minutes", "a": 3, "b": 6, "unit": "minute"}
        ],
    }
    after_reform = cli(settings, "diff", "2025.1", "2025.2", "--at", "2026-08-01", "--json")
    assert json.loads(after_reform.stdout)["differences"] == []


def test_cli_show_or_diff_of_an_unknown_version_exits_1_naming_it(settings: Settings) -> None:
    for args in (["show", "nope"], ["diff", "nope", "nada"]):
        result = cli(settings, *args)
        assert result.exit_code == 1
        assert "no published policy version 'nope'" in result.stderr
