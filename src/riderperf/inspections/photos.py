"""Keeps inspection photos content-addressed: a photo is stored once, under its SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from riderperf.config import Settings

_CHUNK = 1 << 20


def photo_folder(settings: Settings) -> Path:
    """Where the app keeps inspection photos: `<home>/inspection-photos`."""
    return settings.home / "inspection-photos"


def photo_sha256(path: Path) -> str:
    """SHA-256 of a photo file; ValueError naming the file when it cannot be read."""
    if not path.is_file():
        raise ValueError(f"{path}: no such photo file")
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror})") from exc
    return digest.hexdigest()


def stored_photo_path(store: Path, sha256: str) -> Path:
    """`<store>/<first two hex>/<sha256>`: two-level so no folder grows too large."""
    return store / sha256[:2] / sha256


def keep_photo(path: Path, store: Path, sha256: str) -> Path:
    """Copies the photo into the store under its hash (once); returns where it is kept.

    The copy goes to a temporary file first, is hashed as it is written and only then
    renamed into place, so no file is ever kept under a hash it does not match (a crash,
    or the photo changing after it was hashed).
    """
    target = stored_photo_path(store, sha256)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError(f"{path}: the photo changed while it was being stored; record again")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
