"""The import use case: a dataset into the warehouse, the run into the app database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

from riderperf.clock import Clock, system_clock
from riderperf.common.canonical import TABLES_BY_NAME
from riderperf.config import Settings
from riderperf.ingest.load import BATCH_STEPS, load_batch, merge_rejects
from riderperf.ingest.report import FileError, ImportReport
from riderperf.ingest.riders import register_new_riders
from riderperf.ingest.sources import Part, Source, SourceError, find_sources, parts_of, stage
from riderperf.storage.db import unit_of_work
from riderperf.storage.models import ImportRun
from riderperf.stores import Stores, open_stores

Progress = Callable[[int, int, str], None]  # steps done, steps in all, what is happening


def import_path(
    path: Path,
    settings: Settings,
    *,
    clock: Clock = system_clock,
    progress: Progress | None = None,
    label: str | None = None,
) -> ImportReport:
    """Imports the dataset at `path` (a folder or one file) and returns what happened.

    `label` is what the dataset is called in the report, the rejects files and the rows'
    lineage instead of its path (an upload's name, such as `d.zip`): its files are then
    named `label/<name inside the dataset>`, so no server folder shows to whoever sent it.
    """
    started = clock()
    shown = _namer(path, label)
    report = ImportReport(
        f"{started:%Y%m%dT%H%M%S}-{uuid4().hex[:8]}",
        path.resolve() if label is None else Path(label),
    )
    with open_stores(settings) as stores:
        with unit_of_work(stores.engine) as session:
            session.add(
                ImportRun(import_id=report.import_id, source=shown(path), started_at=started)
            )
        try:
            found, ignored = find_sources(path, shown)
            sources, report.ignored_files = found, [Path(shown(p)) for p in ignored]
        except SourceError as exc:
            sources = []
            report.file_errors.append(FileError(Path(shown(path)), None, str(exc)))
        if not sources and not report.file_errors:
            report.file_errors.append(
                FileError(
                    Path(shown(path)),
                    None,
                    "no dataset files found (expected riders.csv, "
                    "orders.parquet, … named after the canonical tables)",
                )
            )
        con = stores.warehouse.con
        plan = [(s, parts_of(con, s, settings.import_batch_rows)) for s in sources]
        tick = _ticker(progress, sum(len(parts) for _, parts in plan) * (BATCH_STEPS + 1))
        for source, parts in plan:
            _import_source(stores, source, parts, report, settings, clock, tick)
        register_new_riders(stores.warehouse, stores.engine, clock())
        with unit_of_work(stores.engine) as session:
            run = session.get(ImportRun, report.import_id)
            assert run is not None
            run.finished_at = clock()
            run.exit_code = report.exit_code
            run.report = report.as_json()
    return report


def _namer(root: Path, label: str | None) -> Callable[[Path], str]:
    """How the report names a file of the dataset at `root`: its path, or under `label`."""
    if label is None:
        return str

    def shown(path: Path) -> str:
        if path == root:
            return label
        try:
            inside = path.relative_to(root).as_posix()
        except ValueError:
            inside = path.name
        return f"{label}/{inside}"

    return shown


def _ticker(progress: Progress | None, total: int) -> Callable[[str], None]:
    done = 0

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    return tick


def _import_source(
    stores: Stores,
    source: Source,
    parts: list[Part | None],
    report: ImportReport,
    settings: Settings,
    clock: Clock,
    tick: Callable[[str], None],
) -> None:
    """Imports `source` whole, or part after part (each its own transaction: a part that
    fails leaves the parts before it imported, and importing the file again skips them as
    duplicates). The parts' rejects become one file."""
    table = TABLES_BY_NAME[source.table]
    rejects: list[Path] = []
    for number, part in enumerate(parts, start=1):
        shown = source.path.name if part is None else f"{source.path.name} part {number}"
        try:
            staged = stage(stores.warehouse.con, source, f"stage_{source.table}", part)
        except SourceError as exc:
            where = "" if part is None else f" (rows {part[0] + 1}–{part[1]})"
            report.file_errors.append(FileError(Path(source.name), source.table, f"{exc}{where}"))
            for _ in range(BATCH_STEPS + 1):
                tick(f"{shown}: unreadable")
            continue
        tick(f"{shown}: read {staged.rows:,} rows")
        unknown = [c for c in staged.columns if c not in table.by_name]
        if unknown:
            report.unknown_columns[source.name] = unknown
        result = load_batch(
            stores.warehouse.con,
            staged,
            table,
            import_id=report.import_id,
            rejects_dir=settings.rejects_dir.resolve(),
            now=clock(),
            step=_labelled(tick, shown),
            part=None if part is None else number,
        )
        report.counts(source.table).add(result.counts)
        if result.rejects:
            rejects.append(result.rejects)
        if result.errors_by_field:
            merged = report.errors_by_field.setdefault(source.table, {})
            for name, n in result.errors_by_field.items():
                merged[name] = merged.get(name, 0) + n
    if rejects:
        report.rejects.append(merge_rejects(stores.warehouse.con, rejects))


def _labelled(tick: Callable[[str], None], shown: str) -> Callable[[str], None]:
    return lambda what: tick(f"{shown}: {what}")
