"""Evaluations as the API lists them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from riderperf.api.schemas.common import UtcDatetime


class EvaluationRead(BaseModel):
    evaluation_id: str
    period: str
    start: date
    end: date  # exclusive
    policy_version: str
    purpose: Literal["official", "scenario"]
    published: bool
    started_at: UtcDatetime
    riders: int
    judgments: int
