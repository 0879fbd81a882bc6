"""The evaluate use case: judge a period, build daily facts, score, tier, publish scorecards."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy import Engine

from riderperf.clock import Clock, system_clock
from riderperf.common.periods import Period, rolling_period
from riderperf.config import Settings
from riderperf.evaluation.orm import OFFICIAL, PURPOSES, SCENARIO
from riderperf.evaluation.overrides import apply_overrides
from riderperf.evaluation.published import published_evaluation
from riderperf.evaluation.records import previous_tiers, store_evaluation
from riderperf.inspections.stats import equipment_checks_by_day
from riderperf.metrics.scorecard import Scorecard
from riderperf.policy.versions import (
    PolicyVersion,
    ensure_default_published,
    version_for_day,
)
from riderperf.responsibility.params import JudgmentParams
from riderperf.storage.db import app_database, unit_of_work
from riderperf.stores import Stores, open_stores

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from riderperf.metrics.card_table import CardRows

ROLLING_WINDOW = "scoring.rolling_window_days"


@dataclass
class EvaluationResult:
    evaluation_id: str
    period: Period
    policy_version: str
    judgments: int
    table: pa.Table  # the scorecards, one row per rider (`metrics.card_table`)
    seconds: dict[str, float] = field(default_factory=dict)
    purpose: str = OFFICIAL
    judged_days: int = 0  # days of the period judged by this evaluation
    reused_days: int = 0  # days whose judgments were current and kept
    built_days: int = 0  # days of the period whose rider_daily rows were built again

    @cached_property
    def rows(self) -> CardRows:
        from riderperf.metrics.card_table import CardRows

        return CardRows(self.table)

    @cached_property
    def cards(self) -> list[Scorecard]:
        """One Scorecard per rider, by rider id, built from the table when first asked."""
        return self.rows.cards()

    def card(self, rider_id: str) -> Scorecard | None:
        found = self.rows.index.get(rider_id)
        return None if found is None else self.rows.card(found)

    @property
    def riders(self) -> int:
        return int(self.table.num_rows)

    def summary(self) -> dict[str, Any]:
        column = self.table.column
        scores = sorted(s for s in column("score").to_pylist() if s == s)  # not NaN
        statuses = column("status").to_pylist()
        tiers = [tier or "none" for tier in column("tier").to_pylist()]
        return {
            "evaluation_id": self.evaluation_id,
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "policy_version": self.policy_version,
            "purpose": self.purpose,
            "published": self.purpose == OFFICIAL,
            "judgments": self.judgments,
            "judged_days": self.judged_days,
            "reused_days": self.reused_days,
            "built_days": self.built_days,
            "riders": self.riders,
            "statuses": dict(Counter(statuses)),
            "tiers": dict(Counter(tiers)),
            "score_quantiles": _quantiles(scores),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def resolve_version(engine: Engine, on: date, version: str | None, clock: Clock) -> PolicyVersion:
    """The named version, or the one in force on `on` (the bundled default is published
    first if nothing is); either must hold values on `on` (NoPolicyInForce says what to run)."""
    ensure_default_published(engine, clock)
    return version_for_day(engine, on, version or None)


def rolling_window(settings: Settings, as_of: date, version: str | None, clock: Clock) -> Period:
    """The policy's rolling window ending the day before `as_of`."""
    with app_database(settings.app_database_url) as engine:
        chosen = resolve_version(engine, as_of, version, clock)
    days = int(chosen.policy.at(as_of).get(ROLLING_WINDOW))
    return rolling_period(as_of, days)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector, then restores it.

    An evaluation allocates hundreds of thousands of small objects without cycles (query
    expressions, one scorecard and seven KPI scores per rider, their published rows); the
    collector would walk the growing heap again and again while they are built, which took
    about half the time of scoring. They are freed by reference counting as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def choose_purpose(engine: Engine, period: Period, version: str, requested: str | None) -> str:
    """`requested` when given; otherwise official, unless the period's published evaluation
    used another policy version: then a what-if, which must not replace what riders see."""
    if requested is not None:
        if requested not in PURPOSES:
            raise ValueError(f"purpose {requested!r}: choose one of {', '.join(PURPOSES)}")
        return requested
    with unit_of_work(engine) as session:
        current = published_evaluation(session, period.label)
        if current is None or current.policy_version == version:
            return OFFICIAL
    return SCENARIO


def evaluate_period(
    settings: Settings,
    period: Period,
    *,
    policy_version: str | None = None,
    clock: Clock = system_clock,
    purpose: str | None = None,
) -> EvaluationResult:
    """Judges and scores `period` under the policy values in force on its first day.

    `purpose` None chooses (see `choose_purpose`); `official` publishes the result even
    under another policy version; `scenario` never does."""
    with open_stores(settings) as stores:
        return evaluate_in(
            stores, period, policy_version=policy_version, clock=clock, purpose=purpose
        )


def evaluate_in(
    stores: Stores,
    period: Period,
    *,
    policy_version: str | None = None,
    clock: Clock = system_clock,
    purpose: str | None = None,
) -> EvaluationResult:
    """`evaluate_period` on stores the caller has open (a re-evaluation of several periods
    opens them once)."""
    with collector_paused():
        return _evaluate_in(stores, period, policy_version, clock, purpose)


def _evaluate_in(
    stores: Stores,
    period: Period,
    policy_version: str | None,
    clock: Clock,
    requested: str | None,
) -> EvaluationResult:
    # The bulk stages load pandas, Ibis and DuckDB (seconds); they are imported when an
    # evaluation runs, so the web server, which imports this module for re-evaluations
    # after an overturn, starts without them.
    from riderperf.metrics.daily import refresh_daily_facts
    from riderperf.metrics.evaluate import rider_window
    from riderperf.responsibility.store import judge_window

    started = clock()
    seconds: dict[str, float] = {}
    version = resolve_version(stores.engine, period.start, policy_version, clock)
    purpose = choose_purpose(stores.engine, period, version.version, requested)
    params = version.policy.at(period.start)
    start = datetime.combine(period.start, datetime.min.time(), UTC)
    end = datetime.combine(period.end, datetime.min.time(), UTC)
    t = time.perf_counter()
    # Only the days never judged under these rules, or changed by an import since, are
    # judged again: a daily rolling run judges the new day and keeps the rest.
    window = judge_window(
        stores.warehouse,
        JudgmentParams.from_parameters(params),
        version.version,
        period.start,
        period.end,
    )
    judged = window.rows
    with unit_of_work(stores.engine) as session:
        apply_overrides(session, stores.warehouse, version.version, start, end)
    seconds["judgments"] = time.perf_counter() - t
    t = time.perf_counter()
    # Inspections are kept in the app database; their equipment items join the facts.
    with unit_of_work(stores.engine) as session:
        checks = equipment_checks_by_day(session, start, end)
    # Only the days an import, a judgment or an inspection changed since they were built.
    daily = refresh_daily_facts(
        stores.warehouse,
        period.start,
        period.end,
        version.version,
        equipment_checks=checks,
    )
    seconds["daily_facts"] = time.perf_counter() - t
    t = time.perf_counter()
    earlier = previous_tiers(stores.engine, period.start)
    riders = rider_window(stores.warehouse, period, version.version, earlier)
    # The warehouse's part is done: its file is written while Python scores and
    # publishes.
    with stores.warehouse.checkpoint_alongside():
        return score_and_publish(
            stores.engine,
            riders,
            Evaluated(
                version,
                purpose,
                started,
                judged,
                window.judged_days,
                window.reused_days,
                daily.built_days,
            ),
            period,
            earlier,
            seconds,
            t,
            clock,
        )


@dataclass(frozen=True)
class Evaluated:
    """What an evaluation settled before scoring: the policy version, the purpose, when
    it started, and the judgments it holds (how many, and the days judged and kept)."""

    version: PolicyVersion
    purpose: str
    started: datetime
    judgments: int
    judged_days: int = 0
    reused_days: int = 0
    built_days: int = 0


def score_and_publish(
    engine: Engine,
    riders: pd.DataFrame,
    evaluated: Evaluated,
    period: Period,
    earlier: dict[str, str],
    seconds: dict[str, float],
    scoring_started: float,
    clock: Clock,
) -> EvaluationResult:
    """Scores the rider window `riders` (`metrics.windows.kpi_window`'s form, whichever
    engine computed it) and stores the evaluation with its scorecards; `earlier` are the
    riders' previous tiers, `seconds` gets the scoring and publishing times."""
    from riderperf.metrics.evaluate import score_window

    version = evaluated.version
    params = version.policy.at(period.start)
    table = score_window(riders, params, period, version.version, earlier, period.end)
    seconds["scores"] = time.perf_counter() - scoring_started
    result = EvaluationResult(
        f"{evaluated.started:%Y%m%dT%H%M%S}-{uuid4().hex[:8]}",
        period,
        version.version,
        evaluated.judgments,
        table,
        seconds,
        evaluated.purpose,
        judged_days=evaluated.judged_days,
        reused_days=evaluated.reused_days,
        built_days=evaluated.built_days,
    )
    t = time.perf_counter()
    store_evaluation(
        engine,
        result.evaluation_id,
        period,
        version.version,
        evaluated.started,
        clock(),
        evaluated.judgments,
        table,
        result.summary(),
        evaluated.purpose,
    )
    seconds["publish"] = time.perf_counter() - t
    return result


def _quantiles(scores: list[float]) -> dict[str, float]:
    if not scores:
        return {}
    last = len(scores) - 1
    return {f"p{q}": round(scores[round(last * q / 100)], 1) for q in (10, 25, 50, 75, 90)}
