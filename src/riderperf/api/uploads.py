"""Takes uploaded files to disk safely: size limits while copying, and zip archives unpacked
without escaping their folder or exploding in size."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath

from fastapi import UploadFile

from riderperf.api.errors import ApiError

CHUNK = 1 << 20


def save_upload(
    upload: UploadFile, folder: Path, *, max_bytes: int, name: str | None = None
) -> Path:
    """Copies the upload into `folder` under its own base name; 413 past `max_bytes`."""
    filename = PurePosixPath((name or upload.filename or "upload").replace("\\", "/")).name
    target = folder / (filename.strip(". ") or "upload")
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise ApiError(
                    413,
                    f"{filename} is larger than the {max_bytes:,} bytes allowed",
                    details={"max_bytes": max_bytes},
                )
            out.write(chunk)
    return target


def unpack_zip(archive: Path, folder: Path, *, max_bytes: int, max_files: int = 1000) -> Path:
    """Unpacks `archive` into `folder` and returns the dataset's folder: the archive's root,
    or its single top folder when everything sits in one."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir()]
            if len(members) > max_files:
                raise ApiError(413, f"the archive holds {len(members)} files; at most {max_files}")
            total = sum(m.file_size for m in members)
            if total > max_bytes:
                raise ApiError(
                    413,
                    f"the archive unpacks to {total:,} bytes; at most {max_bytes:,}",
                    details={"max_bytes": max_bytes},
                )
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if not parts or member.filename.startswith("/") or ".." in parts:
                    raise ApiError(400, f"the archive entry {member.filename!r} escapes its folder")
                if parts[0] == "__MACOSX":
                    continue
                target = folder.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
    except zipfile.BadZipFile as exc:
        raise ApiError(400, f"the upload is not a readable zip archive: {exc}") from exc
    entries = [p for p in folder.iterdir() if p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder
