"""Policy parameters: every number with its dated values and a reference, resolved at a date.

A policy is a folder of YAML files. Each file is a namespace (`responsibility.yaml` →
`responsibility.…`); inside, a mapping with `values` is a parameter, any other mapping
is a group. Changing a value adds a date, it never rewrites one, so any past decision
can be reproduced with the values in force on its date.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class PolicyError(ValueError):
    """A policy that cannot be used; `problems` lists each one with its file and key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class DatedValue:
    since: date
    value: Any
    reference: str


@dataclass(frozen=True)
class Parameter:
    """One number (or list, or text) of a policy and its history."""

    path: str
    description: str
    reference: str
    unit: str | None
    values: tuple[DatedValue, ...]  # sorted by date

    def at(self, when: date) -> Any:
        """The value in force on `when`: the latest one dated on or before it."""
        current: DatedValue | None = None
        for dated in self.values:
            if dated.since <= when:
                current = dated
        if current is None:
            first = self.values[0].since
            raise PolicyError([f"{self.path}: no value in force on {when} (first from {first})"])
        return current.value

    def reference_at(self, when: date) -> str:
        current = self.values[0]
        for dated in self.values:
            if dated.since <= when:
                current = dated
        return current.reference or self.reference


@dataclass(frozen=True)
class Policy:
    """A whole parameter tree: parameters by dotted path, and group descriptions."""

    parameters: dict[str, Parameter]
    groups: dict[str, str] = field(default_factory=dict)

    def at(self, when: date) -> ParameterSet:
        return ParameterSet(when, {p: param.at(when) for p, param in self.parameters.items()})

    def content(self) -> dict[str, Any]:
        """A JSON-ready form of the tree; equal policies give equal content."""
        return {
            "groups": dict(sorted(self.groups.items())),
            "parameters": {
                path: {
                    "description": p.description,
                    "reference": p.reference,
                    "unit": p.unit,
                    "values": [
                        {"since": v.since.isoformat(), "value": v.value, "reference": v.reference}
                        for v in p.values
                    ],
                }
                for path, p in sorted(self.parameters.items())
            },
        }

    def problems_on_every_date(self, check: Callable[[ParameterSet], list[str]]) -> list[str]:
        """`check` on the values in force on every date a value changes; a problem found on
        several dates is reported once, with the first date. Dates on which a parameter has
        no value yet are skipped (that is reported where it matters)."""
        dates = sorted({dated.since for p in self.parameters.values() for dated in p.values})
        seen: set[str] = set()
        problems: list[str] = []
        for day in dates:
            try:
                params = self.at(day)
            except PolicyError:
                continue
            for problem in check(params):
                if problem not in seen:
                    seen.add(problem)
                    problems.append(f"{problem} (values in force on {day})")
        return problems

    def fingerprint(self) -> str:
        text = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> Policy:
        parameters = {
            path: Parameter(
                path=path,
                description=p["description"],
                reference=p["reference"],
                unit=p["unit"],
                values=tuple(
                    DatedValue(date.fromisoformat(v["since"]), v["value"], v["reference"])
                    for v in p["values"]
                ),
            )
            for path, p in content["parameters"].items()
        }
        return cls(parameters, dict(content.get("groups", {})))


@dataclass(frozen=True)
class ParameterSet:
    """The values of a policy in force on one date."""

    when: date
    values: dict[str, Any]

    def get(self, path: str) -> Any:
        try:
            return self.values[path]
        except KeyError:
            raise KeyError(f"the policy has no parameter {path}") from None

    def group(self, prefix: str) -> dict[str, Any]:
        """Parameters under `prefix`, keyed by the rest of their path."""
        start = prefix + "."
        found = {p[len(start) :]: v for p, v in self.values.items() if p.startswith(start)}
        if not found:
            raise KeyError(f"the policy has no parameters under {prefix}")
        return found
