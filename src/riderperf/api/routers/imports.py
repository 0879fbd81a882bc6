"""Imports over HTTP: upload a zip of canonical files, read the report, download rejects.

The import writes the warehouse, so it holds the process's warehouse gate for writing
while it runs in the request's worker thread; a second import, or a CLI command holding
the file, gets 409.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from riderperf.api.deps import SessionDep, require
from riderperf.api.errors import ApiError, errors, not_found
from riderperf.api.limits import ARCHIVE_MAX_BYTES, IMPORT_BODY_LIMIT
from riderperf.api.params import ID_PATTERN, Limit, Offset
from riderperf.api.schemas.imports import ImportPage, ImportRead
from riderperf.api.uploads import save_upload, unpack_zip, upload_name
from riderperf.ingest.service import import_path
from riderperf.ingest.sources import find_sources
from riderperf.storage.models import ImportRun

router = APIRouter(prefix="/imports", tags=["imports"])
Importer = Annotated[Any, Depends(require("manage_imports"))]
ImportIdPath = Annotated[str, PathParam(pattern=ID_PATTERN)]
MAX_UNPACKED_BYTES = 8 << 30
MAX_ARCHIVE_FILES = 1000


@router.post(
    "",
    operation_id="createImport",
    max_body_size=IMPORT_BODY_LIMIT,
    status_code=201,
    response_model=ImportRead,
    responses=errors(400, 401, 403, 409, 413, 422),
)
def create_import(
    request: Request,
    session: SessionDep,
    _user: Importer,
    archive: Annotated[
        UploadFile,
        File(
            description="A zip of canonical files: riders.csv, "
            "orders.parquet, … (at its root or in one folder)."
        ),
    ],
) -> ImportRead:
    """Import a dataset: counts per table (read, inserted, duplicates, conflicts, rejected)
    and the reject files, downloadable with downloadImportRejects. Importing the same
    files again inserts nothing (duplicates)."""
    app = request.app
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        base = Path(folder)
        saved = save_upload(archive, base, max_bytes=ARCHIVE_MAX_BYTES, name="dataset.zip")
        (base / "dataset").mkdir()
        root = unpack_zip(
            saved, base / "dataset", max_bytes=MAX_UNPACKED_BYTES, max_files=MAX_ARCHIVE_FILES
        )
        if not find_sources(root)[0]:
            raise ApiError(
                422,
                "the archive holds no dataset files: put riders.csv, orders.parquet, … "
                "(named after the canonical tables) at its root or in one folder",
                details={"files": sorted(p.name for p in root.rglob("*") if p.is_file())[:50]},
            )
        # Files are named by their place in the upload, never by the server's folder.
        label = "/".join([upload_name(archive), *root.relative_to(base / "dataset").parts])
        with app.state.warehouse.writing("an import is running"):
            report = import_path(root, app.state.settings, clock=app.state.clock, label=label)
    run = session.get(ImportRun, report.import_id)
    return read(run) if run is not None else ImportRead(**_report(report.as_json()))


@router.get(
    "", operation_id="listImports", response_model=ImportPage, responses=errors(401, 403, 422)
)
def list_imports(
    session: SessionDep, _user: Importer, limit: Limit = 50, offset: Offset = 0
) -> ImportPage:
    """Past imports, newest first."""
    total = session.scalar(select(func.count()).select_from(ImportRun)) or 0
    runs = session.scalars(
        select(ImportRun).order_by(ImportRun.started_at.desc()).limit(limit).offset(offset)
    )
    return ImportPage(items=[read(r) for r in runs], total=total, limit=limit, offset=offset)


@router.get(
    "/{import_id}",
    operation_id="getImport",
    response_model=ImportRead,
    responses=errors(401, 403, 404, 422),
)
def get_import(import_id: ImportIdPath, session: SessionDep, _user: Importer) -> ImportRead:
    """One import's report."""
    run = session.get(ImportRun, import_id)
    if run is None:
        raise not_found(f"import {import_id}")
    return read(run)


@router.get(
    "/{import_id}/rejects/{filename}",
    operation_id="downloadImportRejects",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"text/csv": {}, "application/octet-stream": {}},
            "description": "The rejected rows with the reason for each.",
        },
        **errors(401, 403, 404, 422),
    },
)
def download_rejects(
    import_id: ImportIdPath,
    filename: Annotated[str, PathParam(pattern=ID_PATTERN)],
    request: Request,
    session: SessionDep,
    _user: Importer,
) -> FileResponse:
    """A reject file of the import (only files the import's report names)."""
    run = session.get(ImportRun, import_id)
    named = [Path(p) for p in ((run.report or {}).get("rejects", []) if run else [])]
    match = next((p for p in named if p.name == filename), None)
    rejects_dir = request.app.state.settings.rejects_dir.resolve()
    if match is None or not match.is_file() or rejects_dir not in match.resolve().parents:
        raise not_found(f"reject file {filename} of import {import_id}")
    kind = "text/csv" if match.suffix == ".csv" else "application/octet-stream"
    return FileResponse(match, media_type=kind, filename=match.name)


def read(run: ImportRun) -> ImportRead:
    return ImportRead(
        started_at=run.started_at,
        finished_at=run.finished_at,
        **_report(run.report or {"import_id": run.import_id, "exit_code": run.exit_code}),
    )


def _report(data: dict[str, Any]) -> dict[str, Any]:
    """The stored report with reject paths shortened to the names clients download by and
    the server's folders left out."""
    return {
        "import_id": data["import_id"],
        "exit_code": data.get("exit_code"),
        "tables": data.get("tables", {}),
        "rejects": [Path(p).name for p in data.get("rejects", [])],
        "errors_by_field": data.get("errors_by_field", {}),
        "unknown_columns": {Path(k).name: v for k, v in data.get("unknown_columns", {}).items()},
        "ignored_files": [Path(p).name for p in data.get("ignored_files", [])],
        "file_errors": [_file_error(e) for e in data.get("file_errors", [])],
    }


def _file_error(error: dict[str, Any]) -> dict[str, Any]:
    """A file error named by its file's name. Runs recorded before imports named files by
    their place in the upload hold the server's path, in `file` and in the message."""
    name, message = Path(error["file"]).name, str(error["error"])
    if Path(error["file"]).is_absolute():
        message = message.replace(error["file"], name)
    return error | {"file": name, "error": message}
