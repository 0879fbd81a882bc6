"""One router per resource; `API_ROUTERS` is what the app mounts under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from riderperf.api.routers import (
    appeals,
    auth,
    cases,
    decisions,
    dispatch,
    evaluations,
    health,
    imports,
    inspections,
    judgments,
    kpis,
    notices,
    policies,
    riders,
    scorecards,
)

API_ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    riders.router,
    scorecards.router,
    judgments.router,
    decisions.router,
    cases.router,
    appeals.router,
    notices.router,
    policies.router,
    imports.router,
    kpis.router,
    dispatch.router,
    evaluations.router,
    inspections.router,
)
