"""Signing in: argon2 passwords, the login rate limit, session cookies with CSRF, API tokens,
the users CLI that issues them, and personal-data masking."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select
from typer.testing import CliRunner

from riderperf.api.deps import COOKIE_NAME
from riderperf.api.scope import mask_name, mask_personal, mask_phone
from riderperf.cli.users import users_app
from riderperf.clock import as_utc
from riderperf.config import Settings
from riderperf.server import create_app
from riderperf.storage.db import alembic_config, make_engine, unit_of_work, upgrade
from riderperf.users import identity
from riderperf.users.identity import (
    MAX_FAILURES_PER_CLIENT,
    MAX_FAILURES_PER_USERNAME,
    LoginFailed,
    LoginThrottled,
    hash_password,
    issue_api_token,
    verify_password,
)
from riderperf.users.identity import login as login_user
from riderperf.users.orm import ApiToken, User
from riderperf.users.service import create_user

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


class Clock:
    """A clock the test moves on."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(AT)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        create_user(session, "ana", "ops_manager", at=AT, password_hash=hash_password(PASSWORD))
        create_user(session, "rui", "rider", rider_id="R1", at=AT)
    yield engine
    engine.dispose()


@pytest.fixture
def client(settings: Settings, engine: Engine, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock, include_web=False)) as opened:
        yield opened


def login(client: TestClient, password: str = PASSWORD, username: str = "ana") -> object:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_passwords_are_argon2_hashes_that_verify() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, "wrong")
    assert not verify_password("not a hash", PASSWORD)


def test_login_sets_an_http_only_session_cookie_and_answers_the_csrf_token(
    client: TestClient,
) -> None:
    answer = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["role"] == "ops_manager" and len(body["csrf_token"]) > 30
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert client.get("/api/v1/auth/me").json()["username"] == "ana"


def test_a_wrong_password_and_an_unknown_user_get_the_same_401(client: TestClient) -> None:
    wrong = client.post("/api/v1/auth/login", json={"username": "ana", "password": "nope"})
    ghost = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == ghost.status_code == 401
    assert wrong.json()["error"]["message"] == ghost.json()["error"]["message"]


def test_five_failed_logins_lock_the_username_for_fifteen_minutes(
    client: TestClient, clock: Clock
) -> None:
    for _ in range(MAX_FAILURES_PER_USERNAME):
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "ana", "password": "guess"}
            ).status_code
            == 401
        )
    refused = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    clock.at += timedelta(minutes=15, seconds=1)
    again = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert again.status_code == 200


def test_the_limit_is_stored_in_the_database_so_a_second_server_process_honours_it(
    settings: Settings, engine: Engine, clock: Clock
) -> None:
    with TestClient(create_app(settings, clock=clock, include_web=False)) as first:
        for _ in range(MAX_FAILURES_PER_USERNAME):
            first.post("/api/v1/auth/login", json={"username": "ana", "password": "guess"})
    with TestClient(create_app(settings, clock=clock, include_web=False)) as second:
        refused = second.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert refused.status_code == 429


def test_many_failures_from_one_address_lock_it_for_every_username(
    client: TestClient,
) -> None:
    for n in range(20):
        client.post("/api/v1/auth/login", json={"username": f"u{n}", "password": "guess"})
    refused = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert refused.status_code == 429


def status(client: TestClient, password: str = PASSWORD, username: str = "ana") -> int:
    return client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    ).status_code


def count_password_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Wraps the password check so the test sees how many passwords were looked at."""
    checks: list[bool] = []
    lock = threading.Lock()
    real = identity.verify_password

    def counted(stored_hash: str, text: str) -> bool:
        with lock:
            checks.append(True)
        return real(stored_hash, text)

    monkeypatch.setattr(identity, "verify_password", counted)
    return checks


def attempt(engine: Engine, password: str, *, at: datetime, client: str = "10.0.0.1") -> str:
    """One login of ana in a transaction of its own, committed whatever the outcome (as the
    routes do); answers how it went."""
    try:
        with unit_of_work(engine) as session:
            try:
                login_user(session, "ana", password, at=at, client=client)
            except LoginFailed:
                return "failed"
    except LoginThrottled:
        return "throttled"
    return "ok"


def test_parallel_wrong_passwords_check_at_most_the_limit_and_then_the_right_one_is_refused(
    engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = count_password_checks(monkeypatch)
    tries = 30
    barrier = threading.Barrier(tries, timeout=30)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        barrier.wait()
        outcomes.append(attempt(engine, f"guess {n}", at=clock(), client=f"10.0.1.{n}"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == tries
    assert set(outcomes) <= {"failed", "throttled"}
    assert outcomes.count("failed") == len(checks) <= MAX_FAILURES_PER_USERNAME
    # Going on one at a time still checks no more than the limit in all, then locks.
    for n in range(MAX_FAILURES_PER_USERNAME + 1):
        if attempt(engine, f"more {n}", at=clock(), client="10.0.2.1") == "throttled":
            break
    assert len(checks) <= MAX_FAILURES_PER_USERNAME
    assert attempt(engine, PASSWORD, at=clock(), client="10.0.3.1") == "throttled"
    assert len(checks) <= MAX_FAILURES_PER_USERNAME


def test_failures_on_one_account_from_many_addresses_lock_the_account(
    engine: Engine, clock: Clock
) -> None:
    for n in range(MAX_FAILURES_PER_USERNAME):
        assert attempt(engine, "guess", at=clock(), client=f"10.0.4.{n}") == "failed"
    assert attempt(engine, PASSWORD, at=clock(), client="10.0.5.1") == "throttled"
    clock.at += timedelta(minutes=15, seconds=1)
    assert attempt(engine, PASSWORD, at=clock(), client="10.0.5.1") == "ok"


def test_a_success_from_an_address_does_not_reset_its_failures(
    client: TestClient, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        create_user(session, "bea", "ops_manager", at=AT, password_hash=hash_password(PASSWORD))
    # Failures on ana (under her own limit) and on other names, all from this one address.
    for _ in range(MAX_FAILURES_PER_USERNAME - 1):
        assert status(client, "guess") == 401
    for n in range(MAX_FAILURES_PER_CLIENT - MAX_FAILURES_PER_USERNAME):
        assert status(client, "guess", username=f"u{n}") == 401
    assert status(client, username="bea") == 200
    # One more failure reaches the address's limit; after it the address is refused.
    assert status(client, "guess", username="carla") == 401
    assert status(client, "guess", username="carla") == 429
    assert status(client, "guess") == 429
    assert status(client, username="bea") == 429


def test_a_success_ends_the_accounts_own_streak(client: TestClient) -> None:
    for _ in range(MAX_FAILURES_PER_USERNAME - 1):
        assert status(client, "guess") == 401
    assert status(client) == 200
    for _ in range(MAX_FAILURES_PER_USERNAME):
        assert status(client, "guess") == 401
    assert status(client) == 429


def test_an_unsafe_request_with_the_cookie_but_without_the_csrf_token_is_refused(
    client: TestClient,
) -> None:
    token = login(client).json()["csrf_token"]  # type: ignore[attr-defined]
    refused = client.post("/api/v1/auth/logout")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token[:-2] + "xx"})
    assert wrong.status_code == 403
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_csrf_token_may_come_as_a_form_field(client: TestClient) -> None:
    token = login(client).json()["csrf_token"]  # type: ignore[attr-defined]
    answer = client.post("/api/v1/auth/logout", data={"csrf_token": token})
    assert answer.status_code == 204


def test_a_session_expires_after_twelve_hours(client: TestClient, clock: Clock) -> None:
    login(client)
    clock.at += timedelta(hours=12, seconds=1)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_api_tokens_authenticate_without_csrf_and_are_stored_only_hashed(
    client: TestClient, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        token = issue_api_token(session, "ana", label="dispatch", at=AT)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["username"] == "ana"
    assert client.get("/api/v1/dispatch/priority", headers=bearer).status_code == 200
    with engine.connect() as con:
        stored = [row[0] for row in con.exec_driver_sql("SELECT token_sha256 FROM api_tokens")]
    assert token not in stored and len(stored[0]) == 64
    wrong = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer rp_nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
    basic = client.get("/api/v1/auth/me", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401


def bearer_for(engine: Engine, username: str) -> dict[str, str]:
    """The Authorization header of a new API token of `username`."""
    with unit_of_work(engine) as session:
        token = issue_api_token(session, username, label="test", at=AT)
    return {"Authorization": f"Bearer {token}"}


def test_a_token_s_last_use_is_stamped_at_most_hourly_and_kept(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    bearer = bearer_for(engine, "ana")

    def last_used() -> datetime | None:
        with engine.connect() as con:
            found = con.execute(select(ApiToken.last_used_at)).scalar()
        return None if found is None else as_utc(found)

    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    assert last_used() == AT
    clock.at = AT + timedelta(minutes=59)
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    assert last_used() == AT
    clock.at = AT + timedelta(hours=1, minutes=1)
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    assert last_used() == AT + timedelta(hours=1, minutes=1)


def test_a_deactivated_user_s_token_is_refused_from_the_next_request_on(
    client: TestClient, engine: Engine
) -> None:
    bearer = bearer_for(engine, "rui")
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    with unit_of_work(engine) as session:
        user = session.get(User, "rui")
        assert user is not None
        user.active = False
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_the_cli_issues_a_token_once_and_revokes_it(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RIDERPERF_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("RIDERPERF_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    issued = runner.invoke(users_app, ["token", "ana", "--label", "dispatch", "--json"])
    assert issued.exit_code == 0, issued.output
    token = __import__("json").loads(issued.output)["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    revoked = runner.invoke(users_app, ["revoke-token", token[:10]])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    unknown = runner.invoke(users_app, ["token", "ghost", "--label", "x"])
    assert unknown.exit_code == 1 and "no user named 'ghost'" in unknown.output


def test_the_cli_creates_users_with_a_password_they_can_sign_in_with(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RIDERPERF_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("RIDERPERF_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    made = runner.invoke(users_app, ["create", "li", "--role", "reviewer", "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    assert status(client, username="li") == 200
    short = runner.invoke(users_app, ["create", "mo", "--role", "reviewer", "--password", "x"])
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    reset = runner.invoke(users_app, ["password", "li"], input="another secret\nanother secret\n")
    assert reset.exit_code == 0, reset.output
    assert client.get("/api/v1/auth/me").status_code == 401  # the old session ended
    assert status(client, "another secret", "li") == 200


def test_personal_data_is_masked_for_roles_that_do_not_need_it() -> None:
    row = {"rider_id": "R1", "display_name": "Maria Souza", "phone": "+55 11 98765 4821"}

    def seen_by(role: str, rider_id: str | None = None) -> dict[str, object]:
        return mask_personal(User(username="u", role=role, rider_id=rider_id), row)

    assert seen_by("admin") == row and seen_by("ops_manager") == row
    assert seen_by("rider", "R1") == row
    assert seen_by("fleet_manager") == row | {"phone": "+55 ••• ••• 4821"}
    for role in ("reviewer", "inspector", "trainer"):
        assert seen_by(role) == row | {"display_name": "M. S.", "phone": "+55 ••• ••• 4821"}
    assert mask_name(None) is None and mask_phone("") == ""
    assert mask_phone("98765-4821") == "••• ••• 4821"


@pytest.mark.replays_migrations
def test_the_migration_downgrades_and_upgrades_again(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0009")
    tables = inspect(engine).get_table_names()
    assert "web_sessions" not in tables and "api_tokens" not in tables
    assert "phone" not in {c["name"] for c in inspect(engine).get_columns("riders")}
    upgrade(engine)
    assert {"web_sessions", "api_tokens", "login_attempts"} <= set(
        inspect(engine).get_table_names()
    )


def test_an_oversized_json_body_is_refused_in_the_error_shape(client: TestClient) -> None:
    huge = {"username": "ana", "password": "x" * (2 << 20)}
    refused = client.post("/api/v1/auth/login", json=huge)
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "too_large"


def test_a_name_with_a_nul_byte_is_refused_not_a_server_error(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    # PostgreSQL refuses NUL in text: the API refuses the name, the function never sends it.
    answer = client.post("/api/v1/auth/login", json={"username": "an\x00a", "password": "x"})
    assert answer.status_code == 422
    with pytest.raises(LoginFailed), unit_of_work(engine) as session:
        login_user(session, "an\x00a", "x", at=clock(), client="10.0.0.\x001")
