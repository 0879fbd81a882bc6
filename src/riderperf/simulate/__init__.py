"""Synthetic city generator: a canonical dataset with planted, scorable truth."""

from riderperf.simulate.params import SimulationParams
from riderperf.simulate.run import SimulationSummary, simulate_city

__all__ = ["SimulationParams", "SimulationSummary", "simulate_city"]
