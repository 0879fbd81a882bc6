"""Decides an appeal and repairs what an overturn undoes, written once for the CLI, the API,
the review pages and the demo.

The case decision (with the compensating decisions, the judgment override or the violation
overturned) is committed first: it is the reviewer's act and must stand even when the
re-evaluation cannot run. The re-evaluation of the rider's published periods and the bonus
owed back then run under `guard`, which an HTTP server uses to hold its shared warehouse for
one writer; when the re-evaluation fails the result says why and what is left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from riderperf.cases.decide import CaseDecision, decide_case
from riderperf.cases.model import OVERTURNING
from riderperf.cases.service import move_case
from riderperf.config import Settings
from riderperf.workflows.overturn import OverturnRepair, reevaluate_after_overturn

log = logging.getLogger(__name__)

WarehouseGuard = Callable[[str], AbstractContextManager[Any]]


def no_guard(what: str) -> AbstractContextManager[None]:
    """For a process that holds no warehouse connection of its own (the CLI, the demo)."""
    return nullcontext()


@dataclass(frozen=True)
class AppealDecided:
    """The committed case decision and what followed: `reevaluation` is `not_needed`,
    `done` (with `repair`) or `skipped` (with `skipped_because`)."""

    decision: CaseDecision
    reevaluation: str
    repair: OverturnRepair | None = None
    skipped_because: str | None = None

    def as_dict(self) -> dict[str, Any]:
        repair = self.repair
        return self.decision.as_dict() | {
            "reevaluation": self.reevaluation,
            "reevaluated": [c.as_dict() for c in repair.changes] if repair else [],
            "bonus_compensations": list(repair.compensations) if repair else [],
            "skipped_because": self.skipped_because,
        }


def decide_appeal(
    session: Session,
    settings: Settings,
    case_id: str,
    *,
    outcome: str,
    by: str,
    reason: str,
    at: datetime,
    expected_version: int | None = None,
    take_up: bool = False,
    guard: WarehouseGuard = no_guard,
) -> AppealDecided:
    """Decides case `case_id` as `by`, commits `session`, then re-evaluates and repays
    after an overturn.

    `take_up` first moves a case still in the queue to under_review in the same
    transaction (a reviewer deciding straight from the queue). Raises what
    `decide_case` raises (PermissionDenied, CaseNotFound, ForbiddenMove, CaseConflict,
    CaseError), with nothing committed."""
    if take_up:
        move_case(session, case_id, "under_review", by=by, at=at, expected_version=expected_version)
        expected_version = None
    decided = decide_case(
        session,
        case_id,
        outcome=outcome,
        by=by,
        reason=reason,
        at=at,
        expected_version=expected_version,
    )
    session.commit()
    if decided.outcome not in OVERTURNING:
        return AppealDecided(decided, "not_needed")
    try:
        with guard(f"re-evaluating after case {case_id}"):
            repair = reevaluate_after_overturn(settings, decided)
    except Exception as exc:  # the decision is committed: report what is left to do
        log.exception("re-evaluation after case %s failed", case_id)
        why = getattr(exc, "message", None) or str(exc)
        return AppealDecided(decided, "skipped", skipped_because=why)
    if not repair.changes and not repair.compensations:
        return AppealDecided(decided, "not_needed", repair)
    return AppealDecided(decided, "done", repair)
