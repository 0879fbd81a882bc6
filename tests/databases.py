"""App databases for the tests: migrated once per session, then copied for each test.

Replaying the eleven migrations costs 0.2 to 0.7 s on a SQLite file and 0.4 to 0.6 s on
PostgreSQL (migrate, then drop the schema afterwards); several hundred tests each want a
database of their own. So a session migrates one template per backend and every test starts
from a copy of it:

- SQLite: a file copy (about 0.03 s).
- PostgreSQL: one database per session, made with `CREATE DATABASE … TEMPLATE`, that the
  tests take in turn. Before each test it is put back to the migrated state by deleting
  every row and restoring the rows the migrations wrote (0.05 s, measured on this 2-core
  machine under load, against 0.5 s for a new copy of the template per test and 0.5 s for
  TRUNCATE, which must create new files for every table). A test that changed the schema
  (dropped or disabled a trigger, say) gets a new copy of the template instead.

The app's `upgrade()` sees the newest revision and returns at once, so the code under test
runs exactly as on a database it migrated itself.

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
from sqlalchemy import Engine, MetaData, create_engine, insert, text
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


# What a test could change in the schema: relations, columns, triggers (and whether they
# are enabled), functions, and the migration revision.
SCHEMA_FINGERPRINT = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
  SELECT 'rel:' || c.relname || ':' || c.relkind::text AS item
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
  UNION ALL
  SELECT 'col:' || c.relname || '.' || a.attname || ':' || a.atttypid::text
    || ':' || a.attnotnull::text
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'trg:' || t.tgname || ':' || t.tgenabled::text
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
  UNION ALL
  SELECT 'fn:' || p.proname || ':' || md5(p.prosrc)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
  UNION ALL
  SELECT 'rev:' || version_num FROM alembic_version
) AS schema_items
"""


class PgTestDatabase:
    """The session's PostgreSQL database for tests: a copy of the migrated template that
    `reset` puts back to the state the migrations left, between one test and the next."""

    def __init__(self, template_url: str) -> None:
        self._template = pg_name(template_url)
        self.url = create_pg_database("riderperf_test", template=self._template)
        engine = create_engine(self.url)
        try:
            self._capture(engine)
        except BaseException:
            engine.dispose()
            self.drop()
            raise
        engine.dispose()

    def _capture(self, engine: Engine) -> None:
        """What `reset` puts back: the schema's fingerprint, the sequences, the rows."""
        self._tables = MetaData()
        self._tables.reflect(engine)
        with engine.connect() as con:
            self._fingerprint = con.execute(text(SCHEMA_FINGERPRINT)).scalar_one()
            self._sequences = list(
                con.execute(
                    text(
                        "SELECT sequence_name FROM information_schema.sequences "
                        "WHERE sequence_schema = 'public'"
                    )
                ).scalars()
            )
            self._rows = {
                table.name: [dict(row) for row in con.execute(table.select()).mappings()]
                for table in self._tables.sorted_tables
                if table.name != "alembic_version"
            }

    def reset(self) -> None:
        """Back to the migrated state: every row deleted and the migrations' own rows written
        again, sequences restarted; a new copy of the template when the schema changed."""
        engine = create_engine(self.url)
        try:
            with engine.begin() as con:
                # Connections the last test left open (undisposed pools) could hold locks.
                con.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                unchanged = con.execute(text(SCHEMA_FINGERPRINT)).scalar_one() == self._fingerprint
                if unchanged:
                    # Replica mode: neither the immutability triggers nor foreign keys fire.
                    con.execute(text("SET LOCAL session_replication_role = replica"))
                    for name, rows in self._rows.items():
                        con.execute(text(f'DELETE FROM "{name}"'))
                        if rows:
                            con.execute(insert(self._tables.tables[name]), rows)
                    for sequence in self._sequences:
                        con.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        finally:
            engine.dispose()
        if not unchanged:
            drop_pg_database(self.url)
            with pg_admin() as admin, admin.connect() as con:
                name = pg_name(self.url)
                con.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))

    def drop(self) -> None:
        drop_pg_database(self.url)
