"""What an import did: counts per table, where the rejects went, and the exit status."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_NOTHING_IMPORTED = 1
EXIT_SOME_REJECTED = 3


@dataclass
class TableCounts:
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0

    def add(self, other: TableCounts) -> None:
        self.read += other.read
        self.inserted += other.inserted
        self.duplicates += other.duplicates
        self.conflicts += other.conflicts
        self.rejected += other.rejected

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
        }


@dataclass
class FileError:
    """A file that could not be imported at all, and why."""

    path: Path
    table: str | None
    message: str


@dataclass
class ImportReport:
    import_id: str
    source: Path
    tables: dict[str, TableCounts] = field(default_factory=dict)
    rejects: list[Path] = field(default_factory=list)
    errors_by_field: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    ignored_files: list[Path] = field(default_factory=list)
    file_errors: list[FileError] = field(default_factory=list)

    def counts(self, table: str) -> TableCounts:
        return self.tables.setdefault(table, TableCounts())

    @property
    def exit_code(self) -> int:
        """0: all rows inserted or exact duplicates; 3: some rejected or conflicting;
        1: nothing could be imported (no readable dataset file, or every row refused)."""
        total = TableCounts()
        for counts in self.tables.values():
            total.add(counts)
        accepted = total.inserted + total.duplicates
        if accepted == 0 and (
            self.file_errors or total.read == 0 or total.rejected or total.conflicts
        ):
            return EXIT_NOTHING_IMPORTED
        if self.file_errors or total.rejected or total.conflicts:
            return EXIT_SOME_REJECTED
        return EXIT_OK

    def as_json(self) -> dict[str, Any]:
        return {
            "tables": {name: c.as_dict() for name, c in self.tables.items()},
            "rejects": [str(p) for p in self.rejects],
            "import_id": self.import_id,
            "source": str(self.source),
            "errors_by_field": self.errors_by_field,
            "unknown_columns": self.unknown_columns,
            "ignored_files": [str(p) for p in self.ignored_files],
            "file_errors": [
                {"file": str(e.path), "table": e.table, "error": e.message}
                for e in self.file_errors
            ],
            "exit_code": self.exit_code,
        }
