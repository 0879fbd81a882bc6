"""Hand-made warehouse rows for the metrics tests and policy cases (helpers, no tests).

`Activity` describes what a rider did on one day in the words of the policy cases
(delivered orders, late ones by judged party, cancellations by party, ratings by stars,
complaints by party, offers declined or expired, incidents); `Rows` turns it into
canonical rows and `judgments` rows and writes them into a warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from riderperf.common.canonical import TABLES_BY_NAME
from riderperf.warehouse.connection import Warehouse

JUDGMENT_COLUMNS = (
    "event_id",
    "event",
    "order_id",
    "rider_id",
    "occurred_at",
    "day",
    "party",
    "late_minutes",
    "minutes_platform",
    "minutes_merchant",
    "minutes_force_majeure",
    "minutes_customer",
    "minutes_rider",
    "rule",
    "policy_version",
    "confidence",
    "explanation",
)

JUDGMENTS_DDL = """
CREATE TABLE IF NOT EXISTS judgments (
    event_id VARCHAR, event VARCHAR, order_id VARCHAR, rider_id VARCHAR,
    occurred_at TIMESTAMPTZ, day DATE, party VARCHAR, late_minutes DOUBLE,
    minutes_platform DOUBLE, minutes_merchant DOUBLE, minutes_force_majeure DOUBLE,
    minutes_customer DOUBLE, minutes_rider DOUBLE, rule VARCHAR, policy_version VARCHAR,
    confidence DOUBLE, explanation VARCHAR
)
"""

Row = dict[str, Any]


@dataclass
class Activity:
    """One rider-day. `late` and `cancelled` map a judged party to a number of orders."""

    day: date
    delivered: int = 0
    late: Mapping[str, int] = field(default_factory=dict)
    cancelled: Mapping[str, int] = field(default_factory=dict)
    ratings: Mapping[int, int] = field(default_factory=dict)
    complaints: Mapping[str, int] = field(default_factory=dict)
    declined: int = 0
    expired: int = 0
    incidents: Sequence[Mapping[str, str]] = ()


def _at(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(seconds=seconds)


@dataclass
class Rows:
    policy_version: str = "test-1"
    tables: dict[str, list[Row]] = field(default_factory=dict)
    judgments: list[Row] = field(default_factory=list)
    _serial: int = 0

    def _next(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial:07d}"

    def add(self, table: str, row: Row) -> None:
        self.tables.setdefault(table, []).append(row)

    def rider(
        self,
        rider_id: str,
        capacity_type: str = "full_time",
        city: str = "Port Meridian",
        zone_id: str = "Z01",
        joined_on: date = date(2024, 1, 1),
        vehicle: str = "motorbike",
        fleet_id: str | None = None,
    ) -> None:
        self.add(
            "riders",
            {
                "rider_id": rider_id,
                "capacity_type": capacity_type,
                "fleet_id": fleet_id or ("F01" if capacity_type == "fleet" else None),
                "city": city,
                "zone_id": zone_id,
                "vehicle": vehicle,
                "joined_on": joined_on,
                "language": "en",
                "status": "active",
            },
        )

    def document(
        self, rider_id: str, doc_type: str, expires_on: date, verified: bool | None = True
    ) -> None:
        row = {"rider_id": rider_id, "doc_type": doc_type, "expires_on": expires_on}
        self.add("documents", row | {"verified": verified})

    def judge(
        self, event: str, order_id: str | None, rider_id: str, at: datetime, party: str
    ) -> None:
        self.judgments.append(
            {
                "event_id": self._next("J"),
                "event": event,
                "order_id": order_id,
                "rider_id": rider_id,
                "occurred_at": at,
                "day": at.date(),
                "party": party,
                "late_minutes": 15.0 if event == "late" else None,
                "minutes_platform": 0.0,
                "minutes_merchant": 0.0,
                "minutes_force_majeure": 0.0,
                "minutes_customer": 0.0,
                "minutes_rider": 0.0,
                "rule": "hand-made",
                "policy_version": self.policy_version,
                "confidence": 1.0,
                "explanation": "hand-made test judgment",
            }
        )

    def activity(self, rider_id: str, act: Activity) -> None:
        late = [party for party, n in act.late.items() for _ in range(n)]
        if len(late) > act.delivered:
            raise ValueError(f"{rider_id} on {act.day}: more late orders than delivered ones")
        delivered: list[str] = []
        for i in range(act.delivered):
            party = late[i] if i < len(late) else None
            delivered.append(self._order(rider_id, act.day, "delivered", party))
        for party, n in act.cancelled.items():
            for _ in range(n):
                self._order(rider_id, act.day, "cancelled", party)
        stars = [s for s, n in sorted(act.ratings.items(), reverse=True) for _ in range(n)]
        for i, star in enumerate(stars):
            on = delivered[i % len(delivered)] if delivered else None
            if on is None:
                raise ValueError(f"{rider_id} on {act.day}: ratings need delivered orders")
            row = {"rating_id": self._next("RT"), "order_id": on, "rider_id": rider_id}
            self.add(
                "ratings",
                row | {"source": "customer", "stars": star, "created_at": _at(act.day, 7200 + i)},
            )
        for party, n in act.complaints.items():
            for i in range(n):
                at = _at(act.day, 9000 + i)
                cid = self._next("CP")
                on = delivered[i % len(delivered)] if delivered else None
                self.add(
                    "complaints",
                    {
                        "complaint_id": cid,
                        "order_id": on,
                        "rider_id": rider_id,
                        "source": "customer",
                        "category": "rude",
                        "created_at": at,
                        "text": None,
                    },
                )
                self.judge("complaint", on, rider_id, at, party)
        for response, n in (("declined", act.declined), ("expired", act.expired)):
            for _ in range(n):
                order_id = self._order(None, act.day, "cancelled", None, initiator="platform")
                self._offer(order_id, rider_id, act.day, response)
        for i, incident in enumerate(act.incidents):
            self.add(
                "incidents",
                {
                    "incident_id": self._next("IN"),
                    "rider_id": rider_id,
                    "order_id": None,
                    "occurred_at": _at(act.day, 10000 + i),
                    "kind": incident["kind"],
                    "severity": incident.get("severity", "minor"),
                    "at_fault": incident.get("at_fault"),
                    "source": "test",
                },
            )

    def _order(
        self,
        rider_id: str | None,
        day: date,
        status: str,
        party: str | None,
        initiator: str = "rider",
    ) -> str:
        order_id = self._next("O")
        created = _at(day, self._serial)
        promised = created + timedelta(minutes=30)
        row: Row = {name: None for name in TABLES_BY_NAME["orders"].column_names}
        row |= {"order_id": order_id, "rider_id": rider_id, "city": "Port Meridian"}
        row |= {"created_at": created, "promised_at": promised, "status": status}
        if rider_id is not None:
            row["accepted_at"] = created + timedelta(minutes=1)
            self._offer(order_id, rider_id, day, "accepted")
        if status == "delivered":
            minutes = 45 if party else 20
            row |= {"picked_up_at": created + timedelta(minutes=10)}
            row |= {"delivered_at": created + timedelta(minutes=minutes)}
            if party:
                self.judge("late", order_id, rider_id or "", row["delivered_at"], party)
        else:
            row |= {"cancelled_at": created + timedelta(minutes=5), "cancel_initiator": initiator}
            if party and rider_id:
                self.judge("cancelled", order_id, rider_id, row["cancelled_at"], party)
        self.add("orders", row)
        return order_id

    def _offer(self, order_id: str, rider_id: str, day: date, response: str) -> None:
        at = _at(day, self._serial)
        row = {"offer_id": self._next("OF"), "order_id": order_id, "rider_id": rider_id}
        self.add("offers", row | {"offered_at": at, "response": response, "responded_at": None})

    def write(self, warehouse: Warehouse) -> None:
        """Inserts every row (the canonical tables exist; `judgments` is created)."""
        con = warehouse.con
        for name, rows in self.tables.items():
            columns = TABLES_BY_NAME[name].column_names
            data = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
            con.register("_incoming", data)
            con.execute(
                f"INSERT INTO {name} ({', '.join(columns)}, _import_id, _source, _source_row) "
                f"SELECT {', '.join(columns)}, 'test', 'test', 0 FROM _incoming"
            )
            con.unregister("_incoming")
        con.execute(JUDGMENTS_DDL)
        if self.judgments:
            data = pa.Table.from_pylist(self.judgments)
            con.register("_incoming", data)
            con.execute(
                f"INSERT INTO judgments SELECT {', '.join(JUDGMENT_COLUMNS)} FROM _incoming"
            )
            con.unregister("_incoming")
