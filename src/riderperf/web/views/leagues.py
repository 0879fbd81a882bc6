"""Ranks zones and fleets by their riders' scores in the latest evaluated period, with the KPIs
behind the ranking summed over each group's riders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from riderperf.evaluation.orm import Evaluation
from riderperf.metrics.registry import KPI_BY_NAME
from riderperf.users.orm import User
from riderperf.web.views.common import (
    kpi_text,
    kpi_totals,
    mean,
    published_evaluations,
    rider_rows,
    scorecards,
)

LEAGUE_KPIS = ("on_time_rate", "rider_cancel_rate", "customer_rating", "complaint_rate")
GROUPINGS = {"zone": "zone_id", "fleet": "fleet_id"}
NO_GROUP = {"zone": "(no zone)", "fleet": "(no fleet: own account)"}


@dataclass(frozen=True)
class LeagueRow:
    rank: int
    group: str
    riders: int
    mean_score: str
    gold_share: str
    watch: int
    kpis: dict[str, str]


@dataclass(frozen=True)
class League:
    grouping: str
    evaluation: Evaluation | None
    rows: list[LeagueRow]
    kpi_labels: dict[str, str]


def build_league(session: Session, user: User, grouping: str) -> League:
    """Groups ranked by mean score, best first; a fleet manager's tables hold only the riders
    of their fleet."""
    labels = {name: KPI_BY_NAME[name].label for name in LEAGUE_KPIS}
    evaluations = published_evaluations(session)
    if not evaluations or grouping not in GROUPINGS:
        return League(grouping, None, [], labels)
    latest = evaluations[0]
    cards = scorecards(session, latest.evaluation_id, user)
    riders = rider_rows(session, user, [c["rider_id"] for c in cards])
    groups: dict[str, list[dict[str, Any]]] = {}
    for card in cards:
        key = (riders.get(card["rider_id"]) or {}).get(GROUPINGS[grouping])
        groups.setdefault(key or NO_GROUP[grouping], []).append(card)
    summaries = []
    for name, members in groups.items():
        score = mean(c.get("score") for c in members)
        summaries.append((score if score is not None else -1.0, name, members))
    summaries.sort(key=lambda item: (-item[0], item[1]))
    rows = []
    for rank, (score, name, members) in enumerate(summaries, start=1):
        totals = kpi_totals(members)
        tiered = [c for c in members if c.get("tier")]
        gold = sum(1 for c in tiered if c.get("tier") == "gold")
        rows.append(
            LeagueRow(
                rank=rank,
                group=name,
                riders=len(members),
                mean_score="—" if score < 0 else f"{score:.0f}",
                gold_share=f"{100 * gold / len(tiered):.0f}%" if tiered else "—",
                watch=sum(1 for c in members if c.get("tier") == "watch"),
                kpis={
                    kpi: kpi_text(totals[kpi].kpi, totals[kpi].value) if kpi in totals else "—"
                    for kpi in LEAGUE_KPIS
                },
            )
        )
    return League(grouping, latest, rows, labels)
