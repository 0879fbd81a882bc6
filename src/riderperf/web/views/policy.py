"""The policy pages: the published versions and the one in force, and every parameter of a
version with its description, the value in force on a day, since when, and its reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine

from riderperf.policy.compare import parameter_rows
from riderperf.policy.versions import PolicyVersion, get_version, list_versions, version_in_force


@dataclass(frozen=True)
class VersionRow:
    version: PolicyVersion
    in_force: bool


def policy_versions(engine: Engine, today: date) -> list[VersionRow]:
    current = version_in_force(engine, today)
    return [
        VersionRow(v, current is not None and v.version == current.version)
        for v in list_versions(engine)
    ]


@dataclass(frozen=True)
class ParameterRow:
    path: str
    name: str  # the path inside its group
    description: str
    value: str
    unit: str
    since: str
    reference: str


@dataclass(frozen=True)
class ParameterGroup:
    path: str
    description: str
    parameters: list[ParameterRow]


def policy_parameters(engine: Engine, version: str, when: date) -> list[ParameterGroup]:
    """Parameters grouped by the group holding them (e.g. `decisions.ladder`), in path
    order. Raises UnknownPolicyVersion for an unknown version."""
    found = get_version(engine, version)
    policy = found.policy
    groups: dict[str, ParameterGroup] = {}
    for path, row in parameter_rows(policy, when).items():
        group_path, _, name = path.rpartition(".")
        group = groups.get(group_path)
        if group is None:
            group = ParameterGroup(group_path, _group_description(policy.groups, group_path), [])
            groups[group_path] = group
        group.parameters.append(
            ParameterRow(
                path=path,
                name=name,
                description=row["description"],
                value=shown_value(row["value"]),
                unit=row["unit"] or "",
                since=row["since"] or "not yet in force",
                reference=row["reference"],
            )
        )
    return list(groups.values())


def shown_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(shown_value(v) for v in value)
    return str(value)


def _group_description(groups: dict[str, str], path: str) -> str:
    return groups.get(path) or groups.get(path.split(".")[0], "")
