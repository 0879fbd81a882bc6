"""What "published" means, written once: of each period's official evaluations, the newest
one is published; riders see it, decisions and reports use it, the next period's tier
hysteresis reads it. Scenario evaluations (what-ifs) are never published.

The flag is stored (`Evaluation.published`) rather than recomputed from start times, and a
partial unique index allows one published evaluation per period: two evaluations of the
same period finishing at once cannot both become what riders see.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, RowMapping, Select, bindparam, select, update
from sqlalchemy.orm import Session

from riderperf.evaluation.orm import OFFICIAL, Evaluation, Scorecard
from riderperf.storage.db import unit_of_work


def published_evaluation(session: Session, period: str) -> Evaluation | None:
    """The published evaluation of `period` (a label such as 2026-W45), or None."""
    return session.scalars(
        select(Evaluation).where(Evaluation.period == period, Evaluation.published.is_(True))
    ).first()


def published_ids() -> Select[str]:
    """The ids of every period's published evaluation, to use in a query's WHERE."""
    return select(Evaluation.evaluation_id).where(Evaluation.published.is_(True))


# A primary-key lookup through the id of the period's published evaluation: filtering on
# the period instead lets SQLite walk every scorecard of the period (100,000 in a large
# city). Built once, as the scorecard API reads it on every request.
_IN_PUBLISHED_OF_PERIOD = (
    Scorecard.evaluation_id
    == select(Evaluation.evaluation_id)
    .where(Evaluation.period == bindparam("period"), Evaluation.published.is_(True))
    .scalar_subquery(),
    Scorecard.rider_id == bindparam("rider_id"),
)
# A scorecard as plain columns: what the scorecard API answers from without building ORM
# objects (a tenth of the time of loading a `Scorecard` on SQLite); the card itself comes
# from the evaluation's card table (`evaluation.cards`).
CARD_COLUMNS = (
    Scorecard.rider_id,
    Scorecard.period,
    Scorecard.evaluation_id,
    Scorecard.policy_version,
    Scorecard.status,
    Scorecard.score,
    Scorecard.tier,
    Scorecard.previous_tier,
    Scorecard.explanation,
)
_PUBLISHED_CARD_ROW = select(*CARD_COLUMNS).where(*_IN_PUBLISHED_OF_PERIOD)
_LATEST_CARD_ROW = (
    select(*CARD_COLUMNS)
    .where(
        Scorecard.evaluation_id.in_(published_ids()), Scorecard.rider_id == bindparam("rider_id")
    )
    .order_by(Scorecard.period_end.desc(), Scorecard.period)
    .limit(1)
)


def published_card_row(connection: Connection, period: str, rider_id: str) -> RowMapping | None:
    """The rider's scorecard in the published evaluation of `period` as the row of
    `CARD_COLUMNS`, or None."""
    found = connection.execute(_PUBLISHED_CARD_ROW, {"period": period, "rider_id": rider_id})
    return found.mappings().first()


def latest_card_row(connection: Connection, rider_id: str) -> RowMapping | None:
    """The rider's newest published scorecard (latest period) as the row of `CARD_COLUMNS`,
    or None."""
    found = connection.execute(_LATEST_CARD_ROW, {"rider_id": rider_id})
    return found.mappings().first()


def published_scorecards() -> Select[Scorecard]:
    """Scorecards of published evaluations only (add your own WHERE and ORDER BY)."""
    return select(Scorecard).where(Scorecard.evaluation_id.in_(published_ids()))


def newest_evaluation(session: Session, period: str, policy_version: str) -> Evaluation | None:
    """The newest evaluation of `period` under `policy_version`, official or scenario: what
    `--policy` asks for when a user compares a what-if with what was published."""
    return session.scalars(
        select(Evaluation)
        .where(Evaluation.period == period, Evaluation.policy_version == policy_version)
        .order_by(Evaluation.started_at.desc(), Evaluation.evaluation_id.desc())
        .limit(1)
    ).first()


def publish(session: Session, evaluation: Evaluation) -> None:
    """Makes an official `evaluation` (added to `session`, not yet flushed) the published
    one of its period, in the caller's transaction: the previous one is unpublished first
    so the one-per-period index holds at every statement."""
    if evaluation.purpose != OFFICIAL:
        raise ValueError(f"evaluation {evaluation.evaluation_id} is a {evaluation.purpose}")
    session.execute(
        update(Evaluation)
        .where(Evaluation.period == evaluation.period, Evaluation.published.is_(True))
        .values(published=False)
    )
    evaluation.published = True


def evaluation_for(
    engine: Engine, period: str, policy_version: str | None = None
) -> Evaluation | None:
    """The published evaluation of `period`; with `policy_version`, the newest one under
    that version instead (a scenario when the period is published under another version).
    This is the one lookup the CLI, reports and exports use for "the evaluation of P"."""
    with unit_of_work(engine) as session:
        if policy_version is None:
            return published_evaluation(session, period)
        return newest_evaluation(session, period, policy_version)


def list_evaluations(session: Session, period: str | None = None) -> list[Evaluation]:
    """Every evaluation (of `period` when given), official and scenario, the latest period
    first and, within a period, the newest first."""
    query = select(Evaluation)
    if period is not None:
        query = query.where(Evaluation.period == period)
    order = (Evaluation.period_end.desc(), Evaluation.period, Evaluation.started_at.desc())
    return list(session.scalars(query.order_by(*order)))


def evaluation_row(evaluation: Evaluation) -> dict[str, object]:
    """An evaluation as `riderperf evaluations list --json` and the API show it."""
    return {
        "evaluation_id": evaluation.evaluation_id,
        "period": evaluation.period,
        "start": evaluation.period_start.isoformat(),
        "end": evaluation.period_end.isoformat(),
        "policy_version": evaluation.policy_version,
        "purpose": evaluation.purpose,
        "published": evaluation.published,
        "started_at": evaluation.started_at.isoformat(),
        "riders": evaluation.riders,
        "judgments": evaluation.judgments,
    }
