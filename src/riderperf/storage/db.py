"""The app database: engine, sessions (unit of work) and migrations to the newest revision."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported by the functions that migrate (about 0.5 s): the workers of
# `riderperf serve --workers N` open a database their supervisor has already migrated.
MIGRATIONS = Path(__file__).with_name("migrations")


def _to_json(value: Any) -> str:
    """JSON columns through orjson: several times faster than json.dumps on the thousands
    of scorecards an evaluation publishes, and NaN becomes null (PostgreSQL refuses NaN)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


_T = TypeVar("_T")


def make_engine(url: str, *, pre_ping: bool = True) -> Engine:
    """Creates the engine; a SQLite file gets its folder, WAL mode and foreign keys.
    PostgreSQL connections are tested before each use unless `pre_ping` is False."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=_to_json)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_con: Any, _record: Any) -> None:
            cur = dbapi_con.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=pre_ping, json_serializer=_to_json)


# A read on the reads engine holds up its worker's event loop while it runs (api.deps):
# PostgreSQL cancels one that takes longer (a primary-key read takes well under 1 ms).
READ_TIMEOUT_MS = 2_000
READ_MMAP_BYTES = 1 << 30


def make_read_engine(url: str) -> Engine:
    """An engine of its own for the few reads the API makes on the event loop (the bearer
    token and the scorecard reads, primary-key lookups): autocommit, so no BEGIN and
    ROLLBACK around them, and no test of the connection before each use; on PostgreSQL
    those are three round trips of a read's five. `Reads` retries a read whose connection
    turns out dead instead, and PostgreSQL cancels a statement after `READ_TIMEOUT_MS`."""
    # Autocommit from the connection's start (not per checkout), and nothing to roll back
    # when a connection goes back to the pool.
    plain: dict[str, Any] = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
    if make_url(url).get_backend_name() != "sqlite":
        timeout = {"options": f"-c statement_timeout={READ_TIMEOUT_MS}", "connect_timeout": 5}
        return create_engine(url, json_serializer=_to_json, connect_args=timeout, **plain)
    engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=_to_json, **plain)

    @event.listens_for(engine, "connect")
    def _sqlite_reads(dbapi_con: Any, _record: Any) -> None:
        # Pages read through a memory map instead of one read() call each: a scorecard
        # read touches a few pages of a file that outgrows the page cache at 100,000 riders.
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA mmap_size={READ_MMAP_BYTES}")
        cur.close()

    return engine


class Reads:
    """The reads an event loop makes itself (`api.deps`), on a reads engine: each thread
    keeps one connection open for them, so a read neither takes a connection from the pool
    nor gives one back (a tenth of a scorecard read's time). A read whose connection turns
    out dead (the database restarted) is tried once more on a new connection."""

    def __init__(self, url: str) -> None:
        self.engine = make_read_engine(url)
        self._mine = threading.local()
        self._opened: list[Connection] = []
        self._lock = threading.Lock()

    def read(self, read: Callable[[Connection], _T]) -> _T:
        connection: Connection | None = getattr(self._mine, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self._open()
        try:
            return read(connection)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        return read(self._open())

    def _open(self) -> Connection:
        old: Connection | None = getattr(self._mine, "connection", None)
        if old is not None:
            old.close()
        connection = self.engine.connect()
        self._mine.connection = connection
        with self._lock:
            self._opened = [c for c in self._opened if not c.closed] + [connection]
        return connection

    def close(self) -> None:
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened = []
        self.engine.dispose()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as con:
        return MigrationContext.configure(con).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Brings the schema to the newest migration; does nothing when it is already there.

    The revision check comes first because Alembic's own no-op still runs the migration
    environment, which imports every model (about 0.6 s at each command's start)."""
    from alembic import command

    if current_revision(engine) == head_revision(engine):
        return
    command.upgrade(alembic_config(engine), "head")


@contextmanager
def app_database(url: str) -> Iterator[Engine]:
    """The app database at `url`, brought to the newest schema, disposed afterwards."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
