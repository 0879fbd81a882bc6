"""Reads published cards: an evaluation's card table (`ScorecardTable`), decoded once and
kept, and a rider's card built from its row.

A stored card table never changes (a new evaluation gets a new id), so a decoded one is
kept for the next read: the scorecard API answers from memory after the first read of an
evaluation. The few newest are kept per process (`KEPT`), keyed by the database's URL and
the evaluation id. A kept table of 100,000 riders holds about 80 MB (the KPI numbers as one
float matrix, text dictionary-encoded).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Connection, Engine, select
from sqlalchemy.orm import Session

from riderperf.evaluation.orm import Evaluation, ScorecardTable

if TYPE_CHECKING:
    from riderperf.metrics.card_table import CardRows

KEPT = 4
_log = logging.getLogger(__name__)
_kept: OrderedDict[tuple[URL, str], CardRows] = OrderedDict()
_lock = threading.Lock()


def card_rows(source: Connection | Session, evaluation_id: str) -> CardRows | None:
    """The card table of `evaluation_id`, or None when it has none."""
    # The analytics libraries are loaded by the first read, not when the server starts.
    from riderperf.metrics.card_table import CardRows, from_parquet

    bind = source.get_bind() if isinstance(source, Session) else source.engine
    key = (bind.engine.url, evaluation_id)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    query = select(ScorecardTable.parquet).where(ScorecardTable.evaluation_id == evaluation_id)
    data = source.execute(query).scalar()
    if data is None:
        return None
    rows = CardRows(from_parquet(data))
    with _lock:
        _kept[key] = rows
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return rows


def card_dict(
    source: Connection | Session, evaluation_id: str, rider_id: str
) -> dict[str, Any] | None:
    """The rider's card in `evaluation_id` as `Scorecard.as_dict()` writes it, or None."""
    rows = card_rows(source, evaluation_id)
    found = None if rows is None else rows.index.get(rider_id)
    return None if found is None or rows is None else rows.card_dict(found)


def card_dicts(
    source: Connection | Session, evaluation_id: str, rider_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The cards of `rider_ids` in `evaluation_id` (those it has), by rider id."""
    rows = card_rows(source, evaluation_id)
    if rows is None:
        return {}
    found = ((rider, rows.index.get(rider)) for rider in rider_ids)
    return {rider: rows.card_dict(i) for rider, i in found if i is not None}


def forget_cards() -> None:
    """Drops every kept card table (the tests reuse a database, and its evaluation ids,
    between tests; the app never reuses an evaluation id)."""
    with _lock:
        _kept.clear()


def warm_up(engine: Engine, newest: int = 2) -> threading.Thread:
    """Loads, in a background thread, what the first scorecard read needs: the analytics
    libraries (about half a second) and the card tables of the `newest` published
    evaluations. A server calls it when it starts, so its first readers do not wait; a
    failure only leaves the first read to do the work."""

    def run() -> None:
        try:
            with engine.connect() as connection:
                query = (
                    select(Evaluation.evaluation_id)
                    .where(Evaluation.published.is_(True))
                    .order_by(Evaluation.period_end.desc())
                    .limit(newest)
                )
                for evaluation_id in connection.execute(query).scalars().all():
                    card_rows(connection, evaluation_id)
        except Exception:  # an optimisation only: the first read loads what it needs
            _log.debug("loading the newest card tables failed", exc_info=True)

    thread = threading.Thread(target=run, name="riderperf-cards-warm-up", daemon=True)
    thread.start()
    return thread
