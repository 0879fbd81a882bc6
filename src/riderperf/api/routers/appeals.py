"""A rider's side of an appeal: submit one with evidence files, answer a reviewer's question,
and download a case's evidence (its hash checked before any byte is sent)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlalchemy import select

from riderperf.api.deps import NowDep, SessionDep, require
from riderperf.api.errors import ApiError, errors, not_found
from riderperf.api.limits import APPEAL_BODY_LIMIT
from riderperf.api.params import ID_PATTERN, CaseIdPath
from riderperf.api.routers.cases import visible_case
from riderperf.api.schemas.cases import CaseDetail
from riderperf.api.uploads import save_upload
from riderperf.cases.evidence import read_evidence
from riderperf.cases.orm import CaseEvidence
from riderperf.cases.service import (
    appeal_terms_in_force,
    decision_appeal_subject,
    respond_to_case,
    submit_appeal,
)
from riderperf.cases.terms import AppealSubject, AppealTerms, judgment_subject
from riderperf.cases.views import full_case_view
from riderperf.decisions.records import DecisionNotFound
from riderperf.evaluation.overrides import find_judgment
from riderperf.users.orm import User

router = APIRouter(prefix="/cases", tags=["appeals"])
Submitter = Annotated[User, Depends(require("submit_appeals"))]
RiderUser = Annotated[User, Depends(require("respond_to_cases"))]
Reader = Annotated[User, Depends(require("download_evidence"))]
ID_SHA = PathParam(pattern=r"^[0-9a-f]{64}$", description="The file's SHA-256 (hex).")
Files = Annotated[list[UploadFile], File(description="Evidence files (photos, screenshots).")]


@router.post(
    "",
    operation_id="submitAppeal",
    max_body_size=APPEAL_BODY_LIMIT,
    status_code=201,
    response_model=CaseDetail,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def submit(
    request: Request,
    session: SessionDep,
    user: Submitter,
    now: NowDep,
    subject_id: Annotated[str, Form(pattern=ID_PATTERN, description="A decision or event id.")],
    statement: Annotated[
        str, Form(min_length=1, max_length=10_000, description="Why, in the rider's own words.")
    ],
    rider_id: Annotated[
        str | None, Form(pattern=ID_PATTERN, description="Staff filing for a rider.")
    ] = None,
    evidence: Files = [],  # noqa: B006 (FastAPI copies defaults per request)
) -> CaseDetail:
    """Appeal a decision or a judged event, once, within its window, with evidence files
    (multipart). A rider appeals for themself; staff name the rider."""
    appellant = user.rider_id if user.role == "rider" else rider_id
    if not appellant:
        raise ApiError(422, "name the rider the appeal is for (`rider_id`)")
    engine = request.app.state.engine
    terms = appeal_terms_in_force(engine, now)
    subject = _subject(request, session, subject_id, terms)
    if subject.rider_id != appellant:
        raise not_found(f"decision or judged event {subject_id} of rider {appellant}")
    settings = request.app.state.settings
    with tempfile.TemporaryDirectory(prefix="appeal-") as folder:
        files = _saved(evidence, Path(folder), terms)
        case = submit_appeal(
            session,
            subject,
            rider_id=appellant,
            statement=statement,
            terms=terms,
            at=now,
            home=settings.home,
            evidence=files,
        )
        view = full_case_view(session, case, now)
    session.commit()
    return CaseDetail(**view)


@router.post(
    "/{case_id}/respond",
    operation_id="respondToCase",
    max_body_size=APPEAL_BODY_LIMIT,
    response_model=CaseDetail,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def respond(
    case_id: CaseIdPath,
    request: Request,
    session: SessionDep,
    user: RiderUser,
    now: NowDep,
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
    evidence: Files = [],  # noqa: B006
) -> CaseDetail:
    """The rider answers the reviewer's question (with more evidence if asked); the case
    goes back under review. 409 when the case is not waiting on the rider."""
    visible_case(session, user, case_id)
    engine = request.app.state.engine
    terms = appeal_terms_in_force(engine, now)
    settings = request.app.state.settings
    with tempfile.TemporaryDirectory(prefix="answer-") as folder:
        files = _saved(evidence, Path(folder), terms)
        case = respond_to_case(
            session,
            case_id,
            rider_id=user.rider_id or "",
            text=text,
            terms=terms,
            at=now,
            home=settings.home,
            evidence=files,
        )
        view = full_case_view(session, case, now)
    session.commit()
    return CaseDetail(**view)


@router.get(
    "/{case_id}/evidence/{sha256}",
    operation_id="downloadEvidence",
    response_class=Response,
    responses={
        200: {
            "content": {"application/octet-stream": {}},
            "description": "The file's bytes, verified against their SHA-256.",
        },
        **errors(401, 403, 404, 409, 422),
    },
)
def download_evidence(
    case_id: CaseIdPath,
    sha256: Annotated[str, ID_SHA],
    request: Request,
    session: SessionDep,
    user: Reader,
) -> Response:
    """An evidence file of the case; 409 when the stored bytes no longer match their hash."""
    visible_case(session, user, case_id)
    row = session.scalars(
        select(CaseEvidence).where(CaseEvidence.case_id == case_id, CaseEvidence.sha256 == sha256)
    ).first()
    if row is None:
        raise not_found(f"evidence {sha256[:12]} of case {case_id}")
    data = read_evidence(request.app.state.settings.home, sha256)
    safe = "".join(c for c in row.filename if c.isalnum() or c in "._- ") or "evidence"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "X-Content-Type-Options": "nosniff",
            "X-Evidence-Content-Type": row.content_type,
        },
    )


def _subject(
    request: Request, session: SessionDep, subject_id: str, terms: AppealTerms
) -> AppealSubject:
    """A decision with that id, else the judged event with that id in the warehouse."""
    try:
        return decision_appeal_subject(session, subject_id)
    except DecisionNotFound:
        pass
    with request.app.state.warehouse.reading() as warehouse:
        ref = None if warehouse is None else find_judgment(warehouse, subject_id)
    if ref is None:
        raise not_found(f"decision or judged event {subject_id}")
    return judgment_subject(ref, terms)


def _saved(uploads: list[UploadFile], folder: Path, terms: AppealTerms) -> list[Path]:
    if len(uploads) > terms.max_files:
        raise ApiError(413, f"{len(uploads)} files; at most {terms.max_files} at once")
    paths = []
    for index, upload in enumerate(uploads):
        own = folder / str(index)  # two files may share a name
        own.mkdir()
        paths.append(save_upload(upload, own, max_bytes=terms.max_file_bytes))
    return paths
