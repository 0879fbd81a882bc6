"""Rows of the app database that tests add by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from riderperf.storage.models import Rider


def app_rider(rider_id: str, registered_at: datetime, **changes: Any) -> Rider:
    """An active motorbike rider of fleet f1 in Lisbon's zone z1, Portuguese-speaking,
    joined on 2025-01-01; `changes` set other values."""
    values: dict[str, Any] = {
        "rider_id": rider_id,
        "capacity_type": "fleet",
        "fleet_id": "f1",
        "city": "Lisbon",
        "zone_id": "z1",
        "vehicle": "motorbike",
        "joined_on": date(2025, 1, 1),
        "language": "pt",
        "status": "active",
        "registered_at": registered_at,
    }
    return Rider(**(values | changes))
