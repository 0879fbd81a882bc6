"""Rewards and penalties from a versioned policy, a points ledger and a human-approval gate.

Deciding a period (`service.decide_period`), the gate (`approval`), the ledger (`ledger`),
reads (`records`, `stats`) and overturns (`repair`). This package imports none of them, so
reading a decision does not load the rule engine or the analytics stack."""
