"""Takes uploaded files to disk safely: size limits while copying, and zip archives unpacked
without escaping their folder or exploding in size."""

from __future__ import annotations

import errno
import re
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from fastapi import UploadFile

from riderperf.api.errors import ApiError

CHUNK = 1 << 20


def upload_name(upload: UploadFile, default: str = "upload.zip") -> str:
    """The base name the client gave the upload, printable, for naming it back to them."""
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip(". ")[:100]
    return name or default


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
    or its single top folder when everything sits in one.

    Every name is checked before anything is written, so an archive whose entries could not
    all land as themselves (a name twice, a file that is also a folder, a name that escapes
    or that no file system takes) is refused as a whole, naming the entry: importing part
    of it would lose the rest without a word. The unpacked size is counted as it is
    written, so an entry that declares a small size and holds more cannot exceed it.
    """
    try:
        with zipfile.ZipFile(archive) as zipped:
            infos = zipped.infolist()
            if len(infos) > max_files:
                raise ApiError(413, f"the archive holds {len(infos)} entries; at most {max_files}")
            members = _checked_members(infos)
            total = sum(m.file_size for m, _ in members)
            if total > max_bytes:
                raise ApiError(
                    413,
                    f"the archive unpacks to {total:,} bytes; at most {max_bytes:,}",
                    details={"max_bytes": max_bytes},
                )
            written = 0
            for member, parts in members:
                target = folder.joinpath(*parts)
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zipped.open(member) as source, target.open("wb") as out:
                        while chunk := source.read(CHUNK):
                            written += len(chunk)
                            if written > max_bytes:
                                raise ApiError(
                                    413,
                                    f"the archive unpacks to more than {max_bytes:,} bytes",
                                    details={"max_bytes": max_bytes},
                                )
                            out.write(chunk)
                except OSError as exc:
                    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                        raise  # the server's disk, not the archive
                    raise ApiError(
                        400,
                        f"the archive entry {_shown(member)} cannot be unpacked: {exc.strerror}",
                    ) from exc
                except _UNREADABLE as exc:
                    raise ApiError(
                        400, f"the archive entry {_shown(member)} cannot be unpacked: {exc}"
                    ) from exc
    except _UNREADABLE as exc:
        raise ApiError(400, f"the upload is not a readable zip archive: {exc}") from exc
    entries = [p for p in folder.iterdir() if p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


# What the zip reader raises on a damaged or unsupported archive (besides OSError).
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    struct.error,
)
MAX_NAME_BYTES = 255  # one file or folder name, on the usual Linux file systems
MAX_PATH_CHARS = 1024


def _shown(member: zipfile.ZipInfo) -> str:
    """The entry's name as sent (control characters escaped), shortened when very long."""
    name = member.orig_filename
    if len(name) > 120:
        name = f"{name[:60]}…{name[-40:]}"
    return repr(name)


def _checked_members(infos: list[zipfile.ZipInfo]) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """The files to unpack with their path parts; 400 naming the first entry that cannot
    land as itself inside the folder."""
    files: dict[tuple[str, ...], zipfile.ZipInfo] = {}
    folders: set[tuple[str, ...]] = set()
    for member in infos:
        name = member.orig_filename.replace("\\", "/")
        shown = _shown(member)
        if "\x00" in name:
            raise ApiError(400, f"the archive entry {shown} has a NUL character in its name")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
            raise ApiError(400, f"the archive entry {shown} is an absolute path")
        parts = tuple(p for p in name.split("/") if p not in ("", "."))
        if ".." in parts:
            raise ApiError(400, f"the archive entry {shown} escapes its folder")
        if len(name) > MAX_PATH_CHARS or any(len(p.encode()) > MAX_NAME_BYTES for p in parts):
            raise ApiError(
                400,
                f"the archive entry {shown} has too long a name (at most {MAX_NAME_BYTES} "
                f"bytes per name, {MAX_PATH_CHARS} characters in all)",
            )
        if not parts or parts[0] == "__MACOSX":
            continue  # the archive's root itself, or macOS metadata
        if name.endswith("/"):
            folders.add(parts)
            continue
        if parts in files:
            raise ApiError(400, f"the archive holds the entry {shown} twice")
        files[parts] = member
        folders.update(parts[:i] for i in range(1, len(parts)))
    for parts, member in files.items():
        if parts in folders:
            raise ApiError(400, f"the archive entry {_shown(member)} is both a file and a folder")
    return [(member, parts) for parts, member in files.items()]
