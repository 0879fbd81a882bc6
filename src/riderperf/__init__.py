"""riderperf: fair, explainable rider performance management."""

__version__ = "0.1.0"
