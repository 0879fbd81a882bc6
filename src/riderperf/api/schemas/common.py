"""Types shared by the schemas: moments always in UTC with their offset."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator

from riderperf.clock import as_utc as _utc

UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
