"""Users and roles: who may approve, review and inspect."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from riderperf.audit.log import events_for
from riderperf.audit.verify import verify_chain
from riderperf.config import Settings
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.identity import issue_api_token, revoke_api_token
from riderperf.users.orm import ApiToken
from riderperf.users.service import (
    APPROVERS,
    PermissionDenied,
    UserError,
    create_user,
    require_role,
)
from tests.races import at_once

AT = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_role_check_names_what_is_missing(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        create_user(session, "rev.li", "reviewer", at=AT)
        create_user(session, "ops.ana", "ops_manager", at=AT)
    with unit_of_work(engine) as session:
        assert require_role(session, "ops.ana", APPROVERS).role == "ops_manager"
        with pytest.raises(PermissionDenied, match=r"'rev\.li' is reviewer"):
            require_role(session, "rev.li", APPROVERS)
        with pytest.raises(PermissionDenied, match="no user named 'ghost'"):
            require_role(session, "ghost", APPROVERS)
    assert verify_chain(engine).events == 2


@pytest.mark.parametrize(
    ("role", "extra", "message"),
    [
        ("pilot", {}, "unknown role"),
        ("rider", {}, "--rider-id"),
        ("fleet_manager", {}, "--fleet-id"),
    ],
)
def test_bad_users_are_refused(engine: Engine, role: str, extra: dict, message: str) -> None:
    with pytest.raises(UserError, match=message), unit_of_work(engine) as session:
        create_user(session, "x", role, at=AT, **extra)


def test_two_people_revoking_a_token_at_once_revoke_it_once(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        create_user(session, "bot", "reviewer", at=AT)
        token = issue_api_token(session, "bot", label="nightly", at=AT)
        prefix = session.scalars(select(ApiToken.prefix)).one()
    assert token.startswith(prefix)

    def revoke(by: str) -> int:
        with unit_of_work(engine) as session:
            return revoke_api_token(session, prefix, by=by, at=AT)

    outcomes = at_once(lambda: revoke("ana"), lambda: revoke("ben"))
    assert sorted(int(str(n)) for n in outcomes) == [0, 1], outcomes
    with unit_of_work(engine) as session:
        revoked = [e for e in events_for(session, "user", "bot") if "revoked" in e.action]
        assert len(revoked) == 1
