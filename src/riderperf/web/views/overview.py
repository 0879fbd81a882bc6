"""The KPI overview of the latest evaluated period: scores, tiers and every KPI over the riders
the user may see, each with its change since the period before."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riderperf.api.scope import rider_scope, visible_rider_ids
from riderperf.cases.model import FINISHED
from riderperf.cases.service import list_cases
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.orm import Decision
from riderperf.evaluation.orm import Evaluation
from riderperf.users.orm import User
from riderperf.web.views.charts import Bar, bar_chart
from riderperf.web.views.common import (
    TIERS,
    KpiTotal,
    kpi_text,
    kpi_totals,
    previous_of,
    published_evaluations,
    scorecards,
)


@dataclass(frozen=True)
class KpiChange:
    """A KPI now and the period before; `better` says whether the change helps riders'
    service (None when there is nothing to compare)."""

    name: str
    label: str
    now: str
    before: str
    change: str
    better: bool | None
    enough: bool


@dataclass(frozen=True)
class Overview:
    evaluation: Evaluation | None
    previous: Evaluation | None
    riders: int = 0
    mean_score: str = "—"
    median_score: str = "—"
    score_change: str = "—"
    tiers: dict[str, int] = field(default_factory=dict)
    kpis: list[KpiChange] = field(default_factory=list)
    tier_chart: Markup | None = None
    score_chart: Markup | None = None
    pending_approvals: int = 0
    open_cases: int = 0
    cases_at_risk: int = 0
    cases_breached: int = 0


def build_overview(session: Session, user: User, at: datetime) -> Overview:
    evaluations = published_evaluations(session)
    if not evaluations:
        return Overview(None, None, **_workload(session, user, at))
    latest = evaluations[0]
    previous = previous_of(evaluations, latest)
    now_cards = scorecards(session, latest.evaluation_id, user)
    before_cards = scorecards(session, previous.evaluation_id, user) if previous else []
    now_scores = _scores(now_cards)
    before_scores = _scores(before_cards)
    tiers = {tier: sum(1 for c in now_cards if c.get("tier") == tier) for tier in TIERS}
    return Overview(
        evaluation=latest,
        previous=previous,
        riders=len(now_cards),
        mean_score=_score_text(_mean(now_scores)),
        median_score=_score_text(median(now_scores) if now_scores else None),
        score_change=_signed(_difference(_mean(now_scores), _mean(before_scores)), "{:+.1f}"),
        tiers=tiers,
        kpis=_kpi_changes(kpi_totals(now_cards), kpi_totals(before_cards)),
        tier_chart=bar_chart(
            f"Riders per tier in {latest.period}",
            [Bar(t, n, str(n), f"tier-{t}") for t, n in tiers.items()],
        ),
        score_chart=_score_histogram(latest.period, now_scores),
        **_workload(session, user, at),
    )


def _kpi_changes(now: dict[str, KpiTotal], before: dict[str, KpiTotal]) -> list[KpiChange]:
    rows = []
    for name, total in now.items():
        old = before.get(name)
        delta = _difference(total.value, old.value if old else None)
        better = (
            None
            if delta is None or delta == 0
            else (delta > 0) == (total.kpi.direction == "higher")
        )
        scale = 100 if total.kpi.unit == "share" else 1
        unit = " pts" if total.kpi.unit == "share" else ""
        rows.append(
            KpiChange(
                name=name,
                label=total.kpi.label,
                now=kpi_text(total.kpi, total.value),
                before=kpi_text(total.kpi, old.value) if old else "—",
                change=_signed(None if delta is None else delta * scale, "{:+.2f}") + unit,
                better=better,
                enough=total.enough,
            )
        )
    return rows


def _score_histogram(period: str, scores: list[float]) -> Markup:
    """Riders per 100-point band, 0–99 up to 900–1000."""
    bands = [0] * 10
    for score in scores:
        bands[min(int(score // 100), 9)] += 1
    bars = [
        Bar(f"{i * 100}–{i * 100 + 99 if i < 9 else 1000}", n, str(n), "score")
        for i, n in enumerate(bands)
    ]
    return bar_chart(f"Riders per score band in {period}", list(reversed(bars)))


def _workload(session: Session, user: User, at: datetime) -> dict[str, Any]:
    pending = session.scalar(
        select(func.count())
        .select_from(Decision)
        .where(
            Decision.status == "proposed",
            Decision.kind.in_(sorted(RESTRICTING_KINDS)),
            rider_scope(user, Decision.rider_id),
        )
    )
    visible = visible_rider_ids(session, user)
    standings = [
        s
        for s in list_cases(session, at=at)
        if s.case.status not in FINISHED and (visible is None or s.case.rider_id in visible)
    ]
    running = [s.sla.running_states() for s in standings]
    return {
        "pending_approvals": int(pending or 0),
        "open_cases": len(standings),
        "cases_at_risk": sum(1 for r in running if "at_risk" in r and "breached" not in r),
        "cases_breached": sum(1 for r in running if "breached" in r),
    }


def _scores(cards: list[dict[str, Any]]) -> list[float]:
    return [float(c["score"]) for c in cards if c.get("score") is not None]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _difference(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or math.isnan(now) or math.isnan(before):
        return None
    return now - before


def _score_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _signed(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)
