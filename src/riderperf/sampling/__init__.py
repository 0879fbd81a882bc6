"""Inspection sampling: ISO 2859-1 plans, switching rules, risk-based selection, estimates."""

from riderperf.sampling.iso2859 import SamplingPlan, single_sampling_plan
from riderperf.sampling.results import (
    LotDecision,
    record_lot_results,
    resume_sampling,
)
from riderperf.sampling.service import InspectionPlan, plan_inspections
from riderperf.sampling.stats import plan_stats
from riderperf.sampling.switching import (
    LotOutcome,
    SwitchingState,
    next_severity,
)

__all__ = [
    "InspectionPlan",
    "LotDecision",
    "LotOutcome",
    "SamplingPlan",
    "SwitchingState",
    "next_severity",
    "plan_inspections",
    "plan_stats",
    "record_lot_results",
    "resume_sampling",
    "single_sampling_plan",
]
