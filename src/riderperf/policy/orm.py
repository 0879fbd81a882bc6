"""Stores published policy versions; rows are immutable (database triggers refuse changes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riderperf.storage.models import Base


class PolicyVersionRecord(Base):
    """One published policy version: the whole parameter tree as JSON, and who published it.

    Migration 0002 adds triggers that refuse UPDATE and DELETE on this table, so a
    decision taken under a version can always be reproduced from the same numbers.
    """

    __tablename__ = "policy_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
