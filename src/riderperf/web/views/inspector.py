"""What the inspector's pages show: the riders this week's plan asks to check, a form built
from the published checklist, the answers a posted form gives, and an inspection's result
with the days by which each failed item must be put right."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from riderperf.api.limits import PHOTO_MAX_BYTES
from riderperf.api.routers.inspections import inspection_actions
from riderperf.common.periods import Period, parse_period
from riderperf.inspections.checklists import ChecklistItem, ChecklistTemplate
from riderperf.inspections.history import Inspection, inspections_between
from riderperf.inspections.template_store import get_template
from riderperf.sampling.store import newest_lots, selections
from riderperf.storage.models import Rider
from riderperf.web.access import PageForm
from riderperf.web.i18n import N_, Translator


@dataclass(frozen=True)
class PlannedRider:
    rider_id: str
    zone_id: str
    inclusion_probability: float
    inspected: bool


@dataclass(frozen=True)
class PostedAnswers:
    """A checklist form read back: answers by item, photos by item, and what was wrong."""

    results: dict[str, Any] = field(default_factory=dict)
    photos: dict[str, UploadFile] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # as typed, to show the form again
    problems: list[str] = field(default_factory=list)
    place: str = ""
    notes: str = ""


def current_period(now: datetime) -> Period:
    """The ISO week of `now`: inspection plans are weekly."""
    year, week, _ = now.astimezone(UTC).isocalendar()
    return parse_period(f"{year:04d}-W{week:02d}")


def planned_riders(session: Session, period: Period) -> list[PlannedRider]:
    """The riders drawn in the newest plan of each zone, the ones still to check first."""
    start = datetime.combine(period.start, datetime.min.time(), UTC)
    end = datetime.combine(period.end, datetime.min.time(), UTC)
    done = {i.rider_id for i in inspections_between(session, start, end)}
    riders = [
        PlannedRider(s.rider_id, lot.zone_id, s.inclusion_probability, s.rider_id in done)
        for lot in newest_lots(session, period.label)
        for s in selections(session, lot.plan_id, lot.zone_id)
    ]
    return sorted(riders, key=lambda r: (r.inspected, r.zone_id, r.rider_id))


def form_items(checklist: ChecklistTemplate) -> list[dict[str, Any]]:
    """Each item with what its input needs: the field name, options, bounds."""
    return [
        {
            "item": item,
            "field": f"item:{item.code}",
            "photo_field": f"photo:{item.code}",
        }
        for item in checklist.items
    ]


def read_answers(checklist: ChecklistTemplate, form: PageForm, words: Translator) -> PostedAnswers:
    """The answers of a posted checklist form; a blank input is "not checked"."""
    posted = PostedAnswers(place=form.text("place")[:500], notes=form.text("notes")[:10_000])
    for item in checklist.items:
        text = form.text(f"item:{item.code}")
        posted.values[item.code] = text
        uploads = form.files(f"photo:{item.code}")
        if uploads:
            upload = uploads[0]
            if (upload.size or 0) > PHOTO_MAX_BYTES:
                posted.problems.append(
                    words.gettext(
                        N_("{item}: the photo is larger than {size} MB; send a smaller one."),
                        item=item.label,
                        size=PHOTO_MAX_BYTES >> 20,
                    )
                )
            else:
                posted.photos[item.code] = upload
        if not text or item.kind == "photo":
            continue
        answer = _answer(item, text)
        if answer is None:
            posted.problems.append(
                words.gettext(N_("{item}: enter a number, such as 1.5."), item=item.label)
            )
        else:
            posted.results[item.code] = answer
    return posted


def _answer(item: ChecklistItem, text: str) -> Any:
    if item.kind != "number":
        return text
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def find_rider(session: Session, rider_id: str) -> Rider | None:
    """The rider in the registry (the checklist needs their zone), or None."""
    return session.get(Rider, rider_id) if plain_id(rider_id) else None


def plain_id(text: str) -> bool:
    """An id as ids are written: no control characters (PostgreSQL refuses NUL in text)."""
    return 0 < len(text) <= 100 and not any(ord(c) < 32 or ord(c) == 127 for c in text)


def result_view(session: Session, inspection: Inspection, now: datetime) -> dict[str, Any]:
    """The inspection's score and each failed item with its label, severity and due day."""
    checklist = get_template(session, inspection.template_id, inspection.template_version).checklist
    labels = {item.code: item.label for item in checklist.items}
    due = {a.item_code: a for a in inspection_actions(session, inspection)}
    failed = [
        {
            "code": r.code,
            "label": labels.get(r.code, r.code),
            "value": r.value,
            "severity": r.severity,
            "action": due.get(r.code),
        }
        for r in inspection.results
        if r.passed is False
    ]
    today = now.astimezone(UTC).date()
    return {"inspection": inspection, "failed": failed, "today": today}
