"""Both stores on SQLite and PostgreSQL: init is repeatable, imports reach the app database."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.storage.db import current_revision, head_revision, make_engine, unit_of_work
from riderperf.storage.models import ImportRun, Rider
from riderperf.stores import init_stores
from tests.canonical_rows import order, rider, write_table


@pytest.mark.replays_migrations
def test_init_creates_both_stores_and_running_it_twice_changes_nothing(settings: Settings) -> None:
    init_stores(settings)
    init_stores(settings)
    engine = make_engine(settings.app_database_url)
    assert current_revision(engine) == head_revision(engine)
    assert {"riders", "import_runs", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()
    assert settings.warehouse_path.exists()


def test_import_registers_riders_and_records_the_run(tmp_path: Path, settings: Settings) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1"), rider("R2", capacity_type="fleet", fleet_id="F7")])
    write_table(data, "orders", [order("O1"), order("O2", rider_id="R404")])

    first = import_path(data, settings)
    second = import_path(data, settings)

    engine = make_engine(settings.app_database_url)
    with unit_of_work(engine) as session:
        riders = {r.rider_id: r for r in session.scalars(select(Rider))}
        runs = {r.import_id: r for r in session.scalars(select(ImportRun))}
    engine.dispose()
    assert set(riders) == {"R1", "R2"}
    assert riders["R2"].fleet_id == "F7"
    assert riders["R1"].joined_on == date(2025, 3, 1)
    assert set(runs) == {first.import_id, second.import_id}
    recorded = runs[first.import_id]
    assert recorded.exit_code == 3
    assert recorded.finished_at is not None
    assert recorded.report is not None
    assert recorded.report["tables"]["orders"]["rejected"] == 1


def test_rider_status_set_in_the_app_survives_a_reimport(
    tmp_path: Path, settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")])
    import_path(data, settings)
    engine = make_engine(settings.app_database_url)
    with unit_of_work(engine) as session:
        stored = session.get(Rider, "R1")
        assert stored is not None
        stored.status = "suspended"
    import_path(data, settings)
    with unit_of_work(engine) as session:
        again = session.get(Rider, "R1")
        assert again is not None
        assert again.status == "suspended"
    engine.dispose()


def test_concurrent_sessions_each_commit_their_own_rows(settings: Settings) -> None:
    init_stores(settings)
    engine = make_engine(settings.app_database_url)
    errors: list[BaseException] = []

    def register(prefix: str) -> None:
        try:
            for i in range(20):
                with unit_of_work(engine) as session:
                    session.add(
                        Rider(
                            rider_id=f"{prefix}{i}",
                            capacity_type="part_time",
                            city="Lagos",
                            vehicle="bicycle",
                            joined_on=date(2026, 1, 1),
                            status="active",
                            registered_at=datetime(2026, 1, 1, tzinfo=UTC),
                        )
                    )
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(p,)) for p in ("A", "B", "C")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Rider)) == 60
    engine.dispose()
