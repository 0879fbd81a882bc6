"""The rider search and the rider page of the dashboard: score history, KPI contributions,
judgments with their sentences, decisions, points and cases, within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from riderperf.api.scope import FULL_PERSONAL_ROLES, can_see_rider, rider_scope
from riderperf.cases.orm import Case
from riderperf.cases.service import case_sla, cases_for
from riderperf.decisions.ledger import points_balance
from riderperf.decisions.orm import Decision
from riderperf.decisions.records import decisions_for
from riderperf.evaluation.cards import card_dict
from riderperf.evaluation.orm import Evaluation, Scorecard
from riderperf.metrics.registry import KPI_BY_NAME
from riderperf.storage.models import riders_table
from riderperf.users.orm import User
from riderperf.warehouse.connection import Warehouse
from riderperf.web.views.charts import Bar, Point, bar_chart, line_chart
from riderperf.web.views.common import kpi_text, published_evaluations, rider_rows
from riderperf.web.views.judgments import JudgmentRow, rider_judgments

SEARCH_LIMIT = 50
NAME_SEARCH_ROLES = (*FULL_PERSONAL_ROLES, "fleet_manager")


@dataclass(frozen=True)
class RiderHit:
    rider: dict[str, Any]
    score: float | None
    tier: str | None
    period: str | None


def search_riders(session: Session, user: User, query: str, tier: str = "") -> list[RiderHit]:
    """Riders whose id or name contains `query` (any rider when empty) and, when `tier` is
    given, who hold it in the latest evaluated period; within the user's scope, at most
    SEARCH_LIMIT, each with their score in the newest period they were scored in."""
    where = [rider_scope(user, riders_table.c.rider_id)]
    text = query.strip()
    if text:
        pattern = f"%{text.lower()}%"
        matches = [riders_table.c.rider_id.ilike(pattern)]
        # Only roles that read names in full may find riders by name: a masked name
        # must not be guessable by searching.
        if user.role in NAME_SEARCH_ROLES:
            matches.append(riders_table.c.display_name.ilike(pattern))
        where.append(or_(*matches))
    if tier:
        evaluations = published_evaluations(session)
        if not evaluations:
            return []
        holders = select(Scorecard.rider_id).where(
            Scorecard.evaluation_id == evaluations[0].evaluation_id, Scorecard.tier == tier
        )
        where.append(riders_table.c.rider_id.in_(holders))
    ids = list(
        session.scalars(
            select(riders_table.c.rider_id)
            .where(*where)
            .order_by(riders_table.c.rider_id)
            .limit(SEARCH_LIMIT)
        )
    )
    latest = _latest_cards(session, ids)
    rows = rider_rows(session, user, ids)
    return [
        RiderHit(
            rows[i],
            (latest.get(i) or {}).get("score"),
            (latest.get(i) or {}).get("tier"),
            (latest.get(i) or {}).get("period"),
        )
        for i in ids
        if i in rows
    ]


@dataclass(frozen=True)
class HistoryRow:
    period: str
    score: float | None
    tier: str | None
    status: str
    policy_version: str


@dataclass(frozen=True)
class RiderPage:
    rider: dict[str, Any]
    points: int
    history: list[HistoryRow]
    card: dict[str, Any] | None
    kpis: list[dict[str, Any]]
    history_chart: Markup | None
    contribution_chart: Markup | None
    judgments: list[JudgmentRow]
    decisions: list[Decision]
    cases: list[tuple[Case, Any]]
    evaluation: Evaluation | None = None
    improvements: list[dict[str, Any]] = field(default_factory=list)


def rider_page(
    session: Session, user: User, rider_id: str, at: datetime, warehouse: Warehouse | None
) -> RiderPage | None:
    """The page of one rider, or None when the rider is unknown or outside the user's scope
    (the same answer for both)."""
    if not can_see_rider(session, user, rider_id):
        return None
    rows = rider_rows(session, user, [rider_id])
    if rider_id not in rows:
        return None
    history, evaluations = score_history(session, rider_id)
    card = history[-1] if history else None
    latest_eval = evaluations[-1] if evaluations else None
    kpis = _kpi_rows(card["card"] if card else None)
    judgments = (
        rider_judgments(
            warehouse,
            rider_id,
            latest_eval.policy_version,
            latest_eval.period_start,
            latest_eval.period_end,
        )
        if latest_eval
        else []
    )
    return RiderPage(
        rider=rows[rider_id],
        points=points_balance(session, rider_id, at),
        history=[_history_row(h) for h in history],
        card=card["card"] if card else None,
        kpis=kpis,
        history_chart=line_chart(
            f"Score of {rider_id} per period",
            [Point(h["period"], h["score"]) for h in history],
            low=0,
            high=1000,
        )
        if history
        else None,
        contribution_chart=bar_chart(
            "Points each KPI earns (of its maximum)",
            [_contribution_bar(k) for k in kpis],
            maximum=max((k["max"] for k in kpis), default=1.0),
        )
        if kpis
        else None,
        judgments=judgments,
        decisions=list(reversed(decisions_for(session, rider_id))),
        cases=[(case, case_sla(case, at)) for case in cases_for(session, rider_id)],
        evaluation=latest_eval,
        improvements=list((card["card"] if card else {}).get("improvements", [])),
    )


def score_history(session: Session, rider_id: str) -> tuple[list[dict[str, Any]], list[Evaluation]]:
    """The rider's scorecard of every period, oldest period first, from the published
    evaluation of each period (a re-evaluation after an appeal replaces the earlier one).
    Only the newest carries its whole card (`card`); the others' is None."""
    found = session.execute(
        select(Scorecard, Evaluation)
        .join(Evaluation, Evaluation.evaluation_id == Scorecard.evaluation_id)
        .where(Scorecard.rider_id == rider_id, Evaluation.published.is_(True))
    ).all()
    ordered = sorted(((c, e) for c, e in found), key=lambda pair: pair[1].period_end)
    history: list[dict[str, Any]] = [
        {
            "period": card.period,
            "score": card.score,
            "tier": card.tier,
            "status": card.status,
            "policy_version": card.policy_version,
            "card": None,
        }
        for card, _ in ordered
    ]
    if ordered:
        newest = ordered[-1][0]
        history[-1]["card"] = card_dict(session, newest.evaluation_id, rider_id)
    return history, [evaluation for _, evaluation in ordered]


def _latest_cards(session: Session, rider_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not rider_ids:
        return {}
    rows = session.execute(
        select(Scorecard.rider_id, Scorecard.period, Scorecard.score, Scorecard.tier)
        .join(Evaluation, Evaluation.evaluation_id == Scorecard.evaluation_id)
        .where(Scorecard.rider_id.in_(rider_ids), Evaluation.published.is_(True))
        .order_by(Scorecard.period_end, Scorecard.period)
    ).all()
    return {r[0]: {"period": r[1], "score": r[2], "tier": r[3]} for r in rows}


def _history_row(entry: dict[str, Any]) -> HistoryRow:
    return HistoryRow(
        entry["period"], entry["score"], entry["tier"], entry["status"], entry["policy_version"]
    )


def _kpi_rows(card: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not card:
        return []
    rows = []
    for name, kpi in card.get("kpis", {}).items():
        info = KPI_BY_NAME.get(name)
        if info is None:
            continue
        weight = float(kpi.get("weight") or 0)
        rows.append(
            {
                "name": name,
                "label": info.label,
                "value": kpi_text(info, kpi.get("rate")),
                "peer": kpi_text(info, kpi.get("peer_rate")),
                "counts": f"{kpi.get('num') or 0:g} / {kpi.get('den') or 0:g}",
                "weight": weight,
                "contribution": float(kpi.get("contribution") or 0),
                "max": 1000 * weight,
            }
        )
    return rows


def _contribution_bar(kpi: dict[str, Any]) -> Bar:
    return Bar(kpi["label"], kpi["contribution"], f"{kpi['contribution']:.0f}/{kpi['max']:.0f}")
