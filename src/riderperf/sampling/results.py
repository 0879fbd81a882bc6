"""Decides each zone lot once its drawn riders are inspected: accepted or not against Ac/Re,
then the zone's switching state moves on (ISO 2859-1 §9.3).

The sample is drawn by risk, so the raw count of nonconforming riders over-states a lot's
quality problem. The lot is judged on the count a simple random sample of the same size
would be expected to hold: n × the Hájek estimate of the zone's nonconforming share,
rounded half up. With equal probabilities (or a whole lot inspected) this is the raw count.
Both counts are stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from riderperf.audit.log import record_event
from riderperf.common.periods import Period, parse_period
from riderperf.sampling.orm import InspectionLotRecord, SwitchingRecord
from riderperf.sampling.params import params_in_force
from riderperf.sampling.store import (
    OutcomeSource,
    counted_periods,
    current_state,
    first_outcomes,
    load_outcomes,
    newest_lots,
    next_switching_seq,
    previous_lot_size,
    selections,
)
from riderperf.sampling.switching import (
    LotOutcome,
    next_severity,
    resume_after_corrective_action,
)
from riderperf.storage.moves import compare_and_set
from riderperf.users.service import require_role

RESUMERS = ("ops_manager", "admin")


@dataclass(frozen=True)
class LotDecision:
    zone_id: str
    status: str  # accepted | not_accepted | pending | not_judged | already_judged
    sample_size: int
    inspected: int
    nonconforming: int
    weighted_nonconforming: float
    accept: int
    reject: int
    severity_before: str
    severity_after: str
    change: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone_id": self.zone_id,
            "status": self.status,
            "sample_size": self.sample_size,
            "inspected": self.inspected,
            "nonconforming": self.nonconforming,
            "weighted_nonconforming": round(self.weighted_nonconforming, 4),
            "accept": self.accept,
            "reject": self.reject,
            "severity_before": self.severity_before,
            "severity_after": self.severity_after,
            "change": self.change,
        }


def record_lot_results(
    session: Session,
    period: Period | str,
    at: datetime,
    *,
    outcomes: OutcomeSource | None = None,
    actor: str = "system",
) -> list[LotDecision]:
    """Judges the lots of `period` from the inspections between its start and `at`.

    A lot is judged once every drawn rider has been inspected; until then it stays
    `pending`. Lots drawn below the standard's size (budget) or on a discontinued scheme
    are `not_judged` and leave the switching state alone. Judging again changes nothing.
    """
    if at.tzinfo is None:
        raise ValueError("record_lot_results needs a timezone-aware time")
    chosen = parse_period(period) if isinstance(period, str) else period
    params, _, _ = params_in_force(session, chosen.start)
    start = datetime.combine(chosen.start, datetime.min.time(), UTC)
    found = load_outcomes(session, start, at, outcomes)
    decisions = []
    for lot in newest_lots(session, chosen.label):
        drawn = selections(session, lot.plan_id, lot.zone_id)
        first = first_outcomes(found, {s.rider_id for s in drawn})
        inspected = [
            (s.inclusion_probability, first[s.rider_id]) for s in drawn if s.rider_id in first
        ]
        raw = sum(1 for _, o in inspected if o.nonconforming)
        weighted = _weighted_count(inspected, lot.sample_size)
        state, _ = current_state(session, lot.zone_id)
        decision = LotDecision(
            zone_id=lot.zone_id,
            status=lot.status,
            sample_size=lot.sample_size,
            inspected=len(inspected),
            nonconforming=raw,
            weighted_nonconforming=weighted,
            accept=lot.accept,
            reject=lot.reject,
            severity_before=state.severity,
            severity_after=state.severity,
            change="",
        )
        if lot.status not in ("planned", "pending"):
            decisions.append(replace(decision, status="already_judged"))
            continue
        if len(inspected) < len(drawn):
            lot.status = "pending"
            lot.inspected, lot.nonconforming, lot.weighted_nonconforming = (
                len(inspected),
                raw,
                weighted,
            )
            decisions.append(replace(decision, status="pending"))
            continue
        steady_max = params.steady_lot_change_max
        allowed = params.reduced_inspection_allowed
        decisions.append(_judge(session, lot, decision, chosen, allowed, steady_max, at, actor))
    session.flush()
    return decisions


def _judge(
    session: Session,
    lot: InspectionLotRecord,
    decision: LotDecision,
    period: Period,
    reduced_allowed: bool,
    steady_max: float,
    at: datetime,
    actor: str,
) -> LotDecision:
    count = math.floor(decision.weighted_nonconforming + 0.5)
    judgeable = lot.decidable and lot.sample_size != 0
    accepted = count < lot.reject  # reduced: Ac < count < Re accepts, back to normal
    status = "not_judged" if not judgeable else "accepted" if accepted else "not_accepted"
    if not _claim(session, lot, status, decision, at):
        return replace(decision, status="already_judged")
    if not judgeable:
        _audit(session, lot, actor, at, {"status": lot.status, "nonconforming": count})
        return replace(decision, status="not_judged")
    before, _ = current_state(session, lot.zone_id)
    after = before
    if period.label not in counted_periods(session, lot.zone_id):
        previous = previous_lot_size(session, lot.zone_id, period.start)
        steady = previous is None or abs(lot.lot_size - previous) <= steady_max * previous
        outcome = LotOutcome(
            accepted=accepted,
            nonconforming=count,
            accept_number=lot.accept,
            tighter_accept=lot.tighter_accept,
            reinstate_normal=lot.accept < count < lot.reject,
            production_steady=steady,
            reduced_approved=reduced_allowed,
        )
        after = next_severity(before, outcome)
        session.add(
            SwitchingRecord(
                zone_id=lot.zone_id,
                seq=next_switching_seq(session, lot.zone_id),
                period=period.label,
                plan_id=lot.plan_id,
                severity="discontinued" if after.discontinued else after.severity,
                state=after.as_dict(),
                reason=after.change or f"lot {lot.status}: no switch",
                at=at,
            )
        )
    details = {
        "status": lot.status,
        "nonconforming": count,
        "raw": decision.nonconforming,
        "severity_before": before.severity,
        "severity_after": after.severity,
        "change": after.change,
    }
    _audit(session, lot, actor, at, details)
    return replace(decision, status=lot.status, severity_after=after.severity, change=after.change)


def resume_sampling(session: Session, zone_id: str, *, by: str, at: datetime) -> str:
    """Resumes a zone whose acceptance inspection was discontinued (ISO 2859-1 §9.4), once
    its riders' corrective action is done; inspection restarts on tightened. Returns the
    new severity. Only an ops manager or an admin may do it."""
    require_role(session, by, RESUMERS)
    state, _ = current_state(session, zone_id)
    if not state.discontinued:
        raise ValueError(
            f"zone {zone_id!r} is on {state.severity} inspection, not discontinued: "
            "nothing to resume"
        )
    after = resume_after_corrective_action(state)
    session.add(
        SwitchingRecord(
            zone_id=zone_id,
            seq=next_switching_seq(session, zone_id),
            period=None,
            plan_id=None,
            severity=after.severity,
            state=after.as_dict(),
            reason=after.change,
            at=at,
        )
    )
    record_event(
        session,
        actor=by,
        action="inspection_switching.resumed",
        subject_type="inspection_zone",
        subject_id=zone_id,
        at=at,
        details={"severity": after.severity, "reason": after.change},
    )
    session.flush()
    return after.severity


def _weighted_count(inspected: list[tuple[float, Any]], sample_size: int) -> float:
    """n × the Hájek share of nonconforming riders among those inspected."""
    weights = [1.0 / p for p, _ in inspected]
    if not weights:
        return 0.0
    bad = sum(w for w, (_, o) in zip(weights, inspected, strict=True) if o.nonconforming)
    return sample_size * bad / sum(weights)


def _claim(
    session: Session, lot: InspectionLotRecord, status: str, decision: LotDecision, at: datetime
) -> bool:
    """Judges the lot with a compare-and-set on the status it was read with: two runs of the
    period's results at once judge it once (and switch the zone once); False for the other."""
    values: dict[str, Any] = {
        "status": status,
        "inspected": decision.inspected,
        "nonconforming": decision.nonconforming,
        "weighted_nonconforming": decision.weighted_nonconforming,
        "decided_at": at,
    }
    if not compare_and_set(
        session,
        InspectionLotRecord,
        (InspectionLotRecord.plan_id == lot.plan_id) & (InspectionLotRecord.zone_id == lot.zone_id),
        expected={"status": lot.status},
        values=values,
    ):
        session.refresh(lot)
        return False
    for name, value in values.items():
        set_committed_value(lot, name, value)
    return True


def _audit(
    session: Session, lot: InspectionLotRecord, actor: str, at: datetime, details: dict[str, Any]
) -> None:
    record_event(
        session,
        actor=actor,
        action="inspection_lot.judged",
        subject_type="inspection_lot",
        subject_id=f"{lot.plan_id}:{lot.zone_id}",
        at=at,
        details={"zone_id": lot.zone_id, "period": lot.period, **details},
    )
