"""Sign-in request and the signed-in user as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from riderperf.api.schemas.common import UtcDatetime


class LoginCreate(BaseModel):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]+$")
    password: str = Field(min_length=1, max_length=1000)


class UserRead(BaseModel):
    username: str
    role: str
    rider_id: str | None = None
    fleet_id: str | None = None
    display_name: str | None = None


class SessionRead(UserRead):
    """The new session: the cookie is set; `csrf_token` must be echoed on unsafe requests."""

    csrf_token: str
    expires_at: UtcDatetime
