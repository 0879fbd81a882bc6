"""The engine of the API's reads without a transaction: autocommit, and a read whose
connection turns out dead is tried once more on a new one (`storage.db.read_once_more`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from riderperf.storage.db import make_engine, make_read_engine, read_once_more


def dead(invalidated: bool) -> DBAPIError:
    return DBAPIError("SELECT 1", None, Exception("server closed the connection"),
                      connection_invalidated=invalidated)  # fmt: skip


def test_a_read_on_a_dead_connection_is_tried_once_more(tmp_path: Path) -> None:
    engine = make_read_engine(f"sqlite:///{tmp_path / 'app.db'}")
    tries: list[int] = []

    def read(connection: Connection) -> int:
        tries.append(1)
        if len(tries) == 1:
            raise dead(invalidated=True)
        return int(connection.execute(text("SELECT 7")).scalar_one())

    assert read_once_more(engine, read) == 7
    assert len(tries) == 2
    engine.dispose()


def test_other_database_errors_and_a_second_dead_connection_are_raised(tmp_path: Path) -> None:
    engine = make_read_engine(f"sqlite:///{tmp_path / 'app.db'}")
    tries: list[int] = []

    def broken(connection: Connection) -> None:
        tries.append(1)
        raise dead(invalidated=False)

    with pytest.raises(DBAPIError):
        read_once_more(engine, broken)
    assert len(tries) == 1

    def always_dead(connection: Connection) -> None:
        tries.append(1)
        raise dead(invalidated=True)

    with pytest.raises(DBAPIError):
        read_once_more(engine, always_dead)
    assert len(tries) == 3
    engine.dispose()


def test_each_statement_commits_by_itself(tmp_path: Path) -> None:
    """A token's last-use stamp, written on the read engine, needs no commit."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine, other = make_read_engine(url), make_engine(url)
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        with other.connect() as looking:
            assert looking.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
    engine.dispose()
    other.dispose()
