"""Decides every number that shapes a synthetic city; each parameter carries its meaning."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riderperf.common import canonical as schema


def _p(default: Any, doc: str) -> Any:
    """A scalar or tuple parameter with its one-line meaning (read by the docs and tests)."""
    return field(default=default, metadata={"doc": doc})


def _m(values: Mapping[str, Any], doc: str) -> Any:
    """A parameter keyed by a canonical enum value (capacity type, vehicle, archetype, …)."""
    frozen = dict(values)
    return field(default_factory=lambda: dict(frozen), metadata={"doc": doc})


# The enum each per-enum table is keyed by, and the meaning of its columns.
TABLE_LAYOUT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "capacity_table": (
        schema.CAPACITY_TYPES,
        ("share", "work_probability", "orders_per_day", "shift_hours"),
    ),
    "vehicle_table": (schema.VEHICLES, ("share", "speed_kmh", "range")),
    "archetype_table": (
        schema.ARCHETYPES,
        ("share", "pace", "idle_probability", "no_show", "accident", "at_fault", "stars"),
    ),
    "weather_table": (
        schema.WEATHER,
        ("chance", "slowdown", "volume", "cancel_probability", "dispatch_strain"),
    ),
}


@dataclass(frozen=True)
class SimulationParams:
    """Every tunable of the generator. Mappings are keyed by the canonical enum values."""

    # The city
    city: str = _p("Port Meridian", "city name written on every rider and order")
    utc_offset_hours: int = _p(4, "fixed local offset from UTC; local days and peaks use it")
    zone_weights: tuple[float, ...] = _p(
        (0.22, 0.18, 0.15, 0.12, 0.11, 0.09, 0.08, 0.05),
        "share of riders, merchants and customers per zone Z01…; dense core first",
    )
    zone_distance_km: tuple[float, ...] = _p(
        (1.8, 2.1, 2.5, 2.9, 3.3, 3.9, 4.6, 5.4),
        "mean merchant-to-customer distance per zone (gamma, shape 3)",
    )
    zone_busyness: tuple[float, ...] = _p(
        (1.15, 1.10, 1.05, 1.0, 0.95, 0.9, 0.85, 0.8),
        "multiplier on a rider's daily orders per zone",
    )
    merchants_per_rider: float = _p(0.15, "merchants in the city per starting rider")
    customers_per_rider: float = _p(30.0, "customers in the city per starting rider")
    fleets: int = _p(4, "number of 3PL fleets F01…")
    # Riders
    capacity_table: Mapping[str, tuple[float, float, float, float]] = _m(
        {  # share, work_probability, orders_per_day, shift_hours
            "full_time": (0.35, 0.88, 27.5, 10.0),
            "part_time": (0.25, 0.75, 15.0, 5.0),
            "crowdsourced": (0.25, 0.55, 9.5, 4.0),
            "fleet": (0.15, 0.90, 26.0, 10.5),
        },
        "per capacity type: share of riders; chance of working a day; mean orders in a worked "
        "day (Poisson, before zone, weather and weekday factors); shift length in hours",
    )
    shift_starts: Mapping[str, tuple[float, ...]] = _m(
        {
            "full_time": (10.0,),
            "part_time": (10.5, 17.0),
            "crowdsourced": (8.0, 11.0, 14.0, 17.0, 19.0),
            "fleet": (10.0,),
        },
        "candidate local start hours, one picked uniformly per rider-day",
    )
    shift_start_jitter_hours: float = _p(0.75, "sd of the start hour around the candidate")
    first_shift_hour: float = _p(6.0, "no shift starts before this local hour")
    productivity_sigma: float = _p(0.25, "sd of log rider productivity (orders multiplier)")
    vehicle_table: Mapping[str, tuple[float, float, float]] = _m(
        {  # share, speed_kmh, range
            "foot": (0.04, 6.0, 0.25),
            "bicycle": (0.14, 14.0, 0.7),
            "ebike": (0.37, 20.0, 1.0),
            "motorbike": (0.35, 26.0, 1.1),
            "car": (0.10, 22.0, 1.2),
        },
        "per vehicle: share of riders; expected speed in clear weather; multiplier on order "
        "distance (dispatch gives slow vehicles short trips)",
    )
    language_mix: Mapping[str, float] = _m(
        {"en": 0.35, "ar": 0.2, "hi": 0.25, "zh": 0.1, "pt": 0.1}, "rider languages"
    )
    archetype_table: Mapping[str, tuple[float, float, float, float, float, float, float]] = _m(
        {  # share, pace, idle_probability, no_show, accident, at_fault, stars
            "reliable": (0.25, 0.93, 0.005, 0.0002, 0.0002, 0.30, 0.2),
            "chronically_late": (0.06, 1.40, 0.35, 0.012, 0.0002, 0.55, -0.2),
            "rude": (0.04, 1.00, 0.03, 0.001, 0.0002, 0.55, -1.4),
            "reckless": (0.04, 0.82, 0.01, 0.001, 0.002, 0.85, -0.3),
            "gear_neglecting": (0.04, 1.00, 0.03, 0.001, 0.0002, 0.55, 0.0),
            "fraud_ring": (0.02, 1.00, 0.03, 0.001, 0.0002, 0.55, 0.0),
            "ordinary": (0.55, 1.00, 0.03, 0.001, 0.0002, 0.55, 0.0),
        },
        "per archetype: share of riders (fraud rings drawn as whole rings); median travel-time "
        "multiplier to the customer; chance of idling on the way; chance of accepting and never "
        "coming (merchant cancels, cause rider); chance of an accident ending the order; chance "
        "the rider caused an accident; latent stars added to ratings",
    )
    fraud_ring_size: int = _p(5, "riders per fraud ring; a ring shares one zone")
    fraud_ring_customers: int = _p(6, "accomplice customers shared by a ring")
    fraud_fake_share: float = _p(0.3, "share of a ring member's orders that are faked")
    fraud_no_arrival_share: float = _p(0.6, "faked deliveries with no arrived_customer_at")
    newcomer_daily_rate: float = _p(0.003, "newcomers joining per day, per starting rider")
    newcomer_ramp_days: int = _p(7, "days a newcomer rides slower")
    newcomer_slowdown: float = _p(1.12, "travel-time multiplier during the ramp")
    suspended_share: float = _p(0.01, "riders suspended during the period (stop working)")
    deactivated_share: float = _p(0.02, "riders deactivated during the period (stop working)")
    veteran_max_tenure_days: int = _p(1500, "starting riders joined up to this many days before")
    pace_sigma: float = _p(0.07, "sd of log travel-time multiplier between riders")
    idle_minutes: tuple[float, float] = _p((5.0, 22.0), "idle length range (uniform)")
    # Demand curve (local time)
    lunch_peak: tuple[float, float, float] = _p((12.5, 1.0, 1.0), "local hour, sd (h), weight")
    dinner_peak: tuple[float, float, float] = _p((19.25, 1.25, 1.3), "local hour, sd, weight")
    background_demand: float = _p(0.02, "flat demand per hour between 07:00 and 23:30")
    weekend_volume: float = _p(1.12, "order multiplier on Saturday and Sunday")
    peak_hours: tuple[tuple[float, float], ...] = _p(
        ((11.5, 13.5), (18.5, 20.5)), "local windows where platform delays double"
    )
    # Weather
    weather_table: Mapping[str, tuple[float, float, float, float, float]] = _m(
        {  # chance, slowdown, volume, cancel_probability, dispatch_strain
            "clear": (0.60, 1.00, 1.00, 0.00, 1.0),
            "rain": (0.14, 1.20, 1.10, 0.00, 1.3),
            "heavy_rain": (0.06, 1.45, 1.15, 0.01, 1.8),
            "storm": (0.03, 1.85, 0.90, 0.06, 3.0),
            "extreme_heat": (0.08, 1.12, 1.05, 0.00, 1.2),
            "snow": (0.02, 1.60, 1.00, 0.03, 2.0),
            "fog": (0.07, 1.25, 1.00, 0.00, 1.2),
        },
        "per weather (one per day, city-wide): daily chance; travel-time multiplier; order-volume "
        "multiplier; chance the platform cancels an order for weather (cause force_majeure); "
        "multiplier on platform delays and no-rider cancellations",
    )
    # Dispatch and offers
    platform_delay_probability: float = _p(0.015, "chance of a planted dispatch delay")
    platform_delay_minutes: tuple[float, float] = _p((8.0, 28.0), "planted delay range")
    prior_offer_probabilities: tuple[float, ...] = _p(
        (0.7, 0.18, 0.08, 0.04), "chance of 0, 1, 2, 3 declined/expired offers before acceptance"
    )
    expired_share: float = _p(0.35, "share of unaccepted offers that expire instead of declined")
    offer_timeout_minutes: float = _p(0.75, "an unanswered offer expires after this")
    no_rider_probability: float = _p(0.003, "chance nobody accepts (platform cancels)")
    # Merchants
    merchant_prep_minutes: tuple[float, float] = _p((6.0, 13.0), "merchant mean prep range")
    prep_sigma: float = _p(0.25, "sd of log preparation time per order")
    unreliable_merchant_share: float = _p(0.12, "merchants often late with food")
    merchant_late_probability: tuple[float, float] = _p(
        (0.015, 0.2), "chance of a planted food delay: reliable, unreliable merchant"
    )
    merchant_late_minutes: tuple[float, float] = _p((8.0, 30.0), "planted food delay range")
    # Customers
    hard_to_reach_share: float = _p(0.05, "customers often unreachable at the door")
    unreachable_probability: tuple[float, float] = _p(
        (0.01, 0.2), "chance the customer is unreachable: ordinary, hard-to-reach customer"
    )
    unreachable_wait_minutes: tuple[float, float] = _p((6.0, 22.0), "door wait when unreachable")
    door_minutes: tuple[float, float] = _p((0.3, 2.5), "normal handover at the door")
    rater_bias_sigma: float = _p(0.45, "sd of a customer's or merchant's star bias")
    # Promise and attribution
    promise_minutes: tuple[float, float, float, float] = _p(
        (25.0, 5.0, 25.0, 55.0), "promise = a + b*distance_km, clipped to [c, d] minutes"
    )
    dispatch_allowance_minutes: float = _p(3.0, "dispatch time not counted against platform")
    food_wait_allowance_minutes: float = _p(4.0, "wait for food not counted against merchant")
    door_allowance_minutes: float = _p(3.0, "door wait not counted against customer")
    cause_floor_minutes: float = _p(1.0, "a late order whose biggest cause is below this: none")
    # Cancellations
    cancel_probability: Mapping[str, float] = _m(
        {
            "customer_changed_mind": 0.012,
            "merchant_out_of_stock": 0.005,
            "merchant_closed": 0.001,
            "rider_vehicle_breakdown": 0.0008,
            "customer_waited_too_long": 0.1,
            "customer_unreachable": 0.3,
        },
        "per-order chances; the last two apply to orders with a long delay / unreachable door",
    )
    # Feedback
    customer_rating_probability: tuple[float, float] = _p((0.3, 0.5), "chance: on time, late")
    merchant_rating_probability: float = _p(0.06, "chance the merchant rates the rider")
    stars_mean: float = _p(4.55, "latent stars of a good delivery")
    stars_per_late_minute: float = _p(0.08, "stars lost per late minute (capped at 30)")
    stars_noise: float = _p(0.6, "sd of rating noise")
    complaint_probability: Mapping[str, float] = _m(
        {
            "late": 0.003,
            "food_damaged": 0.003,
            "rude": 0.001,
            "contact": 0.002,
            "wrong_handover": 0.001,
            "uniform": 0.0005,
            "unsafe_riding": 0.0003,
            "fraud": 0.0002,
            "other": 0.001,
        },
        "base chance per delivered order of each complaint category (noise)",
    )
    late_complaint_probability: float = _p(0.25, "chance of a late complaint, late > 10 min")
    archetype_complaints: Mapping[str, tuple[str, float]] = _m(
        {
            "rude": ("rude", 0.035),
            "reckless": ("unsafe_riding", 0.01),
            "gear_neglecting": ("uniform", 0.012),
            "chronically_late": ("contact", 0.008),
        },
        "extra complaint category and chance per order for an archetype",
    )
    fraud_complaint_probability: float = _p(0.25, "chance a faked delivery draws a complaint")
    # Incidents and documents
    incident_probability: Mapping[str, tuple[float, float]] = _m(
        {
            "speeding": (0.0004, 0.008),
            "traffic_violation": (0.0002, 0.003),
            "accident": (8e-5, 8e-4),
        },
        "chance per delivered order: ordinary rider, reckless rider",
    )
    gear_incident_probability: tuple[float, float] = _p(
        (0.002, 0.05), "chance per worked day of a helmet/equipment finding: others, neglecting"
    )
    fraud_signal_probability: float = _p(0.2, "chance a faked delivery raises a fraud_signal")
    document_expired_probability: tuple[float, float] = _p(
        (0.02, 0.3), "chance a document expired before the period: others, gear-neglecting"
    )
    document_expiring_probability: tuple[float, float] = _p(
        (0.05, 0.25), "chance a document expires during the period: others, gear-neglecting"
    )
    document_renewal_probability: tuple[float, float] = _p(
        (0.7, 0.15), "chance an expiring/expired document is renewed: others, gear-neglecting"
    )

    # Machinery
    orders_per_batch: int = _p(
        500_000, "most orders generated and written at once; bounds memory on busy days"
    )

    def by_capacity(self, column: str) -> NDArray[np.float64]:
        return self._column("capacity_table", column)

    def by_archetype(self, column: str) -> NDArray[np.float64]:
        return self._column("archetype_table", column)

    def by_vehicle(self, column: str) -> NDArray[np.float64]:
        return self._column("vehicle_table", column)

    def by_weather(self, column: str) -> NDArray[np.float64]:
        return self._column("weather_table", column)

    def _column(self, table: str, column: str) -> NDArray[np.float64]:
        """A column of a per-enum table, laid out in its enum's schema order (codes index it)."""
        keys, columns = TABLE_LAYOUT[table]
        at = columns.index(column)
        rows: Mapping[str, tuple[float, ...]] = getattr(self, table)
        return np.array([float(rows[k][at]) for k in keys], dtype=np.float64)

    def validate(self) -> None:
        """Raise ValueError when a table misses a canonical key or a mix is not a distribution."""
        keyed = {name: keys for name, (keys, _) in TABLE_LAYOUT.items()}
        for name, keys in (keyed | {"shift_starts": schema.CAPACITY_TYPES}).items():
            if set(getattr(self, name)) != set(keys):
                raise ValueError(f"SimulationParams.{name} must have exactly the keys {keys}")
        mixes = {t: self._column(t, cols[0]) for t, (_, cols) in TABLE_LAYOUT.items()}
        mixes["language_mix"] = np.array(list(self.language_mix.values()))
        mixes["prior_offer_probabilities"] = np.array(self.prior_offer_probabilities)
        for name, shares in mixes.items():
            if abs(shares.sum() - 1.0) > 1e-6:
                raise ValueError(f"SimulationParams.{name} shares sum to {shares.sum()}, not 1")
        if not len(self.zone_weights) == len(self.zone_distance_km) == len(self.zone_busyness):
            raise ValueError("zone_weights, zone_distance_km and zone_busyness differ in length")
        if not 0 <= self.utc_offset_hours <= self.first_shift_hour:
            raise ValueError("utc_offset_hours must lie in [0, first_shift_hour]")


def parameter_docs() -> list[tuple[str, str, str]]:
    """(name, default, meaning) for every parameter, in declaration order."""
    defaults = SimulationParams()
    return [(f.name, repr(getattr(defaults, f.name)), f.metadata["doc"]) for f in fields(defaults)]
