"""Decides the orders of one day: who works, how many orders, when, where and for whom."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.city import City

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

CAPS = schema.CAPACITY_TYPES


@dataclass(frozen=True)
class DayDemand:
    """A day's worked shifts and its orders, sorted by creation time."""

    day: int
    weather: int  # index into schema.WEATHER
    workers: I64  # riders working today
    shift_start: F64  # minutes since the period's first local midnight, per worker
    shift_end: F64
    rider: I64  # the rider who will take each order (if anyone does)
    zone: I64
    merchant: I64
    customer: I64
    created: F64  # minutes since the period's first local midnight
    distance: F64  # km, merchant to customer
    fake: B  # a fraud ring's faked delivery

    @property
    def size(self) -> int:
        return len(self.created)

    def orders_between(self, low: int, high: int) -> DayDemand:
        """The same day's shifts with only orders low…high-1 (to bound memory on busy days)."""
        part = slice(low, high)
        return replace(
            self,
            rider=self.rider[part],
            zone=self.zone[part],
            merchant=self.merchant[part],
            customer=self.customer[part],
            created=self.created[part],
            distance=self.distance[part],
            fake=self.fake[part],
        )


def _draw_shifts(city: City, workers: I64, rng: np.random.Generator) -> tuple[F64, F64]:
    """Local start and end minute of each worker's shift."""
    p = city.params
    cap = city.riders.capacity[workers]
    candidates = [p.shift_starts[c] for c in CAPS]
    width = max(len(c) for c in candidates)
    table = np.array([list(c) + [c[-1]] * (width - len(c)) for c in candidates], dtype=np.float64)
    n_candidates = np.array([len(c) for c in candidates])[cap]
    pick = np.floor(rng.random(len(workers)) * n_candidates).astype(np.int64)
    length = p.by_capacity("shift_hours")[cap]
    start = table[cap, pick] + rng.normal(0.0, p.shift_start_jitter_hours, len(workers))
    start = np.maximum(np.minimum(start, 24.0 - length), p.first_shift_hour)
    end = np.minimum(start + length, 24.0)
    return start * 60.0, end * 60.0


def draw_day_demand(city: City, day: int, rng: np.random.Generator) -> DayDemand:
    """Orders of day `day` (0-based), drawn per worked shift from the city's demand curve."""
    p = city.params
    riders = city.riders
    active = (riders.join_day <= day) & (day < riders.leave_day)
    work_p = p.by_capacity("work_probability")[riders.capacity]
    workers = np.flatnonzero(active & (rng.random(riders.count) < work_p)).astype(np.int64)
    weather = int(city.weather[day])
    weekend = (city.start + timedelta(days=day)).weekday() >= 5
    volume = p.by_weather("volume")[weather] * (p.weekend_volume if weekend else 1.0)
    expected = (
        p.by_capacity("orders_per_day")[riders.capacity[workers]]
        * city.zone_busy[riders.zone[workers]]
        * riders.productivity[workers]
        * volume
    )
    counts = rng.poisson(expected)
    shift_start, shift_end = _draw_shifts(city, workers, rng)

    rider = np.repeat(workers, counts)
    n = len(rider)
    grid = np.arange(1441, dtype=np.float64)
    cdf = city.demand_cdf
    low = np.interp(np.repeat(shift_start, counts), grid, cdf)
    high = np.interp(np.repeat(shift_end, counts), grid, cdf)
    minute = np.interp(low + rng.random(n) * (high - low), cdf, grid)
    created = day * 1440.0 + minute

    zone = riders.zone[rider]
    merchant = np.searchsorted(city.merchant_cum, zone + rng.random(n), side="right")
    merchant = np.minimum(merchant, len(city.merchant_cum) - 1).astype(np.int64)
    customer = city.customer_start[zone] + np.floor(
        rng.random(n) * city.customer_count[zone]
    ).astype(np.int64)
    ring = riders.ring[rider]
    fake = (ring >= 0) & (rng.random(n) < p.fraud_fake_share)
    accomplice = rng.integers(0, p.fraud_ring_customers, n)
    if city.ring_customers.size:
        customer = np.where(fake, city.ring_customers[np.maximum(ring, 0), accomplice], customer)
    reach = p.by_vehicle("range")[riders.vehicle[rider]]
    distance = rng.gamma(3.0, city.zone_distance[zone] / 3.0) * reach
    distance = np.round(np.clip(distance, 0.2, 15.0), 2).astype(np.float64)

    order = np.argsort(created, kind="stable")
    return DayDemand(
        day=day,
        weather=weather,
        workers=workers,
        shift_start=day * 1440.0 + shift_start,
        shift_end=day * 1440.0 + shift_end,
        rider=rider[order],
        zone=zone[order],
        merchant=merchant[order],
        customer=customer[order],
        created=created[order],
        distance=distance[order],
        fake=fake[order],
    )
