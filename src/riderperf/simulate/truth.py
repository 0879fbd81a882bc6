"""Decides the planted truth: which orders were late or cancelled, and who really caused it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import take, whole_seconds
from riderperf.simulate.cancel import Cancellations
from riderperf.simulate.riders import Riders
from riderperf.simulate.timeline import LATE_CAUSES, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

ORDER_TRUTH_COLUMNS = ("order_id", "event", "cause")
_LATE, _CANCELLED = schema.TRUTH_EVENTS.index("late"), schema.TRUTH_EVENTS.index("cancelled")
_PARTY = np.array([schema.RESPONSIBILITY_PARTIES.index(c) for c in LATE_CAUSES])
_NONE = schema.RESPONSIBILITY_PARTIES.index("none")


def is_late(timeline: Timeline) -> B:
    """Delivered after the promise, compared on the whole seconds that are written out."""
    return np.asarray(whole_seconds(timeline.delivered) > whole_seconds(timeline.promised))


def late_cause(components: F64, floor_minutes: float) -> I64:
    """The party that added the most late minutes; `none` when nobody added `floor_minutes`."""
    if not len(components):
        return np.zeros(0, dtype=np.int64)
    biggest = components.argmax(axis=1)
    cause = _PARTY[biggest]
    return np.where(components.max(axis=1) < floor_minutes, _NONE, cause).astype(np.int64)


def order_truth(
    timeline: Timeline, cancels: Cancellations, floor_minutes: float
) -> tuple[I64, I64]:
    """Per order: truth event (-1 when on time) and responsible party (-1 when on time)."""
    late = is_late(timeline) & ~cancels.mask
    event = np.where(cancels.mask, _CANCELLED, np.where(late, _LATE, -1)).astype(np.int64)
    cause = np.where(
        cancels.mask,
        cancels.cause,
        np.where(late, late_cause(timeline.components, floor_minutes), -1),
    ).astype(np.int64)
    return event, cause


def order_truth_table(order_ids: pa.Array, event: I64, cause: I64) -> pa.Table:
    """truth/orders.csv rows for the late and cancelled orders only."""
    rows = np.flatnonzero(event >= 0)
    return pa.table(
        {
            "order_id": order_ids.take(pa.array(rows)),
            "event": take(pa.array(schema.TRUTH_EVENTS), event[rows]),
            "cause": take(pa.array(schema.RESPONSIBILITY_PARTIES), cause[rows]),
        }
    )


def rider_truth_table(rider_ids: pa.Array, riders: Riders) -> pa.Table:
    """truth/riders.csv: every rider and the archetype planted in them."""
    return pa.table(
        {"rider_id": rider_ids, "archetype": take(pa.array(schema.ARCHETYPES), riders.archetype)}
    )
