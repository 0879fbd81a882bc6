"""Answers checked against their item's kind, scoring, template moves and results files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from riderperf.inspections.checklists import (
    ChecklistError,
    ChecklistItem,
    ChecklistTemplate,
    allowed_transition,
    judge_answer,
    judge_results,
    score_results,
)
from riderperf.inspections.results_file import (
    parse_moment,
    parse_photo_options,
    read_results_file,
)

PASS_FAIL = ChecklistItem(
    "vest", "Vest", "pass_fail", "ref", weight=0.2, severity="minor", kpi="equipment_compliance"
)
NUMBER = ChecklistItem(
    "tread",
    "Tread",
    "number",
    "ref",
    weight=0.3,
    severity="major",
    kpi="safety",
    minimum=1.0,
    maximum=8.0,
    unit="mm",
)
CHOICE = ChecklistItem(
    "helmet",
    "Helmet",
    "choice",
    "ref",
    weight=0.5,
    severity="critical",
    kpi="safety",
    options=("fastened", "loose", "none"),
    passing=("fastened",),
    required=False,
)
PHOTO = ChecklistItem("box_photo", "Box photo", "photo", "ref")
NOTE = ChecklistItem("remarks", "Remarks", "note", "", required=False)
TEMPLATE = ChecklistTemplate(
    "gear",
    "Gear",
    "",
    {"minor": 14, "major": 7, "critical": 2},
    "ref",
    (PASS_FAIL, NUMBER, CHOICE, PHOTO, NOTE),
)
SHA = "a" * 64


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, (True, True)),
        (False, (False, False)),
        ("Pass", (True, True)),
        ("fail", (False, False)),
    ],
)
def test_pass_fail_takes_booleans_or_pass_and_fail(value: Any, expected: Any) -> None:
    assert judge_answer(PASS_FAIL, value) == expected


@pytest.mark.parametrize("value", ["yes", 1, None, "passable"])
def test_pass_fail_refuses_anything_else(value: Any) -> None:
    with pytest.raises(ValueError, match="true/false"):
        judge_answer(PASS_FAIL, value)


def test_number_passes_within_its_bounds_inclusive() -> None:
    assert judge_answer(NUMBER, 1) == (1.0, True)
    assert judge_answer(NUMBER, 8.0) == (8.0, True)
    assert judge_answer(NUMBER, 0.9) == (0.9, False)
    assert judge_answer(NUMBER, 9) == (9.0, False)


@pytest.mark.parametrize("value", ["2", True, float("nan"), float("inf")])
def test_number_refuses_text_booleans_and_non_finite_values(value: Any) -> None:
    with pytest.raises(ValueError, match="number"):
        judge_answer(NUMBER, value)


def test_choice_passes_only_the_passing_options_and_names_the_options() -> None:
    assert judge_answer(CHOICE, "fastened") == ("fastened", True)
    assert judge_answer(CHOICE, "loose") == ("loose", False)
    with pytest.raises(ValueError, match="one of fastened, loose, none, not 'off'"):
        judge_answer(CHOICE, "off")


def test_note_is_text_never_scored_and_photo_takes_no_value() -> None:
    assert judge_answer(NOTE, "  all fine ") == ("all fine", None)
    with pytest.raises(ValueError, match="photo"):
        judge_answer(PHOTO, "x")


def test_every_wrong_answer_is_named_with_its_item() -> None:
    answers = {"vest": "maybe", "tread": "deep", "helmet": "off", "mirror": True, "box_photo": 1}
    with pytest.raises(ChecklistError) as caught:
        judge_results(TEMPLATE, answers, {"wheel": SHA})
    assert caught.value.problems == [
        "results: mirror: no such item in template gear",
        "photos: wheel: no such item in template gear",
        "results: vest: answer true/false (or pass/fail) (Vest)",
        "results: tread: answer a number in mm, not 'deep' (Tread)",
        "results: helmet: answer one of fastened, loose, none, not 'off' (Helmet)",
        "results: box_photo: a photo item takes a photo, not a value",
    ]


def test_required_items_and_photos_must_be_there_unless_waived() -> None:
    with pytest.raises(ChecklistError) as caught:
        judge_results(TEMPLATE, {"tread": 3}, {})
    assert caught.value.problems == [
        "results: vest: missing answer (Vest)",
        "photos: box_photo: a photo is required (Box photo)",
    ]
    waived = judge_results(TEMPLATE, {"tread": 3}, {}, waived=frozenset({"vest", "box_photo"}))
    assert [r.code for r in waived] == ["tread"]


def test_an_optional_item_left_out_or_null_counts_nowhere() -> None:
    results = judge_results(
        TEMPLATE, {"vest": True, "tread": 3, "helmet": None}, {"box_photo": SHA}
    )
    assert [r.code for r in results] == ["vest", "tread", "box_photo"]
    score = score_results(results)
    assert score.score == 1.0
    assert score.kpi_results == {"equipment_compliance": (1, 1), "safety": (1, 1)}


def test_an_inspection_with_no_scored_item_checked_is_refused() -> None:
    only_evidence = ChecklistTemplate("e", "E", "", {}, "", (PHOTO, NOTE))
    with pytest.raises(ChecklistError, match="no scored item was checked"):
        judge_results(only_evidence, {"remarks": "hi"}, {"box_photo": SHA})


def test_score_is_the_weighted_pass_share_with_counts_per_kpi() -> None:
    results = judge_results(
        TEMPLATE,
        {"vest": True, "tread": 0.5, "helmet": "fastened", "remarks": "tyre worn"},
        {"box_photo": SHA, "tread": SHA},
    )
    score = score_results(results)
    assert score.score == pytest.approx((0.2 + 0.5) / 1.0)
    assert score.kpi_results == {"equipment_compliance": (1, 1), "safety": (1, 2)}
    assert score.failed_items == ("tread",)
    assert score.nonconforming  # tread is major
    assert {r.code: r.photo_sha256 for r in results}["tread"] == SHA


def test_only_a_major_or_critical_failure_makes_an_inspection_nonconforming() -> None:
    minor = score_results(judge_results(TEMPLATE, {"vest": False, "tread": 2}, {"box_photo": SHA}))
    assert minor.failed_items == ("vest",)
    assert not minor.nonconforming
    assert minor.score == pytest.approx(0.3 / 0.5)


def test_templates_move_only_draft_to_published_to_archived() -> None:
    assert allowed_transition("draft", "published")
    assert allowed_transition("published", "archived")
    for pair in [("published", "draft"), ("archived", "published"), ("draft", "archived")]:
        assert not allowed_transition(*pair)


def test_a_results_file_gives_answers_photos_beside_it_notes_and_place(tmp_path: Path) -> None:
    path = tmp_path / "sheet.json"
    sheet = {
        "results": {"vest": True},
        "photos": {"box_photo": "box.jpg"},
        "notes": "ok",
        "place": {"lat": 51.5, "lon": -0.12},
        "zone": "z1",
    }
    path.write_text(json.dumps(sheet))
    read = read_results_file(path)
    assert read.results == {"vest": True}
    assert read.photos == {"box_photo": tmp_path / "box.jpg"}
    assert (read.notes, read.place, read.zone_id) == ("ok", (51.5, -0.12), "z1")
    yaml_path = tmp_path / "sheet.yaml"
    yaml_path.write_text("results: {vest: fail}\nplace: Market St, corner\n")
    assert read_results_file(yaml_path).place == "Market St, corner"


def test_a_results_file_with_unknown_keys_or_no_results_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.yaml"
    path.write_text("results: {vest: true}\nrider: r1\nplace: [1, 2]\n")
    with pytest.raises(ChecklistError) as caught:
        read_results_file(path)
    assert caught.value.problems == [
        "sheet.yaml: rider: unknown key (allowed: notes, photos, place, reinspection_of, "
        "results, zone)",
        "sheet.yaml: place: give {lat: number, lon: number} or text",
    ]
    path.write_text("vest: true\n")
    with pytest.raises(ChecklistError, match="expected a mapping with results"):
        read_results_file(path)


def test_times_need_an_offset_and_photo_options_need_item_and_path() -> None:
    assert parse_moment("2026-11-02T10:30+01:00", "--at") == datetime(
        2026, 11, 2, 9, 30, tzinfo=UTC
    )
    with pytest.raises(ChecklistError, match="with offset"):
        parse_moment("2026-11-02T10:30", "--at")
    assert parse_photo_options(["box_photo=a.jpg"]) == {"box_photo": Path("a.jpg")}
    with pytest.raises(ChecklistError, match="write item=path"):
        parse_photo_options(["a.jpg"])
