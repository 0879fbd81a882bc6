"""Decides when a request may open the DuckDB warehouse: many short read-only readers, or one
writer (an import, a re-evaluation) at a time.

DuckDB lets one process write a file, or many read it, and refuses in one process two
connections with different modes; so readers open the file read-only for one request and
close it, and a writer first waits for them to finish. A writer never waits for another
writer and a reader never waits for a writer: both are told the warehouse is busy (409).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from riderperf.api.errors import ApiError
from riderperf.warehouse.connection import Warehouse, WarehouseBusyError, connect

# How long a writer waits for the readers in flight (each holds the file for one request).
READERS_DRAIN_SECONDS = 30.0


# The warehouse's own message names its file; a client is not told the server's folders.
_ANOTHER_PROCESS = (
    "the warehouse is in use by another riderperf process (a command such as an import or "
    "an evaluation); try again when it is done"
)


def busy(message: str) -> ApiError:
    return ApiError(409, message, code="warehouse_busy")


class WarehouseGate:
    """A readers-writer gate for the warehouse file of one server process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cond = threading.Condition()
        self._readers = 0
        self._writer: str | None = None

    @contextmanager
    def reading(self) -> Iterator[Warehouse | None]:
        """A read-only warehouse for this request, or None when none was imported yet."""
        with self._cond:
            if self._writer is not None:
                raise busy(f"the warehouse is busy ({self._writer}); try again in a minute")
            self._readers += 1
        try:
            if not self.path.is_file():
                yield None
                return
            try:
                warehouse = connect(self.path, read_only=True)
            except WarehouseBusyError as exc:
                raise busy(_ANOTHER_PROCESS) from exc
            try:
                yield warehouse
            finally:
                warehouse.close()
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self, what: str) -> Iterator[None]:
        """Holds the warehouse for one writer in this process (the writer opens it itself)."""
        with self._cond:
            if self._writer is not None:
                raise busy(f"the warehouse is busy ({self._writer}); try again when it is done")
            self._writer = what
            drained = self._cond.wait_for(lambda: self._readers == 0, READERS_DRAIN_SECONDS)
            if not drained:
                self._writer = None
                self._cond.notify_all()
                raise busy("the warehouse is being read by long requests; try again shortly")
        try:
            yield
        except WarehouseBusyError as exc:  # another process (a CLI command) holds it
            raise busy(_ANOTHER_PROCESS) from exc
        finally:
            with self._cond:
                self._writer = None
                self._cond.notify_all()
