"""App database tables of evaluations and the scorecards they publish."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from riderperf.storage.models import Base

OFFICIAL = "official"
SCENARIO = "scenario"
PURPOSES = (OFFICIAL, SCENARIO)


class Evaluation(Base):
    """One `riderperf evaluate`: a period judged and scored under one policy version.

    `purpose` says what it is for: `official` evaluations are the record (shown to riders,
    used by decisions and by the next period's hysteresis); `scenario` evaluations are
    what-ifs, kept for comparison and never shown to riders. Of each period's official
    evaluations exactly one is `published`: the newest (see `evaluation.published`)."""

    __tablename__ = "evaluations"
    __table_args__ = (
        Index(
            "ux_evaluations_published_period",
            "period",
            unique=True,
            sqlite_where=text("published"),
            postgresql_where=text("published"),
        ),
    )

    evaluation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    policy_version: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    judgments: Mapped[int] = mapped_column(Integer, default=0)
    riders: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(20), default=OFFICIAL, server_default=OFFICIAL)
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Scorecard(Base):
    """A rider's published result for one period, as rows to filter and sort on: status,
    score and tier. The whole card (KPIs, contributions, what to improve) is in the
    evaluation's card table (`ScorecardTable`), read through `evaluation.cards`."""

    __tablename__ = "scorecards"

    evaluation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("evaluations.evaluation_id"), primary_key=True
    )
    rider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), index=True)
    period_end: Mapped[date] = mapped_column(Date, index=True)
    policy_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(30))
    score: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str | None] = mapped_column(String(30))
    previous_tier: Mapped[str | None] = mapped_column(String(30))
    explanation: Mapped[str | None] = mapped_column(Text)


class ScorecardTable(Base):
    """Every scorecard of one evaluation as one table (`metrics.card_table`), stored as
    Parquet: a rider's card is built from its row when it is read. One write per
    evaluation instead of one JSON document per rider."""

    __tablename__ = "scorecard_tables"

    evaluation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("evaluations.evaluation_id"), primary_key=True
    )
    riders: Mapped[int] = mapped_column(Integer)
    parquet: Mapped[bytes] = mapped_column(LargeBinary)
