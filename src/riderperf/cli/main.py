"""Runs the `riderperf` command, importing its commands only when it runs (see `cli`)."""

from __future__ import annotations


def main() -> None:
    from riderperf.cli.app import app

    app()
