"""Evaluation runs: judge a period, compute KPIs, scores and tiers, publish scorecards."""
