"""Policy versions with every parameter, its values by date and where each comes from."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from riderperf.api.schemas.common import UtcDatetime


class PolicyVersionRead(BaseModel):
    version: str
    effective_from: date
    fingerprint: str
    published_at: UtcDatetime
    published_by: str
    note: str


class DatedValueRead(BaseModel):
    since: date
    value: Any
    reference: str | None = None


class ParameterRead(BaseModel):
    path: str
    description: str
    reference: str
    unit: str | None = None
    value_in_force: Any = None
    values: list[DatedValueRead]


class PolicyDetail(PolicyVersionRead):
    parameters: list[ParameterRead]


class PolicyValidation(BaseModel):
    ok: bool
    problems: list[str]
    files: int
    parameters: int
    fingerprint: str | None = None
