"""App database tables (SQLAlchemy 2): the rider registry and the import history.

Portable column types only, so SQLite and PostgreSQL stay equally supported.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Rider(Base):
    """A rider as the app knows them; imported from the canonical `riders` table."""

    __tablename__ = "riders"

    rider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    capacity_type: Mapped[str] = mapped_column(String(20))
    fleet_id: Mapped[str | None] = mapped_column(String(64), index=True)
    city: Mapped[str] = mapped_column(String(100), index=True)
    zone_id: Mapped[str | None] = mapped_column(String(64))
    vehicle: Mapped[str] = mapped_column(String(20))
    joined_on: Mapped[date] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(20))
    # Personal data, optional: shown masked to roles that do not need it (docs/api.md).
    display_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImportRun(Base):
    """One `riderperf import`: what was read, what it changed, where the rejects went."""

    __tablename__ = "import_runs"

    import_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exit_code: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# The rider registry with the personal columns migration 0010 adds. The shared `Rider` ORM
# class does not map them yet, so the API reads them through this lightweight table.
riders_table = sa.table(
    "riders",
    sa.column("rider_id", sa.String),
    sa.column("capacity_type", sa.String),
    sa.column("fleet_id", sa.String),
    sa.column("city", sa.String),
    sa.column("zone_id", sa.String),
    sa.column("vehicle", sa.String),
    sa.column("joined_on", sa.Date),
    sa.column("language", sa.String),
    sa.column("status", sa.String),
    sa.column("display_name", sa.String),
    sa.column("phone", sa.String),
)
