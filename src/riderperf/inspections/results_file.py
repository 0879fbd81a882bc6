"""Reads the results file an inspector hands to `riderperf inspections record` (JSON or YAML).

Format (only `results` is required; photo paths are relative to the file):

    results: {helmet: worn_fastened, box_hygiene: fail, tyre_tread_mm: 1.4}
    photos: {box_photo: box.jpg}
    notes: Box lid cracked, rider told to replace it.
    place: Market Street / 5th   # or {lat: 37.78, lon: -122.41}
    reinspection_of: <inspection id>
    zone: <zone id>
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from riderperf.inspections.checklists import ChecklistError
from riderperf.inspections.records import Place

RESULTS_FILE_KEYS = {"results", "photos", "notes", "place", "reinspection_of", "zone"}


@dataclass(frozen=True)
class ResultsFile:
    """What a results file says about one inspection."""

    results: dict[str, Any]
    photos: dict[str, Path] = field(default_factory=dict)
    notes: str = ""
    place: Place = None
    reinspection_of: str | None = None
    zone_id: str | None = None


def read_results_file(path: Path) -> ResultsFile:
    """Parses a results file; ChecklistError names the file and key of every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChecklistError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    try:
        tree = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        problem = f"{path.name}: not valid JSON/YAML: {exc}".replace("\n", " ")
        raise ChecklistError([problem]) from exc
    if not isinstance(tree, dict) or not isinstance(tree.get("results"), dict):
        raise ChecklistError([f"{path.name}: expected a mapping with results: {{item: answer}}"])
    problems = [
        f"{path.name}: {key}: unknown key (allowed: {', '.join(sorted(RESULTS_FILE_KEYS))})"
        for key in sorted(set(tree) - RESULTS_FILE_KEYS, key=str)
    ]
    photos = tree.get("photos") or {}
    if not isinstance(photos, dict) or not all(isinstance(v, str) for v in photos.values()):
        problems.append(f"{path.name}: photos: a mapping of item code: file path")
        photos = {}
    for key in ("notes", "reinspection_of", "zone"):
        if tree.get(key) is not None and not isinstance(tree[key], str):
            problems.append(f"{path.name}: {key}: text")
    place = parse_place(tree.get("place"), f"{path.name}: place", problems)
    if problems:
        raise ChecklistError(problems)
    return ResultsFile(
        results={str(k): v for k, v in tree["results"].items()},
        photos={str(k): path.parent / v for k, v in photos.items()},
        notes=tree.get("notes") or "",
        place=place,
        reinspection_of=tree.get("reinspection_of"),
        zone_id=tree.get("zone"),
    )


def parse_place(value: Any, where: str, problems: list[str]) -> Place:
    """Text, `lat,lon` text, or {lat, lon}; a problem is added when it is none of those."""
    if value is None:
        return None
    if isinstance(value, dict):
        if set(value) != {"lat", "lon"} or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
        ):
            problems.append(f"{where}: give {{lat: number, lon: number}} or text")
            return None
        return float(value["lat"]), float(value["lon"])
    if isinstance(value, str):
        parts = value.split(",")
        if len(parts) == 2:
            try:
                return float(parts[0]), float(parts[1])
            except ValueError:
                pass  # a street address with a comma is text
        return value.strip() or None
    problems.append(f"{where}: give {{lat: number, lon: number}} or text")
    return None


def parse_moment(text: str, where: str) -> datetime:
    """An ISO 8601 time with an offset, as UTC; ChecklistError when it has none."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ChecklistError(
            [f"{where} {text!r}: give an ISO 8601 time with offset, e.g. 2026-11-02T09:30+01:00"]
        )
    return moment.astimezone(UTC)


def parse_photo_options(options: list[str]) -> dict[str, Path]:
    """`item=path` options into {item: path}; ChecklistError for one without `=`."""
    photos: dict[str, Path] = {}
    for option in options:
        code, sep, path = option.partition("=")
        if not sep or not code.strip() or not path.strip():
            raise ChecklistError([f"--photo {option!r}: write item=path, e.g. box_photo=box.jpg"])
        photos[code.strip()] = Path(path.strip())
    return photos
