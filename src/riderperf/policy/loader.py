"""Reads a policy folder strictly: every problem is reported with its file and key.

Refused: unknown keys, duplicate keys, values keyed by something that is not a date,
a parameter without a reference, and a `weights` group whose weights do not sum to 1
on some date.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from riderperf.policy.parameters import DatedValue, Parameter, Policy, PolicyError

PARAMETER_KEYS = {"description", "reference", "unit", "values"}
REQUIRED_PARAMETER_KEYS = {"description", "reference", "values"}
DATED_VALUE_KEYS = {"value", "reference"}
WEIGHT_TOLERANCE = 1e-9


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    """An impossible date such as 2025-13-01 stays text, so it is reported, not a crash."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_policy(folder: Path) -> Policy:
    """Loads every `*.yaml` file of `folder`; raises PolicyError listing all problems."""
    if not folder.is_dir():
        raise PolicyError([f"{folder}: not a policy folder"])
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise PolicyError([f"{folder}: no .yaml parameter files"])
    problems: list[str] = []
    parameters: dict[str, Parameter] = {}
    groups: dict[str, str] = {}
    for path in files:
        try:
            tree = yaml.load(
                path.read_text(encoding="utf-8"), Loader=_StrictLoader
            )  # strict subclass of SafeLoader
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: {exc}".replace("\n", " "))
            continue
        if not isinstance(tree, dict):
            problems.append(f"{path.name}: the file must hold a mapping of parameters")
            continue
        _walk(path.name, path.stem, tree, parameters, groups, problems)
    problems += _check_weights(parameters, groups)
    if problems:
        raise PolicyError(problems)
    return Policy(parameters, groups)


def _walk(
    file: str,
    prefix: str,
    node: dict[Any, Any],
    parameters: dict[str, Parameter],
    groups: dict[str, str],
    problems: list[str],
) -> None:
    groups[prefix] = str(node.get("description", ""))
    for key, child in node.items():
        if key == "description":
            continue
        path = f"{prefix}.{key}"
        if not isinstance(key, str) or not key.replace("_", "").isalnum():
            problems.append(f"{file}: {path}: keys are lower-case words joined by _")
        elif not isinstance(child, dict):
            problems.append(f"{file}: {path}: unknown key (expected a parameter or a group)")
        elif "values" in child:
            parameter = _parameter(file, path, child, problems)
            if parameter:
                parameters[path] = parameter
        else:
            _walk(file, path, child, parameters, groups, problems)


def _parameter(file: str, path: str, node: dict[Any, Any], problems: list[str]) -> Parameter | None:
    before = len(problems)
    for key in sorted(set(node) - PARAMETER_KEYS, key=str):
        problems.append(
            f"{file}: {path}.{key}: unknown key (allowed: {', '.join(sorted(PARAMETER_KEYS))})"
        )
    for key in sorted(REQUIRED_PARAMETER_KEYS - set(node)):
        problems.append(f"{file}: {path}: missing {key}")
    if not str(node.get("reference") or "").strip():
        problems.append(
            f"{file}: {path}.reference: every number needs a reference to where it comes from"
        )
    raw = node.get("values")
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{file}: {path}.values: a mapping of date: value is needed")
        return None
    values: list[DatedValue] = []
    for since, entry in raw.items():
        where = f"{file}: {path}.values.{since}"
        if not isinstance(since, date):
            problems.append(f"{where}: not a date (write YYYY-MM-DD)")
            continue
        value, reference = entry, ""
        if isinstance(entry, dict):
            for key in sorted(set(entry) - DATED_VALUE_KEYS, key=str):
                problems.append(f"{where}.{key}: unknown key (allowed: reference, value)")
            if "value" not in entry:
                problems.append(f"{where}: missing value")
            value, reference = entry.get("value"), str(entry.get("reference", ""))
        if value is None:
            problems.append(f"{where}: empty value")
        values.append(DatedValue(since, value, reference))
    if len(problems) > before:
        return None
    return Parameter(
        path=path,
        description=str(node["description"]),
        reference=str(node["reference"]),
        unit=None if node.get("unit") is None else str(node["unit"]),
        values=tuple(sorted(values, key=lambda v: v.since)),
    )


def _check_weights(parameters: dict[str, Parameter], groups: dict[str, str]) -> list[str]:
    """Each `weights` group (or each of its sub-groups) must sum to 1 on every date."""
    problems: list[str] = []
    for group in sorted(g for g in groups if g.rsplit(".", 1)[-1] == "weights"):
        direct = {p: v for p, v in parameters.items() if p.rsplit(".", 1)[0] == group}
        subgroups = [g for g in groups if g.rsplit(".", 1)[0] == group]
        sets = [direct] if direct else []
        sets += [
            {p: v for p, v in parameters.items() if p.rsplit(".", 1)[0] == g} for g in subgroups
        ]
        for members in sets:
            problems += _check_sum(members)
    return problems


def _check_sum(members: dict[str, Parameter]) -> list[str]:
    if not members:
        return []
    dates = sorted({v.since for p in members.values() for v in p.values})
    group = next(iter(members)).rsplit(".", 1)[0]
    file = group.split(".", 1)[0] + ".yaml"
    for when in dates:
        try:
            total = sum(float(p.at(when)) for p in members.values())
        except (PolicyError, TypeError, ValueError):
            return [f"{file}: {group}: every weight needs a number in force from {dates[0]}"]
        if not math.isclose(total, 1.0, abs_tol=WEIGHT_TOLERANCE):
            return [f"{file}: {group}: weights sum to {total:g} on {when}, not 1"]
    return []
