"""The checklist template loader: strict about every key, and the bundled default is sound."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from riderperf.inspections.checklists import INSPECTION_KPIS, SCORED_KINDS, ChecklistError
from riderperf.inspections.loader import (
    load_template,
    parse_template,
    template_content,
    template_fingerprint,
)
from riderperf.inspections.template_store import default_template_path

MINIMAL: dict[str, Any] = {
    "id": "gear-check",
    "name": "Gear check",
    "reinspection_days": {"reference": "policy choice", "minor": 14, "major": 7, "critical": 2},
    "items": [
        {
            "code": "helmet",
            "label": "Helmet worn",
            "kind": "pass_fail",
            "weight": 0.6,
            "severity": "critical",
            "kpi": "safety",
            "reference": "traffic law",
        },
        {
            "code": "tread",
            "label": "Tread depth",
            "kind": "number",
            "min": 1.0,
            "unit": "mm",
            "weight": 0.4,
            "severity": "major",
            "kpi": "safety",
            "reference": "C&U reg. 27",
        },
        {"code": "box_photo", "label": "Box photo", "kind": "photo", "reference": "evidence"},
        {"code": "remarks", "label": "Remarks", "kind": "note"},
    ],
}


def problems_of(tree: Any) -> list[str]:
    with pytest.raises(ChecklistError) as caught:
        parse_template(tree, "gear.yaml")
    return caught.value.problems


def changed(**items: dict[str, Any]) -> dict[str, Any]:
    tree = copy.deepcopy(MINIMAL)
    for index, change in items.items():
        tree["items"][int(index.removeprefix("item"))].update(change)
    return tree


def test_a_minimal_template_loads_with_its_kinds_and_defaults() -> None:
    template = parse_template(MINIMAL, "gear.yaml")
    assert template.codes == ("helmet", "tread", "box_photo", "remarks")
    assert template.item("tread").minimum == 1.0 and template.item("tread").maximum is None
    assert template.item("box_photo").required is True
    assert template.item("remarks").required is False
    assert template.reinspection_days == {"minor": 14, "major": 7, "critical": 2}


def test_unknown_keys_are_named_with_file_and_key() -> None:
    tree = copy.deepcopy(MINIMAL) | {"colour": "red"}
    tree["items"][0]["colour"] = "blue"
    problems = problems_of(tree)
    assert any(p.startswith("gear.yaml: colour: unknown key") for p in problems)
    assert any(p.startswith("gear.yaml: items[0] (helmet).colour: unknown key") for p in problems)


def test_a_key_of_another_kind_is_refused() -> None:
    problems = problems_of(changed(item0={"options": ["a", "b"]}, item2={"weight": 0.1}))
    assert any("items[0] (helmet).options: unknown key for a pass_fail item" in p for p in problems)
    assert any("items[2] (box_photo).weight: unknown key for a photo item" in p for p in problems)


def test_duplicate_item_codes_are_refused() -> None:
    problems = problems_of(changed(item1={"code": "helmet"}))
    assert any("items[1] (helmet).code: duplicate item code 'helmet'" in p for p in problems)


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "gear.yaml"
    path.write_text(yaml.safe_dump(MINIMAL, sort_keys=False) + "name: twice\n")
    with pytest.raises(ChecklistError, match=r"gear\.yaml: .*duplicate key 'name'"):
        load_template(path)


def test_weights_that_do_not_sum_to_one_are_refused() -> None:
    problems = problems_of(changed(item1={"weight": 0.3}))
    assert problems == ["gear.yaml: items: weights of scored items sum to 0.9, not 1"]


def test_an_unknown_kind_severity_or_kpi_is_named() -> None:
    assert problems_of(changed(item0={"kind": "slider"})) == [
        "gear.yaml: items[0] (helmet).kind: 'slider' is not a kind "
        "(use pass_fail, number, choice, photo, note)"
    ]
    problems = problems_of(changed(item0={"severity": "huge", "kpi": "speed"}))
    assert "gear.yaml: items[0] (helmet).severity: one of minor, major, critical" in problems
    assert any(p.startswith("gear.yaml: items[0] (helmet).kpi: one of") for p in problems)


def test_a_scored_item_needs_a_reference_and_a_weight_in_range() -> None:
    problems = problems_of(changed(item0={"reference": " ", "weight": 1.5}))
    assert "gear.yaml: items[0] (helmet).reference: say where the requirement comes from" in (
        problems
    )
    assert "gear.yaml: items[0] (helmet).weight: a number above 0 and at most 1" in problems


def test_a_number_item_needs_a_bound_and_min_not_above_max() -> None:
    assert any("needs min, max or both" in p for p in problems_of(changed(item1={"min": None})))
    assert any(
        "items[1] (tread).min: 5 is above max 2" in p
        for p in problems_of(changed(item1={"min": 5, "max": 2}))
    )


def test_choice_pass_must_be_options_and_leave_one_failing() -> None:
    choice = {"kind": "choice", "options": ["ok", "worn"], "pass": ["ok", "new"]}
    assert any("'new' is not one of the options" in p for p in problems_of(changed(item0=choice)))
    always = choice | {"pass": ["ok", "worn"]}
    assert any("can never fail" in p for p in problems_of(changed(item0=always)))


def test_reinspection_days_need_every_severity_and_a_reference() -> None:
    tree = copy.deepcopy(MINIMAL)
    tree["reinspection_days"] = {"minor": 0, "major": 7}
    problems = problems_of(tree)
    assert "gear.yaml: reinspection_days.reference: say where the numbers of days come from" in (
        problems
    )
    assert "gear.yaml: reinspection_days.minor: a whole number of days, at least 1" in problems
    assert "gear.yaml: reinspection_days.critical: a whole number of days, at least 1" in problems


def test_an_unreadable_or_malformed_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ChecklistError, match="cannot be read"):
        load_template(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("items: [unclosed")
    with pytest.raises(ChecklistError, match=r"^broken\.yaml: "):
        load_template(broken)


def test_stored_content_reads_back_as_the_same_template_and_fingerprint() -> None:
    template = parse_template(MINIMAL, "gear.yaml")
    again = parse_template(template_content(template), "stored")
    assert again == template
    assert template_fingerprint(again) == template_fingerprint(template)
    assert template_fingerprint(parse_template(changed(item0={"label": "Lid"}), "x")) != (
        template_fingerprint(template)
    )


def test_the_bundled_checklist_covers_the_gear_papers_vehicle_and_conduct() -> None:
    template = load_template(default_template_path())
    codes = set(template.codes)
    assert {
        "helmet",
        "reflective_gear",
        "box_condition",
        "box_hygiene",
        "uniform",
        "id_and_licence",
        "brakes",
        "lights",
        "tyre_tread_mm",
        "service_script",
        "safe_riding",
    } <= codes
    scored = [i for i in template.items if i.kind in SCORED_KINDS]
    assert sum(i.weight for i in scored) == pytest.approx(1.0)
    assert {i.kpi for i in scored} == set(INSPECTION_KPIS)
    assert all(len(i.reference) > 20 for i in template.items if i.kind != "note")
    assert {i.kind for i in template.items} == {"pass_fail", "number", "choice", "photo", "note"}
