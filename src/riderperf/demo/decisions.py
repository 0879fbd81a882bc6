"""Decides a week of the demo through `workflows.periods` (the inspection violations of the
week included, as `riderperf decide` does) and has the demo's operations manager approve
all its proposed restrictions but one, each with a reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from riderperf.common.periods import Period
from riderperf.config import Settings
from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.orm import Decision
from riderperf.demo.progress import Phases
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.users.orm import User
from riderperf.users.service import create_user
from riderperf.workflows.periods import decide_period_with_violations

# Demo staff: (username, role). Passwords are set where the web exists (riderperf serve).
STAFF = (
    ("admin.demo", "admin"),
    ("ops.demo", "ops_manager"),
    ("reviewer.demo", "reviewer"),
    ("inspector.demo", "inspector"),
)
REJECTION = "The document was renewed yesterday; the record is not updated yet."
APPROVAL = "Checked the record: the measure follows the policy."


@dataclass
class DecidedWeek:
    week: str
    by_kind: dict[str, int]
    approved: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def ensure_staff(settings: Settings, at: datetime) -> None:
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            for name, role in STAFF:
                if session.get(User, name) is None:
                    create_user(session, name, role, at=at)
    finally:
        engine.dispose()


def decide_and_review(
    settings: Settings, week: Period, decided_at: datetime, approved_at: datetime, phases: Phases
) -> DecidedWeek:
    """Decides `week` at `decided_at`; at `approved_at` ops.demo rejects the first proposed
    restriction and approves the others."""
    with phases.phase(f"decide {week.label}: rewards and penalties for every rider"):
        created = decide_period_with_violations(settings, week, at=decided_at).created
    decided = DecidedWeek(week.label, dict(Counter(kind for _, kind, _ in created)))
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            proposed = list(
                session.scalars(
                    select(Decision.decision_id)
                    .where(Decision.period == week.label, Decision.status == "proposed")
                    .where(Decision.kind.in_(sorted(RESTRICTING_KINDS)))
                    .order_by(Decision.decision_id)
                )
            )
        label = f"ops.demo reviews the {len(proposed)} proposed restrictions of {week.label}"
        with phases.phase(label, total=len(proposed)) as step, unit_of_work(engine) as session:
            for i, decision_id in enumerate(proposed):
                if i == 0:
                    reject_decision(
                        session, decision_id, by="ops.demo", reason=REJECTION, at=approved_at
                    )
                    decided.rejected.append(decision_id)
                else:
                    approve_decision(
                        session, decision_id, by="ops.demo", reason=APPROVAL, at=approved_at
                    )
                    decided.approved.append(decision_id)
                step()
    finally:
        engine.dispose()
    return decided
