"""The `riderperf` command: one module of commands per feature, assembled in `cli.app`;
`cli.main` runs it.

This package imports none of them. Each worker of `riderperf serve --workers N` is a new
interpreter that first runs the script that started the server again (multiprocessing's
`spawn`), before it can answer uvicorn's health checks: that script imports `cli.main`
only, not every command and the libraries behind them."""
