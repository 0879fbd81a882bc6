"""Prepared cities shared by many tests: simulated, imported and evaluated once per session
and backend, then copied for each test (or module) that writes to them.

Before, each test that needed a city imported, evaluated and decided it again: about 10 s
for 200 riders on SQLite, more on PostgreSQL. A copy costs a file copy of the home folder
(warehouse) and of the SQLite file, or `CREATE DATABASE … TEMPLATE` on PostgreSQL; the
copy is the same data the test would have built itself, so its assertions are unchanged.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from riderperf.config import Settings
from riderperf.simulate import simulate_city
from tests.databases import copy_sqlite, create_pg_database, drop_pg_database, pg_name, sqlite_file

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """The closed stores of a prepared city: its home folder and its app database (a SQLite
    file, or a PostgreSQL database used only as the template of copies)."""

    backend: str
    home: Path
    database_url: str


class Snapshots:
    """Builds each named city once per backend and hands out copies of it."""

    def __init__(self, root: Path, sqlite_template: Path, pg_template: Callable[[], str]):
        self._root = root
        self._sqlite_template = sqlite_template
        self._pg_template = pg_template
        self._built: dict[tuple[str, str], tuple[Snapshot, Any]] = {}
        self._datasets: dict[tuple[Any, ...], Path] = {}

    def dataset(self, *, riders: int, days: int, seed: int, start: date) -> Path:
        """A simulated city's files, written once per session for these parameters; read only."""
        key = (riders, days, seed, start)
        if key not in self._datasets:
            out = self._root / f"city-{riders}x{days}-seed{seed}-{start:%Y%m%d}"
            simulate_city(riders=riders, days=days, seed=seed, start=start, out=out)
            self._datasets[key] = out
        return self._datasets[key]

    def prepared(
        self,
        name: str,
        backend: str,
        build: Callable[[Settings], T],
        *,
        base: Snapshot | None = None,
    ) -> tuple[Snapshot, T]:
        """The snapshot of `build` run once on fresh, migrated stores of `backend` (or on a
        copy of `base`), and what `build` returned. Tests take copies with `copy`."""
        key = (name, backend)
        if key not in self._built:
            folder = self._root / f"{name}-{backend}"
            settings = self._fresh(backend, folder, base)
            try:
                value = build(settings)
            except BaseException:
                if backend != "sqlite":
                    drop_pg_database(settings.app_database_url)
                raise
            snapshot = Snapshot(backend, settings.home, settings.app_database_url)
            self._built[key] = (snapshot, value)
        snapshot, value = self._built[key]
        return snapshot, value

    def _fresh(self, backend: str, folder: Path, base: Snapshot | None) -> Settings:
        home = folder / "home"
        if base is not None:
            assert base.backend == backend, (base, backend)
            shutil.copytree(base.home, home)
        if backend == "sqlite":
            source = self._sqlite_template if base is None else sqlite_file(base.database_url)
            return Settings(
                home=home, database_url=f"sqlite:///{copy_sqlite(source, folder / 'app.db')}"
            )
        template = self._pg_template() if base is None else base.database_url
        return Settings(
            home=home, database_url=create_pg_database("riderperf_city", pg_name(template))
        )

    @contextmanager
    def copy(self, snapshot: Snapshot, target: Path) -> Iterator[Settings]:
        """Settings over a private copy of the snapshot's stores, under `target`; a
        PostgreSQL copy is dropped afterwards."""
        home = target / "home"
        shutil.copytree(snapshot.home, home)
        if snapshot.backend == "sqlite":
            database = copy_sqlite(sqlite_file(snapshot.database_url), target / "app.db")
            yield Settings(home=home, database_url=f"sqlite:///{database}")
            return
        url = create_pg_database("riderperf_test", template=pg_name(snapshot.database_url))
        try:
            yield Settings(home=home, database_url=url)
        finally:
            drop_pg_database(url)

    def close(self) -> None:
        """Drops the PostgreSQL databases of the snapshots."""
        for snapshot, _ in self._built.values():
            if snapshot.backend != "sqlite":
                drop_pg_database(snapshot.database_url)
