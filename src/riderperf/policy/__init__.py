"""Policy as code: parameters with dated values and references, versions, rules."""

from pathlib import Path

DEFAULT_POLICY = Path(__file__).with_name("default")


def default_policy_folder() -> Path:
    """The policy shipped with riderperf (one YAML file per namespace)."""
    return DEFAULT_POLICY
