"""Sends an evidence file of a case back as a download, once it is known to belong to the
case and its bytes still match the hash they were stored under."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.cases.evidence import EvidenceError, read_evidence
from riderperf.cases.orm import CaseEvidence
from riderperf.users.orm import User
from riderperf.web.pages import message_page, not_found


def evidence_file(
    request: Request, user: User, session: Session, home: Path, case_id: str, sha256: str
) -> Response:
    """The file as an attachment (never shown inline: it was uploaded by someone else)."""
    row = session.scalars(
        select(CaseEvidence).where(CaseEvidence.case_id == case_id, CaseEvidence.sha256 == sha256)
    ).first()
    if row is None:
        return not_found(request, user, "evidence file")
    try:
        data = read_evidence(home, sha256)
    except EvidenceError as broken:
        return message_page(
            request, user, title="Evidence unavailable", message=str(broken), status_code=409
        )
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type=row.content_type, headers=headers)
