"""Makes a race between two requests or transactions deterministic: each holds its first
write until the other reached its own, so both have read what they are about to change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def both_read_first() -> Iterator[None]:
    """Holds the first write statement of each of two requests until both reached it: by
    then each has read what it is about to change."""
    barrier = threading.Barrier(2, timeout=20)
    seen = {"writes": 0}
    lock = threading.Lock()

    def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(WRITES):
            return
        with lock:
            seen["writes"] += 1
            first_two = seen["writes"] <= 2
        if first_two:
            barrier.wait()

    event.listen(Engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", hold)


def at_once(*acts: Callable[[], object]) -> list[object]:
    """Runs each act in a thread of its own under `both_read_first`; what each returned or
    raised, in order."""
    outcomes: list[object] = [None] * len(acts)

    def run(index: int) -> None:
        try:
            outcomes[index] = acts[index]()
        except Exception as exc:  # the caller looks at who lost and how
            outcomes[index] = exc

    with both_read_first():
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(acts))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return outcomes
