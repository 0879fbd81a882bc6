"""Whatever zip archive is uploaded to `POST /api/v1/imports`, the answer is an import or a
4xx JSON error that says what was wrong, never a 500; no answer or rejects file names the
server's folders; and the request leaves nothing behind in the temporary folder.

Hypothesis builds hostile archives: names that collide (a file and a folder of the same
name), duplicate entries, absolute paths, `..`, backslashes, very long names, names with NUL,
empty archives, nested zips, bytes that are not a zip, truncated archives, zip bombs (a size
declared small with large contents, a high compression ratio) and too many files.
"""

from __future__ import annotations

import io
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riderperf.api.routers import imports
from riderperf.config import Settings
from riderperf.server import create_app
from riderperf.storage.db import unit_of_work
from riderperf.storage.models import ImportRun
from riderperf.users.identity import issue_api_token
from riderperf.users.service import create_user
from tests.databases import copy_sqlite

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UNPACKED_LIMIT = 1 << 20  # the test's stand-in for the route's 8 GB, so bombs stay cheap
FILES_LIMIT = 40

RIDERS_CSV = (
    b"rider_id,capacity_type,fleet_id,city,zone_id,vehicle,joined_on,language,status\n"
    b"RZ1,full_time,,Dubai,Z1,motorbike,2025-03-01,ar,active\n"
    b"RZ2,astronaut,,Dubai,Z1,motorbike,2025-03-01,ar,active\n"
)


@dataclass
class Upload:
    client: TestClient
    headers: dict[str, str]
    temp: Path  # the server's temporary folder during the test
    home: Path


@pytest.fixture(scope="module")
def upload(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Upload]:
    root = tmp_path_factory.mktemp("upload_fuzz")
    home_settings = Settings(home=root / "home")
    copy_sqlite(sqlite_template, home_settings.home / "riderperf.db")
    temp = root / "servertmp"
    temp.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(temp))
        patch.setattr(imports, "MAX_UNPACKED_BYTES", UNPACKED_LIMIT)
        patch.setattr(imports, "MAX_ARCHIVE_FILES", FILES_LIMIT)
        app = create_app(home_settings, include_web=False)
        with unit_of_work(app.state.engine) as session:
            create_user(session, "admin", "admin", at=AT)
            token = issue_api_token(session, "admin", label="fuzz", at=AT)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Upload(client, {"Authorization": f"Bearer {token}"}, temp, home_settings.home)


NUL_STAND_IN = "\x1f"  # Python's zip writer cuts a name at NUL; the bytes are put back after


def zipped(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are the point
        with zipfile.ZipFile(buffer, "w", method) as archive:
            for name, data in entries:
                info = zipfile.ZipInfo(name.replace("\x00", NUL_STAND_IN), (2026, 1, 5, 12, 0, 0))
                info.compress_type = method
                archive.writestr(info, data)
    return with_nul_in_names(buffer.getvalue())


def _headers(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(offset of the size field to patch, name offset, name length) of every header."""
    for signature, size_at, length_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        start = 0
        while (found := data.find(signature, start)) >= 0 and found + 46 <= len(data):
            (length,) = struct.unpack_from("<H", data, found + length_at)
            yield found + size_at, found + name_at, length
            start = found + 4


def with_nul_in_names(data: bytes) -> bytes:
    out = bytearray(data)
    for _, name_at, length in _headers(data):
        name = out[name_at : name_at + length]
        out[name_at : name_at + length] = name.replace(NUL_STAND_IN.encode(), b"\x00")
    return bytes(out)


def declared_smaller(data: bytes) -> bytes:
    """The archive with every entry's uncompressed size rewritten to 10 bytes (a bomb that
    lies about its size)."""
    out = bytearray(data)
    for size_at, _, _ in _headers(data):
        out[size_at : size_at + 4] = struct.pack("<I", 10)
    return bytes(out)


NAMES = st.sampled_from(
    [
        "riders.csv",
        "orders.csv",
        "dataset/riders.csv",
        "dataset/orders.jsonl",
        "riders.csv/x",
        "riders.csv/riders.csv",
        "dataset",
        "dataset/",
        "riders.csv/",
        "../riders.csv",
        "dataset/../../riders.csv",
        "/etc/riders.csv",
        "//riders.csv",
        "C:/riders.csv",
        "C:\\riders.csv",
        "..\\..\\riders.csv",
        "dataset\\riders.csv",
        "a" * 300 + ".csv",
        "d/" * 400 + "riders.csv",
        "riders\x00.csv",
        "\x00",
        ".",
        "./riders.csv",
        "__MACOSX/riders.csv",
        "Riders.CSV",
        "rïders.csv",
        "riders.csv ",
        "inner.zip",
        "notes.txt",
    ]
)
CONTENTS = st.sampled_from(
    [
        RIDERS_CSV,
        b"",
        b"\xff\xfe not text at all \x00",
        b"PAR1 not parquet",
        b'{"rider_id": ',
        zipped([("riders.csv", RIDERS_CSV)]),
        b"\x00" * (UNPACKED_LIMIT // 3),
    ]
)
ENTRIES = st.lists(st.tuples(NAMES, CONTENTS), max_size=6)


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    kind = draw(
        st.sampled_from(["entries", "not a zip", "truncated", "bomb", "lying sizes", "many"])
    )
    if kind == "not a zip":
        return draw(st.binary(max_size=200))
    if kind == "many":
        return zipped([(f"f{i}.txt", b"x") for i in range(FILES_LIMIT + 1)])
    if kind == "bomb":
        return zipped([("riders.csv", RIDERS_CSV), ("orders.csv", b"0" * (UNPACKED_LIMIT + 1))])
    entries = draw(ENTRIES)
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    data = zipped(entries, method)
    if kind == "truncated":
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if kind == "lying sizes":
        return declared_smaller(data)
    return data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(archive=archives())
def test_any_uploaded_archive_is_imported_or_refused_with_a_clear_4xx(
    upload: Upload, archive: bytes
) -> None:
    answer = upload.client.post(
        "/api/v1/imports", files={"archive": ("d.zip", archive)}, headers=upload.headers
    )

    assert answer.status_code in (201, 400, 413, 422), answer.text
    body = answer.json()
    if answer.status_code != 201:
        assert body["error"]["message"].strip(), body
    texts = [answer.text]
    for name in body.get("rejects", []):
        rejects = upload.client.get(
            f"/api/v1/imports/{body['import_id']}/rejects/{name}", headers=upload.headers
        )
        assert rejects.status_code == 200, rejects.text
        texts.append(rejects.content.decode("utf-8", errors="replace"))
    for text in texts:
        assert str(upload.temp) not in text
        assert "/import-" not in text
        assert str(upload.home) not in text
    assert list(upload.temp.iterdir()) == []


REFUSED = {
    "file and folder": (
        [("riders.csv", RIDERS_CSV), ("riders.csv/x", b"x")],
        400,
        "both a file and a folder",
    ),
    "folder then file": (
        [("riders.csv/x", b"x"), ("riders.csv", RIDERS_CSV)],
        400,
        "both a file and a folder",
    ),
    "folder entry and file": (
        [("riders.csv/", b""), ("riders.csv", RIDERS_CSV)],
        400,
        "both a file and a folder",
    ),
    "duplicate": (
        [("riders.csv", RIDERS_CSV), ("riders.csv", RIDERS_CSV)],
        400,
        "'riders.csv' twice",
    ),
    "duplicate after backslash": (
        [("d/riders.csv", RIDERS_CSV), ("d\\riders.csv", b"x")],
        400,
        "twice",
    ),
    "NUL in a name": ([("riders\x00.csv", RIDERS_CSV)], 400, "NUL character"),
    "long name": ([("a" * 300 + ".csv", RIDERS_CSV)], 400, "too long a name"),
    "absolute": ([("/etc/riders.csv", RIDERS_CSV)], 400, "absolute path"),
    "drive letter": ([("C:\\riders.csv", RIDERS_CSV)], 400, "absolute path"),
    "dot dot": ([("a/../../riders.csv", RIDERS_CSV)], 400, "escapes its folder"),
    "ratio bomb": ([("orders.csv", b"0" * (UNPACKED_LIMIT + 1))], 413, "unpacks to"),
    "nested zip": ([("inner.zip", zipped([("riders.csv", RIDERS_CSV)]))], 422, "no dataset files"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_archive_that_cannot_land_as_sent_is_refused_naming_the_entry(
    upload: Upload, case: str
) -> None:
    entries, status, reason = REFUSED[case]
    answer = upload.client.post(
        "/api/v1/imports", files={"archive": ("d.zip", zipped(entries))}, headers=upload.headers
    )
    assert answer.status_code == status, answer.text
    assert reason in answer.json()["error"]["message"]
    assert list(upload.temp.iterdir()) == []


def test_a_bomb_that_declares_a_small_size_is_refused(upload: Upload) -> None:
    archive = declared_smaller(zipped([("orders.csv", b"0" * (UNPACKED_LIMIT + 1))]))
    answer = upload.client.post(
        "/api/v1/imports", files={"archive": ("d.zip", archive)}, headers=upload.headers
    )
    assert answer.status_code in (400, 413), answer.text
    assert list(upload.temp.iterdir()) == []


def test_import_errors_name_files_by_their_place_in_the_upload(upload: Upload) -> None:
    entries = [
        ("city/riders.csv", RIDERS_CSV),
        ("city/orders.parquet", b"not parquet"),
        ("city/ratings.jsonl", b'{"rating_id": '),
    ]
    answer = upload.client.post(
        "/api/v1/imports", files={"archive": ("july.zip", zipped(entries))}, headers=upload.headers
    )
    assert answer.status_code == 201, answer.text
    errors = {e["file"]: e["error"] for e in answer.json()["file_errors"]}
    assert errors["orders.parquet"].startswith("july.zip/city/orders.parquet: cannot be read")
    assert errors["ratings.jsonl"].startswith("july.zip/city/ratings.jsonl: cannot be read")
    (name,) = answer.json()["rejects"]
    rejects = upload.client.get(
        f"/api/v1/imports/{answer.json()['import_id']}/rejects/{name}", headers=upload.headers
    )
    assert "july.zip/city/riders.csv" in rejects.text
    assert str(upload.temp) not in answer.text + rejects.text


def test_a_run_recorded_with_server_paths_is_read_without_them(upload: Upload) -> None:
    server_file = f"{upload.temp}/import-1a2b/dataset/orders.parquet"
    with unit_of_work(upload.client.app.state.engine) as session:  # type: ignore[attr-defined]
        session.add(
            ImportRun(
                import_id="20260101T000000-0ld0ld00",
                source=f"{upload.temp}/import-1a2b/dataset",
                started_at=AT,
                exit_code=1,
                report={
                    "import_id": "20260101T000000-0ld0ld00",
                    "exit_code": 1,
                    "file_errors": [
                        {
                            "file": server_file,
                            "table": "orders",
                            "error": f"{server_file}: cannot be read as parquet: no magic",
                        }
                    ],
                },
            )
        )
    answer = upload.client.get("/api/v1/imports/20260101T000000-0ld0ld00", headers=upload.headers)
    assert answer.status_code == 200, answer.text
    (error,) = answer.json()["file_errors"]
    assert error == {
        "file": "orders.parquet",
        "table": "orders",
        "error": "orders.parquet: cannot be read as parquet: no magic",
    }
