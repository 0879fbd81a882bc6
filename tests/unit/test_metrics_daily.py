"""Daily KPI facts and windows: what each event adds to a rider's day, and group sums."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from riderperf.common.periods import parse_period
from riderperf.metrics.daily import build_daily_facts, ensure_rider_daily
from riderperf.metrics.registry import fact_columns
from riderperf.metrics.windows import kpi_window
from riderperf.warehouse.connection import Warehouse, connect
from tests.unit.test_metrics_rows import Activity, Rows

MON, TUE, WED = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
WEEK = parse_period("2026-W45")


@pytest.fixture
def warehouse() -> Iterator[Warehouse]:
    w = connect(None)
    yield w
    w.close()


def daily(w: Warehouse, rider_id: str, version: str = "test-1") -> dict[str, int]:
    """The rider's facts summed over every stored day of `version`."""
    frame = w.con.execute(
        "SELECT * FROM rider_daily WHERE rider_id = ? AND policy_version = ?", [rider_id, version]
    ).df()
    return {c: int(frame[c].sum()) for c in frame.columns if c.endswith(("_num", "_den"))}


def test_lateness_judged_on_merchant_weather_customer_or_platform_keeps_a_full_on_time_rate(
    warehouse: Warehouse,
) -> None:
    rows = Rows()
    rows.rider("A")
    others = {"merchant": 2, "force_majeure": 1, "customer": 1, "platform": 1}
    rows.activity("A", Activity(MON, delivered=10, late=others))
    rows.rider("B")
    rows.activity("B", Activity(MON, delivered=10, late={"rider": 3}))
    rows.write(warehouse)

    build_daily_facts(warehouse, MON, TUE, "test-1")

    a, b = daily(warehouse, "A"), daily(warehouse, "B")
    assert (a["on_time_rate_num"], a["on_time_rate_den"]) == (10, 10)
    assert (b["on_time_rate_num"], b["on_time_rate_den"]) == (7, 10)


def test_only_cancellations_judged_on_the_rider_count_over_all_accepted_orders(
    warehouse: Warehouse,
) -> None:
    rows = Rows()
    rows.rider("A")
    cancelled = {"rider": 2, "customer": 3, "merchant": 1}
    rows.activity("A", Activity(MON, delivered=14, cancelled=cancelled))
    rows.write(warehouse)

    build_daily_facts(warehouse, MON, TUE, "test-1")

    a = daily(warehouse, "A")
    assert (a["rider_cancel_rate_num"], a["rider_cancel_rate_den"]) == (2, 20)


def test_each_source_feeds_its_kpi_pair(warehouse: Warehouse) -> None:
    rows = Rows()
    rows.rider("A")
    rows.activity(
        "A",
        Activity(
            MON,
            delivered=8,
            ratings={5: 2, 3: 1},
            complaints={"rider": 2, "merchant": 1, "none": 1},
            declined=3,
            expired=1,
            incidents=[
                {"kind": "speeding"},
                {"kind": "helmet_missing"},
                {"kind": "accident", "at_fault": "yes"},
                {"kind": "accident", "at_fault": "no"},
                {"kind": "accident", "at_fault": "unknown"},
                {"kind": "equipment_missing"},
                {"kind": "document_expired"},
            ],
        ),
    )
    rows.write(warehouse)

    build_daily_facts(warehouse, MON, TUE, "test-1")

    a = daily(warehouse, "A")
    assert (a["customer_rating_num"], a["customer_rating_den"]) == (13, 3)
    assert (a["complaint_rate_num"], a["complaint_rate_den"]) == (2, 8)
    assert (a["acceptance_rate_num"], a["acceptance_rate_den"]) == (8, 12)
    assert (a["safety_incidents_num"], a["safety_incidents_den"]) == (3, 8)


def test_document_compliance_counts_documents_valid_on_each_working_day(
    warehouse: Warehouse,
) -> None:
    rows = Rows()
    rows.rider("A")
    rows.document("A", "id", date(2030, 1, 1))
    rows.document("A", "licence", date(2026, 11, 2))  # valid through Monday only
    rows.document("A", "licence", date(2026, 10, 1))  # an older row of the same document
    rows.activity("A", Activity(MON, delivered=1))
    rows.activity("A", Activity(WED, delivered=1))  # Tuesday is not a working day
    rows.rider("NODOCS")
    rows.activity("NODOCS", Activity(MON, delivered=1))
    rows.write(warehouse)

    build_daily_facts(warehouse, MON, date(2026, 11, 9), "test-1")

    a = daily(warehouse, "A")
    assert (a["document_compliance_num"], a["document_compliance_den"]) == (3, 4)
    nodocs = daily(warehouse, "NODOCS")
    assert (nodocs["document_compliance_num"], nodocs["document_compliance_den"]) == (0, 0)


def test_a_document_found_unverified_is_not_valid_and_one_not_stated_is(
    warehouse: Warehouse,
) -> None:
    rows = Rows()
    rows.rider("A")
    rows.document("A", "id", date(2030, 1, 1), verified=False)
    rows.document("A", "licence", date(2030, 1, 1), verified=None)
    rows.document("A", "insurance", date(2030, 1, 1), verified=False)
    rows.document("A", "insurance", date(2026, 11, 3), verified=True)  # valid through Tuesday
    rows.activity("A", Activity(MON, delivered=1))
    rows.activity("A", Activity(WED, delivered=1))
    rows.write(warehouse)

    build_daily_facts(warehouse, MON, date(2026, 11, 9), "test-1")

    a = daily(warehouse, "A")
    # Monday: licence and insurance of three types; Wednesday: the licence only.
    assert (a["document_compliance_num"], a["document_compliance_den"]) == (3, 6)


def test_rebuilding_days_replaces_them_and_keeps_other_days_and_versions(
    warehouse: Warehouse,
) -> None:
    rows = Rows()
    rows.rider("A")
    rows.activity("A", Activity(MON, delivered=4, late={"rider": 1}))
    rows.activity("A", Activity(TUE, delivered=6))
    rows.write(warehouse)
    late = rows.judgments[0]
    other = Rows(policy_version="test-2")
    other.judge("late", late["order_id"], "A", late["occurred_at"], "merchant")
    other.write(warehouse)

    assert build_daily_facts(warehouse, MON, WED, "test-1") == 2
    assert build_daily_facts(warehouse, MON, WED, "test-2") == 2
    assert build_daily_facts(warehouse, TUE, WED, "test-1") == 1
    assert build_daily_facts(warehouse, TUE, WED, "test-1") == 1

    assert warehouse.count("rider_daily") == 4
    assert daily(warehouse, "A")["on_time_rate_num"] == 9
    assert daily(warehouse, "A", "test-2")["on_time_rate_num"] == 10


def test_facts_need_the_judgments_of_the_version(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError, match="must come after the start"):
        build_daily_facts(warehouse, TUE, MON, "test-1")
    with pytest.raises(ValueError, match="no judgments table"):
        build_daily_facts(warehouse, MON, TUE, "test-1")
    rows = Rows(policy_version="other")
    rows.rider("A")
    rows.activity("A", Activity(MON, delivered=2, late={"rider": 1}))
    rows.write(warehouse)
    with pytest.raises(ValueError, match="no judgments of policy version 'test-1'"):
        build_daily_facts(warehouse, MON, TUE, "test-1")


def test_windows_sum_days_and_group_riders_by_their_zone_city_fleet_and_capacity_type(
    warehouse: Warehouse,
) -> None:
    rows = Rows()
    rows.rider("A", zone_id="Z01", city="North")
    rows.rider("B", zone_id="Z01", city="North", capacity_type="fleet")
    rows.rider("C", zone_id="Z02", city="South", capacity_type="fleet")
    rows.activity("A", Activity(MON, delivered=10, late={"rider": 1}))
    rows.activity("A", Activity(date(2026, 11, 9), delivered=50, late={"rider": 50}))  # next week
    rows.activity("B", Activity(TUE, delivered=20, late={"rider": 4}))
    rows.activity("C", Activity(WED, delivered=30))
    rows.write(warehouse)
    build_daily_facts(warehouse, MON, date(2026, 11, 16), "test-1")

    riders = kpi_window(warehouse, WEEK, "test-1", "rider").set_index("rider_id")
    assert riders.loc["A", "on_time_rate"] == pytest.approx(0.9)
    assert riders.loc["A", "capacity_type"] == "full_time"
    assert bool(riders.loc["A", "on_time_rate_enough"]) is False  # 10 < 20 orders
    zones = kpi_window(warehouse, WEEK, "test-1", "zone").set_index("zone_id")
    assert zones.loc["Z01", "on_time_rate_num"] == 25
    assert zones.loc["Z01", "on_time_rate"] == pytest.approx(25 / 30)
    assert zones.loc["Z01", "riders"] == 2
    cities = kpi_window(warehouse, WEEK, "test-1", "city").set_index("city")
    assert cities.loc["South", "on_time_rate"] == pytest.approx(1.0)
    fleets = kpi_window(warehouse, WEEK, "test-1", "fleet")
    assert fleets["riders"].sum() == 3  # A has no fleet: a group of its own
    types = kpi_window(warehouse, WEEK, "test-1", "capacity_type").set_index("capacity_type")
    assert types.loc["fleet", "on_time_rate_den"] == 50
    with pytest.raises(ValueError, match="group_by 'team'"):
        kpi_window(warehouse, WEEK, "test-1", "team")  # type: ignore[arg-type]  # on purpose


def test_equipment_checks_land_on_their_rider_and_day_with_or_without_orders(
    warehouse: Warehouse,
) -> None:
    rows = Rows()
    rows.rider("A")
    rows.document("A", "id", date(2030, 1, 1))
    rows.activity("A", Activity(MON, delivered=10))
    rows.rider("B")  # inspected on a day without orders
    rows.write(warehouse)
    thu = date(2026, 11, 5)
    checks = [
        ("A", MON, 3, 4),
        ("A", TUE, 4, 4),
        ("B", WED, 2, 4),
        ("A", thu, 1, 4),  # after the days built: left out
    ]

    build_daily_facts(warehouse, MON, thu, "test-1", equipment_checks=checks)

    stored = warehouse.con.execute(
        "SELECT rider_id, day, rider_cancel_rate_den, equipment_compliance_num, "
        "equipment_compliance_den, document_compliance_den FROM rider_daily "
        "ORDER BY rider_id, day"
    ).fetchall()
    assert stored == [
        ("A", MON, 10, 3, 4, 1),
        ("A", TUE, 0, 4, 4, 0),  # not a working day: no document-day
        ("B", WED, 0, 2, 4, 0),
    ]
    riders = kpi_window(warehouse, WEEK, "test-1", "rider").set_index("rider_id")
    assert riders.loc["A", "equipment_compliance"] == pytest.approx(7 / 8)
    assert bool(riders.loc["A", "equipment_compliance_enough"]) is True  # 8 >= 5 items


def test_a_rider_daily_written_before_equipment_compliance_gets_its_columns(
    warehouse: Warehouse,
) -> None:
    """The layout of a warehouse evaluated by a riderperf without equipment compliance."""
    rows = Rows()
    rows.rider("A")
    rows.activity("A", Activity(MON, delivered=2))
    rows.write(warehouse)
    old = [c for c in fact_columns() if not c.startswith("equipment_compliance_")]
    warehouse.con.execute(
        "CREATE TABLE rider_daily (rider_id VARCHAR NOT NULL, day DATE NOT NULL, "
        "policy_version VARCHAR NOT NULL, " + ", ".join(f"{c} BIGINT NOT NULL" for c in old) + ")"
    )
    warehouse.con.execute(
        "INSERT INTO rider_daily VALUES ('A', DATE '2026-10-26', 'test-1', "
        + ", ".join("1" for _ in old)
        + ")"
    )
    before = kpi_window(warehouse, parse_period("2026-W44"), "test-1", "rider")
    assert before.loc[0, "equipment_compliance_den"] == 0  # readable before the upgrade

    build_daily_facts(warehouse, MON, TUE, "test-1", equipment_checks=[("A", MON, 4, 4)])

    columns = warehouse.con.execute(
        "SELECT column_name, is_nullable FROM information_schema.columns "
        "WHERE table_name = 'rider_daily'"
    ).fetchall()
    assert ("equipment_compliance_num", "NO") in columns
    assert ("equipment_compliance_den", "NO") in columns
    stored = warehouse.con.execute(
        "SELECT day, on_time_rate_num, equipment_compliance_num, equipment_compliance_den "
        "FROM rider_daily ORDER BY day"
    ).fetchall()
    assert stored == [(date(2026, 10, 26), 1, 0, 0), (MON, 2, 4, 4)]
    assert ensure_rider_daily(warehouse) == []
    # The window read before the upgrade (with zeros for the missing columns) is not
    # reused once the columns exist.
    after = kpi_window(warehouse, WEEK, "test-1", "rider")
    counts = after[["equipment_compliance_num", "equipment_compliance_den"]].iloc[0].tolist()
    assert counts == [4, 4]
