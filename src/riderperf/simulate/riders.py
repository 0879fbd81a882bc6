"""Decides who rides: capacity, fleet, zone, vehicle, language, archetype, tenure and pace."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.params import SimulationParams

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

ARCHETYPE = {name: code for code, name in enumerate(schema.ARCHETYPES)}
FRAUD_RING = ARCHETYPE["fraud_ring"]
FLEET = schema.CAPACITY_TYPES.index("fleet")
ACTIVE = schema.RIDER_STATUSES.index("active")


@dataclass(frozen=True)
class Riders:
    """One entry per rider; codes index the canonical enum tuples of schema.py."""

    capacity: I64
    fleet: I64  # 0-based fleet number, -1 when not a fleet rider
    zone: I64
    vehicle: I64
    language: I64  # index into `languages`
    archetype: I64
    status: I64
    join_day: I64  # day offset from the period start; negative for veterans
    leave_day: I64  # first day no longer worked (the period length when still active)
    pace: F64  # travel-time multiplier on the way to the customer
    productivity: F64  # multiplier on daily orders
    ring: I64  # fraud ring number, -1 when none
    languages: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.capacity)


def _pick(rng: np.random.Generator, p: F64, n: int) -> I64:
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def count_newcomers(starting: int, days: int, params: SimulationParams) -> int:
    """Newcomers join on days 1 … days-1, so a one-day period has none."""
    if days < 2:
        return 0
    return round(starting * params.newcomer_daily_rate * (days - 1))


def draw_riders(
    starting: int, days: int, params: SimulationParams, rng: np.random.Generator
) -> Riders:
    """Starting riders first (ids R…1 to `starting`), then newcomers ordered by join day."""
    newcomers = count_newcomers(starting, days, params)
    n = starting + newcomers
    zone_p = np.asarray(params.zone_weights, dtype=np.float64)
    capacity = _pick(rng, params.by_capacity("share"), n)
    fleet = np.where(capacity == FLEET, rng.integers(0, params.fleets, n), -1).astype(np.int64)
    zone = _pick(rng, zone_p, n)
    vehicle = _pick(rng, params.by_vehicle("share"), n)
    languages = tuple(sorted(params.language_mix))
    language = _pick(rng, np.array([params.language_mix[k] for k in languages]), n)

    arch_p = params.by_archetype("share")
    arch_p[FRAUD_RING] = 0.0
    archetype = _pick(rng, arch_p, n)
    ring = np.full(n, -1, dtype=np.int64)
    size = params.fraud_ring_size
    rings = round(starting * params.archetype_table["fraud_ring"][0] / size)
    rings = min(rings, starting // size)
    if rings:
        members = rng.choice(starting, size=rings * size, replace=False).reshape(rings, size)
        archetype[members] = FRAUD_RING
        ring[members] = np.arange(rings)[:, None]
        zone[members] = zone[members[:, 0]][:, None]

    stopped_p = (params.suspended_share, params.deactivated_share)
    status_p = np.array([1.0 - sum(stopped_p), *stopped_p])
    status = np.full(n, ACTIVE, dtype=np.int64)
    status[:starting] = _pick(rng, status_p, starting)
    leave_day = np.full(n, days, dtype=np.int64)
    stopped = status != ACTIVE
    leave_day[stopped] = rng.integers(1, days + 1, int(stopped.sum()))
    join_day = np.empty(n, dtype=np.int64)
    join_day[:starting] = -rng.integers(1, params.veteran_max_tenure_days + 1, starting)
    join_day[starting:] = np.sort(rng.integers(1, max(days, 2), newcomers))

    median = params.by_archetype("pace")[archetype]
    pace = median * np.exp(rng.normal(0.0, params.pace_sigma, n))
    sigma = params.productivity_sigma
    productivity = np.exp(rng.normal(-sigma * sigma / 2, sigma, n))
    return Riders(
        capacity=capacity,
        fleet=fleet,
        zone=zone,
        vehicle=vehicle,
        language=language,
        archetype=archetype,
        status=status,
        join_day=join_day,
        leave_day=leave_day,
        pace=pace,
        productivity=productivity,
        ring=ring,
        languages=languages,
    )
