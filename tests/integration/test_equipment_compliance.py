"""Equipment compliance from inspection records to the scorecard, on SQLite and PostgreSQL:
items counted per rider and day, an item whose violation is overturned on appeal void, and
the evaluated period evaluated again so the score recovers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from riderperf.clock import fixed_clock
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.inspections.records import record_inspection
from riderperf.inspections.stats import compliance_by_rider, equipment_checks_by_day
from riderperf.inspections.templates import ensure_default_template
from riderperf.inspections.violations import violations_for
from riderperf.metrics.scorecard import Scorecard
from riderperf.simulate import simulate_city
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.users.service import create_user
from riderperf.workflows.overturn import reevaluate_after_overturn
from tests.integration.test_cases_violations import appeal, decide, staffed
from tests.integration.test_inspections_notices import ALL_PASS as STANDARD_ALL_PASS
from tests.integration.test_inspections_records import ALL_PASS, DEC_1, NOV_1, engine, nov, record

__all__ = ["engine", "staffed"]  # fixtures of the inspection and violation tests


def test_equipment_items_count_per_rider_and_day_and_an_overturned_one_is_void(
    staffed: Engine, settings: Settings
) -> None:
    record(staffed, "r1", nov(2, 9), {"helmet": "fastened", "vest": True, "box": False})
    record(staffed, "r1", nov(2, 15), ALL_PASS)  # the same day: added up
    found = record(staffed, "r2", nov(3), {"helmet": "none", "vest": False, "box": True})
    record(staffed, "r2", nov(30, 23), ALL_PASS)
    record(staffed, "r1", DEC_1, ALL_PASS)  # the next month
    with unit_of_work(staffed) as session:
        before = equipment_checks_by_day(session, NOV_1, DEC_1)
        by_item = {v.item_code: v.violation_id for v in violations_for(session, "r2")}
    # The helmet is a safety item: it is not equipment and not counted here.
    assert before == [
        ("r1", date(2026, 11, 2), 3, 4),
        ("r2", date(2026, 11, 3), 1, 2),
        ("r2", date(2026, 11, 30), 2, 2),
    ]
    assert set(by_item) == {"helmet", "vest"} and len(found.violations) == 2

    vest = decide(
        staffed, appeal(staffed, settings, by_item["vest"], nov(4), "r2"), "overturned", nov(5)
    )
    helmet = decide(
        staffed, appeal(staffed, settings, by_item["helmet"], nov(4), "r2"), "overturned", nov(5)
    )

    with unit_of_work(staffed) as session:
        after = equipment_checks_by_day(session, NOV_1, DEC_1)
        as_found = compliance_by_rider(session, NOV_1, DEC_1)
    # The overturned vest counts neither as passed nor as checked; the box still counts.
    assert after[1] == ("r2", date(2026, 11, 3), 1, 1)
    assert after[0] == before[0] and after[2] == before[2]
    assert as_found["r2"]["equipment_compliance"] == (3, 4)  # what the inspector found
    # Only the equipment item changes a score, so only it asks for a re-evaluation.
    assert vest.reevaluate is not None
    assert (vest.reevaluate.rider_id, vest.reevaluate.event_id, vest.reevaluate.week) == (
        "r2",
        by_item["vest"],
        "2026-W45",
    )
    assert vest.reevaluate.occurred_at == nov(3)
    assert helmet.reevaluate is None


WEEK = parse_period("2026-W02")
INSPECTED = datetime(2026, 1, 7, 10, tzinfo=UTC)
APPEALED = datetime(2026, 1, 13, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    simulate_city(riders=60, days=7, seed=3, start=WEEK.start, out=out)
    return out


def card_of(settings: Settings, at: datetime, rider_id: str) -> Scorecard:
    result = evaluate_period(settings, WEEK, clock=fixed_clock(at))
    return next(c for c in result.cards if c.rider_id == rider_id)


def test_a_failed_equipment_item_lowers_the_score_and_its_overturn_gives_points_back(
    city: Path, settings: Settings
) -> None:
    assert import_path(city, settings).exit_code == 0
    first = evaluate_period(settings, WEEK, clock=fixed_clock(datetime(2026, 1, 12, tzinfo=UTC)))
    rider = next(c for c in first.cards if c.status == "ranked" and c.score > 0)
    equipment = rider.kpis["equipment_compliance"]
    assert (equipment.den, equipment.weight) == (0, 0.0)  # nobody inspected: not measured

    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            create_user(session, "ivy", "inspector", at=INSPECTED)
            create_user(session, "rev", "reviewer", at=INSPECTED)
            ensure_default_template(session, INSPECTED)
            inspection = record_inspection(
                session,
                rider_id=rider.rider_id,
                inspector="ivy",
                at=INSPECTED,
                results=STANDARD_ALL_PASS | {"box_hygiene": False},
            )
        (violation_id,) = inspection.violations

        inspected = card_of(settings, datetime(2026, 1, 12, 1, tzinfo=UTC), rider.rider_id)
        equipment = inspected.kpis["equipment_compliance"]
        assert (equipment.num, equipment.den, equipment.weight) == (3, 4, 0.05)
        assert inspected.kpis["on_time_rate"].weight == pytest.approx(0.285)
        assert inspected.score < rider.score

        appealed = appeal(engine, settings, violation_id, APPEALED, rider.rider_id)
        decided = decide(engine, appealed, "overturned", APPEALED + timedelta(hours=1))
    finally:
        engine.dispose()
    repair = reevaluate_after_overturn(settings, decided)

    (change,) = repair.changes
    assert (change.period, change.old_score) == (WEEK.label, inspected.score)
    assert change.new_score is not None and change.new_score > inspected.score
    recovered = card_of(settings, datetime(2026, 1, 14, tzinfo=UTC), rider.rider_id)
    assert recovered.score == change.new_score
    equipment = recovered.kpis["equipment_compliance"]
    assert (equipment.num, equipment.den, equipment.normalised) == (3, 3, 1.0)
    assert recovered.score >= rider.score
