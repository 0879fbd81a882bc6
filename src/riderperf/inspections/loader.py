"""Reads checklist template files strictly: every problem is named with its file and key.

Refused: unknown keys, keys that do not belong to an item's kind, duplicate YAML keys,
duplicate item codes, unknown kinds, severities or KPIs, a scored item without a
reference, choices that can never pass or never fail, and scored weights that do not
sum to 1.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import yaml

from riderperf.inspections.checklists import (
    INSPECTION_KPIS,
    ITEM_KINDS,
    SCORED_KINDS,
    SEVERITIES,
    ChecklistError,
    ChecklistItem,
    ChecklistTemplate,
)

TEMPLATE_KEYS = {"id", "name", "description", "reinspection_days", "items"}
REINSPECTION_KEYS = {"description", "reference", *SEVERITIES}
COMMON_ITEM_KEYS = {"code", "label", "kind", "description", "reference", "required"}
SCORE_KEYS = {"weight", "severity", "kpi"}
KIND_KEYS: dict[str, set[str]] = {
    "pass_fail": SCORE_KEYS,
    "number": SCORE_KEYS | {"min", "max", "unit"},
    "choice": SCORE_KEYS | {"options", "pass"},
    "photo": set(),
    "note": set(),
}
TEMPLATE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
ITEM_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
WEIGHT_TOLERANCE = 1e-9


class _NoDuplicateKeysLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping."""


def _mapping_without_duplicates(
    loader: _NoDuplicateKeysLoader, node: yaml.MappingNode, deep: bool = False
) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_NoDuplicateKeysLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def load_template(path: Path) -> ChecklistTemplate:
    """Reads one template file; raises ChecklistError listing every problem with file and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChecklistError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    try:
        tree = yaml.load(text, Loader=_NoDuplicateKeysLoader)  # strict SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ChecklistError([f"{path.name}: {exc}".replace("\n", " ")]) from exc
    return parse_template(tree, path.name)


def parse_template(tree: Any, source: str) -> ChecklistTemplate:
    """Builds a template from its YAML (or stored JSON) tree; `source` names it in errors."""
    if not isinstance(tree, dict):
        raise ChecklistError([f"{source}: a template is a mapping with id, name, items"])
    problems: list[str] = []
    for key in sorted(set(tree) - TEMPLATE_KEYS, key=str):
        problems.append(f"{source}: {key}: unknown key (allowed: {_listed(TEMPLATE_KEYS)})")
    for key in ("id", "name", "reinspection_days", "items"):
        if key not in tree:
            problems.append(f"{source}: missing {key}")
    template_id = tree.get("id")
    if "id" in tree and not (isinstance(template_id, str) and TEMPLATE_ID.fullmatch(template_id)):
        problems.append(f"{source}: id: use lower-case letters, digits and '-' (rider-standard)")
    name = _text(tree.get("name"))
    if "name" in tree and not name:
        problems.append(f"{source}: name: give the template a name")
    days, days_reference = _reinspection(source, tree.get("reinspection_days"), problems)
    items = _items(source, tree.get("items"), problems)
    if problems:
        raise ChecklistError(problems)
    return ChecklistTemplate(
        template_id=str(template_id),
        name=name,
        description=_text(tree.get("description")),
        reinspection_days=days,
        reinspection_reference=days_reference,
        items=tuple(items),
    )


def template_content(template: ChecklistTemplate) -> dict[str, Any]:
    """The template as the YAML tree it came from (normalised): stored, then parsed again."""
    days: dict[str, Any] = {"reference": template.reinspection_reference}
    days.update({s: template.reinspection_days[s] for s in SEVERITIES})
    items: list[dict[str, Any]] = []
    for item in template.items:
        entry: dict[str, Any] = {"code": item.code, "label": item.label, "kind": item.kind}
        if item.description:
            entry["description"] = item.description
        if item.reference:
            entry["reference"] = item.reference
        entry["required"] = item.required
        if item.scored:
            entry |= {"weight": item.weight, "severity": item.severity, "kpi": item.kpi}
        if item.kind == "number":
            bounds = {"min": item.minimum, "max": item.maximum, "unit": item.unit}
            entry |= {k: v for k, v in bounds.items() if v is not None}
        if item.kind == "choice":
            entry |= {"options": list(item.options), "pass": list(item.passing)}
        items.append(entry)
    content: dict[str, Any] = {"id": template.template_id, "name": template.name}
    if template.description:
        content["description"] = template.description
    return content | {"reinspection_days": days, "items": items}


def template_fingerprint(template: ChecklistTemplate) -> str:
    """SHA-256 of the normalised content: two files with the same checklist agree."""
    text = json.dumps(template_content(template), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reinspection(source: str, node: Any, problems: list[str]) -> tuple[dict[str, int], str]:
    where = f"{source}: reinspection_days"
    if node is None:
        return {}, ""
    if not isinstance(node, dict):
        problems.append(f"{where}: a mapping of severity: days with a reference")
        return {}, ""
    for key in sorted(set(node) - REINSPECTION_KEYS, key=str):
        problems.append(f"{where}.{key}: unknown key (allowed: {_listed(REINSPECTION_KEYS)})")
    reference = _text(node.get("reference"))
    if not reference:
        problems.append(f"{where}.reference: say where the numbers of days come from")
    days: dict[str, int] = {}
    for severity in SEVERITIES:
        value = node.get(severity)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{where}.{severity}: a whole number of days, at least 1")
        else:
            days[severity] = value
    return days, reference


def _items(source: str, node: Any, problems: list[str]) -> list[ChecklistItem]:
    if node is None:
        return []
    if not isinstance(node, list) or not node:
        problems.append(f"{source}: items: a list of at least one item")
        return []
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(node):
        code = entry.get("code") if isinstance(entry, dict) else None
        where = f"{source}: items[{index}]" + (f" ({code})" if isinstance(code, str) else "")
        if isinstance(code, str) and code in seen:
            problems.append(f"{where}.code: duplicate item code {code!r}")
        seen.add(str(code))
        item = _item(where, entry, problems)
        if item is not None:
            items.append(item)
    if len(items) == len(node):
        total = math.fsum(item.weight for item in items if item.scored)
        if not math.isclose(total, 1.0, abs_tol=WEIGHT_TOLERANCE):
            problems.append(f"{source}: items: weights of scored items sum to {total:g}, not 1")
    return items


def _item(where: str, node: Any, problems: list[str]) -> ChecklistItem | None:
    if not isinstance(node, dict):
        problems.append(f"{where}: an item is a mapping with code, label, kind")
        return None
    before = len(problems)
    kind = node.get("kind")
    if kind not in ITEM_KINDS:
        problems.append(f"{where}.kind: {kind!r} is not a kind (use {', '.join(ITEM_KINDS)})")
        return None
    allowed = COMMON_ITEM_KEYS | KIND_KEYS[kind]
    for key in sorted(set(node) - allowed, key=str):
        problems.append(
            f"{where}.{key}: unknown key for a {kind} item (allowed: {_listed(allowed)})"
        )
    code, label = node.get("code"), _text(node.get("label"))
    if not (isinstance(code, str) and ITEM_CODE.fullmatch(code)):
        problems.append(f"{where}.code: lower-case letters, digits and _ (helmet_worn)")
    if not label:
        problems.append(f"{where}.label: say what the inspector checks")
    reference = _text(node.get("reference"))
    if kind != "note" and not reference:
        problems.append(f"{where}.reference: say where the requirement comes from")
    required = node.get("required", kind != "note")
    if not isinstance(required, bool):
        problems.append(f"{where}.required: true or false")
    fields: dict[str, Any] = {}
    if kind in SCORED_KINDS:
        fields = _score_fields(where, node, problems)
    if kind == "number":
        fields |= _number_fields(where, node, problems)
    if kind == "choice":
        fields |= _choice_fields(where, node, problems)
    if len(problems) > before:
        return None
    return ChecklistItem(
        code=str(code),
        label=label,
        kind=kind,
        reference=reference,
        description=_text(node.get("description")),
        required=bool(required),
        **fields,
    )


def _score_fields(where: str, node: dict[Any, Any], problems: list[str]) -> dict[str, Any]:
    weight, severity, kpi = node.get("weight"), node.get("severity"), node.get("kpi")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        problems.append(f"{where}.weight: a number above 0 and at most 1")
    if severity not in SEVERITIES:
        problems.append(f"{where}.severity: one of {', '.join(SEVERITIES)}")
    if kpi not in INSPECTION_KPIS:
        problems.append(f"{where}.kpi: one of {', '.join(INSPECTION_KPIS)}")
    return {"weight": weight, "severity": severity, "kpi": kpi}


def _number_fields(where: str, node: dict[Any, Any], problems: list[str]) -> dict[str, Any]:
    bounds: dict[str, float | None] = {}
    for key in ("min", "max"):
        value = node.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"{where}.{key}: a number")
            value = None
        bounds[key] = None if value is None else float(value)
    low, high = bounds["min"], bounds["max"]
    if low is None and high is None:
        problems.append(f"{where}: a number item needs min, max or both to decide a pass")
    elif low is not None and high is not None and low > high:
        problems.append(f"{where}.min: {low:g} is above max {high:g}")
    unit = node.get("unit")
    if unit is not None and not isinstance(unit, str):
        problems.append(f"{where}.unit: text, e.g. mm")
    return {"minimum": low, "maximum": high, "unit": unit}


def _choice_fields(where: str, node: dict[Any, Any], problems: list[str]) -> dict[str, Any]:
    options, passing = _texts(node.get("options")), _texts(node.get("pass"))
    if options is None or len(options) < 2 or len(set(options)) != len(options):
        problems.append(f"{where}.options: a list of at least two different texts")
        return {}
    if not passing:
        problems.append(f"{where}.pass: the list of options that pass")
        return {}
    for choice in passing:
        if choice not in options:
            problems.append(f"{where}.pass: {choice!r} is not one of the options")
    if set(passing) == set(options):
        problems.append(f"{where}.pass: every option passes, so the item can never fail")
    return {"options": tuple(options), "passing": tuple(dict.fromkeys(passing))}


def _texts(value: Any) -> list[str] | None:
    """A list of non-empty texts, or None when it is anything else."""
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return value
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _listed(keys: set[str]) -> str:
    return ", ".join(sorted(keys))
