"""Responsibility judgment: who is responsible for each late delivery, cancellation and
complaint, with the minutes, the rule, the confidence and a sentence a rider can read.

Two paths give identical judgments: `judge.judge_order` / `complaint.judge_complaint` one
event at a time (for explanations), `store.judgments_expr` / `store.write_judgments` in bulk
over the warehouse (Ibis). See docs/responsibility.md.
"""
