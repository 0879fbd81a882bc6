"""Checklist template versions on SQLite and PostgreSQL: publishing, archiving, immutability."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from riderperf.audit.log import events_for
from riderperf.config import Settings
from riderperf.inspections.checklists import ChecklistError
from riderperf.inspections.loader import parse_template
from riderperf.inspections.orm import ChecklistTemplateRecord, TemplateImmutable
from riderperf.inspections.template_store import TemplateError, get_template, list_templates
from riderperf.inspections.templates import (
    archive_template,
    ensure_default_template,
    publish_template,
    publish_template_file,
    save_draft,
)
from riderperf.storage.db import alembic_config, make_engine, unit_of_work, upgrade
from riderperf.users.service import PermissionDenied, create_user
from tests.races import at_once

OCT_1 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
OCT_2 = datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
GEAR = {
    "id": "gear",
    "name": "Gear check",
    "reinspection_days": {"reference": "policy choice", "minor": 14, "major": 7, "critical": 2},
    "items": [
        {
            "code": "vest",
            "label": "Vest worn",
            "kind": "pass_fail",
            "weight": 0.5,
            "severity": "minor",
            "kpi": "equipment_compliance",
            "reference": "gear rule",
        },
        {
            "code": "box",
            "label": "Box clean",
            "kind": "pass_fail",
            "weight": 0.5,
            "severity": "major",
            "kpi": "equipment_compliance",
            "reference": "Reg. 852/2004",
        },
    ],
}


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        create_user(session, "olga", "ops_manager", at=OCT_1)
        create_user(session, "ivy", "inspector", at=OCT_1)
    yield engine
    engine.dispose()


def write_gear(folder: Path, vest_label: str = "Vest worn") -> Path:
    tree = yaml.safe_load(yaml.safe_dump(GEAR))
    tree["items"][0]["label"] = vest_label
    path = folder / f"gear-{len(list(folder.glob('*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(tree, sort_keys=False))
    return path


def test_the_bundled_checklist_is_published_once(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        first = ensure_default_template(session, OCT_1)
    with unit_of_work(engine) as session:
        again = ensure_default_template(session, OCT_2)
        events = [e.action for e in events_for(session, "checklist_template", first.ref)]
    assert (first.ref, first.status, first.published_by) == (
        "rider-standard@1",
        "published",
        "system",
    )
    assert again == first
    assert events == ["checklist_template.draft_saved", "checklist_template.published"]


def test_a_new_version_archives_the_one_before_and_the_same_file_changes_nothing(
    tmp_path: Path, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        v1 = publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_1)
        same = publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_2)
        v2 = publish_template_file(session, write_gear(tmp_path, "Hi-vis"), by="olga", at=OCT_2)
    with unit_of_work(engine) as session:
        stored = {v.ref: v for v in list_templates(session, "gear")}
        in_force = get_template(session, "gear")
        archived_events = [e.action for e in events_for(session, "checklist_template", "gear@1")]
    assert same == v1
    assert (v1.version, v2.version) == (1, 2)
    assert stored["gear@1"].status == "archived"
    assert (stored["gear@1"].archived_at, stored["gear@1"].archived_by) == (OCT_2, "olga")
    assert in_force.ref == "gear@2" and in_force.checklist.item("vest").label == "Hi-vis"
    assert archived_events[-1] == "checklist_template.archived"


def test_a_draft_is_editable_until_published(engine: Engine) -> None:
    checklist = parse_template(GEAR, "gear.yaml")
    renamed = parse_template(GEAR | {"name": "Gear check (v2)"}, "gear.yaml")
    with unit_of_work(engine) as session:
        draft = save_draft(session, checklist, by="olga", at=OCT_1)
        edited = save_draft(session, renamed, by="olga", at=OCT_2)
        published = publish_template(session, "gear", 1, by="olga", at=OCT_2)
    assert (draft.ref, edited.ref, edited.status) == ("gear@1", "gear@1", "draft")
    assert (published.name, published.status) == ("Gear check (v2)", "published")
    with pytest.raises(TemplateError, match="not a draft"), unit_of_work(engine) as session:
        publish_template(session, "gear", 1, by="olga", at=OCT_2)


def test_only_ops_managers_and_admins_publish_or_archive(tmp_path: Path, engine: Engine) -> None:
    with pytest.raises(PermissionDenied, match="ivy"), unit_of_work(engine) as session:
        publish_template_file(session, write_gear(tmp_path), by="ivy", at=OCT_1)
    with unit_of_work(engine) as session:
        publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_1)
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        archive_template(session, "gear", 1, by="ivy", at=OCT_2)


def test_an_invalid_file_is_refused_naming_file_and_key(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(GEAR | {"owner": "me"}))
    with pytest.raises(ChecklistError, match=r"bad\.yaml: owner"), unit_of_work(engine) as session:
        publish_template_file(session, path, by="olga", at=OCT_1)
    with unit_of_work(engine) as session:
        assert list_templates(session) == []


def test_an_archived_version_moves_no_further(tmp_path: Path, engine: Engine) -> None:
    with unit_of_work(engine) as session:
        publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_1)
        archived = archive_template(session, "gear", 1, by="olga", at=OCT_2)
    assert archived.status == "archived"
    with pytest.raises(TemplateError, match="cannot become"), unit_of_work(engine) as session:
        archive_template(session, "gear", 1, by="olga", at=OCT_2)


def test_code_refuses_changing_or_deleting_a_published_template(
    tmp_path: Path, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_1)
    with pytest.raises(TemplateImmutable, match="gear@1"), unit_of_work(engine) as session:
        record = session.get(ChecklistTemplateRecord, ("gear", 1))
        assert record is not None
        record.content = {"items": []}
        session.flush()
    with pytest.raises(TemplateImmutable, match="deleted"), unit_of_work(engine) as session:
        record = session.get(ChecklistTemplateRecord, ("gear", 1))
        session.delete(record)
        session.flush()
    with pytest.raises(TemplateImmutable, match="status draft"), unit_of_work(engine) as session:
        record = session.get(ChecklistTemplateRecord, ("gear", 1))
        assert record is not None
        record.status = "draft"
        session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE checklist_templates SET name = 'other' WHERE template_id = 'gear'",
        "UPDATE checklist_templates SET content = '{}' WHERE template_id = 'gear'",
        "UPDATE checklist_templates SET status = 'draft' WHERE template_id = 'gear'",
        "UPDATE checklist_templates SET status = 'archived', name = 'x' WHERE template_id = 'gear'",
        "DELETE FROM checklist_templates WHERE template_id = 'gear'",
    ],
)
def test_the_database_refuses_changing_a_published_template(
    tmp_path: Path, engine: Engine, statement: str
) -> None:
    with unit_of_work(engine) as session:
        publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_1)
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as con:
        con.execute(text(statement))
    with unit_of_work(engine) as session:
        assert get_template(session, "gear", 1).name == "Gear check"


def test_the_database_allows_archiving_then_refuses_any_change_and_keeps_drafts_free(
    tmp_path: Path, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_1)
        save_draft(session, parse_template(GEAR, "g"), by="olga", at=OCT_1)
    with engine.begin() as con:
        con.execute(
            text(
                "UPDATE checklist_templates SET status = 'archived', archived_by = 'olga' "
                "WHERE template_id = 'gear' AND version = 1"
            )
        )
        con.execute(text("UPDATE checklist_templates SET name = 'x' WHERE version = 2"))
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as con:
        con.execute(text("UPDATE checklist_templates SET archived_by = 'eve' WHERE version = 1"))
    with engine.begin() as con:
        con.execute(text("DELETE FROM checklist_templates WHERE version = 2"))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="TRUNCATE refused"), engine.begin() as con:
            con.execute(text("TRUNCATE checklist_templates CASCADE"))
    with unit_of_work(engine) as session:
        assert [(v.ref, v.status) for v in list_templates(session)] == [("gear@1", "archived")]


@pytest.mark.replays_migrations
def test_the_migration_downgrades_and_upgrades_again_with_its_triggers(
    tmp_path: Path, engine: Engine
) -> None:
    command.downgrade(alembic_config(engine), "0008")
    tables = inspect(engine).get_table_names()
    assert not {"checklist_templates", "inspections", "violations"} & set(tables)
    upgrade(engine)
    with unit_of_work(engine) as session:
        publish_template_file(session, write_gear(tmp_path), by="olga", at=OCT_1)
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as con:
        con.execute(text("DELETE FROM checklist_templates"))


def test_two_managers_publishing_a_draft_at_once_publish_it_once(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        create_user(session, "omar", "ops_manager", at=OCT_1)
        save_draft(session, parse_template(GEAR, "gear.yaml"), by="olga", at=OCT_1)

    def publish(by: str) -> object:
        with unit_of_work(engine) as session:
            return publish_template(session, "gear", 1, by=by, at=OCT_2)

    outcomes = at_once(lambda: publish("olga"), lambda: publish("omar"))
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], TemplateError), lost
    assert "someone else moved it meanwhile" in str(lost[0])
    with unit_of_work(engine) as session:
        events = [e.action for e in events_for(session, "checklist_template", "gear@1")]
    assert events.count("checklist_template.published") == 1
