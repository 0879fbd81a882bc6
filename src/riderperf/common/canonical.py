"""The canonical event format, version 1: tables, columns, types, enums and rules.

This module is the single source of truth for what a dataset may contain. The
importer, the warehouse tables, the simulator, the converters and the docs all
read it; nothing else spells out a column list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FORMAT_VERSION = 1

Kind = Literal["string", "timestamp", "date", "float", "int", "bool", "enum"]

CAPACITY_TYPES = ("full_time", "part_time", "crowdsourced", "fleet")
VEHICLES = ("foot", "bicycle", "ebike", "motorbike", "car")
RIDER_STATUSES = ("active", "suspended", "deactivated")
ORDER_STATUSES = ("delivered", "cancelled")
CANCEL_INITIATORS = ("customer", "merchant", "rider", "platform")
WEATHER = ("clear", "rain", "heavy_rain", "storm", "extreme_heat", "snow", "fog")
OFFER_RESPONSES = ("accepted", "declined", "expired")
RATING_SOURCES = ("customer", "merchant")
COMPLAINT_SOURCES = ("customer", "merchant", "platform", "public")
COMPLAINT_CATEGORIES = (
    "late",
    "food_damaged",
    "rude",
    "contact",
    "wrong_handover",
    "uniform",
    "unsafe_riding",
    "fraud",
    "other",
)
INCIDENT_KINDS = (
    "accident",
    "traffic_violation",
    "speeding",
    "helmet_missing",
    "equipment_missing",
    "document_expired",
    "fraud_signal",
    "other",
)
# Incident kinds that count against safety; an accident only when the rider was at fault.
SAFETY_KINDS = ("speeding", "traffic_violation", "helmet_missing")
SAFETY_AT_FAULT_KINDS = ("accident",)
SEVERITIES = ("minor", "major", "critical")
AT_FAULT = ("yes", "no", "unknown")
# Ids: the one rule shared by the importer and the API (riderperf.api.params).
# At most ID_MAX_LENGTH characters, no control character (C0, DEL or C1), and, checked
# by the importer, already in Unicode NFKC form (so `R１` is refused rather than becoming
# a rider other than `R1`) and not a JSON object or array.
ID_MAX_LENGTH = 100
ID_CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"
ID_PATTERN = rf"^[^{ID_CONTROL_CHARACTERS}]{{1,{ID_MAX_LENGTH}}}$"

# Timestamps: the instant (in UTC) must fall in these years, and a written UTC offset
# must be within ±14:00 (the widest offset in use anywhere).
TIMESTAMP_YEARS = (2000, 2100)
MAX_UTC_OFFSET_MINUTES = 14 * 60

DOC_TYPES = ("id", "licence", "health_certificate", "insurance", "vehicle_registration")

# Ground truth written by the simulator beside a dataset (truth/orders.csv, truth/riders.csv).
RESPONSIBILITY_PARTIES = ("rider", "merchant", "customer", "platform", "force_majeure", "none")
TRUTH_EVENTS = ("late", "cancelled")
ARCHETYPES = (
    "reliable",
    "chronically_late",
    "rude",
    "reckless",
    "gear_neglecting",
    "fraud_ring",
    "ordinary",
)


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()  # allowed values when kind == "enum"
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    identifier: bool = False  # an id: checked against ID_PATTERN and NFKC


@dataclass(frozen=True)
class Reference:
    """A column whose non-null values must exist as the key of another table."""

    column: str
    table: str
    target: str


@dataclass(frozen=True)
class Condition:
    """A column required when another column has one of some values."""

    column: str
    when: str
    equals: tuple[str, ...]


@dataclass(frozen=True)
class Order:
    """`earlier` must not be after `later` when both are present."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    references: tuple[Reference, ...] = ()
    conditions: tuple[Condition, ...] = ()
    timeline: tuple[Order, ...] = ()
    required_in_dataset: bool = False
    description: str = ""
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _s(name: str, required: bool = False, description: str = "") -> Column:
    return Column(name, "string", required, description=description)


def _id(name: str, required: bool = False, description: str = "") -> Column:
    return Column(name, "string", required, description=description, identifier=True)


def _ts(name: str, required: bool = False, description: str = "") -> Column:
    return Column(name, "timestamp", required, description=description)


def _enum(
    name: str, values: tuple[str, ...], required: bool = False, description: str = ""
) -> Column:
    return Column(name, "enum", required, values=values, description=description)


RIDERS = Table(
    name="riders",
    key=("rider_id",),
    required_in_dataset=True,
    description="One row per rider: who they are, how they work, where.",
    columns=(
        _id("rider_id", True),
        _enum("capacity_type", CAPACITY_TYPES, True),
        _id("fleet_id", description="3PL fleet; required when capacity_type is fleet"),
        _s("city", True),
        _id("zone_id"),
        _enum("vehicle", VEHICLES, True),
        Column("joined_on", "date", True),
        _s("language", description="BCP 47 tag such as en, zh, ar, hi, pt"),
        _enum("status", RIDER_STATUSES, True),
    ),
    conditions=(Condition("fleet_id", "capacity_type", ("fleet",)),),
)

ORDERS = Table(
    name="orders",
    key=("order_id",),
    required_in_dataset=True,
    description="One row per order with its full timeline.",
    columns=(
        _id("order_id", True),
        _id("rider_id", description="empty only for an order cancelled before any rider accepted"),
        _s("city", True),
        _id("zone_id"),
        _id("merchant_id"),
        _id("customer_id"),
        _ts("created_at", True),
        _ts("accepted_at"),
        _ts("arrived_store_at"),
        _ts("merchant_ready_at"),
        _ts("picked_up_at"),
        _ts("arrived_customer_at"),
        _ts("delivered_at"),
        _ts("promised_at"),
        _enum("status", ORDER_STATUSES, True),
        _ts("cancelled_at"),
        _enum("cancel_initiator", CANCEL_INITIATORS),
        _s("cancel_reason"),
        Column("distance_km", "float", minimum=0.0, maximum=1000.0),
        _enum("weather", WEATHER),
    ),
    references=(Reference("rider_id", "riders", "rider_id"),),
    conditions=(
        Condition("rider_id", "status", ("delivered",)),
        Condition("picked_up_at", "status", ("delivered",)),
        Condition("delivered_at", "status", ("delivered",)),
        Condition("cancelled_at", "status", ("cancelled",)),
        Condition("cancel_initiator", "status", ("cancelled",)),
    ),
    timeline=(
        Order("created_at", "accepted_at"),
        Order("accepted_at", "arrived_store_at"),
        Order("created_at", "merchant_ready_at"),
        Order("arrived_store_at", "picked_up_at"),
        Order("accepted_at", "picked_up_at"),
        Order("picked_up_at", "arrived_customer_at"),
        Order("arrived_customer_at", "delivered_at"),
        Order("picked_up_at", "delivered_at"),
        Order("created_at", "delivered_at"),
        Order("created_at", "promised_at"),
        Order("created_at", "cancelled_at"),
    ),
)

OFFERS = Table(
    name="offers",
    key=("offer_id",),
    description="Dispatch offers of an order to a rider and the rider's answer.",
    columns=(
        _id("offer_id", True),
        _id("order_id", True),
        _id("rider_id", True),
        _ts("offered_at", True),
        _enum("response", OFFER_RESPONSES, True),
        _ts("responded_at"),
    ),
    references=(
        Reference("order_id", "orders", "order_id"),
        Reference("rider_id", "riders", "rider_id"),
    ),
    timeline=(Order("offered_at", "responded_at"),),
)

RATINGS = Table(
    name="ratings",
    key=("rating_id",),
    description="Stars given by customers or merchants to the rider of an order.",
    columns=(
        _id("rating_id", True),
        _id("order_id", True),
        _id("rider_id", True),
        _enum("source", RATING_SOURCES, True),
        Column("stars", "int", True, minimum=1, maximum=5),
        _s("tags", description="semicolon-separated free tags"),
        _ts("created_at", True),
    ),
    references=(
        Reference("order_id", "orders", "order_id"),
        Reference("rider_id", "riders", "rider_id"),
    ),
)

COMPLAINTS = Table(
    name="complaints",
    key=("complaint_id",),
    description="Complaints about a rider or an order, from any source.",
    columns=(
        _id("complaint_id", True),
        _id("order_id"),
        _id("rider_id"),
        _enum("source", COMPLAINT_SOURCES, True),
        _enum("category", COMPLAINT_CATEGORIES, True),
        _ts("created_at", True),
        _s("text"),
    ),
    references=(
        Reference("order_id", "orders", "order_id"),
        Reference("rider_id", "riders", "rider_id"),
    ),
)

INCIDENTS = Table(
    name="incidents",
    key=("incident_id",),
    description="Safety and conduct incidents: accidents, violations, missing gear.",
    columns=(
        _id("incident_id", True),
        _id("rider_id", True),
        _id("order_id"),
        _ts("occurred_at", True),
        _enum("kind", INCIDENT_KINDS, True),
        _enum("severity", SEVERITIES, True),
        _enum("at_fault", AT_FAULT),
        _s("source"),
    ),
    references=(
        Reference("rider_id", "riders", "rider_id"),
        Reference("order_id", "orders", "order_id"),
    ),
)

DOCUMENTS = Table(
    name="documents",
    key=("rider_id", "doc_type", "expires_on"),
    description="Rider documents and their expiry; a renewal is a new row.",
    columns=(
        _id("rider_id", True),
        _enum("doc_type", DOC_TYPES, True),
        Column("expires_on", "date", True),
        Column("verified", "bool"),
    ),
    references=(Reference("rider_id", "riders", "rider_id"),),
)

# Import order matters: a table comes after every table it references.
TABLES: tuple[Table, ...] = (RIDERS, ORDERS, OFFERS, RATINGS, COMPLAINTS, INCIDENTS, DOCUMENTS)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
FILE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
