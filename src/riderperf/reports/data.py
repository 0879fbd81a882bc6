"""Gathers a report's `ReportData` for a period and scope from the app database and warehouse.

The period's numbers come from its newest published evaluation (the scorecards
`riderperf scorecards export` lists) and from the judgments of that evaluation's policy
version; the previous period of the same kind is compared only when it was evaluated too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import ibis
from sqlalchemy import Engine

from riderperf import __version__
from riderperf.common.periods import Period
from riderperf.evaluation.published import evaluation_for
from riderperf.evaluation.records import load_cards
from riderperf.metrics.rules import TierRules
from riderperf.policy.versions import get_version
from riderperf.reports import sources
from riderperf.reports.attention import riders_needing_attention
from riderperf.reports.facts import NO_UNIT, UNIT_COLUMN, FactQuery
from riderperf.reports.model import (
    DEFAULT_TREND_PERIODS,
    SCOPES,
    ReportData,
    ReportMeta,
    RiderRow,
    Scope,
    SourceSection,
    TrendPoint,
    Violations,
)
from riderperf.reports.stats_view import stats_section
from riderperf.reports.summaries import headline, score_distribution, tier_summary, trend_point
from riderperf.stores import Stores
from riderperf.warehouse.connection import Warehouse

UNKNOWN_RIDER = "(unknown rider)"


class ReportError(ValueError):
    """A report that cannot be made as asked; the message says why and what to do."""


def gather_report(
    stores: Stores,
    period: Period,
    *,
    at: datetime,
    scope: Scope = "city",
    scope_id: str | None = None,
    policy_version: str | None = None,
    trend_periods: int = DEFAULT_TREND_PERIODS,
) -> ReportData:
    """Every number of the report of `period`; `at` is when the report is generated."""
    if scope not in SCOPES:
        raise ReportError(f"scope {scope!r}: choose one of {', '.join(SCOPES)}")
    engine = stores.engine
    evaluation = evaluation_for(engine, period.label, policy_version)
    if evaluation is None:
        under = f" under policy {policy_version}" if policy_version else ""
        raise ReportError(
            f"{period.label} has not been evaluated{under}; "
            f"run `riderperf evaluate --period {period.label}` first"
        )
    version = evaluation.policy_version
    rules = tier_rules(engine, version, period)
    units = rider_units(stores.warehouse, scope)
    check_scope_id(units, scope, scope_id)
    rows = rider_rows(engine, evaluation.evaluation_id, units, scope_id)
    before = period.previous()
    before_eval = evaluation_for(engine, before.label, policy_version)
    before_rows = (
        rider_rows(engine, before_eval.evaluation_id, units, scope_id) if before_eval else None
    )
    facts = FactQuery(stores.warehouse, period, version, scope, scope_id)
    start, end = facts.start, facts.end
    kept = {r.rider_id for r in rows} | set(_in_scope(units, scope_id))
    restrictions, restriction_note = sources.open_restrictions(engine, end)
    overdue, overdue_note = sources.overdue_actions(engine, period.last_day)
    city_wide = f"whole population, not restricted to {scope} {scope_id}" if scope_id else ""
    return ReportData(
        meta=ReportMeta(
            period=period.label,
            kind=period.kind,
            start=period.start,
            last_day=period.last_day,
            scope=scope,
            scope_id=scope_id,
            units=sorted({r.unit for r in rows}),
            policy_version=version,
            evaluation_id=evaluation.evaluation_id,
            generated_at=at.astimezone(UTC).isoformat(timespec="seconds"),
            riderperf_version=__version__,
        ),
        headline=headline(
            rows, before_rows, before.label, before_eval.evaluation_id if before_eval else None
        ),
        scores=score_distribution(rows, rules),
        tiers=tier_summary(rows, rules),
        late=facts.late_orders(),
        judgments=facts.judgment_counts(),
        violations=Violations(
            rules=facts.rules_against_riders(),
            incidents=facts.incident_kinds(),
            complaints=facts.complaint_categories(),
            inspections=inspection_violations(engine, start, end, kept if scope_id else None),
        ),
        attention=riders_needing_attention(
            rows,
            rules,
            restrictions,
            overdue,
            [n for n in (restriction_note, overdue_note) if n],
        ),
        trends=trend_points(
            engine, period, trend_periods, policy_version, units, scope_id, rows, before_rows
        ),
        appeals=appeals_section(engine, start, end, city_wide),
        inspections=inspections_section(engine, start, end, period.label, city_wide),
        decisions=decisions_section(engine, start, end, city_wide),
    )


def tier_rules(engine: Engine, version: str, period: Period) -> TierRules:
    try:
        return TierRules.from_params(get_version(engine, version).policy.at(period.start))
    except (LookupError, ValueError) as exc:
        raise ReportError(f"the tiers of policy {version} cannot be read: {exc}") from exc


def rider_units(warehouse: Warehouse, scope: Scope) -> dict[str, str]:
    """rider_id → the rider's home city, zone or fleet (from the warehouse `riders`)."""
    riders = warehouse.ibis_con.table("riders")
    unit = riders[UNIT_COLUMN[scope]].fill_null(NO_UNIT[scope])
    sql = ibis.to_sql(riders.select("rider_id", unit=unit), dialect="duckdb")
    return {str(r): str(u) for r, u in warehouse.con.execute(sql).fetchall()}


def check_scope_id(units: Mapping[str, str], scope: Scope, scope_id: str | None) -> None:
    if scope_id is None:
        return
    known = sorted(set(units.values()))
    if scope_id not in known:
        listed = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
        raise ReportError(
            f"--scope-id {scope_id!r}: no rider has {scope} {scope_id}; "
            f"known {scope} ids: {listed or 'none (import riders first)'}"
        )


def _in_scope(units: Mapping[str, str], scope_id: str | None) -> list[str]:
    return [r for r, u in units.items() if scope_id is None or u == scope_id]


def rider_rows(
    engine: Engine, evaluation_id: str, units: Mapping[str, str], scope_id: str | None
) -> list[RiderRow]:
    """The evaluation's scorecards as report rows, kept to the scope id when given."""
    rows = []
    for card in load_cards(engine, evaluation_id):
        unit = units.get(card.rider_id, UNKNOWN_RIDER)
        if scope_id is not None and unit != scope_id:
            continue
        rows.append(
            RiderRow(
                rider_id=card.rider_id,
                unit=unit,
                status=card.status,
                score=None if card.score != card.score else card.score,
                tier=card.tier,
                previous_tier=card.previous_tier,
                kpis={name: (k.num, k.den) for name, k in card.kpis.items()},
            )
        )
    return rows


def trend_points(
    engine: Engine,
    period: Period,
    count: int,
    policy_version: str | None,
    units: Mapping[str, str],
    scope_id: str | None,
    rows: Sequence[RiderRow],
    before_rows: Sequence[RiderRow] | None,
) -> list[TrendPoint]:
    """The last `count` periods of the same kind, oldest first, ending with `period`."""
    periods = [period]
    while len(periods) < max(count, 1):
        periods.append(periods[-1].previous())
    points = []
    for i, each in enumerate(reversed(periods)):
        back = len(periods) - 1 - i
        if back == 0:
            found: Sequence[RiderRow] | None = rows
        elif back == 1:
            found = before_rows
        else:
            evaluation = evaluation_for(engine, each.label, policy_version)
            found = (
                rider_rows(engine, evaluation.evaluation_id, units, scope_id)
                if evaluation
                else None
            )
        points.append(trend_point(each.label, found))
    return points


def appeals_section(engine: Engine, start: datetime, end: datetime, note: str) -> SourceSection:
    stats, why = sources.call_source(engine, sources.APPEAL_STATS, [start, end])
    return stats_section("Appeals", stats, why or note)


def decisions_section(engine: Engine, start: datetime, end: datetime, note: str) -> SourceSection:
    rates, why = sources.call_source(engine, sources.OVERTURN_RATES, [])
    if isinstance(rates, list):
        rates = {"overturn_rates": rates}
    note = "every decision to date, not only this period's" + (f"; {note}" if note else "")
    return stats_section("Decisions overturned", rates, why or note)


def inspections_section(
    engine: Engine, start: datetime, end: datetime, label: str, note: str
) -> SourceSection:
    """Inspection results and the sampling plans of the period, in one section."""
    stats, why = sources.call_source(engine, sources.INSPECTION_STATS, [start, end])
    plans, plan_why = sources.call_source(engine, sources.PLAN_STATS, [label])
    found = stats_section("Inspections", stats, why or "")
    planned = stats_section("Sampling plans", plans, plan_why or "")
    parts = [p for p in (found, planned) if p.available]
    if not parts:
        return SourceSection("Inspections", False, found.note, raw=None)
    return SourceSection(
        "Inspections",
        True,
        note,
        figures=[f for p in parts for f in p.figures],
        tables=[t for p in parts for t in p.tables],
        raw={"inspections": stats, "sampling_plans": plans},
    )


def inspection_violations(
    engine: Engine, start: datetime, end: datetime, riders: set[str] | None
) -> SourceSection:
    def counts(facts: Any) -> list[dict[str, Any]]:
        return sources.violation_counts(facts, riders)

    found, why = sources.call_source(engine, sources.VIOLATIONS, [start, end], counts)
    return stats_section("Inspection violations", {"violations": found or []}, why or "")
