"""`riderperf serve`: runs the API (and the web pages) with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True)

# uvicorn's own default is 5 s. Its supervisor pings every worker every half second, and a
# worker that does not answer in time is killed and started again; on a machine whose
# cores are busy, a starting worker can miss 5 s and the server then never serves.
WORKER_TIMEOUT = 30


def default_workers() -> int:
    """One worker per core this process may run on: a worker is one Python interpreter,
    which uses one core at a time, and starting one takes about a second now that serving
    imports no analytics library (docs/architecture.md)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes (each opens the stores); default one per CPU core.",
            show_default=False,
        ),
    ] = None,
    worker_timeout: Annotated[
        int,
        typer.Option(
            "--worker-timeout",
            min=1,
            help=(
                "With --workers 2 or more: seconds a worker may take to answer the "
                "supervisor's health check, while it starts or when it is busy, before it "
                "is killed and started again."
            ),
        ),
    ] = WORKER_TIMEOUT,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Trust X-Forwarded-For/-Proto from the addresses in FORWARDED_ALLOW_IPS.",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API under /api/v1 (OpenAPI at /api/v1/openapi.json) and the web pages."""
    import uvicorn

    from riderperf.config import load_settings
    from riderperf.server import create_app, prepare_database
    from riderperf.storage.db import make_engine

    settings = load_settings()
    workers = workers or default_workers()
    try:
        if workers == 1:
            app = create_app(settings)
            uvicorn.run(app, host=host, port=port, proxy_headers=proxy_headers)
            return
        # Prepared once here, so that the workers do not race to migrate a new database.
        settings.home.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.app_database_url)
        try:
            prepare_database(engine)
        finally:
            engine.dispose()
        # Several workers need an import string: each process builds its own app.
        uvicorn.run(
            "riderperf.server:create_worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            timeout_worker_healthcheck=worker_timeout,
            proxy_headers=proxy_headers,
        )
    except (OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] cannot serve on {host}:{port}: {exc}")
        raise typer.Exit(1) from None
