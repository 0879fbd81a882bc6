"""The judgments table: exact columns, one transaction per period, re-runs replace their rows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from riderperf.common.canonical import TABLES_BY_NAME
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import ParameterSet, PolicyError
from riderperf.responsibility.model import JUDGMENT_COLUMNS
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import judge_window, write_judgments
from riderperf.warehouse.connection import Warehouse, connect

DAY = datetime(2026, 3, 2, tzinfo=UTC)
NEXT = DAY + timedelta(days=1)


@pytest.fixture(scope="module")
def parameter_set(tmp_path_factory: pytest.TempPathFactory) -> ParameterSet:
    folder = tmp_path_factory.mktemp("policy")
    shutil.copy(default_policy_folder() / "responsibility.yaml", folder / "responsibility.yaml")
    return load_policy(folder).at(date(2026, 3, 2))


@pytest.fixture(scope="module")
def params(parameter_set: ParameterSet) -> JudgmentParams:
    return JudgmentParams.from_parameters(parameter_set)


def insert(warehouse: Warehouse, table: str, rows: list[dict[str, Any]]) -> None:
    names = [*TABLES_BY_NAME[table].column_names, "_import_id", "_source", "_source_row"]
    marks = ", ".join("?" for _ in names)
    warehouse.con.executemany(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
        [[row.get(n) for n in names[:-3]] + ["t", "t", i] for i, row in enumerate(rows)],
    )


def late_order(order_id: str, created: datetime) -> dict[str, Any]:
    minute = timedelta(minutes=1)
    return {
        "order_id": order_id,
        "rider_id": "R1",
        "city": "Testville",
        "created_at": created,
        "accepted_at": created + minute,
        "arrived_store_at": created + 8 * minute,
        "merchant_ready_at": created + 25 * minute,
        "picked_up_at": created + 26 * minute,
        "arrived_customer_at": created + 40 * minute,
        "delivered_at": created + 41 * minute,
        "promised_at": created + 35 * minute,
        "status": "delivered",
        "distance_km": 3.0,
        "weather": "clear",
    }


@pytest.fixture
def warehouse() -> Iterator[Warehouse]:
    wh = connect(None)
    insert(wh, "riders", [{"rider_id": "R1", "vehicle": "ebike"}])
    insert(
        wh,
        "orders",
        [
            late_order("O-before", DAY - timedelta(hours=3)),
            late_order("O-in", DAY + timedelta(hours=12)),
            late_order("O-after", NEXT + timedelta(hours=1)),
            {
                "order_id": "O-cancel",
                "city": "Testville",
                "created_at": DAY + timedelta(hours=13),
                "status": "cancelled",
                "cancelled_at": DAY + timedelta(hours=13, minutes=20),
                "cancel_initiator": "platform",
                "cancel_reason": "no_rider_available",
            },
        ],
    )
    insert(
        wh,
        "complaints",
        [
            {
                "complaint_id": "CP1",
                "order_id": "O-before",
                "source": "customer",
                "category": "late",
                "created_at": DAY + timedelta(hours=1),
            }
        ],
    )
    yield wh
    wh.close()


def stored(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    return warehouse.con.execute(
        "SELECT policy_version, event, event_id, party, rule FROM judgments ORDER BY ALL"
    ).fetchall()


def test_judgments_table_has_exactly_the_agreed_columns(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    write_judgments(warehouse, params, "v1", DAY, NEXT)
    described = warehouse.con.execute("DESCRIBE judgments").fetchall()
    assert [(row[0], row[1]) for row in described] == [
        ("event_id", "VARCHAR"),
        ("event", "VARCHAR"),
        ("order_id", "VARCHAR"),
        ("rider_id", "VARCHAR"),
        ("occurred_at", "TIMESTAMP WITH TIME ZONE"),
        ("day", "DATE"),
        ("party", "VARCHAR"),
        ("late_minutes", "DOUBLE"),
        *((name, "DOUBLE") for name, _ in JUDGMENT_COLUMNS[8:13]),
        ("rule", "VARCHAR"),
        ("policy_version", "VARCHAR"),
        ("confidence", "DOUBLE"),
        ("explanation", "VARCHAR"),
    ]


def test_a_period_judges_its_orders_and_complaints_about_older_orders(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    written = write_judgments(warehouse, params, "v1", DAY, NEXT)

    assert written == 3
    assert stored(warehouse) == [
        ("v1", "cancelled", "O-cancel", "platform", "cancel.no_rider_available"),
        ("v1", "complaint", "CP1", "merchant", "complaint.late_follows_judgment"),
        ("v1", "late", "O-in", "merchant", "late.merchant_wait"),
    ]
    day, occurred = warehouse.con.execute(
        "SELECT day, occurred_at FROM judgments WHERE event_id = 'O-in'"
    ).fetchall()[0]
    assert day == date(2026, 3, 2) and occurred == DAY + timedelta(hours=12)


def test_running_a_period_again_replaces_only_its_own_rows(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    write_judgments(warehouse, params, "v1", DAY - timedelta(days=1), DAY)
    write_judgments(warehouse, params, "v1", DAY, NEXT)
    write_judgments(warehouse, params, "v2", DAY, NEXT)
    before = stored(warehouse)

    assert write_judgments(warehouse, params, "v1", DAY, NEXT) == 3
    assert stored(warehouse) == before
    assert [r for r in before if r[2] == "O-before"] == [
        ("v1", "late", "O-before", "merchant", "late.merchant_wait")
    ]
    assert len([r for r in before if r[0] == "v2"]) == 3


def test_a_failed_write_leaves_the_table_as_it_was(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    write_judgments(warehouse, params, "v1", DAY, NEXT)
    before = stored(warehouse)
    warehouse.con.execute("DROP TABLE ratings")  # the bulk expression needs it

    with pytest.raises(Exception, match="ratings"):
        write_judgments(warehouse, params, "v1", DAY, NEXT)
    assert stored(warehouse) == before


def test_the_policy_file_gives_typed_parameters(params: JudgmentParams) -> None:
    assert params.speed_kmh["ebike"] <= 15.0  # the policy's e-bike cap
    assert params.weather_factor["clear"] == 1.0
    assert all(factor >= 1.0 for factor in params.weather_factor.values())
    assert params.cancel_reasons["rider_no_show"] == "rider"
    assert params.complaint_categories["late"] == "late_facts"
    assert 0 < params.confidence_unknown < params.confidence_rule <= 1


def test_a_bad_rule_table_is_refused_naming_the_parameter(parameter_set: ParameterSet) -> None:
    values = dict(parameter_set.values)
    reasons = dict(values["responsibility.cancellation.reasons"]) | {"rider_no_show": "rider!"}
    values["responsibility.cancellation.reasons"] = reasons
    values["responsibility.complaint.packaging_words"] = ["Seal", 3]
    values["responsibility.tolerance.rider_minutes"] = "three"

    with pytest.raises(PolicyError) as caught:
        JudgmentParams.from_parameters(ParameterSet(parameter_set.when, values))
    text = "\n".join(caught.value.problems)
    assert "responsibility.cancellation.reasons.rider_no_show" in text
    assert "responsibility.complaint.packaging_words" in text
    assert "responsibility.tolerance.rider_minutes" in text


def test_typical_speeds_slower_than_the_expectation_or_missing_are_refused(
    parameter_set: ParameterSet,
) -> None:
    values = dict(parameter_set.values)
    values["responsibility.typical_speed_kmh.ebike"] = 12
    del values["responsibility.typical_speed_kmh.car"]
    values["responsibility.typical_speed_kmh.hoverboard"] = 30

    with pytest.raises(PolicyError) as caught:
        JudgmentParams.from_parameters(ParameterSet(parameter_set.when, values))
    text = "\n".join(caught.value.problems)
    assert "responsibility.typical_speed_kmh.ebike: 12 km/h is slower than the expected" in text
    assert "responsibility.typical_speed_kmh.car: missing" in text
    assert "responsibility.typical_speed_kmh.hoverboard: not a vehicle" in text


def test_a_policy_without_typical_speeds_measures_the_weather_on_the_expected_ride(
    parameter_set: ParameterSet,
) -> None:
    # Versions published before typical speeds existed keep judging as they did.
    values = {
        k: v
        for k, v in parameter_set.values.items()
        if not k.startswith("responsibility.typical_speed_kmh.")
    }
    params = JudgmentParams.from_parameters(ParameterSet(parameter_set.when, values))
    assert params.typical_speed_kmh == params.speed_kmh


def test_a_window_is_judged_again_only_where_rules_or_data_changed(
    warehouse: Warehouse, params: JudgmentParams
) -> None:
    first, end = (DAY - timedelta(days=1)).date(), NEXT.date()
    once = judge_window(warehouse, params, "v1", first, end)
    assert (once.judged_days, once.reused_days, once.rows) == (2, 0, 4)
    again = judge_window(warehouse, params, "v1", first, end)
    assert (again.judged_days, again.reused_days, again.rows) == (0, 2, 4)
    # Another version, or other numbers under the same version, judge every day.
    assert judge_window(warehouse, params, "v2", first, end).judged_days == 2
    patient = replace(params, rider_tolerance=params.rider_tolerance + 5.0)
    assert judge_window(warehouse, patient, "v1", first, end).judged_days == 2
    assert judge_window(warehouse, params, "v1", first, end).judged_days == 2
    # A batch that changed one day: only that day.
    warehouse.con.execute("INSERT INTO _changed_days VALUES (?, 99)", [DAY.date()])
    changed = judge_window(warehouse, params, "v1", first, end)
    assert (changed.judged_days, changed.reused_days, changed.rows) == (1, 1, 4)
