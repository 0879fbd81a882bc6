"""Stores the notices sent to riders: the parameters, the language and the exact text they read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from riderperf.storage.models import Base

# JSON has no dates: a date or datetime parameter is stored as {"$date": "2026-12-01"} or
# {"$datetime": "2026-12-01T10:00:00+00:00"}, so it comes back as the same type.
_DATE, _DATETIME = "$date", "$datetime"


def encode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {str(name): _encode(value) for name, value in params.items()}


def decode_params(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _decode(value) for name, value in stored.items()}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return {_DATETIME: moment.isoformat()}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    if isinstance(value, Mapping):
        return encode_params(value)
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value.keys() == {_DATE}:
            return date.fromisoformat(value[_DATE])
        if value.keys() == {_DATETIME}:
            return datetime.fromisoformat(value[_DATETIME])
        return decode_params(value)
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


class TypedParams(TypeDecorator[dict[str, Any]]):
    """A JSON column whose dates and datetimes survive the round trip."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else encode_params(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else decode_params(value)


class UtcDateTime(TypeDecorator[datetime]):
    """DateTime(timezone=True) that always hands back aware UTC (SQLite returns naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Notice(Base):
    """One notice to a rider: what it is about, and the title and body they were shown."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_subject", "subject_type", "subject_id"),)

    notice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rider_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(TypedParams)
    language: Mapped[str] = mapped_column(String(35))  # BCP 47 tag the text is written in
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    direction: Mapped[str] = mapped_column(String(3))  # "ltr" or "rtl"
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
