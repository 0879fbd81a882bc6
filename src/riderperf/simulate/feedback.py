"""Decides ratings and complaints: they follow the experience, the rider's archetype and noise."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import canonical_table, fixed_width_ids, take, timestamps
from riderperf.simulate.city import City
from riderperf.simulate.demand import DayDemand
from riderperf.simulate.timeline import Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

RATING_ID_WIDTH = 10
COMPLAINT_ID_WIDTH = 8
# Tags a rater may pick per star value (row 0 = 1 star); "" means no tag.
_TAG_CHOICES = (
    ("late;cold_food", "late", "", "damaged"),
    ("slow", "late", "", "cold_food"),
    ("", "slow", "", "ok"),
    ("", "on_time", "friendly", ""),
    ("", "fast", "friendly", "fast;friendly"),
)
TAGS = tuple(sorted({t for row in _TAG_CHOICES for t in row} | {"rude", "late"}))
_TAG_CODES = np.array([[TAGS.index(t) for t in row] for row in _TAG_CHOICES])
# Where each complaint category comes from: (usual source, other source, chance of the other).
_SOURCES = {
    "late": ("customer", "platform", 0.1),
    "food_damaged": ("customer", "merchant", 0.05),
    "rude": ("customer", "merchant", 0.3),
    "contact": ("customer", "merchant", 0.2),
    "wrong_handover": ("customer", "platform", 0.1),
    "uniform": ("merchant", "platform", 0.4),
    "unsafe_riding": ("public", "customer", 0.2),
    "fraud": ("platform", "customer", 0.3),
    "other": ("customer", "merchant", 0.2),
}
_TEXTS = {
    "late": ("Order arrived much later than promised.", "Waited too long for my food."),
    "food_damaged": ("Food arrived spilled.", "The bag was crushed."),
    "rude": ("Rider was rude to me.", "Rider shouted at staff."),
    "contact": ("Could not reach the rider.", "Rider did not answer calls."),
    "wrong_handover": ("Got someone else's order.", "Order left at the wrong door."),
    "uniform": ("Rider had no uniform or box.", "Rider came without the insulated bag."),
    "unsafe_riding": ("Rider ran a red light.", "Rider rode on the pavement at speed."),
    "fraud": ("Marked delivered but never arrived.", "I never received this order."),
    "other": ("Other problem with the order.", "Something went wrong."),
}
_CATEGORIES = schema.COMPLAINT_CATEGORIES
_TEXT_VALUES = pa.array([text for c in _CATEGORIES for text in _TEXTS[c]])
_SOURCE_CODE = np.array(
    [[schema.COMPLAINT_SOURCES.index(s) for s in _SOURCES[c][:2]] for c in _CATEGORIES]
)
_OTHER_SOURCE_P = np.array([_SOURCES[c][2] for c in _CATEGORIES])
_PUBLIC = schema.COMPLAINT_SOURCES.index("public")


def late_minutes(timeline: Timeline) -> F64:
    """Minutes delivered after the promise (0 when on time or not delivered)."""
    late = timeline.delivered - timeline.promised
    return np.asarray(np.where(late > 0, late, 0.0), dtype=np.float64)


def ratings_table(
    city: City,
    demand: DayDemand,
    timeline: Timeline,
    order_ids: pa.Array,
    first_id: int,
    rng: np.random.Generator,
) -> pa.Table:
    """Customer and merchant stars on delivered orders; accomplices give faked orders 5 stars."""
    p = city.params
    done = np.flatnonzero(~np.isnan(timeline.delivered))
    n = len(done)
    late = late_minutes(timeline)[done]
    archetype = city.riders.archetype[demand.rider[done]]
    bonus = p.by_archetype("stars")[archetype]
    on_time_p, late_p = p.customer_rating_probability
    by_customer = rng.random(n) < np.where(late > 0, late_p, on_time_p)
    customer = (
        p.stars_mean
        + city.customer_bias[demand.customer[done]]
        + bonus
        - p.stars_per_late_minute * np.minimum(late, 30.0)
        + rng.normal(0.0, p.stars_noise, n)
    )
    customer = np.where(demand.fake[done], 5.0, customer)
    by_merchant = rng.random(n) < p.merchant_rating_probability
    food_waited = np.nan_to_num(timeline.arrived_store - timeline.ready)[done]
    merchant = (
        p.stars_mean
        + city.merchant_bias[demand.merchant[done]]
        + bonus
        - 0.05 * np.clip(food_waited, 0.0, 30.0)
        + rng.normal(0.0, p.stars_noise, n)
    )
    order = np.concatenate([done[by_customer], done[by_merchant]])
    source = np.repeat([0, 1], [int(by_customer.sum()), int(by_merchant.sum())])
    latent = np.concatenate([customer[by_customer], merchant[by_merchant]])
    stars = np.clip(np.rint(latent), 1, 5).astype(np.int64)
    count = len(order)
    tag = _TAG_CODES[stars - 1, rng.integers(0, _TAG_CODES.shape[1], count)]
    rude = city.riders.archetype[demand.rider[order]] == schema.ARCHETYPES.index("rude")
    tag = np.where(rude & (stars <= 2), TAGS.index("rude"), tag)
    was_late = (late_minutes(timeline)[order] > 0) & (source == 0) & (stars <= 3)
    tag = np.where(was_late & (tag == TAGS.index("")), TAGS.index("late"), tag)
    created = timeline.delivered[order] + 2.0 + rng.exponential(40.0, count)
    rows = np.argsort(order, kind="stable")
    tag = tag[rows]
    return canonical_table(
        schema.RATINGS,
        {
            "rating_id": fixed_width_ids(
                "RT", np.arange(first_id, first_id + count), RATING_ID_WIDTH
            ),
            "order_id": order_ids.take(pa.array(order[rows])),
            "rider_id": take(city.rider_ids, demand.rider[order[rows]]),
            "source": take(pa.array(schema.RATING_SOURCES), source[rows]),
            "stars": pa.array(stars[rows], type=pa.int64()),
            "tags": take(pa.array(TAGS), tag, tag != TAGS.index("")),
            "created_at": timestamps(city.base_s, created[rows]),
        },
    )


def _complaint_chances(city: City, demand: DayDemand, done: I64, late: F64) -> list[F64]:
    """Per category, the chance each delivered order draws such a complaint."""
    p = city.params
    archetype = city.riders.archetype[demand.rider[done]]
    chances = []
    for category in _CATEGORIES:
        chance = np.full(len(done), p.complaint_probability[category])
        if category == "late":
            late_p = p.late_complaint_probability
            chance = np.where(late > 10.0, late_p, np.where(late > 0, late_p / 3, chance))
        if category == "fraud":
            chance = np.where(demand.fake[done], p.fraud_complaint_probability, chance)
        for name in sorted(p.archetype_complaints):
            extra_category, extra = p.archetype_complaints[name]
            if extra_category == category:
                chance = chance + np.where(archetype == schema.ARCHETYPES.index(name), extra, 0.0)
        chances.append(chance)
    return chances


def complaints_table(
    city: City,
    demand: DayDemand,
    timeline: Timeline,
    order_ids: pa.Array,
    first_id: int,
    rng: np.random.Generator,
) -> pa.Table:
    """Complaints on delivered orders: late ones draw `late`, archetypes draw their own kind,
    and a little noise falls on good orders too. Public reports often name no order."""
    done = np.flatnonzero(~np.isnan(timeline.delivered))
    late = late_minutes(timeline)[done]
    orders, categories = [], []
    for code, chance in enumerate(_complaint_chances(city, demand, done, late)):
        hits = done[rng.random(len(done)) < chance]
        orders.append(hits)
        categories.append(np.full(len(hits), code))
    order = np.concatenate(orders)
    category = np.concatenate(categories).astype(np.int64)
    rows = np.argsort(order, kind="stable")
    order, category = order[rows], category[rows]
    count = len(order)
    other = rng.random(count) < _OTHER_SOURCE_P[category]
    source = _SOURCE_CODE[category, other.astype(np.int64)]
    text = category * 2 + rng.integers(0, 2, count)
    named = (source != _PUBLIC) | (rng.random(count) < 0.5)
    created = timeline.delivered[order] + 5.0 + rng.exponential(120.0, count)
    return canonical_table(
        schema.COMPLAINTS,
        {
            "complaint_id": fixed_width_ids(
                "CP", np.arange(first_id, first_id + count), COMPLAINT_ID_WIDTH
            ),
            "order_id": order_ids.take(pa.array(order, mask=~named)),
            "rider_id": take(city.rider_ids, demand.rider[order]),
            "source": take(pa.array(schema.COMPLAINT_SOURCES), source),
            "category": take(pa.array(_CATEGORIES), category),
            "created_at": timestamps(city.base_s, created),
            "text": _TEXT_VALUES.take(pa.array(text)),
        },
    )
