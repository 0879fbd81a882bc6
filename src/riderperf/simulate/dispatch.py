"""Decides how each order is dispatched: planted platform delays, offers declined or expired."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from riderperf.simulate.city import City
from riderperf.simulate.demand import DayDemand

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Dispatch:
    """Per order: how long dispatch took; per unaccepted offer: who, when, what answer."""

    minutes: F64  # created → accepted (as if accepted, for unassigned orders too)
    gap: F64  # minutes before the first offer; long when a platform delay is planted
    planted: B  # a planted platform delay
    unassigned: B  # nobody accepts: the platform will cancel
    offers_end: F64  # minutes after creation when the last unaccepted offer ended
    offer_order: I64  # per unaccepted offer: index of its order (grouped by order)
    offer_rider: I64
    offer_at: F64  # minutes after the order's creation
    offer_length: F64  # minutes until declined or expired
    offer_expired: B
    accept_lag: F64  # per order: minutes between the accepted offer and acceptance


def in_peak(created: F64, peaks: tuple[tuple[float, float], ...]) -> B:
    """Whether each creation minute falls in a local peak window."""
    hour = (created % 1440.0) / 60.0
    peak = np.zeros(len(created), dtype=np.bool_)
    for low, high in peaks:
        peak |= (hour >= low) & (hour < high)
    return peak


def _pick_offer_riders(
    city: City, demand: DayDemand, offer_order: I64, rng: np.random.Generator
) -> I64:
    """A random worker of the order's zone, not the rider who finally accepts (when possible)."""
    zones = len(city.zone_weight)
    worker_zone = city.riders.zone[demand.workers]
    by_zone = np.lexsort((demand.workers, worker_zone))
    sorted_workers = demand.workers[by_zone]
    sorted_zone = worker_zone[by_zone]
    first = np.searchsorted(sorted_zone, np.arange(zones), side="left")
    count = np.searchsorted(sorted_zone, np.arange(zones), side="right") - first
    zone = demand.zone[offer_order]
    slot = np.floor(rng.random(len(offer_order)) * count[zone]).astype(np.int64)
    rider = sorted_workers[first[zone] + slot]
    clash = (rider == demand.rider[offer_order]) & (count[zone] > 1)
    slot = np.where(clash, (slot + 1) % np.maximum(count[zone], 1), slot)
    return np.asarray(sorted_workers[first[zone] + slot], dtype=np.int64)


def draw_dispatch(city: City, demand: DayDemand, rng: np.random.Generator) -> Dispatch:
    """Dispatch of every order of the day; fraud rings' faked orders dispatch normally."""
    p = city.params
    n = demand.size
    strain = p.by_weather("dispatch_strain")[demand.weather] * np.where(
        in_peak(demand.created, p.peak_hours), 2.0, 1.0
    )
    planted = ~demand.fake & (rng.random(n) < p.platform_delay_probability * strain)
    unassigned = ~demand.fake & ~planted & (rng.random(n) < p.no_rider_probability * strain)
    low, high = p.platform_delay_minutes
    gap = rng.uniform(0.05, 0.4, n) + np.where(planted, rng.uniform(low, high, n), 0.0)

    odds = np.asarray(p.prior_offer_probabilities, dtype=np.float64)
    prior = rng.choice(len(odds), size=n, p=odds / odds.sum()).astype(np.int64)
    prior = np.where(planted, 2 + rng.poisson(3.0, n), prior)
    prior = np.where(unassigned, 4 + rng.poisson(4.0, n), prior)

    offer_order = np.repeat(np.arange(n, dtype=np.int64), prior)
    m = len(offer_order)
    expired = rng.random(m) < p.expired_share
    length = np.where(expired, p.offer_timeout_minutes, rng.uniform(0.1, 0.6, m))
    before = np.cumsum(length) - length
    group_first = np.repeat(np.cumsum(prior) - prior, prior)
    offer_at = gap[offer_order] + before - before[group_first]
    prior_total = np.bincount(offer_order, weights=length, minlength=n)
    accept_lag = rng.uniform(0.1, 0.5, n)
    return Dispatch(
        minutes=gap + prior_total + accept_lag,
        gap=gap,
        planted=planted,
        unassigned=unassigned,
        offers_end=gap + prior_total,
        offer_order=offer_order,
        offer_rider=_pick_offer_riders(city, demand, offer_order, rng),
        offer_at=offer_at,
        offer_length=length,
        offer_expired=expired,
        accept_lag=accept_lag,
    )
