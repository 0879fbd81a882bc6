"""Inspection records on SQLite and PostgreSQL: validation, frozen template versions, photos,
violations and corrective actions (the fixtures here serve the other inspection tests too)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from riderperf.audit.log import events_for, events_for_rider
from riderperf.config import Settings
from riderperf.inspections.checklists import ChecklistError
from riderperf.inspections.corrective import corrective_actions, overdue_actions
from riderperf.inspections.history import Inspection, InspectionError, get_inspection
from riderperf.inspections.photos import stored_photo_path
from riderperf.inspections.records import record_inspection
from riderperf.inspections.stats import inspection_stats
from riderperf.inspections.template_store import TemplateError
from riderperf.inspections.templates import publish_template_file
from riderperf.inspections.violations import violations_between
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.storage.models import Rider
from riderperf.users.service import PermissionDenied, create_user

OCT_1 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
NOV_1, DEC_1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
GEAR: dict[str, Any] = {
    "id": "gear",
    "name": "Gear check",
    "reinspection_days": {"reference": "policy choice", "minor": 14, "major": 7, "critical": 2},
    "items": [
        {
            "code": "helmet",
            "label": "Helmet",
            "kind": "choice",
            "options": ["fastened", "none"],
            "pass": ["fastened"],
            "weight": 0.5,
            "severity": "critical",
            "kpi": "safety",
            "reference": "traffic law",
        },
        {
            "code": "vest",
            "label": "Vest worn",
            "kind": "pass_fail",
            "weight": 0.2,
            "severity": "minor",
            "kpi": "equipment_compliance",
            "reference": "gear rule",
        },
        {
            "code": "box",
            "label": "Box clean",
            "kind": "pass_fail",
            "weight": 0.3,
            "severity": "major",
            "kpi": "equipment_compliance",
            "reference": "Reg. 852/2004",
        },
        {
            "code": "box_photo",
            "label": "Box photo",
            "kind": "photo",
            "required": False,
            "reference": "evidence",
        },
    ],
}
ALL_PASS = {"helmet": "fastened", "vest": True, "box": True}


def nov(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def add_rider(session: Any, rider_id: str, zone_id: str) -> None:
    session.add(
        Rider(
            rider_id=rider_id,
            capacity_type="full_time",
            city="Lisbon",
            zone_id=zone_id,
            vehicle="motorbike",
            joined_on=date(2025, 1, 1),
            language="pt",
            status="active",
            registered_at=OCT_1,
        )
    )


def publish_gear(engine: Engine, folder: Path, at: datetime, **vest: Any) -> None:
    tree = yaml.safe_load(yaml.safe_dump(GEAR))
    tree["items"][1].update(vest)
    tree["items"][0]["weight"] = round(0.7 - tree["items"][1]["weight"], 6)
    path = folder / f"gear-{at:%m%d%H}.yaml"
    path.write_text(yaml.safe_dump(tree, sort_keys=False))
    with unit_of_work(engine) as session:
        publish_template_file(session, path, by="olga", at=at)


@pytest.fixture
def engine(settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        create_user(session, "olga", "ops_manager", at=OCT_1)
        create_user(session, "ivy", "inspector", at=OCT_1)
        create_user(session, "tom", "trainer", at=OCT_1)
        add_rider(session, "r1", "z1")
        add_rider(session, "r2", "z2")
    publish_gear(engine, tmp_path, OCT_1)
    yield engine
    engine.dispose()


def record(
    engine: Engine, rider: str, at: datetime, results: dict[str, Any], **kw: Any
) -> Inspection:
    with unit_of_work(engine) as session:
        return record_inspection(
            session,
            rider_id=rider,
            inspector="ivy",
            at=at,
            results=results,
            template_id="gear",
            **kw,
        )


def test_an_inspection_keeps_every_item_its_score_and_an_audit_event(engine: Engine) -> None:
    done = record(
        engine,
        "r1",
        nov(2),
        {"helmet": "fastened", "vest": False, "box": True},
        place=(38.72, -9.14),
        notes="vest in the box",
    )
    with unit_of_work(engine) as session:
        stored = get_inspection(session, done.inspection_id)
        events = [e.action for e in events_for(session, "inspection", done.inspection_id)]
    assert stored == done
    assert (stored.template_id, stored.template_version, stored.zone_id) == ("gear", 1, "z1")
    assert stored.score == pytest.approx(0.8)
    assert [(r.code, r.passed) for r in stored.results] == [
        ("helmet", True),
        ("vest", False),
        ("box", True),
    ]
    assert stored.kpi_results == {"equipment_compliance": (1, 2), "safety": (1, 1)}
    assert (stored.latitude, stored.longitude, stored.notes) == (38.72, -9.14, "vest in the box")
    assert not stored.nonconforming
    assert events == ["inspection.recorded"]


def test_a_wrong_answer_names_the_item_and_records_nothing(engine: Engine) -> None:
    with pytest.raises(ChecklistError) as caught:
        record(engine, "r1", nov(2), {"helmet": "maybe", "vest": True})
    assert caught.value.problems == [
        "results: helmet: answer one of fastened, none, not 'maybe' (Helmet)",
        "results: box: missing answer (Box clean)",
    ]
    with unit_of_work(engine) as session:
        assert inspection_stats(session, NOV_1, DEC_1)["inspections"] == 0


def test_only_inspectors_and_admins_record_and_only_known_riders(engine: Engine) -> None:
    with pytest.raises(PermissionDenied, match="tom"), unit_of_work(engine) as session:
        record_inspection(
            session, rider_id="r1", inspector="tom", at=nov(2), results=ALL_PASS, template_id="gear"
        )
    with pytest.raises(InspectionError, match="'r9' is not in the rider registry"):
        record(engine, "r9", nov(2), ALL_PASS)
    with pytest.raises(InspectionError, match="no timezone"):
        record(engine, "r1", datetime(2026, 11, 2), ALL_PASS)


def test_an_inspection_stays_on_its_template_version_after_a_new_one(
    engine: Engine, tmp_path: Path
) -> None:
    old = record(engine, "r1", nov(2), {"helmet": "fastened", "vest": False, "box": True})
    publish_gear(engine, tmp_path, nov(3), weight=0.4)  # vest weighs twice as much in v2
    new = record(engine, "r1", nov(4), {"helmet": "fastened", "vest": False, "box": True})
    with unit_of_work(engine) as session:
        again = get_inspection(session, old.inspection_id)
    assert (again.template_version, again.score) == (1, pytest.approx(0.8))
    assert [r.weight for r in again.results] == [0.5, 0.2, 0.3]
    assert (new.template_version, new.score) == (2, pytest.approx(0.6))
    late_paper = record(engine, "r2", nov(2, 18), ALL_PASS, template_version=1)
    assert late_paper.template_version == 1  # done while version 1 was in force
    with pytest.raises(TemplateError, match="gear@1 is archived and was not in force"):
        record(engine, "r2", nov(5), ALL_PASS, template_version=1)


def test_photos_are_kept_once_under_their_sha256(engine: Engine, tmp_path: Path) -> None:
    photo = tmp_path / "box.jpg"
    photo.write_bytes(b"\xff\xd8 a dirty box \xff\xd9")
    store = tmp_path / "photos"
    expected = hashlib.sha256(photo.read_bytes()).hexdigest()
    first = record(
        engine,
        "r1",
        nov(2),
        ALL_PASS | {"box": False},
        photo_store=store,
        photos={"box_photo": photo, "box": photo},
    )
    record(engine, "r2", nov(2), ALL_PASS, photo_store=store, photos={"box_photo": photo})
    kept = stored_photo_path(store, expected)
    assert kept == store / expected[:2] / expected
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == expected
    assert {r.code: r.photo_sha256 for r in first.results} == {
        "helmet": None,
        "vest": None,
        "box": expected,
        "box_photo": expected,
    }
    assert [p for p in store.rglob("*") if p.is_file()] == [kept]
    with pytest.raises(ChecklistError, match=r"photos: box_photo: .*no such photo file"):
        record(
            engine,
            "r1",
            nov(3),
            ALL_PASS,
            photo_store=store,
            photos={"box_photo": tmp_path / "gone.jpg"},
        )


def test_a_failed_item_opens_a_violation_and_an_action_due_by_its_severity(engine: Engine) -> None:
    done = record(engine, "r1", nov(2), {"helmet": "none", "vest": False, "box": True})
    with unit_of_work(engine) as session:
        facts = violations_between(session, NOV_1, DEC_1)
        actions = {a.item_code: a for a in corrective_actions(session, rider_id="r1")}
        timeline = [e.action for e in events_for_rider(session, "r1")]
    assert [(f.item_code, f.kpi, f.severity, f.rider_id) for f in facts] == [
        ("helmet", "safety", "critical", "r1"),
        ("vest", "equipment_compliance", "minor", "r1"),
    ]
    assert {f.violation_id for f in facts} == set(done.violations)
    assert actions["helmet"].due_on == date(2026, 11, 4)
    assert actions["vest"].due_on == date(2026, 11, 16)
    assert timeline.count("violation.opened") == 2
    assert timeline.count("corrective_action.opened") == 2


def test_a_passing_reinspection_closes_the_action_and_checks_only_open_items(
    engine: Engine,
) -> None:
    first = record(engine, "r1", nov(2), {"helmet": "none", "vest": True, "box": True})
    again = record(
        engine, "r1", nov(3), {"helmet": "fastened"}, reinspection_of=first.inspection_id
    )
    with unit_of_work(engine) as session:
        (action,) = corrective_actions(session, rider_id="r1")
        closed = [e.action for e in events_for(session, "corrective_action", action.action_id)]
    assert again.reinspection_of == first.inspection_id
    assert again.closed_actions == (action.action_id,)
    assert (action.status, action.closed_at, action.closed_by_inspection) == (
        "closed",
        nov(3),
        again.inspection_id,
    )
    assert closed == ["corrective_action.opened", "corrective_action.closed"]
    with pytest.raises(InspectionError, match="is of rider r1, not r2"):
        record(engine, "r2", nov(4), ALL_PASS, reinspection_of=first.inspection_id)


def test_a_repeat_failure_joins_the_open_action_and_any_later_pass_closes_it(
    engine: Engine,
) -> None:
    record(engine, "r2", nov(2), ALL_PASS | {"box": False})
    record(engine, "r2", nov(5), ALL_PASS | {"box": False})
    with unit_of_work(engine) as session:
        (action,) = corrective_actions(session, rider_id="r2")
        assert [v.item_code for v in violations_between(session, NOV_1, DEC_1)] == ["box", "box"]
        assert overdue_actions(session, date(2026, 11, 9)) == []
        assert overdue_actions(session, date(2026, 11, 10)) == [action]
    assert action.due_on == date(2026, 11, 9)  # the first failure's date stands
    later = record(engine, "r2", nov(12), ALL_PASS)
    with unit_of_work(engine) as session:
        assert corrective_actions(session, status="open") == []
    assert later.closed_actions == (action.action_id,)
