"""Opens both stores, the app database and the warehouse, creating or upgrading them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine

from riderperf.config import Settings
from riderperf.storage.db import make_engine, upgrade
from riderperf.warehouse.connection import Warehouse, connect


@dataclass
class Stores:
    engine: Engine
    warehouse: Warehouse


def init_stores(settings: Settings) -> None:
    """Creates or upgrades both stores; running it twice changes nothing."""
    with open_stores(settings):
        pass


@contextmanager
def open_stores(settings: Settings, *, read_only: bool = False) -> Iterator[Stores]:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.app_database_url)
    if not read_only:
        upgrade(engine)
    warehouse = connect(
        settings.warehouse_path, read_only=read_only, memory_limit=settings.warehouse_memory
    )
    try:
        yield Stores(engine, warehouse)
    finally:
        warehouse.close()
        engine.dispose()
