"""Decides who a request comes from: argon2 passwords, rate-limited logins, server-side web
sessions with their CSRF token, and hashed API tokens for machines."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from riderperf.audit.log import record_event
from riderperf.clock import as_utc
from riderperf.storage.moves import compare_and_set
from riderperf.users.orm import ApiToken, LoginAttempt, User, WebSessionRecord

SESSION_HOURS = 12
# NIST SP 800-63B 5.1.1.2: at least 8 characters for a memorised secret chosen by the user.
MIN_PASSWORD_LENGTH = 8
# OWASP's advice for online guessing: a handful of tries per account, a few more per address
# (many people may share one office or carrier NAT address).
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_CLIENT = 20
TOKEN_PREFIX = "rp_"
# Marking a token used at most once an hour keeps reads free of writes.
TOKEN_TOUCH_INTERVAL = timedelta(hours=1)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so an unknown name takes as long as a wrong
    password and response times do not tell which names exist.

    Hashed by the first login of the process, known name or not (so that one is not slower
    either), not at import: an argon2 hash takes a few tenths of a second, and each worker
    of the web server imports this module while uvicorn waits for it to start."""
    return _hasher.hash("riderperf-no-such-user")


class LoginFailed(ValueError):
    """Wrong username or password (which of the two is deliberately not said)."""


class LoginThrottled(ValueError):
    """Too many failed logins for this username or from this address; try after a while."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class WebSession:
    """A new browser session; `token` goes into the cookie and is never stored as is."""

    token: str
    csrf_token: str
    username: str
    expires_at: datetime


def hash_password(text: str) -> str:
    return _hasher.hash(text)


def verify_password(stored_hash: str, text: str) -> bool:
    try:
        return _hasher.verify(stored_hash, text)
    except (VerificationError, InvalidHashError):
        return False


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(
    session: Session, username: str, password: str, *, at: datetime, client: str
) -> WebSession:
    """Checks the password and opens a web session; the caller commits.

    The attempt is first reserved: written as a failure and committed in a transaction of
    its own, and only then are the failures counted, the reservation among them. Two
    concurrent attempts therefore cannot both slip under a limit, and at most the limit's
    number of passwords is checked however many requests arrive at once. Over the limit for
    the username or for the client address, the reservation is withdrawn and LoginThrottled
    is raised before the password is even looked at; a wrong password raises LoginFailed
    (its failure is already stored, whether or not the caller commits). A success is
    marked on the reservation in the caller's session.
    """
    at = as_utc(at)
    client = (client or "unknown")[:100]
    # PostgreSQL refuses NUL in text; no user name holds one, so the attempt is simply
    # recorded under the name with it removed (and fails like any wrong name).
    username = username.replace("\x00", "").strip()[:100]
    client = client.replace("\x00", "")
    dummy_hash = _dummy_hash()
    attempt_id, retry_after = _reserve_attempt(session, username, client, at=at)
    if retry_after:
        raise LoginThrottled(
            f"too many failed logins for {username!r} or from this address; "
            f"try again in {retry_after} seconds",
            retry_after,
        )
    user = session.get(User, username)
    known = user is not None and user.active and user.password_hash is not None
    stored = user.password_hash if known and user is not None else dummy_hash
    ok = verify_password(stored or dummy_hash, password) and known
    if not ok or user is None:
        raise LoginFailed("wrong username or password")
    session.execute(
        update(LoginAttempt).where(LoginAttempt.attempt_id == attempt_id).values(succeeded=True)
    )
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = at + timedelta(hours=SESSION_HOURS)
    session.add(
        WebSessionRecord(
            token_sha256=digest(token),
            csrf_token=csrf,
            username=user.username,
            client=client,
            created_at=at,
            expires_at=expires,
        )
    )
    return WebSession(token, csrf, user.username, expires)


def _reserve_attempt(
    session: Session, username: str, client: str, *, at: datetime
) -> tuple[int, int]:
    """Stores the attempt as a failure in a committed transaction of its own, then counts
    (in a new one, so every other committed reservation is seen) whether it is over a
    limit. Returns the attempt's id and the seconds to wait (0: go on); an attempt over the
    limit is deleted again, so refused attempts do not lengthen the lock."""
    with Session(bind=session.get_bind()) as own:
        attempt = LoginAttempt(username=username, client=client, at=at, succeeded=False)
        own.add(attempt)
        own.flush()
        attempt_id = attempt.attempt_id
        own.commit()
        retry_after = throttled_for(own, username, client, at=at, besides=attempt_id)
        if retry_after:
            own.execute(delete(LoginAttempt).where(LoginAttempt.attempt_id == attempt_id))
            own.commit()
        return attempt_id, retry_after


def throttled_for(
    session: Session, username: str, client: str, *, at: datetime, besides: int | None = None
) -> int:
    """Seconds until a login may be tried again (0: now), not counting the attempt
    `besides` (the one being decided). Failures and attempts still being checked count
    within the window, per username and per client address independently: a success ends
    only its own username's streak, never the address's, so successes on one account do
    not let an address go on guessing at others."""
    since = at - THROTTLE_WINDOW
    by_name = LoginAttempt.username == username
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempt_id)).where(by_name, LoginAttempt.succeeded.is_(True))
    )
    after_success = [LoginAttempt.attempt_id > last_success] if last_success else []
    waits = [
        _wait(session, [by_name, *after_success], MAX_FAILURES_PER_USERNAME, since, at, besides),
        _wait(
            session, [LoginAttempt.client == client], MAX_FAILURES_PER_CLIENT, since, at, besides
        ),
    ]
    return max(waits)


def _wait(
    session: Session,
    who: list[ColumnElement[bool]],
    limit: int,
    since: datetime,
    at: datetime,
    besides: int | None,
) -> int:
    others = [LoginAttempt.attempt_id != besides] if besides is not None else []
    failures = [
        as_utc(moment)
        for moment in session.scalars(
            select(LoginAttempt.at)
            .where(*who, *others, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        )
    ]
    if len(failures) < limit:
        return 0
    # The limit-th newest failure has to leave the window before another try is allowed.
    free_at = failures[-1] + THROTTLE_WINDOW
    return max(1, int((free_at - at).total_seconds() + 0.999))


def logout(session: Session, token: str) -> None:
    session.execute(delete(WebSessionRecord).where(WebSessionRecord.token_sha256 == digest(token)))


def end_sessions(session: Session, username: str) -> None:
    """Signs a user out everywhere (after a password change)."""
    session.execute(delete(WebSessionRecord).where(WebSessionRecord.username == username))


def find_web_session(session: Session, token: str, *, at: datetime) -> WebSessionRecord | None:
    """The live session behind a cookie token, or None when unknown or expired."""
    record = session.get(WebSessionRecord, digest(token))
    if record is None or as_utc(record.expires_at) <= as_utc(at):
        return None
    return record


def session_user(session: Session, token: str, *, at: datetime) -> User | None:
    record = find_web_session(session, token, at=at)
    if record is None:
        return None
    user = session.get(User, record.username)
    return user if user is not None and user.active else None


def issue_api_token(session: Session, username: str, *, label: str, at: datetime) -> str:
    """A new bearer token for `username`, returned once; only its digest is stored."""
    user = session.get(User, username)
    if user is None:
        raise LookupError(f"no user named {username!r}; create one with `riderperf users create`")
    if not label.strip():
        raise ValueError("a token needs a label saying which machine uses it (--label)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_sha256=digest(token),
            prefix=token[:10],
            username=username,
            label=label.strip()[:200],
            created_at=at,
        )
    )
    record_event(
        session,
        actor=username,
        action="user.api_token_issued",
        subject_type="user",
        subject_id=username,
        rider_id=user.rider_id,
        at=at,
        details={"label": label.strip()[:200], "prefix": token[:10]},
    )
    return token


# Every API request starts here: built once, the statement and its cache key are reused. A
# plain row, not ORM objects (a third of the time): the user is built from its columns.
_USER_COLUMNS = tuple(User.__table__.columns)
_TOKEN_AND_USER = (
    select(*_USER_COLUMNS, ApiToken.revoked_at, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.username == User.username)
    .where(ApiToken.token_sha256 == bindparam("token_sha256"))
)
_TOUCH_TOKEN = (
    update(ApiToken)
    .where(ApiToken.token_sha256 == bindparam("digest"))
    .values(last_used_at=bindparam("at"))
)


@dataclass(frozen=True)
class TokenUse:
    """The active user a bearer token belongs to, and whether the token's last-use stamp is
    due (older than `TOKEN_TOUCH_INTERVAL`)."""

    user: User
    stamp_due: bool


def token_user(connection: Connection, token: str) -> User | None:
    """The active user a bearer token belongs to, or None when unknown or revoked; read
    without writing. The user is detached (in no session): a copy of the row as read."""
    found = token_use(connection, token, at=None)
    return None if found is None else found.user


def token_use(connection: Connection, token: str, *, at: datetime | None) -> TokenUse | None:
    """`token_user`, and whether its last use should be stamped at `at` (one read; stamping
    is `stamp_token_use`, so reads stay free of writes but hourly)."""
    row = connection.execute(_TOKEN_AND_USER, {"token_sha256": digest(token)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    user = User(**{column.key: row._mapping[column] for column in _USER_COLUMNS})
    make_transient_to_detached(user)
    last = row.last_used_at
    due = at is not None and (last is None or as_utc(at) - as_utc(last) > TOKEN_TOUCH_INTERVAL)
    return TokenUse(user, due)


def stamp_token_use(connection: Connection, token: str, *, at: datetime) -> None:
    """Marks the token used at `at`; the caller commits."""
    connection.execute(_TOUCH_TOKEN, {"digest": digest(token), "at": at})


def revoke_api_token(session: Session, prefix: str, *, by: str, at: datetime) -> int:
    """Revokes the tokens whose shown prefix is `prefix`; returns how many.

    Each revocation is a compare-and-set on `revoked_at` still empty: two people revoking
    the same token at once revoke it once, and only the one who did writes the event.
    """
    rows = list(
        session.scalars(
            select(ApiToken).where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))
        )
    )
    revoked = 0
    for row in rows:
        if not compare_and_set(
            session,
            ApiToken,
            ApiToken.token_sha256 == row.token_sha256,
            expected={"revoked_at": None},
            values={"revoked_at": at},
        ):
            continue
        set_committed_value(row, "revoked_at", at)
        revoked += 1
        record_event(
            session,
            actor=by,
            action="user.api_token_revoked",
            subject_type="user",
            subject_id=row.username,
            at=at,
            details={"label": row.label, "prefix": row.prefix},
        )
    return revoked
