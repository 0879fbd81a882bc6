"""Reads what the sampling tables hold: a zone's switching state, the lots of a period, the
riders drawn, and the inspection outcomes the checklists helper records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riderperf.clock import as_utc
from riderperf.inspections.records import inspection_outcomes
from riderperf.sampling.orm import (
    InspectionLotRecord,
    InspectionPlanRecord,
    InspectionSelectionRecord,
    SwitchingRecord,
)
from riderperf.sampling.switching import INITIAL_STATE, SwitchingState


class Outcome(Protocol):
    """The fields of the contract's InspectionOutcome that sampling reads."""

    @property
    def rider_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def nonconforming(self) -> bool: ...
    @property
    def failed_items(self) -> list[str]: ...
    @property
    def kpi_results(self) -> dict[str, tuple[int, int]]: ...


OutcomeSource = Callable[[Session, datetime, datetime], Sequence[Outcome]]


def current_state(session: Session, zone_id: str) -> tuple[SwitchingState, int]:
    """The zone's switching state now and its sequence number (0 before any lot)."""
    record = session.scalars(
        select(SwitchingRecord)
        .where(SwitchingRecord.zone_id == zone_id)
        .order_by(SwitchingRecord.seq.desc())
        .limit(1)
    ).first()
    if record is None:
        return INITIAL_STATE, 0
    return SwitchingState.from_dict(record.state), record.seq


def counted_periods(session: Session, zone_id: str) -> set[str]:
    """Periods whose lot already moved the zone's switching state."""
    query = select(SwitchingRecord.period).where(
        SwitchingRecord.zone_id == zone_id, SwitchingRecord.period.is_not(None)
    )
    return {p for p in session.scalars(query) if p}


def newest_lots(session: Session, period: str) -> list[InspectionLotRecord]:
    """Each zone's lot in the newest plan of `period` that covers that zone."""
    query = (
        select(InspectionLotRecord, InspectionPlanRecord.created_at)
        .join(InspectionPlanRecord, InspectionPlanRecord.plan_id == InspectionLotRecord.plan_id)
        .where(InspectionLotRecord.period == period)
        .order_by(InspectionPlanRecord.created_at, InspectionPlanRecord.plan_id)
    )
    lots: dict[str, InspectionLotRecord] = {}
    for lot, _ in session.execute(query):
        lots[lot.zone_id] = lot  # later plans replace earlier ones
    return [lots[z] for z in sorted(lots)]


def previous_lot_size(session: Session, zone_id: str, before: Any) -> int | None:
    """The zone's lot size in the newest plan of an earlier period (for steady production)."""
    query = (
        select(InspectionLotRecord.lot_size)
        .join(InspectionPlanRecord, InspectionPlanRecord.plan_id == InspectionLotRecord.plan_id)
        .where(InspectionLotRecord.zone_id == zone_id, InspectionPlanRecord.period_start < before)
        .order_by(InspectionPlanRecord.period_start.desc(), InspectionPlanRecord.created_at.desc())
        .limit(1)
    )
    return session.scalar(query)


def selections(session: Session, plan_id: str, zone_id: str) -> list[InspectionSelectionRecord]:
    query = (
        select(InspectionSelectionRecord)
        .where(
            InspectionSelectionRecord.plan_id == plan_id,
            InspectionSelectionRecord.zone_id == zone_id,
        )
        .order_by(InspectionSelectionRecord.draw_order)
    )
    return list(session.scalars(query))


def plans_of(session: Session, period: str) -> list[InspectionPlanRecord]:
    query = (
        select(InspectionPlanRecord)
        .where(InspectionPlanRecord.period == period)
        .order_by(InspectionPlanRecord.created_at, InspectionPlanRecord.plan_id)
    )
    return list(session.scalars(query))


def next_switching_seq(session: Session, zone_id: str) -> int:
    found = session.scalar(
        select(func.max(SwitchingRecord.seq)).where(SwitchingRecord.zone_id == zone_id)
    )
    return int(found or 0) + 1


def load_outcomes(
    session: Session, start: datetime, end: datetime, source: OutcomeSource | None
) -> list[Outcome]:
    """Inspection outcomes in [start, end), from `source` or the inspection records."""
    finder = source or inspection_outcomes
    return list(finder(session, start, end))


def first_outcomes(outcomes: Sequence[Outcome], riders: set[str]) -> dict[str, Outcome]:
    """Each drawn rider's first inspection in the window (later ones are re-inspections)."""
    first: dict[str, Outcome] = {}
    for outcome in sorted(outcomes, key=lambda o: (as_utc(o.at), o.rider_id)):
        if outcome.rider_id in riders and outcome.rider_id not in first:
            first[outcome.rider_id] = outcome
    return first
