"""The KPI registry: what each rider KPI counts, over what, and which way is better.

Every KPI is stored as a daily pair of sums per rider (`<name>_num`, `<name>_den` in the
warehouse table `rider_daily`), so any window is a sum of days and its value is
`scale × num / den`. Who is responsible for a late order, a cancellation or a complaint
comes from the responsibility judgment (`judgments`), never from the raw event alone.

`minimum_volume` is the smallest denominator at which a reported value (in a report or a
group table) is shown as enough data. It is not a score input: the score copes with small
numbers by shrinkage toward the peer group, and tiers use the policy's minimum orders.

`sampled` marks a KPI measured on a sample of riders (on-site inspections) rather than on
everything each rider did. A rider with nothing counted on it in the window was not
checked, which says nothing about them: the score leaves the KPI out for that rider and
scales their other weights up, instead of giving them the peers' rate. A rider who was
checked is shrunk toward the peers who were checked, like any other KPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str  # as a rider reads it in a sentence: "on-time rate"
    numerator: str
    denominator: str
    direction: Direction
    unit: str  # "share" (shown as %), "stars", "per 100 orders", "per 1,000 orders"
    scale: float  # value = scale × num / den
    grain: str  # what one unit of the denominator is (a noun that takes a plural "s")
    minimum_volume: int
    description: str
    waiting_for: str | None = None  # data the KPI needs before it can be computed
    sampled: bool = False  # measured on sampled checks: unchecked riders are not measured

    @property
    def available(self) -> bool:
        return self.waiting_for is None


# Minimum volumes: 20 orders is the volume from which DoorDash applies its rating and
# completion-rate thresholds to a Dasher ("once they have accepted at least 20 orders").
# Per-100 and per-1,000 rates need proportionally more orders before one event stops
# dominating them; a rating arrives on roughly a third of orders, so 20 orders bring ~5.
KPIS: tuple[Kpi, ...] = (
    Kpi(
        name="on_time_rate",
        label="on-time rate",
        numerator="delivered orders with a promise not judged late with party rider",
        denominator="delivered orders with a promised time",
        direction="higher",
        unit="share",
        scale=1.0,
        grain="delivered order",
        minimum_volume=20,
        description="Rider-attributed on-time rate: lateness judged on the merchant, the "
        "customer, the platform or the weather does not count against the rider.",
    ),
    Kpi(
        name="rider_cancel_rate",
        label="cancellation rate",
        numerator="cancelled orders judged party rider",
        denominator="orders the rider accepted (orders carrying the rider's id)",
        direction="lower",
        unit="share",
        scale=1.0,
        grain="accepted order",
        minimum_volume=20,
        description="Rider-caused cancellations: a cancellation by the rider because the "
        "customer could not be reached is not the rider's, a merchant cancelling because "
        "the rider never came is.",
    ),
    Kpi(
        name="customer_rating",
        label="average customer rating",
        numerator="sum of customer stars",
        denominator="customer ratings",
        direction="higher",
        unit="stars",
        scale=1.0,
        grain="customer rating",
        minimum_volume=5,
        description="Mean stars (1–5) given by customers; merchant ratings are not counted.",
    ),
    Kpi(
        name="complaint_rate",
        label="complaint rate",
        numerator="complaints judged party rider",
        denominator="delivered orders",
        direction="lower",
        unit="per 100 orders",
        scale=100.0,
        grain="delivered order",
        minimum_volume=100,
        description="Complaints for which the judgment holds the rider responsible, per 100 "
        "delivered orders, dated by the judgment's day.",
    ),
    Kpi(
        name="acceptance_rate",
        label="acceptance rate",
        numerator="offers accepted",
        denominator="offers answered or expired (every offer made to the rider)",
        direction="higher",
        unit="share",
        scale=1.0,
        grain="offer",
        minimum_volume=20,
        description="Share of dispatch offers the rider accepted; an offer left to expire "
        "counts as not accepted.",
    ),
    Kpi(
        name="safety_incidents",
        label="safety incident rate",
        numerator="incidents of kind speeding, traffic_violation or helmet_missing, and "
        "accidents with at_fault = yes",
        denominator="delivered orders",
        direction="lower",
        unit="per 1,000 orders",
        scale=1000.0,
        grain="delivered order",
        minimum_volume=1000,
        description="Safety incidents per 1,000 delivered orders, every kind and severity "
        "counting once; accidents only when the rider was at fault.",
    ),
    Kpi(
        name="document_compliance",
        label="document compliance",
        numerator="document-days valid: for each working day, the rider's document types "
        "whose latest expiry is on or after that day",
        denominator="document-days: for each working day, the document types on file",
        direction="higher",
        unit="share",
        scale=1.0,
        grain="document-day",
        minimum_volume=1,
        description="Share of the rider's documents that were valid on the days they worked "
        "(a working day is a day with at least one accepted order). Verification is the "
        "platform's task and does not count against the rider.",
    ),
    Kpi(
        name="equipment_compliance",
        label="equipment compliance",
        numerator="equipment checklist items passed",
        denominator="equipment checklist items checked (items whose violation was overturned "
        "on appeal do not count)",
        direction="higher",
        unit="share",
        scale=1.0,
        grain="inspection item",
        minimum_volume=5,
        description="Share of equipment items (checklist items with kpi "
        "equipment_compliance: reflective gear, box condition and hygiene, uniform) found in "
        "order at on-site inspections, re-inspections included, dated by the inspection's "
        "day. Inspections are a sample: a rider not inspected in the window is not measured "
        "on it.",
        sampled=True,
    ),
)

KPI_BY_NAME: dict[str, Kpi] = {k.name: k for k in KPIS}
AVAILABLE_KPIS: tuple[Kpi, ...] = tuple(k for k in KPIS if k.available)


def fact_columns() -> list[str]:
    """The `<name>_num`, `<name>_den` columns of `rider_daily`, in registry order."""
    return [f"{k.name}_{part}" for k in AVAILABLE_KPIS for part in ("num", "den")]


def get_kpi(name: str) -> Kpi:
    try:
        return KPI_BY_NAME[name]
    except KeyError:
        known = ", ".join(KPI_BY_NAME)
        raise KeyError(f"unknown KPI {name!r}; the registry has {known}") from None
