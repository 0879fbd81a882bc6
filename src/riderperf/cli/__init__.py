"""The `riderperf` command: one module of commands per feature, assembled in `cli.app`."""

from riderperf.cli.app import app

__all__ = ["app"]
