"""The per-order path and the bulk Ibis path give identical judgments on any orders.

Hypothesis generates small warehouses of random orders (every timeline with gaps, nulls and
events out of order, every weather and vehicle, cancellations with known and unknown reasons,
accidents, ratings and complaints with or without an order), judges them both ways and
compares every column: party, rule, sentence and ids exactly, minutes and confidence to 1e-6.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riderperf.common.canonical import COMPLAINT_CATEGORIES, TABLES_BY_NAME, WEATHER
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.responsibility.complaint import judge_complaint
from riderperf.responsibility.judge import judge_order
from riderperf.responsibility.model import JUDGMENT_COLUMNS, Judgment
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import judgments_expr
from riderperf.warehouse.connection import Warehouse, connect

START = datetime(2026, 3, 2, tzinfo=UTC)
WINDOW = (START + timedelta(days=1), START + timedelta(days=2))
MINUTE = 60_000_000  # microseconds
VERSION = "test-v1"
RIDERS = {"R1": "ebike", "R2": "foot", "R3": "motorbike", "R4": "hoverboard"}
RIDER_IDS = [None, *RIDERS, "R9"]  # R9 has no row in riders
REASONS = [
    None,
    "customer_changed_mind",
    "customer_waited_too_long",
    "customer_unreachable",
    "merchant_out_of_stock",
    "merchant_closed",
    "rider_no_show",
    "rider_vehicle_breakdown",
    "rider_accident",
    "no_rider_available",
    "weather",
    "alien_invasion",
]
CATEGORIES = [None, *COMPLAINT_CATEGORIES, "mystery"]
TEXTS = [
    None,
    "",
    "The lid came off.",
    "Seal broken",
    "LEAKING everywhere",
    "unsealed bag",
    "resealed?",
    "Food arrived spilled.",
    "The bag was crushed.",
    "my packaging was fine",
    "ceiling",
]
TAGS = [None, "late;cold_food", "damaged", "leaky_lid", "sealed", "fast;friendly", "lidar"]


def _params_folder(tmp: Path) -> Path:
    shutil.copy(default_policy_folder() / "responsibility.yaml", tmp / "responsibility.yaml")
    return tmp


@pytest.fixture(scope="module")
def default_params(tmp_path_factory: pytest.TempPathFactory) -> JudgmentParams:
    folder = _params_folder(tmp_path_factory.mktemp("policy"))
    return JudgmentParams.from_parameters(load_policy(folder).at(date(2026, 3, 1)))


def _variant(params: JudgmentParams) -> JudgmentParams:
    """Other numbers and tables: zero allowances, generic reason and category rules."""
    return dataclasses.replace(
        params,
        dispatch_allowance=0.0,
        door_allowance=0.0,
        pickup_allowance=0.0,
        rider_tolerance=0.0,
        attribution_floor=0.5,
        speed_kmh={"ebike": 25.0, "foot": 4.0},
        typical_speed_kmh={"ebike": 32.0, "foot": 4.5},
        weather_factor={"clear": 1.0, "storm": 3.0, "rain": 1.1},
        cancel_reasons={
            **params.cancel_reasons,
            "alien_invasion": "merchant",
            "customer_changed_mind": "waiting_facts",
            "weather": "accident_incident",
        },
        complaint_categories={"mystery": "rider", "rude": "none", "other": "late_facts"},
        packaging_words=(),
    )


@pytest.fixture(scope="module")
def warehouse() -> Iterator[Warehouse]:
    wh = connect(None)
    yield wh
    wh.close()


@pytest.fixture(scope="module", params=["default", "variant"])
def case(
    request: pytest.FixtureRequest, default_params: JudgmentParams, warehouse: Warehouse
) -> tuple[JudgmentParams, str]:
    params = default_params if request.param == "default" else _variant(default_params)
    expr = judgments_expr(warehouse.ibis_con, params, VERSION, *WINDOW)
    return params, ibis.to_sql(expr, dialect="duckdb")


def _minutes(draw: st.DrawFn, usual: int, slow: int, is_slow: bool) -> int:
    """A step in microseconds: up to `usual` minutes, up to `slow` when this party is the
    slow one; sometimes exactly an allowance or a little negative (events out of order)."""
    whole = draw(st.integers(-1, slow if is_slow else usual))
    fraction = draw(st.sampled_from([0, 0, MINUTE // 2]) | st.integers(0, MINUTE - 1))
    return whole * MINUTE + fraction


def _kept(draw: st.DrawFn, moment: datetime | None) -> datetime | None:
    """The moment, or missing (one time in eight)."""
    return None if moment is None or draw(st.integers(0, 7)) == 0 else moment


def _timeline(draw: st.DrawFn, created: datetime) -> dict[str, datetime | None]:
    """A timeline where one party (or nobody, or everybody at random) was slow."""
    slow = draw(st.sampled_from(["platform", "merchant", "pickup", "rider", "customer", "none"]))

    def after(moment: datetime, usual: int, slow_max: int, who: str) -> datetime:
        return moment + timedelta(microseconds=_minutes(draw, usual, slow_max, slow == who))

    accepted = after(created, 3, 30, "platform")
    at_store = after(accepted, 12, 12, "")
    ready = after(at_store if slow == "merchant" else created, 15, 35, "merchant")
    picked = after(max(at_store, ready), 2, 20, "pickup")
    at_door = after(picked, 30, 60, "rider")
    delivered = after(at_door, 3, 25, "customer")
    moments = {
        "accepted_at": accepted,
        "arrived_store_at": at_store,
        "merchant_ready_at": ready,
        "picked_up_at": picked,
        "arrived_customer_at": at_door,
        "delivered_at": delivered,
        "promised_at": after(created, 20, 20, "") + timedelta(minutes=20),
        "cancelled_at": after(created, 40, 40, ""),
    }
    return {name: _kept(draw, moment) for name, moment in moments.items()}


def _created(draw: st.DrawFn) -> datetime:
    """Mostly inside the judged day, sometimes the day before or after (or on its edges)."""
    day = draw(st.sampled_from([1, 1, 1, 0, 2]))
    into = draw(st.integers(0, 1440 * MINUTE - 1) | st.sampled_from([0, 1440 * MINUTE - 1]))
    return START + timedelta(days=day, microseconds=into)


@st.composite
def cities(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    orders, incidents, ratings = [], [], []
    for i in range(draw(st.integers(1, 8))):
        order_id = f"O{i}"
        created = _created(draw)
        status = draw(st.sampled_from(["delivered", "delivered", "cancelled", None]))
        orders.append(
            {
                "order_id": order_id,
                "rider_id": draw(st.sampled_from(RIDER_IDS)),
                "city": "Testville",
                "created_at": created,
                **_timeline(draw, created),
                "status": status,
                "cancel_initiator": draw(
                    st.sampled_from([None, "customer", "merchant", "rider", "platform", "bot"])
                ),
                "cancel_reason": draw(st.sampled_from(REASONS)),
                "distance_km": draw(
                    st.none() | st.floats(0.0, 8.0, allow_nan=False, allow_infinity=False)
                ),
                "weather": draw(st.sampled_from([None, *WEATHER, "hail"])),
            }
        )
        fault = draw(st.sampled_from([None, "yes", "no", "unknown"]))
        if fault is not None:
            kind = draw(st.sampled_from(["accident", "accident", "speeding"]))
            incidents.append(
                {
                    "incident_id": f"I{i}",
                    "rider_id": "R1",
                    "order_id": order_id,
                    "occurred_at": created,
                    "kind": kind,
                    "severity": "minor",
                    "at_fault": fault,
                }
            )
        for k in range(draw(st.integers(0, 2))):
            ratings.append(
                {
                    "rating_id": f"RT{i}-{k}",
                    "order_id": order_id,
                    "rider_id": "R1",
                    "source": "customer",
                    "stars": 3,
                    "tags": draw(st.sampled_from(TAGS)),
                    "created_at": created,
                }
            )
    order_ids = [o["order_id"] for o in orders]
    complaints = [
        {
            "complaint_id": f"CP{k}",
            "order_id": draw(st.sampled_from([None, "O-gone", *order_ids])),
            "rider_id": draw(st.sampled_from([None, "R2"])),
            "source": "customer",
            "category": draw(st.sampled_from(CATEGORIES)),
            "created_at": _created(draw),
            "text": draw(st.sampled_from(TEXTS)),
        }
        for k in range(draw(st.integers(0, 6)))
    ]
    riders = [{"rider_id": r, "vehicle": v} for r, v in RIDERS.items()]
    return {
        "riders": riders,
        "orders": orders,
        "incidents": incidents,
        "ratings": ratings,
        "complaints": complaints,
    }


def _load(warehouse: Warehouse, city: dict[str, list[dict[str, Any]]]) -> None:
    for name, rows in city.items():
        table = TABLES_BY_NAME[name]
        warehouse.con.execute(f"DELETE FROM {name}")
        if not rows:
            continue
        columns = [*table.column_names, "_import_id", "_source", "_source_row"]
        marks = ", ".join("?" for _ in columns)
        values = [
            [row.get(c) for c in table.column_names] + ["t", "t", n] for n, row in enumerate(rows)
        ]
        warehouse.con.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", values
        )


def _per_order(
    city: dict[str, list[dict[str, Any]]], params: JudgmentParams
) -> dict[tuple[str, str], Judgment]:
    vehicles = {r["rider_id"]: r["vehicle"] for r in city["riders"]}
    at_fault = {
        i["order_id"]
        for i in city["incidents"]
        if i["kind"] == "accident" and i["at_fault"] == "yes"
    }
    orders = {o["order_id"]: o for o in city["orders"]}

    def judge(order: dict[str, Any]) -> Judgment | None:
        vehicle = vehicles.get(order["rider_id"])
        return judge_order(order, params, VERSION, vehicle, order["order_id"] in at_fault)

    start, end = WINDOW
    found: dict[tuple[str, str], Judgment] = {}
    for order in orders.values():
        judged = judge(order) if start <= order["created_at"] < end else None
        if judged is not None:
            found[(judged.event, judged.event_id)] = judged
    for complaint in city["complaints"]:
        if not start <= complaint["created_at"] < end:
            continue
        named = orders.get(complaint["order_id"])
        tags = [r["tags"] for r in city["ratings"] if named and r["order_id"] == named["order_id"]]
        present = [t for t in tags if t is not None]
        judged = judge_complaint(
            complaint,
            named,
            judge(named) if named else None,
            ";".join(present) if present else None,
            params,
            VERSION,
        )
        found[("complaint", judged.event_id)] = judged
    return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(city=cities())
def test_bulk_and_per_order_judgments_are_identical(
    city: dict[str, list[dict[str, Any]]],
    case: tuple[JudgmentParams, str],
    warehouse: Warehouse,
) -> None:
    params, sql = case
    _load(warehouse, city)
    cursor = warehouse.con.execute(sql)
    names = [d[0] for d in cursor.description]
    bulk = {
        (r["event"], r["event_id"]): r
        for r in (dict(zip(names, row, strict=True)) for row in cursor.fetchall())
    }
    expected = _per_order(city, params)

    assert set(bulk) == set(expected)
    for key, judged in expected.items():
        row = judged.as_row()
        for name, kind in JUDGMENT_COLUMNS:
            if kind == "DOUBLE" and row[name] is not None:
                assert bulk[key][name] == pytest.approx(row[name], abs=1e-6), (key, name)
            else:
                assert bulk[key][name] == row[name], (key, name)


def test_policy_numbers_are_doubles_in_the_bulk_path_as_in_python(
    case: tuple[JudgmentParams, str], warehouse: Warehouse
) -> None:
    """Extreme heat (factor 1.15) on an 11.5-minute ride to the restaurant: the weather's
    share is 11.5 × (1.15 − 1.0) / 1.15, 1.4999999999999993 in floats ("1 minute") but 1.5
    if the engine subtracts the policy's numbers as decimals ("2 minutes")."""
    params, sql = case
    at = START + timedelta(days=1)
    order = {
        "order_id": "O0",
        "rider_id": None,
        "city": "Testville",
        "created_at": at,
        "accepted_at": at,
        "arrived_store_at": at + timedelta(minutes=11, seconds=30),
        "merchant_ready_at": at,
        "picked_up_at": None,
        "arrived_customer_at": None,
        "delivered_at": at + timedelta(minutes=19, seconds=30),
        "promised_at": at + timedelta(minutes=19),
        "cancelled_at": None,
        "status": "delivered",
        "cancel_initiator": None,
        "cancel_reason": None,
        "distance_km": None,
        "weather": "extreme_heat",
    }
    city = {
        "riders": [],
        "orders": [order],
        "incidents": [],
        "ratings": [],
        "complaints": [],
    }
    _load(warehouse, city)
    cursor = warehouse.con.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    expected = _per_order(city, params)[("late", "O0")]
    assert [r["explanation"] for r in rows] == [expected.explanation]
    if params.weather_factor.get("extreme_heat") == 1.15:
        assert "by about 1 minute," in expected.explanation
