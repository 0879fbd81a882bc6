"""Migration 0012 on a database evaluated before evaluations had a purpose: everything made
so far is official, the newest of each period is the published one, and the database keeps
one published evaluation per period from then on."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from riderperf.config import Settings
from riderperf.storage.db import alembic_config, make_engine, upgrade

# The database starts empty: these tests run the migrations themselves.
pytestmark = pytest.mark.replays_migrations

EVALUATIONS = sa.table(
    "evaluations",
    sa.column("evaluation_id", sa.String),
    sa.column("period", sa.String),
    sa.column("period_start", sa.Date),
    sa.column("period_end", sa.Date),
    sa.column("policy_version", sa.String),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("judgments", sa.Integer),
    sa.column("riders", sa.Integer),
)


def row(evaluation_id: str, period: str, hour: int) -> dict[str, object]:
    return {
        "evaluation_id": evaluation_id,
        "period": period,
        "period_start": date(2026, 1, 5),
        "period_end": date(2026, 1, 12),
        "policy_version": "default",
        "started_at": datetime(2026, 1, 20, hour, tzinfo=UTC),
        "judgments": 0,
        "riders": 0,
    }


def test_existing_evaluations_become_official_and_the_newest_of_each_period_published(
    settings: Settings,
) -> None:
    engine = make_engine(settings.app_database_url)
    try:
        command.upgrade(alembic_config(engine), "0011")
        with engine.begin() as con:
            con.execute(
                EVALUATIONS.insert(),
                [
                    row("w2-old", "2026-W02", 9),
                    row("w2-new", "2026-W02", 11),
                    row("w3", "2026-W03", 10),
                ],
            )
            con.execute(
                sa.text(
                    "INSERT INTO scorecards (evaluation_id, rider_id, period, period_end, "
                    "policy_version, status, card) VALUES ('w2-old', 'R1', '2026-W02', "
                    "'2026-01-12', 'default', 'ranked', '{}')"
                )
            )
        upgrade(engine)  # with a scorecard pointing at an evaluation: no table is copied
        with engine.connect() as con:
            found = con.execute(
                sa.text("SELECT evaluation_id, purpose, published FROM evaluations ORDER BY 1")
            ).all()
        assert [(e, p, bool(b)) for e, p, b in found] == [
            ("w2-new", "official", True),
            ("w2-old", "official", False),
            ("w3", "official", True),
        ]
        with pytest.raises(IntegrityError), engine.begin() as con:
            con.execute(
                sa.text("UPDATE evaluations SET published = :yes WHERE evaluation_id = 'w2-old'"),
                {"yes": True},
            )
    finally:
        engine.dispose()


def test_migration_0012_downgrades_with_scorecards_in_place(settings: Settings) -> None:
    engine = make_engine(settings.app_database_url)
    try:
        command.upgrade(alembic_config(engine), "0012")  # scorecards still hold their card
        with engine.begin() as con:
            con.execute(EVALUATIONS.insert(), [row("w2", "2026-W02", 9)])
            con.execute(
                sa.text(
                    "INSERT INTO scorecards (evaluation_id, rider_id, period, period_end, "
                    "policy_version, status, card) VALUES ('w2', 'R1', '2026-W02', "
                    "'2026-01-12', 'default', 'ranked', '{}')"
                )
            )
        command.downgrade(alembic_config(engine), "0011")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("evaluations")}
        assert {"purpose", "published"} & columns == set()
        upgrade(engine)
        with engine.connect() as con:
            assert con.execute(sa.text("SELECT purpose FROM evaluations")).scalar() == "official"
    finally:
        engine.dispose()
