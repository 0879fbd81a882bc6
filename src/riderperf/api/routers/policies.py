"""Policy versions: list them, show every parameter with its reference, validate a folder."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi import Path as PathParam

from riderperf.api.deps import NowDep, require
from riderperf.api.errors import errors
from riderperf.api.limits import POLICY_BODY_LIMIT, POLICY_MAX_BYTES
from riderperf.api.params import ID_PATTERN
from riderperf.api.schemas.policies import (
    DatedValueRead,
    ParameterRead,
    PolicyDetail,
    PolicyValidation,
    PolicyVersionRead,
)
from riderperf.api.uploads import save_upload, unpack_zip
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import PolicyError
from riderperf.policy.versions import get_version, list_versions
from riderperf.workflows.policies import check_policy

router = APIRouter(prefix="/policies", tags=["policies"])
# Riders may read the rules they are judged by: transparency is part of fairness.
Reader = Annotated[Any, Depends(require("read_policies"))]
Approver = Annotated[Any, Depends(require("validate_policies"))]


@router.get(
    "",
    operation_id="listPolicies",
    response_model=list[PolicyVersionRead],
    responses=errors(401, 403),
)
def list_policies(request: Request, _user: Reader) -> list[PolicyVersionRead]:
    """Published policy versions, newest effective date first."""
    return [PolicyVersionRead(**v.summary()) for v in list_versions(request.app.state.engine)]


@router.get(
    "/{version}",
    operation_id="getPolicy",
    response_model=PolicyDetail,
    responses=errors(401, 403, 404, 422),
)
def get_policy(
    version: Annotated[str, PathParam(pattern=ID_PATTERN)],
    request: Request,
    _user: Reader,
    now: NowDep,
) -> PolicyDetail:
    """A version with every parameter: description, reference, unit, the value in force
    today and every dated value with the reference behind it."""
    found = get_version(request.app.state.engine, version)
    today = now.date()
    parameters = []
    for path, p in sorted(found.policy.parameters.items()):
        in_force = p.at(today) if p.values[0].since <= today else None
        parameters.append(
            ParameterRead(
                path=path,
                description=p.description,
                reference=p.reference,
                unit=p.unit,
                value_in_force=in_force,
                values=[
                    DatedValueRead(since=v.since, value=v.value, reference=v.reference or None)
                    for v in p.values
                ],
            )
        )
    return PolicyDetail(**found.summary(), parameters=parameters)


@router.post(
    "/validate",
    operation_id="validatePolicy",
    max_body_size=POLICY_BODY_LIMIT,
    response_model=PolicyValidation,
    responses=errors(400, 401, 403, 413, 422),
)
def validate_policy(
    _user: Approver,
    archive: Annotated[UploadFile, File(description="A zip of the policy's .yaml files.")],
) -> PolicyValidation:
    """Load an uploaded policy folder (zip) strictly and compile its rules; answers every
    problem with its file and key. Nothing is published."""
    with tempfile.TemporaryDirectory(prefix="policy-") as folder:
        base = Path(folder)
        saved = save_upload(archive, base, max_bytes=POLICY_MAX_BYTES, name="policy.zip")
        (base / "unpacked").mkdir()
        root = unpack_zip(saved, base / "unpacked", max_bytes=POLICY_MAX_BYTES, max_files=200)
        files = len(list(root.glob("*.yaml")))
        try:
            policy = load_policy(root)
            check_policy(policy)
        except PolicyError as exc:
            return PolicyValidation(ok=False, problems=exc.problems, files=files, parameters=0)
    return PolicyValidation(
        ok=True,
        problems=[],
        files=files,
        parameters=len(policy.parameters),
        fingerprint=policy.fingerprint(),
    )
