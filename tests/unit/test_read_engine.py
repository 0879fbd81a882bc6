"""The engine of the API's reads without a transaction: autocommit, and a read whose
connection turns out dead is tried once more on a new one (`storage.db.Reads`)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from riderperf.storage.db import Reads, make_engine, make_read_engine


def dead(invalidated: bool) -> DBAPIError:
    return DBAPIError("SELECT 1", None, Exception("server closed the connection"),
                      connection_invalidated=invalidated)  # fmt: skip


def test_a_read_on_a_dead_connection_is_tried_once_more(tmp_path: Path) -> None:
    reads = Reads(f"sqlite:///{tmp_path / 'app.db'}")
    tries: list[int] = []

    def read(connection: Connection) -> int:
        tries.append(1)
        if len(tries) == 1:
            raise dead(invalidated=True)
        return int(connection.execute(text("SELECT 7")).scalar_one())

    assert reads.read(read) == 7
    assert len(tries) == 2
    assert reads.read(read) == 7  # on the new connection
    reads.close()


def test_other_database_errors_and_a_second_dead_connection_are_raised(tmp_path: Path) -> None:
    reads = Reads(f"sqlite:///{tmp_path / 'app.db'}")
    tries: list[int] = []

    def broken(connection: Connection) -> None:
        tries.append(1)
        raise dead(invalidated=False)

    with pytest.raises(DBAPIError):
        reads.read(broken)
    assert len(tries) == 1

    def always_dead(connection: Connection) -> None:
        tries.append(1)
        raise dead(invalidated=True)

    with pytest.raises(DBAPIError):
        reads.read(always_dead)
    assert len(tries) == 3
    reads.close()


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


def test_each_thread_reads_on_a_connection_of_its_own_kept_open(tmp_path: Path) -> None:
    reads = Reads(f"sqlite:///{tmp_path / 'app.db'}")
    seen: list[Connection] = []
    reads.read(seen.append)
    reads.read(seen.append)
    elsewhere = threading.Thread(target=reads.read, args=(seen.append,))
    elsewhere.start()
    elsewhere.join()
    assert seen[0] is seen[1] and seen[2] is not seen[0]
    reads.close()
    assert all(connection.closed for connection in seen)
