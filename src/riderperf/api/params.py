"""Path and query parameters shared by the routers, validated before any database sees them.

Ids refuse control characters (PostgreSQL refuses NUL in text, and no id holds one).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from riderperf.api.errors import ApiError
from riderperf.common.canonical import ID_PATTERN as ID_PATTERN  # shared with the importer
from riderperf.common.periods import FORMS, Period, parse_period

TEXT_PATTERN = r"^[^\x00]*$"
PERIOD_PATTERN = r"^[0-9WQwq.\-]{4,30}$"

RiderIdPath = Annotated[str, Path(pattern=ID_PATTERN, description="A rider id.")]
DecisionIdPath = Annotated[str, Path(pattern=ID_PATTERN, description="A decision id.")]
CaseIdPath = Annotated[str, Path(pattern=ID_PATTERN, description="A case id.")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN, description=f"A period label: {FORMS}.")]
PeriodQuery = Annotated[str, Query(pattern=PERIOD_PATTERN, description=f"A period label: {FORMS}.")]
OptionalId = Annotated[str | None, Query(pattern=ID_PATTERN)]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]


def period_of(label: str) -> Period:
    """The period a label names; 422 with the accepted forms when it names none."""
    try:
        return parse_period(label)
    except ValueError as exc:
        raise ApiError(422, f"period {label!r}: {exc}", details={"forms": FORMS}) from exc
