"""Decides the inspection severity of a zone lot after lot: the ISO 2859-1:1999 §9.3 switching
rules, with the switching score of §9.3.3.2 and the discontinuation of §9.4.

A pure state machine: `next_severity(state, lot)` returns the state after one lot judged on
original inspection. The state is stored per zone (table `inspection_switching`), so it
carries across periods. MIL-STD-105E differs only on normal → reduced (ten accepted lots
and the limit numbers of its Table VIII instead of the switching score); docs/sampling.md
says more.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from riderperf.sampling.iso2859 import Severity

# The standard's numbers (they are the standard, not a policy choice).
NORMAL_WINDOW = 5  # §9.3.1: "2 out of 5 or fewer consecutive lots"
NORMAL_REJECTIONS_TO_TIGHTEN = 2
TIGHTENED_ACCEPTS_TO_NORMAL = 5  # §9.3.2: 5 consecutive lots accepted on tightened
SWITCHING_SCORE_TO_REDUCE = 30  # §9.3.3 a)
TIGHTENED_REJECTIONS_TO_DISCONTINUE = 5  # §9.4


@dataclass(frozen=True)
class LotOutcome:
    """One lot judged on original inspection, as the switching rules read it.

    `tighter_accept` is the Ac the same sample would have had at the AQL one step tighter
    (needed for the switching score when Ac >= 2). `reinstate_normal` is a reduced lot
    accepted with a count between Ac and Re (MIL-STD-105E, ANSI/ASQ Z1.4 §10.1.4).
    `production_steady` and `reduced_approved` are the conditions b) and c) of §9.3.3 and
    b) of §9.3.4.
    """

    accepted: bool
    nonconforming: int
    accept_number: int
    tighter_accept: int | None = None
    reinstate_normal: bool = False
    production_steady: bool = True
    reduced_approved: bool = False


@dataclass(frozen=True)
class SwitchingState:
    """Where a zone stands in the scheme.

    `recent` holds the acceptances of the lots judged since the last switch (newest last,
    at most five are needed). `change` names the clause behind the last switch, empty when
    the last lot changed nothing.
    """

    severity: Severity = "normal"
    recent: tuple[bool, ...] = field(default_factory=tuple)
    switching_score: int = 0
    tightened_rejections: int = 0
    discontinued: bool = False
    lots: int = 0
    change: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["recent"] = list(self.recent)
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> SwitchingState:
        values = dict(data)
        values["recent"] = tuple(bool(v) for v in values.get("recent", ()))
        return SwitchingState(**values)


INITIAL_STATE = SwitchingState()  # §9.1: normal inspection at the start


def next_severity(state: SwitchingState, lot: LotOutcome) -> SwitchingState:
    """The state after `lot`. A discontinued scheme takes no lots until it is resumed."""
    if state.discontinued:
        return replace(state, change="")
    counted = replace(state, lots=state.lots + 1, change="")
    if state.severity == "normal":
        return _after_normal_lot(counted, lot)
    if state.severity == "tightened":
        return _after_tightened_lot(counted, lot)
    return _after_reduced_lot(counted, lot)


def resume_after_corrective_action(state: SwitchingState) -> SwitchingState:
    """§9.4: after the supplier's corrective action, inspection resumes as tightened."""
    return _switch(state, "tightened", "ISO 2859-1 §9.4: resumed on tightened inspection")


def switching_score_after(score: int, lot: LotOutcome) -> int:
    """§9.3.3.2 a), single sampling: +3 when Ac >= 2 and the lot would have been accepted
    at the AQL one step tighter, +2 when Ac is 0 or 1 and the lot is accepted, else 0."""
    if not lot.accepted:
        return 0
    if lot.accept_number >= 2:
        tighter = lot.tighter_accept
        return score + 3 if tighter is not None and lot.nonconforming <= tighter else 0
    return score + 2


def _after_normal_lot(state: SwitchingState, lot: LotOutcome) -> SwitchingState:
    recent = (*state.recent, lot.accepted)[-NORMAL_WINDOW:]
    if recent.count(False) >= NORMAL_REJECTIONS_TO_TIGHTEN:
        return _switch(
            state,
            "tightened",
            "ISO 2859-1 §9.3.1: 2 of 5 or fewer consecutive lots not accepted on normal inspection",
        )
    score = switching_score_after(state.switching_score, lot)
    if score >= SWITCHING_SCORE_TO_REDUCE and lot.production_steady and lot.reduced_approved:
        return _switch(
            state,
            "reduced",
            f"ISO 2859-1 §9.3.3: switching score {score} >= {SWITCHING_SCORE_TO_REDUCE}, "
            "production steady, reduced inspection approved",
        )
    return replace(state, recent=recent, switching_score=score)


def _after_tightened_lot(state: SwitchingState, lot: LotOutcome) -> SwitchingState:
    recent = (*state.recent, lot.accepted)[-TIGHTENED_ACCEPTS_TO_NORMAL:]
    rejections = state.tightened_rejections + (0 if lot.accepted else 1)
    if rejections >= TIGHTENED_REJECTIONS_TO_DISCONTINUE:
        return replace(
            state,
            recent=recent,
            tightened_rejections=rejections,
            discontinued=True,
            change="ISO 2859-1 §9.4: 5 lots not accepted on tightened inspection; "
            "acceptance inspection discontinued until corrective action",
        )
    if len(recent) == TIGHTENED_ACCEPTS_TO_NORMAL and all(recent):
        return _switch(
            state,
            "normal",
            "ISO 2859-1 §9.3.2: 5 consecutive lots accepted on tightened inspection",
        )
    return replace(state, recent=recent, tightened_rejections=rejections)


def _after_reduced_lot(state: SwitchingState, lot: LotOutcome) -> SwitchingState:
    if not lot.accepted:
        return _switch(state, "normal", "ISO 2859-1 §9.3.4 a): a lot not accepted on reduced")
    if lot.reinstate_normal:
        return _switch(
            state,
            "normal",
            "MIL-STD-105E, ANSI/ASQ Z1.4 §10.1.4: count between Ac and Re on reduced inspection",
        )
    if not lot.production_steady:
        return _switch(state, "normal", "ISO 2859-1 §9.3.4 b): production irregular")
    return replace(state, recent=(*state.recent, True)[-NORMAL_WINDOW:])


def _switch(state: SwitchingState, severity: Severity, why: str) -> SwitchingState:
    # Every switch starts the new severity afresh: the score (§9.3.3.2: set to zero at the
    # start of normal inspection), the run of lots and, on tightened, the §9.4 count.
    return replace(
        state,
        severity=severity,
        recent=(),
        switching_score=0,
        tightened_rejections=0,
        discontinued=False,
        change=why,
    )
