"""Keeps checklist template versions and moves them draft → published → archived.

A template id (`rider-standard`) has numbered versions. Publishing a version archives
the one published before it, so one version of each template is in force. A published
version never changes: a change is a new version. Only ops managers and admins draft,
publish and archive; every move writes an audit event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from riderperf.audit.log import record_event
from riderperf.inspections.checklists import ChecklistTemplate, allowed_transition
from riderperf.inspections.loader import (
    load_template,
    template_content,
    template_fingerprint,
)
from riderperf.inspections.orm import ChecklistTemplateRecord
from riderperf.inspections.template_store import (
    TemplateError,
    TemplateVersion,
    default_template_path,
    list_templates,
    template_record,
    template_view,
)
from riderperf.storage.moves import compare_and_set
from riderperf.users.service import APPROVERS, require_role

SYSTEM_ACTOR = "system"


def save_draft(
    session: Session, checklist: ChecklistTemplate, *, by: str, at: datetime
) -> TemplateVersion:
    """Stores `checklist` as a draft: the open draft of its id is replaced, else a new version."""
    require_role(session, by, APPROVERS)
    return _save_draft(session, checklist, by, _utc(at))


def publish_template(
    session: Session, template_id: str, version: int, *, by: str, at: datetime
) -> TemplateVersion:
    """Publishes a draft version and archives the version published before it."""
    require_role(session, by, APPROVERS)
    return _publish(session, template_record(session, template_id, version), by, _utc(at))


def publish_checklist(
    session: Session, checklist: ChecklistTemplate, *, by: str, at: datetime
) -> TemplateVersion:
    """Drafts and publishes `checklist` at once; the version in force is kept when it already
    holds the same content (publishing the same file twice changes nothing)."""
    require_role(session, by, APPROVERS)
    return _publish_checklist(session, checklist, by, _utc(at))


def publish_template_file(
    session: Session, path: Path, *, by: str, at: datetime
) -> TemplateVersion:
    """Loads a template file strictly (ChecklistError) and publishes it (see publish_checklist)."""
    return publish_checklist(session, load_template(path), by=by, at=at)


def archive_template(
    session: Session, template_id: str, version: int, *, by: str, at: datetime
) -> TemplateVersion:
    """Archives a published version: no new inspection may use it from `at` on."""
    require_role(session, by, APPROVERS)
    record = template_record(session, template_id, version)
    return _move(session, record, "archived", by, _utc(at))


def ensure_default_template(session: Session, at: datetime) -> TemplateVersion:
    """Publishes the bundled checklist once; returns the `rider-standard` version in force.

    - Nothing stored yet, or every version archived: the bundled checklist is published.
    - The version in force holds the bundled content, or an operator published it: it
      is returned untouched (an operator's checklist is never replaced behind their back).
    - The version in force is an older bundled one (riderperf was upgraded): the new
      bundled content is published as the next version, unless a draft is open.
    """
    checklist = load_template(default_template_path())
    versions = list_templates(session, checklist.template_id)
    in_force = next((v for v in versions if v.status == "published"), None)
    draft_open = bool(versions) and versions[0].status == "draft"
    if in_force is not None and (
        in_force.fingerprint == template_fingerprint(checklist)
        or in_force.published_by != SYSTEM_ACTOR
        or draft_open
    ):
        return in_force
    if draft_open:
        raise TemplateError(
            f"template {versions[0].ref} is an open draft and no version is published; "
            "publish or finish that draft first"
        )
    return _publish_checklist(session, checklist, SYSTEM_ACTOR, _utc(at))


def _publish_checklist(
    session: Session, checklist: ChecklistTemplate, by: str, at: datetime
) -> TemplateVersion:
    fingerprint = template_fingerprint(checklist)
    for found in list_templates(session, checklist.template_id):
        if found.status == "published" and found.fingerprint == fingerprint:
            return found
    draft = _save_draft(session, checklist, by, at)
    return _publish(session, template_record(session, draft.template_id, draft.version), by, at)


def _save_draft(
    session: Session, checklist: ChecklistTemplate, by: str, at: datetime
) -> TemplateVersion:
    newest = session.scalars(
        select(ChecklistTemplateRecord)
        .where(ChecklistTemplateRecord.template_id == checklist.template_id)
        .order_by(ChecklistTemplateRecord.version.desc())
        .limit(1)
    ).first()
    if newest is None or newest.status != "draft":
        newest = ChecklistTemplateRecord(
            template_id=checklist.template_id,
            version=(newest.version + 1) if newest else 1,
            status="draft",
        )
        session.add(newest)
    newest.name = checklist.name
    newest.content = template_content(checklist)
    newest.fingerprint = template_fingerprint(checklist)
    newest.created_at, newest.created_by = at, by
    session.flush()
    record_event(
        session,
        actor=by,
        action="checklist_template.draft_saved",
        subject_type="checklist_template",
        subject_id=f"{newest.template_id}@{newest.version}",
        at=at,
        details={"fingerprint": newest.fingerprint, "items": len(checklist.items)},
    )
    return template_view(newest)


def _publish(
    session: Session, record: ChecklistTemplateRecord, by: str, at: datetime
) -> TemplateVersion:
    if record.status != "draft":
        raise TemplateError(
            f"template {record.template_id}@{record.version} is {record.status}, not a draft; "
            "publish a new version instead"
        )
    earlier = session.scalars(
        select(ChecklistTemplateRecord).where(
            ChecklistTemplateRecord.template_id == record.template_id,
            ChecklistTemplateRecord.status == "published",
        )
    ).all()
    for previous in earlier:
        _move(session, previous, "archived", by, at)
    return _move(session, record, "published", by, at)


def _move(
    session: Session, record: ChecklistTemplateRecord, status: str, by: str, at: datetime
) -> TemplateVersion:
    """The one way a template changes state: checks the pair, stamps it, writes the event."""
    if not allowed_transition(record.status, status):
        raise TemplateError(
            f"template {record.template_id}@{record.version} is {record.status}: it cannot "
            f"become {status} (templates go draft → published → archived)"
        )
    stamp = "published" if status == "published" else "archived"
    values = {"status": status, f"{stamp}_at": at, f"{stamp}_by": by}
    # Two people publishing (or archiving) the same version at once: one of them moves it.
    if not compare_and_set(
        session,
        ChecklistTemplateRecord,
        (ChecklistTemplateRecord.template_id == record.template_id)
        & (ChecklistTemplateRecord.version == record.version),
        expected={"status": record.status},
        values=values,
    ):
        read = record.status
        session.refresh(record)
        raise TemplateError(
            f"template {record.template_id}@{record.version} was {read} when you read it and "
            f"is {record.status} now: someone else moved it meanwhile; look again "
            "(`riderperf inspections templates list`) and retry"
        )
    for name, value in values.items():
        set_committed_value(record, name, value)
    record_event(
        session,
        actor=by,
        action=f"checklist_template.{status}",
        subject_type="checklist_template",
        subject_id=f"{record.template_id}@{record.version}",
        at=at,
        details={"fingerprint": record.fingerprint, "name": record.name},
    )
    return template_view(record)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise TemplateError(f"time {at.isoformat()} has no timezone; give it in UTC")
    return at.astimezone(UTC)
