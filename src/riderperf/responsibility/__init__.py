"""Responsibility judgment: who is responsible for each late delivery, cancellation and
complaint, with the minutes, the rule, the confidence and a sentence a rider can read.

Two paths give identical judgments: `judge_order` / `judge_complaint` one event at a time
(for explanations), `judgments_expr` / `write_judgments` in bulk over the warehouse (Ibis).
See docs/responsibility.md.
"""

from riderperf.responsibility.complaint import judge_complaint
from riderperf.responsibility.judge import judge_order
from riderperf.responsibility.model import JUDGMENT_COLUMNS, JUDGMENTS_DDL, Judgment
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import judgments_expr, write_judgments

__all__ = [
    "JUDGMENTS_DDL",
    "JUDGMENT_COLUMNS",
    "Judgment",
    "JudgmentParams",
    "judge_complaint",
    "judge_order",
    "judgments_expr",
    "write_judgments",
]
