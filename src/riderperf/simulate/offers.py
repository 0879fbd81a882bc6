"""Decides the offers table: each offer of an order to a rider and the answer, up to acceptance."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import canonical_table, fixed_width_ids, take, timestamps
from riderperf.simulate.cancel import Cancellations
from riderperf.simulate.city import City
from riderperf.simulate.demand import DayDemand
from riderperf.simulate.dispatch import Dispatch
from riderperf.simulate.timeline import Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

OFFER_ID_WIDTH = 10
_ACCEPTED = schema.OFFER_RESPONSES.index("accepted")
_DECLINED = schema.OFFER_RESPONSES.index("declined")
_EXPIRED = schema.OFFER_RESPONSES.index("expired")


def offers_table(
    city: City,
    demand: DayDemand,
    dispatch: Dispatch,
    timeline: Timeline,
    cancels: Cancellations,
    order_ids: pa.Array,
    first_id: int,
) -> pa.Table:
    """Unaccepted offers, then the accepted one, per order; none after a cancellation.

    An offer still open when the customer cancels ends as expired with no answer time.
    """
    o = dispatch.offer_order
    offered = demand.created[o] + dispatch.offer_at
    answered = offered + dispatch.offer_length
    response = np.where(dispatch.offer_expired, _EXPIRED, _DECLINED)
    stop = np.where(cancels.mask & np.isnan(timeline.accepted), cancels.cancelled, np.inf)[o]
    keep = offered < stop
    cut_short = answered > stop
    response = np.where(cut_short, _EXPIRED, response)
    responded = np.where(response == _EXPIRED, np.nan, answered)

    accepted = np.flatnonzero(~np.isnan(timeline.accepted))
    order = np.concatenate([o[keep], accepted])
    rider = np.concatenate([dispatch.offer_rider[keep], demand.rider[accepted]])
    at = np.concatenate(
        [offered[keep], timeline.accepted[accepted] - dispatch.accept_lag[accepted]]
    )
    answer = np.concatenate([response[keep], np.full(len(accepted), _ACCEPTED)])
    answered_at = np.concatenate([responded[keep], timeline.accepted[accepted]])
    rows = np.argsort(order, kind="stable")
    count = len(rows)
    return canonical_table(
        schema.OFFERS,
        {
            "offer_id": fixed_width_ids(
                "OF", np.arange(first_id, first_id + count), OFFER_ID_WIDTH
            ),
            "order_id": order_ids.take(pa.array(order[rows])),
            "rider_id": take(city.rider_ids, rider[rows]),
            "offered_at": timestamps(city.base_s, at[rows]),
            "response": take(pa.array(schema.OFFER_RESPONSES), answer[rows]),
            "responded_at": timestamps(city.base_s, answered_at[rows]),
        },
    )
