"""Decides one simulated day end to end: its orders, offers, feedback, incidents and truth."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import (
    canonical_table,
    constant,
    fixed_width_ids,
    take,
    timestamps,
)
from riderperf.simulate.cancel import (
    REASON_NAMES,
    REASONS,
    Cancellations,
    apply_cancellations,
    draw_cancellations,
)
from riderperf.simulate.city import City
from riderperf.simulate.demand import DayDemand, draw_day_demand
from riderperf.simulate.dispatch import draw_dispatch
from riderperf.simulate.feedback import complaints_table, ratings_table
from riderperf.simulate.incidents import (
    IncidentRows,
    gear_incidents,
    incidents_table,
    road_incidents,
)
from riderperf.simulate.offers import offers_table
from riderperf.simulate.timeline import Timeline, plan_timeline
from riderperf.simulate.truth import order_truth, order_truth_table

ORDER_ID_WIDTH = 9
_DELIVERED = schema.ORDER_STATUSES.index("delivered")
_CANCELLED = schema.ORDER_STATUSES.index("cancelled")
SERIES = ("orders", "offers", "ratings", "complaints", "incidents")


@dataclass
class IdCounters:
    """The next number of each id series; ids never repeat across days."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SERIES, 1))

    def claim(self, series: str, count: int) -> int:
        first = self.next[series]
        self.next[series] = first + count
        return first


@dataclass(frozen=True)
class DayOutput:
    tables: dict[str, pa.Table]
    truth: pa.Table


def orders_table(
    city: City,
    demand: DayDemand,
    timeline: Timeline,
    cancels: Cancellations,
    order_ids: pa.Array,
) -> pa.Table:
    """The day's orders with their timelines; the rider only once someone accepted."""
    n = demand.size
    base = city.base_s
    cancelled = cancels.mask
    status = np.where(cancelled, _CANCELLED, _DELIVERED)
    reason = np.maximum(cancels.reason, 0)
    initiator = np.array([schema.CANCEL_INITIATORS.index(r.initiator) for r in REASONS])[reason]
    reason_name = np.array([REASON_NAMES.index(r.reason) for r in REASONS])[reason]
    return canonical_table(
        schema.ORDERS,
        {
            "order_id": order_ids,
            "rider_id": take(city.rider_ids, demand.rider, ~np.isnan(timeline.accepted)),
            "city": constant(city.params.city, n),
            "zone_id": take(city.zone_ids, demand.zone),
            "merchant_id": take(city.merchant_ids, demand.merchant),
            "customer_id": take(city.customer_ids, demand.customer),
            "created_at": timestamps(base, demand.created),
            "accepted_at": timestamps(base, timeline.accepted),
            "arrived_store_at": timestamps(base, timeline.arrived_store),
            "merchant_ready_at": timestamps(base, timeline.ready),
            "picked_up_at": timestamps(base, timeline.picked_up),
            "arrived_customer_at": timestamps(base, timeline.arrived_customer),
            "delivered_at": timestamps(base, timeline.delivered),
            "promised_at": timestamps(base, timeline.promised),
            "status": take(pa.array(schema.ORDER_STATUSES), status),
            "cancelled_at": timestamps(base, cancels.cancelled),
            "cancel_initiator": take(pa.array(schema.CANCEL_INITIATORS), initiator, cancelled),
            "cancel_reason": take(pa.array(REASON_NAMES), reason_name, cancelled),
            "distance_km": pa.array(demand.distance, type=pa.float64()),
            "weather": constant(schema.WEATHER[demand.weather], n),
        },
    )


def simulate_day(
    city: City, day: int, rng: np.random.Generator, ids: IdCounters
) -> Iterator[DayOutput]:
    """Every table's rows for day `day`, in batches of at most `orders_per_batch` orders,
    drawing from `rng` in a fixed order."""
    demand = draw_day_demand(city, day, rng)
    batch = city.params.orders_per_batch
    for low in range(0, max(demand.size, 1), batch):
        yield _simulate_orders(city, demand.orders_between(low, low + batch), low == 0, rng, ids)


def _simulate_orders(
    city: City, demand: DayDemand, first_batch: bool, rng: np.random.Generator, ids: IdCounters
) -> DayOutput:
    dispatch = draw_dispatch(city, demand, rng)
    planned = plan_timeline(city, demand, dispatch, rng)
    cancels = draw_cancellations(city, demand, dispatch, planned, rng)
    timeline = apply_cancellations(planned, cancels)

    first = ids.claim("orders", demand.size)
    order_ids = fixed_width_ids("O", np.arange(first, first + demand.size), ORDER_ID_WIDTH)
    offers = offers_table(city, demand, dispatch, timeline, cancels, order_ids, ids.next["offers"])
    ids.claim("offers", offers.num_rows)
    ratings = ratings_table(city, demand, timeline, order_ids, ids.next["ratings"], rng)
    ids.claim("ratings", ratings.num_rows)
    complaints = complaints_table(city, demand, timeline, order_ids, ids.next["complaints"], rng)
    ids.claim("complaints", complaints.num_rows)
    parts = [road_incidents(city, demand, timeline, cancels, rng)]
    if first_batch:  # shift-level findings, once per day
        parts.append(gear_incidents(city, demand, rng))
    rows = IncidentRows.join(parts)
    incidents = incidents_table(city, rows, order_ids, ids.next["incidents"], rng)
    ids.claim("incidents", incidents.num_rows)

    event, cause = order_truth(timeline, cancels, city.params.cause_floor_minutes)
    return DayOutput(
        tables={
            "orders": orders_table(city, demand, timeline, cancels, order_ids),
            "offers": offers,
            "ratings": ratings,
            "complaints": complaints,
            "incidents": incidents,
        },
        truth=order_truth_table(order_ids, event, cause),
    )
