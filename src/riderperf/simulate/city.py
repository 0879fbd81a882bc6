"""Decides the fixed world of a simulation: zones, merchants, customers, riders, demand, weather."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from riderperf.simulate.arrow import fixed_width_ids, id_width
from riderperf.simulate.params import SimulationParams
from riderperf.simulate.riders import Riders, draw_riders

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class City:
    """Everything that stays fixed through the period, plus the weather of each day."""

    params: SimulationParams
    start: date
    days: int
    base_s: int  # UTC epoch seconds of local midnight on the first day
    riders: Riders
    zone_weight: F64
    zone_distance: F64
    zone_busy: F64
    merchant_prep: F64  # mean preparation minutes
    merchant_late_p: F64  # chance of a planted food delay
    merchant_bias: F64  # star bias as a rater
    merchant_cum: F64  # zone + cumulative popularity within the zone (for sampling)
    customer_start: I64  # first customer of each zone (customers are grouped by zone)
    customer_count: I64
    customer_unreachable_p: F64
    customer_bias: F64
    ring_customers: I64  # (rings, fraud_ring_customers)
    weather: I64  # per day, index into schema.WEATHER
    demand_cdf: F64  # cumulative local demand at each minute 0…1440
    rider_ids: pa.Array
    zone_ids: pa.Array
    merchant_ids: pa.Array
    customer_ids: pa.Array
    fleet_ids: pa.Array


def local_midnight_utc(day: date, offset_hours: int) -> int:
    """UTC epoch seconds of local midnight of `day` in a city `offset_hours` ahead of UTC."""
    local = datetime.combine(day, time(0), tzinfo=timezone(timedelta(hours=offset_hours)))
    return int(local.timestamp())


def demand_curve(params: SimulationParams) -> F64:
    """Cumulative share of a day's orders created before each local minute (lunch, dinner)."""
    hours = (np.arange(1440) + 0.5) / 60.0
    weight = np.full(1440, 1e-3) + params.background_demand * ((hours >= 7) & (hours < 23.5))
    for peak, sd, size in (params.lunch_peak, params.dinner_peak):
        weight += size * np.exp(-0.5 * ((hours - peak) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
    cdf = np.concatenate([[0.0], np.cumsum(weight)])
    return np.asarray(cdf / cdf[-1], dtype=np.float64)


def _grouped(n: int, zone_p: F64, rng: np.random.Generator) -> I64:
    """Zone of each of n things, every zone at least one, sorted by zone."""
    zones = len(zone_p)
    drawn = rng.choice(zones, size=max(n - zones, 0), p=zone_p / zone_p.sum())
    return np.sort(np.concatenate([np.arange(zones), drawn])).astype(np.int64)


def build_city(
    starting_riders: int,
    days: int,
    start: date,
    params: SimulationParams,
    rng: np.random.Generator,
) -> City:
    """Draw the world in a fixed order from `rng`, so one seed gives one city."""
    zone_p = np.asarray(params.zone_weights, dtype=np.float64)
    zones = len(zone_p)
    riders = draw_riders(starting_riders, days, params, rng)

    merchant_zone = _grouped(round(starting_riders * params.merchants_per_rider), zone_p, rng)
    n_merchants = len(merchant_zone)
    low, high = params.merchant_prep_minutes
    merchant_prep = rng.uniform(low, high, n_merchants)
    unreliable = rng.random(n_merchants) < params.unreliable_merchant_share
    usual_late, unreliable_late = params.merchant_late_probability
    merchant_late_p = np.where(unreliable, unreliable_late, usual_late)
    merchant_bias = rng.normal(0.0, params.rater_bias_sigma, n_merchants)
    popularity = rng.lognormal(0.0, 1.0, n_merchants)
    merchant_cum = np.empty(n_merchants)
    for z in range(zones):
        in_zone = merchant_zone == z
        share = np.cumsum(popularity[in_zone]) / popularity[in_zone].sum()
        share[-1] = 1.0
        merchant_cum[in_zone] = z + share

    customer_zone = _grouped(round(starting_riders * params.customers_per_rider), zone_p, rng)
    customer_count = np.bincount(customer_zone, minlength=zones).astype(np.int64)
    customer_start = np.concatenate([[0], np.cumsum(customer_count)[:-1]]).astype(np.int64)
    n_customers = len(customer_zone)
    hard = rng.random(n_customers) < params.hard_to_reach_share
    usual_miss, hard_miss = params.unreachable_probability
    customer_unreachable_p = np.where(hard, hard_miss, usual_miss)
    customer_bias = rng.normal(0.0, params.rater_bias_sigma, n_customers)

    rings = int(riders.ring.max()) + 1 if riders.count else 0
    ring_zone = np.zeros(rings, dtype=np.int64)
    ring_zone[riders.ring[riders.ring >= 0]] = riders.zone[riders.ring >= 0]
    k = params.fraud_ring_customers
    ring_customers = customer_start[ring_zone][:, None] + np.floor(
        rng.random((rings, k)) * customer_count[ring_zone][:, None]
    ).astype(np.int64)

    chance = params.by_weather("chance")
    weather = rng.choice(len(chance), size=days, p=chance / chance.sum()).astype(np.int64)
    n_riders = riders.count
    return City(
        params=params,
        start=start,
        days=days,
        base_s=local_midnight_utc(start, params.utc_offset_hours),
        riders=riders,
        zone_weight=zone_p / zone_p.sum(),
        zone_distance=np.asarray(params.zone_distance_km, dtype=np.float64),
        zone_busy=np.asarray(params.zone_busyness, dtype=np.float64),
        merchant_prep=merchant_prep,
        merchant_late_p=merchant_late_p,
        merchant_bias=merchant_bias,
        merchant_cum=merchant_cum,
        customer_start=customer_start,
        customer_count=customer_count,
        customer_unreachable_p=customer_unreachable_p,
        customer_bias=customer_bias,
        ring_customers=ring_customers,
        weather=weather,
        demand_cdf=demand_curve(params),
        rider_ids=fixed_width_ids("R", np.arange(1, n_riders + 1), id_width(6, n_riders)),
        zone_ids=fixed_width_ids("Z", np.arange(1, zones + 1), id_width(2, zones)),
        merchant_ids=fixed_width_ids("M", np.arange(1, n_merchants + 1), id_width(4, n_merchants)),
        customer_ids=fixed_width_ids("C", np.arange(1, n_customers + 1), id_width(6, n_customers)),
        fleet_ids=fixed_width_ids("F", np.arange(1, params.fleets + 1), id_width(2, params.fleets)),
    )
