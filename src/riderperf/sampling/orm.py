"""Stores inspection plans, their zone lots, the riders drawn with their inclusion
probabilities, and each zone's switching history (append-only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riderperf.storage.models import Base


class InspectionPlanRecord(Base):
    """One `plan_inspections` run: the period, the seed that reproduces it, the policy used."""

    __tablename__ = "inspection_plans"

    plan_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    zone_filter: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(Integer)
    budget: Mapped[int | None] = mapped_column(Integer)
    policy_version: Mapped[str] = mapped_column(String(64))
    design: Mapped[str] = mapped_column(String(40))
    frame_size: Mapped[int] = mapped_column(Integer)
    sample_size: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_by: Mapped[str] = mapped_column(String(64))


class InspectionLotRecord(Base):
    """A zone's active riders in a period, the plan the standard gives for it, its result."""

    __tablename__ = "inspection_lots"

    plan_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("inspection_plans.plan_id"), primary_key=True
    )
    zone_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), index=True)
    lot_size: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(8))
    aql: Mapped[float] = mapped_column(Float)
    code_letter: Mapped[str] = mapped_column(String(2))
    standard_sample_size: Mapped[int] = mapped_column(Integer)
    sample_size: Mapped[int] = mapped_column(Integer)
    accept: Mapped[int] = mapped_column(Integer)
    reject: Mapped[int] = mapped_column(Integer)
    tighter_accept: Mapped[int | None] = mapped_column(Integer)
    decidable: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))  # planned | accepted | not_accepted | ...
    inspected: Mapped[int | None] = mapped_column(Integer)
    nonconforming: Mapped[int | None] = mapped_column(Integer)
    weighted_nonconforming: Mapped[float | None] = mapped_column(Float)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InspectionSelectionRecord(Base):
    """A rider drawn for inspection, with the inclusion probability the estimates need."""

    __tablename__ = "inspection_selections"

    plan_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("inspection_plans.plan_id"), primary_key=True
    )
    rider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(64), index=True)
    inclusion_probability: Mapped[float] = mapped_column(Float)
    risk_score: Mapped[float] = mapped_column(Float)
    draw_order: Mapped[int] = mapped_column(Integer)
    features: Mapped[dict[str, Any]] = mapped_column(JSON)


class SwitchingRecord(Base):
    """One step of a zone's switching history; the highest `seq` is the zone's state now."""

    __tablename__ = "inspection_switching"

    zone_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str | None] = mapped_column(String(40), index=True)
    plan_id: Mapped[str | None] = mapped_column(String(36))
    severity: Mapped[str] = mapped_column(String(12))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
