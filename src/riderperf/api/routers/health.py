"""Whether the server is up and its app database answers (for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import text

from riderperf.api.deps import SessionDep, public

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get(
    "/health",
    operation_id="getHealth",
    response_model=Health,
    dependencies=[Depends(public)],
    openapi_extra={"security": []},
)
def health(session: SessionDep) -> Health:
    session.execute(text("SELECT 1"))
    return Health(status="ok")
