"""Stores evidence files once by their SHA-256 and reads them back only while the bytes still match.

A file lives at `<home>/evidence/<sha[:2]>/<sha>`; the database keeps, per case, its name,
size, content type and hash. The bytes are written before the case's transaction commits:
if that transaction fails, an unreferenced file stays behind, which is harmless (the same
bytes attached again reuse it).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.audit.log import record_event
from riderperf.cases.model import CaseError
from riderperf.cases.orm import Case, CaseEvidence

EVIDENCE_DIR = "evidence"
CHUNK_BYTES = 1 << 20
FALLBACK_CONTENT_TYPE = "application/octet-stream"


class EvidenceError(CaseError):
    """An evidence file that cannot be taken or given back; the message says which and why."""


class EvidenceTooLarge(EvidenceError):
    """A file above the policy's size limit, or too many files at once."""


class EvidenceCorrupted(EvidenceError):
    """A stored file whose bytes no longer match the hash it was stored under."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int
    filename: str
    content_type: str


def evidence_path(home: Path, sha256: str) -> Path:
    """Where the bytes with this SHA-256 live."""
    return home / EVIDENCE_DIR / sha256[:2] / sha256


def check_evidence_files(files: Sequence[Path], *, max_bytes: int, max_files: int) -> None:
    """Refuses, before anything is written, files that are missing, too large or too many."""
    if len(files) > max_files:
        raise EvidenceTooLarge(
            f"{len(files)} evidence files given; at most {max_files} may be attached at once "
            "(appeals.evidence.max_files): pick the ones that show what happened"
        )
    for path in files:
        if not path.is_file():
            raise EvidenceError(f"evidence file {path} does not exist or is not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise EvidenceTooLarge(_too_large(path, size, max_bytes))


def store_evidence_file(home: Path, source: Path, *, max_bytes: int) -> StoredFile:
    """Copies `source` into the store under its SHA-256 (once: identical bytes are kept once)."""
    folder = home / EVIDENCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as data:
            while chunk := data.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:  # the file grew after it was checked
                    raise EvidenceTooLarge(_too_large(source, size, max_bytes))
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = evidence_path(home, sha)
        if target.is_file() and target.stat().st_size == size:
            temp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)  # atomic: a reader never sees half a file
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    content_type = mimetypes.guess_type(source.name)[0] or FALLBACK_CONTENT_TYPE
    return StoredFile(sha, size, source.name[:255], content_type)


def read_evidence(home: Path, sha256: str) -> bytes:
    """The stored bytes, after checking they still hash to `sha256`."""
    path = evidence_path(home, sha256)
    if not path.is_file():
        raise EvidenceError(
            f"evidence {sha256[:12]} is missing from {path.parent}; restore the evidence "
            "folder from a backup"
        )
    data = path.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        raise EvidenceCorrupted(
            f"evidence file {path} no longer matches its hash (expected {sha256[:12]}, found "
            f"{found[:12]}): it was changed or damaged; restore it from a backup"
        )
    return data


def attach_evidence(
    session: Session,
    case: Case,
    files: Sequence[Path],
    *,
    home: Path,
    max_bytes: int,
    max_files: int,
    by: str,
    at: datetime,
) -> list[CaseEvidence]:
    """Stores the files and records them on the case (a file already on the case is not added
    twice), with one audit event `case.evidence_added` listing them."""
    if not files:
        return []
    check_evidence_files(files, max_bytes=max_bytes, max_files=max_files)
    known = set(
        session.scalars(select(CaseEvidence.sha256).where(CaseEvidence.case_id == case.case_id))
    )
    added: list[CaseEvidence] = []
    for path in files:
        stored = store_evidence_file(home, path, max_bytes=max_bytes)
        if stored.sha256 in known:
            continue
        known.add(stored.sha256)
        row = CaseEvidence(
            evidence_id=str(uuid4()),
            case_id=case.case_id,
            sha256=stored.sha256,
            filename=stored.filename,
            size_bytes=stored.size_bytes,
            content_type=stored.content_type,
            added_at=at,
            added_by=by,
        )
        session.add(row)
        added.append(row)
    if added:
        record_event(
            session,
            actor=by,
            action="case.evidence_added",
            subject_type="case",
            subject_id=case.case_id,
            at=at,
            rider_id=case.rider_id,
            details={"files": [evidence_summary(row) for row in added]},
        )
    return added


def evidence_summary(row: CaseEvidence) -> dict[str, str | int]:
    return {
        "filename": row.filename,
        "sha256": row.sha256,
        "size_bytes": row.size_bytes,
        "content_type": row.content_type,
    }


def _too_large(path: Path, size: int, max_bytes: int) -> str:
    return (
        f"evidence file {path} is {size:,} bytes; the limit is {max_bytes:,} bytes "
        "(appeals.evidence.max_file_bytes): send a smaller photo or a screenshot"
    )
