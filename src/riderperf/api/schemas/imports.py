"""What an import did: counts per table, rejected rows and where to download them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from riderperf.api.schemas.common import UtcDatetime


class TableCountsRead(BaseModel):
    read: int
    inserted: int
    duplicates: int
    conflicts: int
    rejected: int


class FileErrorRead(BaseModel):
    file: str
    table: str | None = None
    error: str


class ImportRead(BaseModel):
    import_id: str
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    exit_code: int | None = Field(None, description="0 ok, 3 some rows rejected, 1 nothing.")
    tables: dict[str, TableCountsRead] = {}
    rejects: list[str] = Field([], description="Reject file names, for downloadImportRejects.")
    errors_by_field: dict[str, dict[str, int]] = {}
    unknown_columns: dict[str, list[str]] = {}
    ignored_files: list[str] = []
    file_errors: list[FileErrorRead] = []


class ImportPage(BaseModel):
    items: list[ImportRead]
    total: int
    limit: int
    offset: int
