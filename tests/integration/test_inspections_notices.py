"""Inspections tell the rider, in their language, what failed and by when to fix it, that they
passed, that an action was closed or is overdue (overdue once only), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from riderperf.config import Settings
from riderperf.inspections.corrective import corrective_actions, notify_overdue
from riderperf.inspections.history import Inspection
from riderperf.inspections.records import record_inspection
from riderperf.inspections.templates import ensure_default_template
from riderperf.notices.orm import Notice
from riderperf.notices.service import notices_for
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.storage.models import Rider
from riderperf.users.service import create_user
from tests.integration.test_inspections_records import publish_gear

OCT_1 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
ALL_PASS: dict[str, Any] = {
    "helmet": "worn_fastened",
    "reflective_gear": True,
    "box_condition": "intact",
    "box_hygiene": True,
    "uniform": True,
    "id_and_licence": "valid",
    "brakes": True,
    "lights": True,
    "tyre_tread_mm": 1.8,
    "service_script": "followed",
    "safe_riding": "safe",
}
# Critical (re-check within 2 days), major (7) and minor (14) failures.
THREE_FAILED = ALL_PASS | {"helmet": "none", "box_hygiene": False, "uniform": False}
LANGUAGES = {"r-pt": "pt-BR", "r-ar": "ar-EG", "r-zh": "zh", "r-hi": "hi", "r-none": None}


def nov(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        create_user(session, "ivy", "inspector", at=OCT_1)
        create_user(session, "olga", "ops_manager", at=OCT_1)
        for rider_id, language in LANGUAGES.items():
            session.add(_rider(rider_id, language))
        ensure_default_template(session, OCT_1)
    yield engine
    engine.dispose()


def _rider(rider_id: str, language: str | None) -> Rider:
    return Rider(
        rider_id=rider_id,
        capacity_type="full_time",
        city="Lisbon",
        zone_id="z1",
        vehicle="motorbike",
        joined_on=date(2025, 1, 1),
        language=language,
        status="active",
        registered_at=OCT_1,
    )


def record(
    engine: Engine, rider: str, at: datetime, results: dict[str, Any], **kw: Any
) -> Inspection:
    with unit_of_work(engine) as session:
        return record_inspection(
            session, rider_id=rider, inspector="ivy", at=at, results=results, **kw
        )


def notices(engine: Engine, rider: str, kind: str | None = None) -> list[Notice]:
    with unit_of_work(engine) as session:
        found = notices_for(session, rider)
    return [n for n in found if kind is None or n.kind == kind]


def test_a_failing_inspection_leaves_one_failed_notice_per_item_in_the_riders_language(
    engine: Engine,
) -> None:
    done = record(engine, "r-pt", nov(2), THREE_FAILED)
    told = sorted(notices(engine, "r-pt"), key=lambda n: n.params["due_on"])
    assert [n.kind for n in told] == ["inspection.failed"] * 3
    assert [(n.params["item"], n.params["severity"], n.params["due_on"]) for n in told] == [
        ("helmet", "critical", date(2026, 11, 4)),
        ("box_hygiene", "major", date(2026, 11, 9)),
        ("uniform", "minor", date(2026, 11, 16)),
    ]
    assert {(n.subject_type, n.subject_id, n.language) for n in told} == {
        ("inspection", done.inspection_id, "pt-BR")
    }
    assert all(n.created_at == nov(2) for n in told)
    assert "o item “capacete” não foi aprovado (gravidade: crítica)" in told[0].body
    assert "corrija isso até 4 de novembro de 2026" in told[0].body
    assert "“limpeza da caixa de entrega”" in told[1].body
    assert "portal do entregador" in told[2].body


@pytest.mark.parametrize(
    ("rider", "tag", "direction", "item"),
    [
        ("r-ar", "ar-EG", "rtl", "«الخوذة»"),
        ("r-zh", "zh", "ltr", "“头盔”"),
        ("r-hi", "hi", "ltr", "“हेलमेट”"),
        ("r-none", "en", "ltr", "the item “helmet”"),
    ],
)
def test_each_rider_reads_the_failed_item_in_their_own_language(
    engine: Engine, rider: str, tag: str, direction: str, item: str
) -> None:
    record(engine, rider, nov(2), ALL_PASS | {"helmet": "carried_not_worn"})
    (told,) = notices(engine, rider)
    assert (told.kind, told.language, told.direction) == ("inspection.failed", tag, direction)
    assert item in told.body


def test_a_passing_inspection_leaves_one_passed_notice_with_the_score(engine: Engine) -> None:
    done = record(engine, "r-pt", nov(2), ALL_PASS)
    (told,) = notices(engine, "r-pt")
    assert (told.kind, told.subject_type, told.subject_id) == (
        "inspection.passed",
        "inspection",
        done.inspection_id,
    )
    assert told.params == {"score_pct": 100.0}
    assert "com uma pontuação de 100%" in told.body


def test_a_repeat_failure_tells_the_due_date_of_the_action_already_open(engine: Engine) -> None:
    record(engine, "r-zh", nov(2), ALL_PASS | {"uniform": False})
    record(engine, "r-zh", nov(5), ALL_PASS | {"uniform": False})
    told = notices(engine, "r-zh", "inspection.failed")
    assert [n.params["due_on"] for n in told] == [date(2026, 11, 16)] * 2


def test_closing_an_action_tells_the_rider_it_is_put_right(engine: Engine) -> None:
    first = record(engine, "r-pt", nov(2), ALL_PASS | {"helmet": "none"})
    record(engine, "r-pt", nov(3), {"helmet": "worn_fastened"}, reinspection_of=first.inspection_id)
    with unit_of_work(engine) as session:
        helmet = corrective_actions(session, rider_id="r-pt", status="closed")
    (closed,) = notices(engine, "r-pt", "corrective_action.closed")
    assert (closed.subject_type, closed.subject_id) == ("corrective_action", helmet[0].action_id)
    assert closed.params == {"item": "helmet"}
    assert "o item “capacete” em ordem" in closed.body
    assert closed.created_at == nov(3)
    assert len(notices(engine, "r-pt", "inspection.passed")) == 1


def test_overdue_actions_are_told_once_and_closed_ones_never(engine: Engine) -> None:
    first = record(engine, "r-pt", nov(2), THREE_FAILED)  # due Nov 4, 9 and 16
    # The helmet is put right in time; the other two fail again and keep their due dates.
    again = {"helmet": "worn_fastened", "box_hygiene": False, "uniform": False}
    record(engine, "r-pt", nov(3), again, reinspection_of=first.inspection_id)
    record(engine, "r-ar", nov(2), ALL_PASS | {"box_hygiene": False})  # due Nov 9
    with unit_of_work(engine) as session:
        assert notify_overdue(session, date(2026, 11, 9), at=nov(9, 6)) == 0
    with unit_of_work(engine) as session:
        assert notify_overdue(session, date(2026, 11, 10), at=nov(10, 6)) == 2
    with unit_of_work(engine) as session:
        assert notify_overdue(session, date(2026, 11, 11), at=nov(11, 6)) == 0
    with unit_of_work(engine) as session:
        assert notify_overdue(session, date(2026, 11, 17), at=nov(17, 6)) == 1
        assert notify_overdue(session, date(2026, 11, 17), at=nov(17, 7)) == 0
    overdue = notices(engine, "r-pt", "corrective_action.overdue")
    assert [(n.params["item"], n.params["due_on"], n.created_at) for n in overdue] == [
        ("box_hygiene", date(2026, 11, 9), nov(10, 6)),
        ("uniform", date(2026, 11, 16), nov(17, 6)),
    ]
    assert "precisava ser corrigido até 9 de novembro de 2026" in overdue[0].body
    (arabic,) = notices(engine, "r-ar", "corrective_action.overdue")
    assert "«نظافة صندوق التوصيل»" in arabic.body and arabic.direction == "rtl"


def test_an_item_of_a_custom_checklist_is_named_by_its_code(engine: Engine, tmp_path: Path) -> None:
    publish_gear(engine, tmp_path, OCT_1)
    record(
        engine,
        "r-pt",
        nov(2),
        {"helmet": "fastened", "vest": False, "box": True},
        template_id="gear",
    )
    (told,) = notices(engine, "r-pt")
    assert (told.kind, told.params["item"]) == ("inspection.failed", "vest")
    assert "o item “vest” não foi aprovado (gravidade: leve)" in told.body
