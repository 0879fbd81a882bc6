"""Checks the audit chain end to end and names every event that breaks it.

The walk never stops at the first break: a changed, removed, inserted or malformed event is
reported by its sequence number and id, and the walk goes on from the hash that event
stores, so one tampered row yields one report and later tampering is still found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson
from sqlalchemy import Engine

from riderperf.audit.log import GENESIS, content_hash
from riderperf.audit.stored import (
    StoredRow,
    canonical_content,
    non_utf8_problem,
    show_event_id,
    stored_rows,
)

# A log rewritten wholesale would otherwise produce a report as long as the log; the rest
# are counted in `unlisted`.
LISTED_BREAKS = 1000


@dataclass(frozen=True)
class ChainBreak:
    """One place the chain breaks: the event (None when the head row is at fault) and what."""

    seq: int | None
    event_id: str | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    events: int  # rows read, malformed ones included
    breaks: tuple[ChainBreak, ...] = ()
    unlisted: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def break_count(self) -> int:
        return len(self.breaks) + self.unlisted

    @property
    def broken_seq(self) -> int | None:
        return self.breaks[0].seq if self.breaks else None

    @property
    def broken_event_id(self) -> str | None:
        return self.breaks[0].event_id if self.breaks else None

    @property
    def problem(self) -> str | None:
        """The first break, the one to look at first."""
        return self.breaks[0].problem if self.breaks else None


def verify_chain(engine: Engine) -> ChainReport:
    """Recomputes every hash in order; a changed row fails its own hash, a removed row
    leaves a gap in the sequence or a dangling link, a removed tail disagrees with the head,
    and a row holding a value the application never writes is named with that value."""
    with stored_rows(engine) as (rows, head):
        return walk_chain(rows, head)


def walk_chain(rows: Iterable[StoredRow], head: StoredRow | None) -> ChainReport:
    """The chain check over raw rows in sequence order and the raw (seq, hash) of the head."""
    found = _Breaks()
    expected_seq = 1
    previous: str | None = GENESIS  # None after a row whose hash is unknown
    events = 0
    for row in rows:
        events += 1
        seq, event_id, prev_hash, stored_hash = row[0], row[1], row[9], row[10]
        name = _name(seq, event_id)
        linked = previous is not None
        if type(seq) is int:
            if seq > expected_seq:
                gap = (
                    f"event {expected_seq}"
                    if seq == expected_seq + 1
                    else (f"events {expected_seq}–{seq - 1}")
                )
                found.add(
                    expected_seq,
                    None,
                    f"{gap} missing (the next stored event is {seq}, "
                    f"{show_event_id(event_id)}): removed",
                )
                linked = False  # the link to the removed event cannot be checked
            elif seq < expected_seq:
                found.add(seq, event_id, f"{name} is out of sequence (expected {expected_seq})")
            expected_seq = max(expected_seq, seq + 1)
        content = canonical_content(row)
        if isinstance(content, str):
            found.add(seq, event_id, f"{name} is malformed: {content}")
        else:
            if linked and prev_hash != previous:
                found.add(seq, event_id, f"{name} does not link to the event before it")
            try:
                computed = content_hash(*content, prev_hash)
            except orjson.JSONEncodeError:
                found.add(seq, event_id, f"{name} is malformed: {non_utf8_problem(row)}")
            else:
                if computed != stored_hash:
                    found.add(seq, event_id, f"{name} was changed after it was written")
        previous = stored_hash if type(stored_hash) is str else None
    _check_head(found, head, expected_seq - 1, previous)
    return ChainReport(events, tuple(found.listed), found.unlisted)


def _check_head(found: _Breaks, head: StoredRow | None, last: int, previous: str | None) -> None:
    if head is None:
        found.add(None, None, "the audit head row is missing")
        return
    head_seq, head_hash = head
    if type(head_seq) is not int or type(head_hash) is not str:
        found.add(None, None, f"the audit head row is malformed: {head!r:.80}")
    elif head_seq > last:
        found.add(
            last + 1,
            None,
            f"the log ends at event {last} but its head names event {head_seq}: "
            f"events {last + 1}–{head_seq} were removed",
        )
    elif head_seq < last:
        found.add(
            head_seq + 1,
            None,
            f"the log goes on to event {last} but its head names event {head_seq}: "
            f"events {head_seq + 1}–{last} were added behind the application's back",
        )
    elif head_hash != previous:
        found.add(last, None, f"the head's hash does not match event {last}, the last one")


class _Breaks:
    def __init__(self) -> None:
        self.listed: list[ChainBreak] = []
        self.unlisted = 0

    def add(self, seq: object, event_id: object, problem: str) -> None:
        if len(self.listed) >= LISTED_BREAKS:
            self.unlisted += 1
            return
        self.listed.append(
            ChainBreak(
                seq if type(seq) is int else None,
                event_id if type(event_id) is str else None,
                problem,
            )
        )


def _name(seq: object, event_id: object) -> str:
    number = seq if type(seq) is int else f"with sequence number {seq!r:.40}"
    return f"event {number} ({show_event_id(event_id)})"
