"""The first inspections on a new database: the app publishes the bundled checklist when it
starts, so two inspectors recording at once both succeed instead of racing to create it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from riderperf.clock import fixed_clock
from riderperf.config import Settings
from riderperf.inspections.orm import ChecklistTemplateRecord
from riderperf.server import create_app
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.users.identity import issue_api_token
from riderperf.users.service import create_user
from tests.app_rows import app_rider
from tests.integration.test_api_inspections import PASSING
from tests.races import at_once

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_two_first_inspections_at_once_both_succeed(settings: Settings) -> None:
    engine = make_engine(settings.app_database_url)
    with unit_of_work(engine) as session:
        create_user(session, "ivy", "inspector", at=NOW)
        create_user(session, "ada", "admin", at=NOW)
        tokens = {
            name: issue_api_token(session, name, label="t", at=NOW) for name in ("ivy", "ada")
        }
        session.add(app_rider("r1", NOW))
    with unit_of_work(engine) as session:
        assert session.scalars(select(ChecklistTemplateRecord)).first() is None
    client = TestClient(create_app(settings, clock=fixed_clock(NOW)))

    def record(username: str) -> object:
        return client.post(
            "/api/v1/inspections",
            data={"rider_id": "r1", "results": json.dumps(PASSING)},
            headers={"Authorization": f"Bearer {tokens[username]}"},
        )

    answers = at_once(lambda: record("ivy"), lambda: record("ada"))
    assert [getattr(a, "status_code", a) for a in answers] == [201, 201]
    with unit_of_work(engine) as session:
        published = session.scalars(
            select(ChecklistTemplateRecord).where(ChecklistTemplateRecord.status == "published")
        ).all()
    engine.dispose()
    assert len(published) == 1
