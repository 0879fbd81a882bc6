"""Shows the demo's phases as they run: a live line with a spinner, a bar when the steps are
counted and the time so far, then one line saying what was done and how long it took."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

Step = Callable[..., None]  # step(advance=1, *, completed=, total=, description=)


class Phases:
    """One phase at a time; nothing animates when the console is not a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def phase(
        self, description: str, total: int | None = None, *, counted: bool | None = None
    ) -> Iterator[Step]:
        """Runs the body under a live progress line; `step()` advances it by one, `step(n)`
        by n, and `completed`, `total` and `description` set those outright. A phase is
        counted (a bar and "done/total") when it has a total, or says it will have one."""
        columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn("{task.description}")]
        if counted is None:
            counted = total is not None
        if counted:
            columns += [BarColumn(), MofNCompleteColumn()]
        progress = Progress(
            *columns,
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            disable=not self.console.is_terminal,
        )
        task = progress.add_task(description, total=total)

        def step(
            advance: float = 1,
            *,
            completed: float | None = None,
            total: float | None = None,
            description: str | None = None,
        ) -> None:
            if completed is not None:
                progress.update(task, completed=completed)
            elif advance:
                progress.advance(task, advance)
            if total is not None:
                progress.update(task, total=total)
            if description is not None:
                progress.update(task, description=description)

        started = time.perf_counter()
        with progress:
            yield step
        self.console.print(f"[green]✓[/] {description} ({time.perf_counter() - started:.1f} s)")
