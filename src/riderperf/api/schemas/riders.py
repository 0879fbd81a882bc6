"""Riders as the API shows them, personal data masked by the caller's role."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class RiderRead(BaseModel):
    rider_id: str
    capacity_type: str
    fleet_id: str | None = None
    city: str
    zone_id: str | None = None
    vehicle: str
    joined_on: date
    language: str | None = None
    status: str
    display_name: str | None = None  # masked for roles that do not need it
    phone: str | None = None  # masked for roles that do not need it


class RiderPage(BaseModel):
    items: list[RiderRead]
    total: int
    limit: int
    offset: int
