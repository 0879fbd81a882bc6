"""The content-addressed evidence store: one copy per content, size limits, hash checked on read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from riderperf.cases.evidence import (
    EvidenceCorrupted,
    EvidenceError,
    EvidenceTooLarge,
    check_evidence_files,
    evidence_path,
    read_evidence,
    store_evidence_file,
)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_file_is_stored_under_its_sha256(tmp_path: Path) -> None:
    data = b"receipt: order o-1 picked up 18:02"
    stored = store_evidence_file(tmp_path, write(tmp_path / "receipt.txt", data), max_bytes=1000)
    sha = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == sha
    assert stored.size_bytes == len(data)
    assert stored.content_type == "text/plain"
    assert evidence_path(tmp_path, sha) == tmp_path / "evidence" / sha[:2] / sha
    assert read_evidence(tmp_path, sha) == data


def test_identical_files_are_stored_once(tmp_path: Path) -> None:
    first = store_evidence_file(tmp_path, write(tmp_path / "a.jpg", b"\xff\xd8photo"), max_bytes=99)
    again = store_evidence_file(tmp_path, write(tmp_path / "b.jpg", b"\xff\xd8photo"), max_bytes=99)
    assert first.sha256 == again.sha256
    assert again.filename == "b.jpg"
    blobs = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert blobs == [evidence_path(tmp_path, first.sha256)]


def test_a_file_over_the_limit_is_refused_with_the_policy_parameter(tmp_path: Path) -> None:
    big = write(tmp_path / "video.mp4", b"x" * 101)
    with pytest.raises(EvidenceTooLarge, match=r"appeals\.evidence\.max_file_bytes"):
        check_evidence_files([big], max_bytes=100, max_files=5)
    with pytest.raises(EvidenceTooLarge):
        store_evidence_file(tmp_path, big, max_bytes=100)
    assert not [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]


def test_too_many_files_and_missing_files_are_refused(tmp_path: Path) -> None:
    files = [write(tmp_path / f"{i}.txt", b"x") for i in range(3)]
    with pytest.raises(EvidenceTooLarge, match="at most 2"):
        check_evidence_files(files, max_bytes=10, max_files=2)
    with pytest.raises(EvidenceError, match="does not exist"):
        check_evidence_files([tmp_path / "nope.png"], max_bytes=10, max_files=2)


def test_reading_back_a_changed_file_is_refused(tmp_path: Path) -> None:
    stored = store_evidence_file(tmp_path, write(tmp_path / "p.png", b"png"), max_bytes=10)
    evidence_path(tmp_path, stored.sha256).write_bytes(b"tampered")
    with pytest.raises(EvidenceCorrupted, match="no longer matches its hash"):
        read_evidence(tmp_path, stored.sha256)


def test_reading_a_missing_file_says_to_restore_it(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="missing"):
        read_evidence(tmp_path, "ab" * 32)
