"""App databases for the tests: migrated once per session, then copied for each test.

Replaying the eleven migrations costs about 0.7 s on a SQLite file and 1.2 s on PostgreSQL
(migrate, then drop the schema afterwards); several hundred tests each want a database of
their own. So a session migrates one template per backend and every test gets a copy: a
file copy for SQLite (about 0.03 s), `CREATE DATABASE x TEMPLATE tpl` for PostgreSQL
(about 0.25 s, 0.06 s to drop). The app's `upgrade()` sees the newest revision and returns
at once, so the code under test runs exactly as on a database it migrated itself.

The migration tests still replay migrations for real: they take `empty_database_url`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from riderperf.storage.db import make_engine, upgrade

PG_ADMIN_URL = os.environ.get(
    "RIDERPERF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_unavailable(reason: str) -> None:
    """Outside CI a missing server skips the test; in CI it fails it."""
    if IN_CI:
        pytest.fail(f"PostgreSQL tests must run in CI, but: {reason}")
    pytest.skip(f"PostgreSQL not reachable: {reason}")


def pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def pg_name(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name


@contextmanager
def pg_admin() -> Iterator[Engine]:
    """An autocommit engine on the admin database (CREATE and DROP DATABASE need one)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        yield admin
    finally:
        admin.dispose()


def create_pg_database(prefix: str, template: str | None = None) -> str:
    """A new PostgreSQL database, empty or a copy of `template`; returns its URL.

    A template must have no open connections while it is copied; the ones left in the
    pools of engines that the code under test did not dispose are closed first."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with pg_admin() as admin, admin.connect() as con:
            if template is None:
                con.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                con.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": template},
                )
                con.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    except OperationalError as exc:
        postgres_unavailable(str(exc).splitlines()[0])
    return pg_url(name)


def drop_pg_database(url: str) -> None:
    with pg_admin() as admin, admin.connect() as con:
        con.execute(text(f'DROP DATABASE IF EXISTS "{pg_name(url)}" WITH (FORCE)'))


def migrate(url: str) -> None:
    """Replays every migration on the database at `url`."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copies a closed SQLite file (and its write-ahead log, if one was left) to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        side = source.with_name(source.name + suffix)
        if side.exists():
            shutil.copyfile(side, target.with_name(target.name + suffix))
    return target


def sqlite_file(url: str) -> Path:
    database = make_url(url).database
    assert database, url
    return Path(database)
