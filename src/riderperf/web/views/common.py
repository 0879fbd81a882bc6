"""Reads what several pages share: the published evaluations, their scorecards, the riders a
user may see with their personal data masked, and KPI values summed over many riders."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.api.scope import mask_personal, rider_scope
from riderperf.evaluation.cards import card_dicts
from riderperf.evaluation.orm import Evaluation, Scorecard
from riderperf.metrics.registry import KPI_BY_NAME, Kpi
from riderperf.storage.models import riders_table
from riderperf.users.orm import User

TIERS = ("gold", "silver", "bronze", "watch")


def published_evaluations(session: Session) -> list[Evaluation]:
    """The published evaluation of every period, latest period first (see
    `evaluation.published`; what-if scenarios never show here)."""
    found = session.scalars(select(Evaluation).where(Evaluation.published.is_(True)))
    return sorted(found, key=lambda e: (e.period_end, e.period), reverse=True)


def previous_of(evaluations: list[Evaluation], latest: Evaluation) -> Evaluation | None:
    """The evaluation of the period just before `latest`, of the same length (last week for
    a week), for the week-over-week change."""
    length = latest.period_end - latest.period_start
    for candidate in evaluations:
        same_length = candidate.period_end - candidate.period_start == length
        if same_length and candidate.period_end == latest.period_start:
            return candidate
    return None


def scorecards(session: Session, evaluation_id: str, user: User) -> list[dict[str, Any]]:
    """The cards (`Scorecard.as_dict()`'s form) of one evaluation the user may see, by
    rider id."""
    query = (
        select(Scorecard.rider_id)
        .where(Scorecard.evaluation_id == evaluation_id, rider_scope(user, Scorecard.rider_id))
        .order_by(Scorecard.rider_id)
    )
    return list(card_dicts(session, evaluation_id, session.scalars(query)).values())


def rider_rows(
    session: Session, user: User, rider_ids: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Riders the user may see (only `rider_ids` when given), personal data masked for the
    user's role."""
    query = select(riders_table).where(rider_scope(user, riders_table.c.rider_id))
    if rider_ids is not None:
        query = query.where(riders_table.c.rider_id.in_(list(rider_ids)))
    rows = session.execute(query.order_by(riders_table.c.rider_id)).mappings()
    return {row["rider_id"]: mask_personal(user, dict(row)) for row in rows}


@dataclass(frozen=True)
class KpiTotal:
    """One KPI summed over a group of riders: its value and whether it is better higher."""

    kpi: Kpi
    num: float
    den: float

    @property
    def value(self) -> float:
        return self.kpi.scale * self.num / self.den if self.den else math.nan

    @property
    def enough(self) -> bool:
        return self.den >= self.kpi.minimum_volume


def kpi_totals(cards: Iterable[dict[str, Any]]) -> dict[str, KpiTotal]:
    """KPI counts of many scorecards added up (a group's rate is its riders' sums, not the
    mean of their rates), in registry order."""
    sums: dict[str, list[float]] = {}
    for card in cards:
        for name, kpi in card.get("kpis", {}).items():
            pair = sums.setdefault(name, [0.0, 0.0])
            pair[0] += float(kpi.get("num") or 0)
            pair[1] += float(kpi.get("den") or 0)
    return {name: KpiTotal(KPI_BY_NAME[name], *sums[name]) for name in KPI_BY_NAME if name in sums}


def kpi_text(kpi: Kpi, value: float | None) -> str:
    """A KPI value as staff read it: 97.4%, 4.31 stars, 1.2 per 100 orders."""
    if value is None or value != value:
        return "—"
    if kpi.unit == "share":
        return f"{value * 100:.1f}%"
    if kpi.unit == "stars":
        return f"{value:.2f}★"
    return f"{value:.2f} {kpi.unit}"


def mean(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None and v == v]
    return sum(found) / len(found) if found else None
