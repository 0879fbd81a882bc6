"""Cases and appeals: a rider appeals a decision or a judgment; reviewers move and decide it
against SLA clocks; every step is in the audit log."""

from riderperf.cases.stats import appeal_stats

__all__ = ["appeal_stats"]
