"""Checks the audit chain end to end and names the first event that breaks it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from riderperf.audit.log import GENESIS, event_hash
from riderperf.audit.orm import AuditEvent, AuditHead
from riderperf.storage.db import unit_of_work


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_seq: int | None = None
    broken_event_id: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(engine: Engine) -> ChainReport:
    """Recomputes every hash in order; a changed row fails its own hash, a removed row
    leaves a gap in the sequence or a dangling link, a removed tail disagrees with the head."""
    expected_seq, previous = 1, GENESIS
    checked = 0
    with unit_of_work(engine) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(5000)
        for event in events:
            if event.seq != expected_seq:
                return ChainReport(
                    checked,
                    expected_seq,
                    None,
                    f"event {expected_seq} is missing (the next stored event is {event.seq}, "
                    f"{event.event_id}): it was removed",
                )
            if event.prev_hash != previous:
                return _broken(checked, event, "does not link to the event before it")
            if event_hash(event) != event.hash:
                return _broken(checked, event, "was changed after it was written")
            previous, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        head = session.get(AuditHead, 1)
    if head is None:
        return ChainReport(checked, None, None, "the audit head row is missing")
    if head.seq != checked or head.hash != previous:
        return ChainReport(
            checked,
            checked + 1,
            None,
            f"the log ends at event {checked} but its head names event {head.seq}: "
            f"events {checked + 1}–{head.seq} were removed",
        )
    return ChainReport(checked)


def _broken(checked: int, event: AuditEvent, what: str) -> ChainReport:
    return ChainReport(
        checked, event.seq, event.event_id, f"event {event.seq} ({event.event_id}) {what}"
    )
