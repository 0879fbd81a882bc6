"""Notices about on-site inspections name the item in the rider's language and say how to
put it right and how to appeal, in every language."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from babel.dates import format_date

from riderperf.notices import NoticeError, render_notice
from riderperf.notices.translations import translations_for

LANGUAGES = ("en", "zh", "ar", "hi", "pt")
SAMPLE: dict[str, Any] = {
    "item": "helmet",
    "severity": "major",
    "due_on": date(2026, 11, 20),
    "score_pct": 92.5,
}


INSPECTION_KINDS = [
    "inspection.failed",
    "inspection.passed",
    "corrective_action.overdue",
    "corrective_action.closed",
]
# What each language says for SAMPLE: the item and severity translated, the date and the
# percentage written the language's way, and where to appeal.
INSPECTION_FAILED = {
    "en": [
        "the item “helmet” did not pass the check (severity: serious)",
        "Please put it right by November 20, 2026.",
        "open this notice in the rider portal and choose “Appeal”",
    ],
    "zh": [
        "“头盔”这一项未通过检查（严重程度：严重）",
        "请在2026年11月20日之前完成整改",
        "在骑手端打开本通知",
    ],
    "ar": [
        "لم يجتز البند «الخوذة» الفحص (درجة الخطورة: جسيمة)",
        "حتى 20 نوفمبر 2026",
        "بوابة المندوبين",
    ],
    "hi": ["“हेलमेट” में कमी पाई गई (गंभीरता: गंभीर)", "इसे 20 नवंबर 2026 तक ठीक कर लें", "राइडर पोर्टल"],
    "pt": [
        "o item “capacete” não foi aprovado (gravidade: grave)",
        "corrija isso até 20 de novembro de 2026",
        "portal do entregador",
    ],
}
INSPECTION_PASSED = {
    "en": "with a score of 92.5%",
    "zh": "您以92.5%的得分通过了现场检查",
    "ar": "بنتيجة 92.5%",
    "hi": "92.5% स्कोर के साथ पास कर ली",
    "pt": "com uma pontuação de 92,5%",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_failed_inspection_item_says_what_why_by_when_and_how_to_appeal(language: str) -> None:
    notice = render_notice("inspection.failed", SAMPLE, language)
    for expected in INSPECTION_FAILED[language]:
        assert expected in notice.body, (language, expected, notice.body)
    assert len(notice.body.split("\n\n")) == 3  # what and why, what to do, how to appeal


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_passed_inspection_shows_the_score_as_a_locale_percentage(language: str) -> None:
    notice = render_notice("inspection.passed", {"score_pct": 92.5}, language)
    assert INSPECTION_PASSED[language] in notice.body
    assert len(notice.body.split("\n\n")) == 2  # nothing to fix, nothing to appeal


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("kind", "item", "translated"),
    [
        ("corrective_action.overdue", "box_hygiene", "cleanliness of the delivery box"),
        ("corrective_action.closed", "id_and_licence", "identity document and driving licence"),
    ],
)
def test_corrective_action_notices_name_the_item_in_the_riders_language(
    kind: str, item: str, translated: str, language: str
) -> None:
    notice = render_notice(kind, {"item": item, "due_on": date(2026, 11, 20)}, language)
    assert translations_for(language).gettext(translated) in notice.body
    due = format_date(date(2026, 11, 20), format="long", locale=language)
    assert (due in notice.body) is (kind == "corrective_action.overdue")


@pytest.mark.parametrize("kind", INSPECTION_KINDS)
def test_inspection_notices_never_add_the_decision_appeal_deadline(kind: str) -> None:
    body = render_notice(
        kind, SAMPLE | {"offence": "complaints", "count": 6, "per_100": 2.4}, "en"
    ).body
    assert "you can appeal until" not in body
    assert "complaint" not in body
    offers_appeal = kind in ("inspection.failed", "corrective_action.overdue")
    assert ("choose “Appeal”" in body) is offers_appeal


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_inspection_offence_names_the_item_in_the_riders_language(language: str) -> None:
    params = SAMPLE | {
        "offence": "inspection_violation",
        "item": "box_condition",
        "period": "2026-W45",
    }
    body = render_notice("decision.warning", params, language).body
    assert translations_for(language).gettext("condition of the delivery box") in body


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "knee_pads"), ("ar", "\u2068knee_pads\u2069")]
)
def test_an_item_of_a_custom_checklist_is_shown_as_given(language: str, shown: str) -> None:
    body = render_notice("inspection.failed", SAMPLE | {"item": "knee_pads"}, language).body
    assert f"“{shown}”" in body or f"«{shown}»" in body


def test_an_unknown_severity_is_a_notice_error_naming_it() -> None:
    with pytest.raises(NoticeError) as raised:
        render_notice("inspection.failed", SAMPLE | {"severity": "catastrophic"}, "en")
    assert raised.value.param == "severity"
