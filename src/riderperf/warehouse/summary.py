"""Headline figures of the warehouse, computed as Ibis expressions (portable across engines)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from riderperf.common.canonical import TABLES
from riderperf.warehouse.connection import Warehouse


@dataclass(frozen=True)
class WarehouseSummary:
    rows: dict[str, int]
    first_order: Any
    last_order: Any
    delivered: int
    cancelled: int
    late: int
    riders_by_capacity: dict[str, int]
    orders_by_weather: dict[str, int]

    @property
    def late_share(self) -> float:
        """Late deliveries among delivered orders with a promise."""
        return self.late / self.delivered if self.delivered else 0.0


def summarise(warehouse: Warehouse) -> WarehouseSummary:
    con = warehouse.ibis_con
    rows = {t.name: int(con.table(t.name).count().execute()) for t in TABLES}
    orders = con.table("orders")
    headline = orders.aggregate(
        first=orders.created_at.min(),
        last=orders.created_at.max(),
        delivered=(orders.status == "delivered").sum(),
        cancelled=(orders.status == "cancelled").sum(),
        late=((orders.status == "delivered") & (orders.delivered_at > orders.promised_at)).sum(),
    ).execute()
    first = headline.iloc[0]
    riders = con.table("riders")
    by_capacity = riders.group_by("capacity_type").aggregate(n=riders.count()).execute()
    by_weather = (
        orders.mutate(weather=orders.weather.fill_null("unknown"))
        .group_by("weather")
        .aggregate(n=ibis._.count())
        .execute()
    )
    return WarehouseSummary(
        rows=rows,
        first_order=first["first"],
        last_order=first["last"],
        delivered=int(first["delivered"] or 0),
        cancelled=int(first["cancelled"] or 0),
        late=int(first["late"] or 0),
        riders_by_capacity={
            str(k): int(v) for k, v in zip(by_capacity.capacity_type, by_capacity.n, strict=True)
        },
        orders_by_weather={
            str(k): int(v) for k, v in zip(by_weather.weather, by_weather.n, strict=True)
        },
    )
