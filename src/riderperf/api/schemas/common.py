"""Types shared by the schemas: moments always in UTC with their offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes stored in UTC; the API always says so."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
