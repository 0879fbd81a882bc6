"""Notices a rider received, in their language."""

from __future__ import annotations

from pydantic import BaseModel

from riderperf.api.schemas.common import UtcDatetime


class NoticeRead(BaseModel):
    notice_id: str
    rider_id: str
    kind: str
    language: str
    direction: str
    title: str
    body: str
    subject_type: str
    subject_id: str
    created_at: UtcDatetime
    read_at: UtcDatetime | None = None
