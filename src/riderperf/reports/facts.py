"""Reads a report's warehouse figures: late orders by party, zone and hour, judgments, violations.

Everything is aggregated inside the warehouse by Ibis expressions (portable like the rest
of the pipeline) and only the small grouped tables come back. Judgments are those of the
evaluation's policy version dated in the period; a scope id keeps the riders whose home
unit (`riders.city`, `zone_id` or `fleet_id`) is that id. Hours are UTC: the canonical
format stores UTC instants and has no city time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ibis
import pandas as pd

from riderperf.common.periods import Period
from riderperf.reports.model import Count, LateOrders, PartyLate, PlaceLate, Scope
from riderperf.responsibility.model import LATE_PARTIES
from riderperf.warehouse.connection import Warehouse

UNIT_COLUMN: dict[Scope, str] = {"city": "city", "zone": "zone_id", "fleet": "fleet_id"}
NO_UNIT: dict[Scope, str] = {"city": "(no city)", "zone": "(no zone)", "fleet": "(no fleet)"}
# Late parties in the order a report lists them: the rider first, "none" (unexplained) last.
PARTY_ORDER = ("rider", "merchant", "force_majeure", "customer", "platform", "none")


class FactQuery:
    """The warehouse figures of one period, policy version and scope."""

    def __init__(
        self,
        warehouse: Warehouse,
        period: Period,
        policy_version: str,
        scope: Scope,
        scope_id: str | None,
    ) -> None:
        self.warehouse = warehouse
        self.ib = warehouse.ibis_con
        self.period = period
        self.version = policy_version
        self.scope = scope
        self.scope_id = scope_id
        self.start = datetime.combine(period.start, datetime.min.time(), UTC)
        self.end = datetime.combine(period.end, datetime.min.time(), UTC)

    def _frame(self, expr: Any) -> pd.DataFrame:
        return self.warehouse.con.execute(ibis.to_sql(expr, dialect="duckdb")).df()

    def _riders(self) -> Any:
        riders = self.ib.table("riders")
        unit = riders[UNIT_COLUMN[self.scope]].fill_null(NO_UNIT[self.scope])
        return riders.select("rider_id", unit=unit)

    def _scoped(self, table: Any) -> Any:
        """`table` kept to the riders of the scope id (all rows without one)."""
        if self.scope_id is None:
            return table
        riders = self._riders()
        return table.semi_join(riders.filter(riders.unit == self.scope_id), "rider_id")

    def _judgments(self) -> Any:
        j = self.ib.table("judgments")
        j = j.filter(
            j.policy_version == self.version,
            j.day >= ibis.literal(self.period.start),
            j.day < ibis.literal(self.period.end),
        )
        return self._scoped(j)

    def judgment_counts(self) -> dict[str, dict[str, int]]:
        """event → party → judgments."""
        j = self._judgments()
        frame = self._frame(j.group_by("event", "party").aggregate(n=j.count()))
        counts: dict[str, dict[str, int]] = {}
        for event, party, n in frame.sort_values(["event", "party"]).itertuples(index=False):
            counts.setdefault(str(event), {})[str(party)] = int(n)
        return counts

    def late_orders(self) -> LateOrders:
        riders = self._riders()
        orders = self.ib.table("orders")
        delivered = self._scoped(
            orders.filter(
                orders.status == "delivered",
                orders.promised_at.notnull(),
                orders.created_at >= self.start,
                orders.created_at < self.end,
            )
        ).left_join(riders, "rider_id")
        denominators = self._frame(
            delivered.group_by(
                zone=delivered.zone_id.fill_null("(no zone)"), unit=_unit(delivered)
            ).aggregate(delivered=delivered.count())
        )
        j = self._judgments()
        late = j.filter(j.event == "late")
        zones = orders.select("order_id", order_zone=orders.zone_id)
        base = late.left_join(zones, "order_id").left_join(riders, "rider_id")
        minutes = {f"m_{p}": base[f"minutes_{p}"].fill_null(0.0).sum() for p in LATE_PARTIES}
        grouped = self._frame(
            base.group_by(
                zone=base.order_zone.fill_null("(no zone)"),
                unit=_unit(base),
                hour=base.occurred_at.hour(),
                party=base.party,
            ).aggregate(late=base.count(), **minutes)
        )
        return late_summary(denominators, grouped)

    def rules_against_riders(self) -> list[Count]:
        j = self._judgments()
        j = j.filter(j.party == "rider")
        frame = self._frame(j.group_by("rule", "event").aggregate(n=j.count()))
        return _counts(frame, "rule", "event")

    def complaint_categories(self) -> list[Count]:
        j = self._judgments()
        j = j.filter(j.event == "complaint")
        complaints = self.ib.table("complaints").select("complaint_id", "category")
        joined = j.join(complaints, j.event_id == complaints.complaint_id)
        frame = self._frame(
            joined.group_by("category").aggregate(
                event=ibis.literal("complaint"),
                n=joined.count(),
                against=(joined.party == "rider").cast("int64").sum(),
            )
        )
        return _counts(frame, "category", "event", against="against")

    def incident_kinds(self) -> list[Count]:
        incidents = self.ib.table("incidents")
        incidents = self._scoped(
            incidents.filter(incidents.occurred_at >= self.start, incidents.occurred_at < self.end)
        )
        frame = self._frame(incidents.group_by("kind", "severity").aggregate(n=incidents.count()))
        return _counts(frame, "kind", "severity")


def _unit(table: Any) -> Any:
    return table.unit.fill_null("(unknown rider)")


def _counts(frame: pd.DataFrame, key: str, detail: str, against: str | None = None) -> list[Count]:
    frame = frame.sort_values(["n", key, detail], ascending=[False, True, True], kind="stable")
    return [
        Count(
            key=str(row[key]),
            detail=str(row[detail]),
            count=int(row["n"]),
            against_rider=int(row[against]) if against else None,
        )
        for _, row in frame.iterrows()
    ]


def late_summary(denominators: pd.DataFrame, grouped: pd.DataFrame) -> LateOrders:
    """Folds the grouped warehouse rows into the report's late-order figures.

    `denominators`: zone, unit, delivered. `grouped`: zone, unit, hour, party, late and
    `m_<party>` (late minutes owed by each party). Either may have no rows.
    """
    delivered = int(denominators["delivered"].sum())
    late = int(grouped["late"].sum())
    orders_of = grouped.groupby("party")["late"].sum()
    parties = [p for p in PARTY_ORDER if p in LATE_PARTIES or p in orders_of.index]
    by_party = [
        PartyLate(
            party,
            int(orders_of.get(party, 0)),
            float(grouped[f"m_{party}"].sum()) if party in LATE_PARTIES else 0.0,
        )
        for party in parties
    ]
    hours = [0] * 24
    per_hour = grouped.groupby("hour")["late"].sum()
    for hour, n in zip(per_hour.index.tolist(), per_hour.tolist(), strict=True):
        hours[int(hour)] = int(n)
    return LateOrders(
        delivered=delivered,
        late=late,
        late_rate=late / delivered if delivered else None,
        by_party=by_party,
        by_zone=_places(denominators, grouped, "zone"),
        by_unit=_places(denominators, grouped, "unit"),
        by_hour=hours,
    )


def _places(denominators: pd.DataFrame, grouped: pd.DataFrame, key: str) -> list[PlaceLate]:
    minute_cols = [f"m_{p}" for p in LATE_PARTIES]
    delivered = denominators.groupby(key)["delivered"].sum()
    late = grouped.groupby(key)[["late", *minute_cols]].sum()
    rows = []
    for place in sorted(set(delivered.index) | set(late.index)):
        found = place in late.index
        rows.append(
            PlaceLate(
                place=str(place),
                delivered=int(delivered.get(place, 0)),
                late=int(late.loc[place, "late"]) if found else 0,
                minutes={
                    p: float(late.loc[place, f"m_{p}"]) if found else 0.0 for p in LATE_PARTIES
                },
            )
        )
    return rows
