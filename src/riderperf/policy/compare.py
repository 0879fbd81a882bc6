"""Lays out a policy's values in force on a date, and the values two policies disagree on."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from riderperf.policy.parameters import Policy


def parameter_rows(policy: Policy, when: date) -> dict[str, dict[str, Any]]:
    """Each parameter's value, unit, reference and start date in force on `when`.

    A parameter without a value on that date (the date precedes its first value) gets
    `value` and `since` None.
    """
    rows: dict[str, dict[str, Any]] = {}
    for path, parameter in sorted(policy.parameters.items()):
        current = [v for v in parameter.values if v.since <= when]
        rows[path] = {
            "value": current[-1].value if current else None,
            "unit": parameter.unit,
            "since": current[-1].since.isoformat() if current else None,
            "reference": parameter.reference_at(when),
            "description": parameter.description,
        }
    return rows


def diff_values(a: Policy, b: Policy, when: date) -> list[dict[str, Any]]:
    """Parameters whose value on `when` differs; a parameter missing from one side is None."""
    rows_a, rows_b = parameter_rows(a, when), parameter_rows(b, when)
    differences = []
    for path in sorted(set(rows_a) | set(rows_b)):
        row_a, row_b = rows_a.get(path), rows_b.get(path)
        value_a = row_a["value"] if row_a else None
        value_b = row_b["value"] if row_b else None
        # Compared as JSON, like the fingerprint: 1 and 1.0, or 1 and true, differ.
        if (row_a is None) != (row_b is None) or _as_json(value_a) != _as_json(value_b):
            unit = (row_b or row_a or {}).get("unit")
            differences.append({"parameter": path, "a": value_a, "b": value_b, "unit": unit})
    return differences


def _as_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
