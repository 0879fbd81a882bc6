"""Decides whether each checklist answer passes, and how an inspection scores.

Pure domain: a template is a list of typed items; an answer is checked against its
item's kind and turned into a pass or fail, and the passed share of the weights is the
inspection's score. Nothing here touches the database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

ItemKind = Literal["pass_fail", "number", "choice", "photo", "note"]
Severity = Literal["minor", "major", "critical"]
InspectionKpi = Literal["equipment_compliance", "document_compliance", "service_conduct", "safety"]
TemplateStatus = Literal["draft", "published", "archived"]

ITEM_KINDS: tuple[str, ...] = get_args(ItemKind)
SEVERITIES: tuple[str, ...] = get_args(Severity)
INSPECTION_KPIS: tuple[str, ...] = get_args(InspectionKpi)
# Scored kinds turn an answer into pass or fail; photo and note items only keep evidence.
SCORED_KINDS = frozenset({"pass_fail", "number", "choice"})
# A failed item of these severities makes the rider's inspection nonconforming.
NONCONFORMING_SEVERITIES = frozenset({"major", "critical"})
_PASS_WORDS = {"pass": True, "passed": True, "fail": False, "failed": False}


class ChecklistError(ValueError):
    """A template or an inspection answer that cannot be accepted; lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ChecklistItem:
    """One line of a checklist: what to check, how it passes, what a failure weighs."""

    code: str
    label: str
    kind: ItemKind
    reference: str
    description: str = ""
    weight: float = 0.0
    severity: Severity | None = None
    kpi: InspectionKpi | None = None
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    options: tuple[str, ...] = ()
    passing: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        return self.kind in SCORED_KINDS


@dataclass(frozen=True)
class ChecklistTemplate:
    """A checklist as written in its YAML file (the version is given when published)."""

    template_id: str
    name: str
    description: str
    reinspection_days: Mapping[str, int]
    reinspection_reference: str
    items: tuple[ChecklistItem, ...]

    def item(self, code: str) -> ChecklistItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)


@dataclass(frozen=True)
class ItemResult:
    """An item as found: the normalised answer and, for scored kinds, pass or fail."""

    code: str
    kind: ItemKind
    value: Any
    passed: bool | None  # None: photo and note items are evidence, never scored
    weight: float
    severity: Severity | None
    kpi: InspectionKpi | None
    photo_sha256: str | None = None


@dataclass(frozen=True)
class InspectionScore:
    """Weighted pass share over the scored items checked, and (passed, total) per KPI."""

    score: float
    kpi_results: dict[str, tuple[int, int]] = field(default_factory=dict)
    failed_items: tuple[str, ...] = ()
    nonconforming: bool = False


def judge_answer(item: ChecklistItem, value: Any) -> tuple[Any, bool | None]:
    """The normalised answer to `item` and whether it passes; ValueError says why not.

    pass_fail takes true/false or "pass"/"fail"; number a finite number passed when
    within [min, max]; choice one of the options, passed when among `pass`; note any
    text (never scored). Photo items are answered by a photo, not a value.
    """
    if item.kind == "pass_fail":
        if isinstance(value, bool):
            return value, value
        if isinstance(value, str) and value.strip().lower() in _PASS_WORDS:
            verdict = _PASS_WORDS[value.strip().lower()]
            return verdict, verdict
        raise ValueError("answer true/false (or pass/fail)")
    if item.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"answer a number{_unit(item)}, not {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("answer a finite number")
        low_ok = item.minimum is None or number >= item.minimum
        high_ok = item.maximum is None or number <= item.maximum
        return number, low_ok and high_ok
    if item.kind == "choice":
        if not isinstance(value, str) or value not in item.options:
            raise ValueError(f"answer one of {', '.join(item.options)}, not {value!r}")
        return value, value in item.passing
    if item.kind == "note":
        if not isinstance(value, str):
            raise ValueError("a note is text")
        return value.strip(), None
    raise ValueError("a photo item is answered with a photo (photos: {item: path}), not a value")


def judge_results(
    template: ChecklistTemplate,
    answers: Mapping[str, Any],
    photos: Mapping[str, str],
    *,
    waived: frozenset[str] = frozenset(),
) -> list[ItemResult]:
    """Checks every answer and photo against the template; ChecklistError lists each problem.

    `photos` maps item codes to the SHA-256 of the photo kept for them (any item may
    carry a photo as evidence). A required item must be answered unless it is in
    `waived` (a re-inspection only needs the items it re-checks); an item left out is
    not applicable and counts nowhere.
    """
    problems: list[str] = []
    known = set(template.codes)
    for code in sorted(set(answers) - known):
        problems.append(f"results: {code}: no such item in template {template.template_id}")
    for code in sorted(set(photos) - known):
        problems.append(f"photos: {code}: no such item in template {template.template_id}")
    results: list[ItemResult] = []
    for item in template.items:
        photo = photos.get(item.code)
        if item.kind == "photo":
            if item.code in answers:
                problems.append(f"results: {item.code}: a photo item takes a photo, not a value")
            elif photo is not None:
                results.append(_result(item, None, None, photo))
            elif item.required and item.code not in waived:
                problems.append(f"photos: {item.code}: a photo is required ({item.label})")
            continue
        if answers.get(item.code) is None:  # left out or null: not applicable here
            if item.required and item.scored and item.code not in waived:
                problems.append(f"results: {item.code}: missing answer ({item.label})")
            if photo is not None:
                problems.append(f"photos: {item.code}: a photo of an item not checked")
            continue
        try:
            value, passed = judge_answer(item, answers[item.code])
        except ValueError as exc:
            problems.append(f"results: {item.code}: {exc} ({item.label})")
            continue
        results.append(_result(item, value, passed, photo))
    if not problems and not any(r.passed is not None for r in results):
        problems.append("results: no scored item was checked; an inspection needs at least one")
    if problems:
        raise ChecklistError(problems)
    return results


def score_results(results: list[ItemResult]) -> InspectionScore:
    """Weighted pass share of the scored items checked; counts per KPI; failures."""
    scored = [r for r in results if r.passed is not None]
    total_weight = sum(r.weight for r in scored)
    passed_weight = sum(r.weight for r in scored if r.passed)
    kpis: dict[str, tuple[int, int]] = {}
    for r in scored:
        if r.kpi is None:
            continue
        passed, total = kpis.get(r.kpi, (0, 0))
        kpis[r.kpi] = (passed + int(bool(r.passed)), total + 1)
    failed = [r for r in scored if not r.passed]
    return InspectionScore(
        score=passed_weight / total_weight if total_weight > 0 else 0.0,
        kpi_results=dict(sorted(kpis.items())),
        failed_items=tuple(r.code for r in failed),
        nonconforming=any(r.severity in NONCONFORMING_SEVERITIES for r in failed),
    )


def allowed_transition(current: str, new: str) -> bool:
    """A template goes draft → published → archived, and never back."""
    return (current, new) in {("draft", "published"), ("published", "archived")}


def _result(item: ChecklistItem, value: Any, passed: bool | None, photo: str | None) -> ItemResult:
    return ItemResult(
        code=item.code,
        kind=item.kind,
        value=value,
        passed=passed,
        weight=item.weight if item.scored else 0.0,
        severity=item.severity,
        kpi=item.kpi,
        photo_sha256=photo,
    )


def _unit(item: ChecklistItem) -> str:
    return f" in {item.unit}" if item.unit else ""
