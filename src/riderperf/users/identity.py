"""Decides who a request comes from: argon2 passwords, rate-limited logins, server-side web
sessions with their CSRF token, and hashed API tokens for machines."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from riderperf.audit.log import record_event
from riderperf.clock import as_utc
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
# Verified against when the user is unknown, so an unknown name takes as long as a wrong
# password and response times do not tell which names exist.
_DUMMY_HASH = _hasher.hash("riderperf-no-such-user")


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

    Refused with LoginThrottled before the password is even looked at when the username
    or the client address has too many recent failures, and with LoginFailed otherwise.
    """
    at = as_utc(at)
    client = (client or "unknown")[:100]
    # PostgreSQL refuses NUL in text; no user name holds one, so the attempt is simply
    # recorded under the name with it removed (and fails like any wrong name).
    username = username.replace("\x00", "").strip()[:100]
    client = client.replace("\x00", "")
    retry_after = throttled_for(session, username, client, at=at)
    if retry_after:
        raise LoginThrottled(
            f"too many failed logins for {username!r} or from this address; "
            f"try again in {retry_after} seconds",
            retry_after,
        )
    user = session.get(User, username)
    known = user is not None and user.active and user.password_hash is not None
    stored = user.password_hash if known and user is not None else _DUMMY_HASH
    ok = verify_password(stored or _DUMMY_HASH, password) and known
    session.add(LoginAttempt(username=username, client=client, at=at, succeeded=ok))
    if not ok or user is None:
        raise LoginFailed("wrong username or password")
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


def throttled_for(session: Session, username: str, client: str, *, at: datetime) -> int:
    """Seconds until a login may be tried again (0: now). Failures count from the later of
    the window's start and the last success, per username and per client address."""
    since = at - THROTTLE_WINDOW
    waits = [
        _wait(session, LoginAttempt.username == username, MAX_FAILURES_PER_USERNAME, since, at),
        _wait(session, LoginAttempt.client == client, MAX_FAILURES_PER_CLIENT, since, at),
    ]
    return max(waits)


def _wait(session: Session, who: object, limit: int, since: datetime, at: datetime) -> int:
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(who, LoginAttempt.succeeded.is_(True))  # type: ignore[arg-type]
    )
    start = max(since, as_utc(last_success)) if last_success else since
    failures = [
        as_utc(moment)
        for moment in session.scalars(
            select(LoginAttempt.at)
            .where(who, LoginAttempt.succeeded.is_(False), LoginAttempt.at > start)  # type: ignore[arg-type]
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


def token_user(session: Session, token: str, *, at: datetime) -> User | None:
    """The active user a bearer token belongs to, or None when unknown or revoked."""
    found = session.execute(  # one round trip: every API request starts here
        select(ApiToken, User)
        .join(User, User.username == ApiToken.username)
        .where(ApiToken.token_sha256 == digest(token))
    ).first()
    if found is None:
        return None
    record, user = found
    if record.revoked_at is not None or not user.active:
        return None
    last = record.last_used_at
    if last is None or as_utc(at) - as_utc(last) > TOKEN_TOUCH_INTERVAL:
        record.last_used_at = at
    return user


def revoke_api_token(session: Session, prefix: str, *, by: str, at: datetime) -> int:
    """Revokes the tokens whose shown prefix is `prefix`; returns how many."""
    rows = list(
        session.scalars(
            select(ApiToken).where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))
        )
    )
    for row in rows:
        row.revoked_at = at
        record_event(
            session,
            actor=by,
            action="user.api_token_revoked",
            subject_type="user",
            subject_id=row.username,
            at=at,
            details={"label": row.label, "prefix": row.prefix},
        )
    return len(rows)
