"""Builds the HTTP application: the JSON API of `riderperf.api` under /api/v1 and the web
pages of `riderperf.web` with their static files (`riderperf serve`, the demo, the tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import riderperf.web
from riderperf import __version__
from riderperf.api.body_gate import BodyGate
from riderperf.api.errors import JsonTooLarge, install_error_handlers
from riderperf.api.headers import SecurityHeaders
from riderperf.api.limits import BODY_LIMIT
from riderperf.api.routers import API_ROUTERS
from riderperf.api.warehouse import WarehouseGate
from riderperf.clock import Clock, system_clock
from riderperf.config import Settings, load_settings
from riderperf.evaluation.cards import warm_up
from riderperf.inspections.templates import ensure_default_template
from riderperf.storage.db import (
    Reads,
    make_engine,
    session_factory,
    unit_of_work,
    upgrade,
)
from riderperf.web.routes import router as web_router

API_PREFIX = "/api/v1"
WEB_STATIC = Path(riderperf.web.__file__).parent / "static"
DESCRIPTION = """\
The riderperf API: riders, scorecards, judgments, decisions, appeals, notices, policies,
imports, KPI aggregates and the priority-dispatch feed.

Sign in with `POST /api/v1/auth/login` (a `riderperf_session` cookie; unsafe requests then
need the `X-CSRF-Token` header), or send `Authorization: Bearer <api token>` (issued with
`riderperf users token`). Every error has the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = system_clock,
    include_web: bool = True,
    migrate: bool = True,
) -> FastAPI:
    """The application on `settings` (from the environment when None), its app database
    migrated to the newest revision; `include_web=False` serves the JSON API alone, and
    `migrate=False` trusts that the database was migrated already."""
    settings = settings or load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.app_database_url)
    reads = Reads(settings.app_database_url)
    if migrate:
        prepare_database(engine, clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The first scorecard read would load the analytics libraries and a card table
        # while its callers wait; a thread does it now, after the worker has started.
        warm_up(engine)
        yield
        engine.dispose()
        reads.close()

    app = FastAPI(
        title="riderperf",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # FastAPI's Swagger UI loads its scripts from a CDN; nothing here may need the
        # network at run time, so the description is served as JSON only.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.reads = reads
    app.state.sessions = session_factory(engine)
    app.state.clock = clock
    app.state.warehouse = WarehouseGate(settings.warehouse_path)
    install_error_handlers(app)
    app.add_middleware(JsonTooLarge, prefix=API_PREFIX)
    app.add_middleware(BodyGate)
    app.add_middleware(SecurityHeaders)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX, max_body_size=BODY_LIMIT)
    if include_web:
        _mount_web(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def prepare_database(engine: Engine, clock: Clock = system_clock) -> None:
    """Migrates the app database and publishes what every request may need before the
    first one arrives: the bundled checklist. Published here, once, two first inspections
    at once do not both try to create it."""
    upgrade(engine)
    with unit_of_work(engine) as session:
        ensure_default_template(session, clock())


def create_worker_app() -> FastAPI:
    """The application of one worker of `riderperf serve --workers N`, on the settings of
    the environment. The command migrates the app database before it starts the workers, so
    they neither race to migrate a new database nor load Alembic while uvicorn's supervisor
    waits for them to start."""
    return create_app(migrate=False)


def _operation_id(route: APIRoute) -> str:
    """Every API route names its operation id; this only names the web pages'."""
    return route.operation_id or route.name


def _mount_web(app: FastAPI) -> None:
    """The dashboard and portal, and their static files."""
    app.include_router(web_router, max_body_size=BODY_LIMIT)
    app.mount("/static", StaticFiles(directory=WEB_STATIC), name="static")


_BAD_BODY = {
    "description": "The body cannot be parsed (broken JSON, multipart or zip).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}


_TOO_LARGE = _BAD_BODY | {"description": "The body is larger than this operation accepts."}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI description of the JSON API only, with its two ways to authenticate."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    routes = [c for c in iter_route_contexts(app.routes) if (c.path or "").startswith(API_PREFIX)]
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=routes
    )
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:  # unreadable or oversized bodies are refused
                operation["responses"].setdefault("400", _BAD_BODY)
                operation["responses"].setdefault("413", _TOO_LARGE)
    schema.setdefault("components", {})["securitySchemes"] = {
        "session": {"type": "apiKey", "in": "cookie", "name": "riderperf_session"},
        "bearer": {"type": "http", "scheme": "bearer"},
    }
    schema["security"] = [{"session": []}, {"bearer": []}]
    app.openapi_schema = schema
    return schema
