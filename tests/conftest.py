"""Shared fixtures: settings under a temporary home, and app databases on SQLite and PostgreSQL.

Each test gets an app database of its own, already at the newest migration: a copy of a
template the session migrated once (see tests/databases.py). A test marked
`replays_migrations` gets an empty one instead, so the app replays every migration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings

import riderperf.users.identity as identity
from riderperf.config import Settings
from tests.databases import (
    IN_CI,
    PgTestDatabase,
    copy_sqlite,
    create_pg_database,
    drop_pg_database,
    migrate,
)
from tests.snapshots import Snapshots

# In CI the property tests draw the same examples every run, so a landing is never decided
# by a lucky draw; on a developer's machine they explore anew each time.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if IN_CI:
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def light_password_hashing() -> Iterator[None]:
    """argon2id at its lightest settings in this process: the tests check what hashing
    decides (a hash verifies, a wrong password does not), not what it costs, and with the
    real settings (about 0.13 s a hash here) the suite's hundreds of sign-ins cost half a
    minute. The real settings stay in force for the CLI run as a subprocess."""
    before = identity._hasher
    identity._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    identity._hasher = before


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite app database migrated to the newest revision once per session; copy it."""
    path = tmp_path_factory.mktemp("sqlite_template") / "app.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated once per session, dropped afterwards; the template of
    every test's database (`CREATE DATABASE … TEMPLATE`), never used by a test itself."""
    url = create_pg_database("riderperf_tpl")
    try:
        migrate(url)
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def pg_test_database(pg_template: str) -> Iterator[PgTestDatabase]:
    """The PostgreSQL database the tests take in turn, dropped after the session."""
    database = PgTestDatabase(pg_template)
    yield database
    database.drop()


@pytest.fixture
def pg_database_url(pg_test_database: PgTestDatabase) -> str:
    """A PostgreSQL database at the newest migration with no data of an earlier test."""
    pg_test_database.reset()
    return pg_test_database.url


@pytest.fixture
def empty_pg_database_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for the test, dropped after."""
    url = create_pg_database("riderperf_empty")
    yield url
    drop_pg_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The app database's backend: each test that takes it runs on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _fresh_card_tables() -> None:
    """Each test reads card tables from its own database: the PostgreSQL tests reuse one
    database URL, and some tests name their evaluations by hand."""
    from riderperf.evaluation.cards import forget_cards

    forget_cards()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """App database URL: a SQLite file or a PostgreSQL database of the test's own, at the
    newest migration, or empty when the test is marked `replays_migrations`."""
    empty = request.node.get_closest_marker("replays_migrations") is not None
    if backend == "sqlite":
        path = tmp_path / "app.db"
        if not empty:
            copy_sqlite(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return str(request.getfixturevalue("empty_pg_database_url" if empty else "pg_database_url"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    """Settings with the default app database under home, already migrated."""
    settings = Settings(home=tmp_path / "home")
    copy_sqlite(sqlite_template, settings.home / "riderperf.db")
    return settings


@pytest.fixture(scope="session")
def snapshots(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Snapshots]:
    """Prepared cities, built once per session and backend; tests take copies."""
    made = Snapshots(
        tmp_path_factory.mktemp("snapshots"),
        sqlite_template,
        pg_template=lambda: str(request.getfixturevalue("pg_template")),
    )
    yield made
    made.close()
