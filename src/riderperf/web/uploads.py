"""Keeps the files of an appeal form on disk for as long as the appeal takes to store them,
refusing too many or too large files before the whole of one is read."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from starlette.datastructures import UploadFile

from riderperf.web.i18n import N_

CHUNK_BYTES = 1 << 20
# Keeps letters of any script, digits, dot, dash and underscore; the rest becomes "_".
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


class UploadRefused(ValueError):
    """Files the appeal cannot take; `message` is translatable, `values` fill it."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values))
        self.message = message
        self.values = values


def safe_name(filename: str, index: int) -> str:
    """The file's own name without any folder part, safe to write; never empty."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._")[:200]
    return cleaned or f"evidence-{index + 1}"


@contextmanager
def saved_uploads(
    uploads: Sequence[UploadFile], max_bytes: int, max_files: int
) -> Iterator[list[Path]]:
    """The uploads written to a private temporary folder (removed afterwards), each under
    its own sub-folder so that two files with the same name do not collide."""
    if len(uploads) > max_files:
        raise UploadRefused(N_("Attach at most {count} files to one appeal."), count=max_files)
    folder = Path(tempfile.mkdtemp(prefix="riderperf-upload-"))
    try:
        paths = []
        for index, upload in enumerate(uploads):
            target = folder / str(index) / safe_name(upload.filename or "", index)
            target.parent.mkdir()
            _copy_limited(upload, target, max_bytes)
            paths.append(target)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_limited(upload: UploadFile, target: Path, max_bytes: int) -> None:
    written = 0
    upload.file.seek(0)
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK_BYTES):
            written += len(chunk)
            if written > max_bytes:
                raise UploadRefused(
                    N_("The file {name} is too large: at most {size} MB per file."),
                    name=upload.filename or "",
                    size=max(1, max_bytes // (1 << 20)),
                )
            out.write(chunk)
