"""Reads stored checklist template versions: one version, the one in force, all of them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riderperf.clock import as_utc as utc
from riderperf.inspections.checklists import ChecklistTemplate
from riderperf.inspections.loader import parse_template
from riderperf.inspections.orm import ChecklistTemplateRecord

DEFAULT_TEMPLATE_ID = "rider-standard"
_REF = re.compile(r"(?P<id>[a-z0-9][a-z0-9-]*)(?:@v?(?P<version>\d+))?")


class TemplateError(ValueError):
    """A template version that cannot be found, drafted or moved as asked."""


class UnknownTemplate(TemplateError, LookupError):
    """No such template or version."""


@dataclass(frozen=True)
class TemplateVersion:
    """One stored version of a checklist template."""

    template_id: str
    version: int
    status: str
    name: str
    fingerprint: str
    created_at: datetime
    created_by: str
    published_at: datetime | None
    published_by: str | None
    archived_at: datetime | None
    archived_by: str | None
    content: dict[str, Any] = field(repr=False, compare=False)

    @property
    def ref(self) -> str:
        return f"{self.template_id}@{self.version}"

    @cached_property
    def checklist(self) -> ChecklistTemplate:
        return parse_template(self.content, f"template {self.ref}")

    def in_force_at(self, at: datetime) -> bool:
        """Published, or archived only after `at` (an inspection done before archiving)."""
        if self.status == "published":
            return True
        return self.status == "archived" and self.archived_at is not None and at < self.archived_at

    def summary(self) -> dict[str, Any]:
        moments = {
            "created_at": self.created_at,
            "published_at": self.published_at,
            "archived_at": self.archived_at,
        }
        return {
            "template_id": self.template_id,
            "version": self.version,
            "ref": self.ref,
            "status": self.status,
            "name": self.name,
            "fingerprint": self.fingerprint,
            "items": len(self.content.get("items", [])),
            "created_by": self.created_by,
            "published_by": self.published_by,
            "archived_by": self.archived_by,
        } | {k: v.isoformat() if v else None for k, v in moments.items()}


def default_template_path() -> Path:
    """The checklist bundled with riderperf."""
    return Path(str(files("riderperf.inspections").joinpath("default_checklist.yaml")))


def parse_template_ref(text: str) -> tuple[str, int | None]:
    """`rider-standard` (newest) or `rider-standard@3`; TemplateError otherwise."""
    match = _REF.fullmatch(text.strip())
    if not match:
        raise TemplateError(
            f"template {text!r}: write an id such as rider-standard or rider-standard@2"
        )
    version = match["version"]
    return match["id"], None if version is None else int(version)


def get_template(session: Session, template_id: str, version: int | None = None) -> TemplateVersion:
    """A version; without one, the published version (else the newest of any status)."""
    if version is not None:
        return template_view(template_record(session, template_id, version))
    versions = list_templates(session, template_id)
    if not versions:
        raise UnknownTemplate(
            f"no checklist template {template_id!r}; `riderperf inspections templates list` "
            "shows the stored ones"
        )
    published = [v for v in versions if v.status == "published"]
    return published[0] if published else versions[0]


def list_templates(session: Session, template_id: str | None = None) -> list[TemplateVersion]:
    """Every stored version, by template id then newest version first."""
    query = select(ChecklistTemplateRecord).order_by(
        ChecklistTemplateRecord.template_id, ChecklistTemplateRecord.version.desc()
    )
    if template_id is not None:
        query = query.where(ChecklistTemplateRecord.template_id == template_id)
    return [template_view(r) for r in session.scalars(query)]


def template_record(session: Session, template_id: str, version: int) -> ChecklistTemplateRecord:
    record = session.get(ChecklistTemplateRecord, (template_id, version))
    if record is None:
        newest = session.scalar(
            select(func.max(ChecklistTemplateRecord.version)).where(
                ChecklistTemplateRecord.template_id == template_id
            )
        )
        hint = f"the newest is {template_id}@{newest}" if newest else "no version is stored"
        raise UnknownTemplate(f"no checklist template {template_id}@{version} ({hint})")
    return record


def template_view(record: ChecklistTemplateRecord) -> TemplateVersion:
    return TemplateVersion(
        template_id=record.template_id,
        version=record.version,
        status=record.status,
        name=record.name,
        fingerprint=record.fingerprint,
        created_at=utc(record.created_at),
        created_by=record.created_by,
        published_at=utc(record.published_at) if record.published_at else None,
        published_by=record.published_by,
        archived_at=utc(record.archived_at) if record.archived_at else None,
        archived_by=record.archived_by,
        content=record.content,
    )
