"""Every notice renders in every language, with numbers and dates written the locale's way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

from riderperf.notices import NoticeError, render_notice
from riderperf.notices.catalog import NOTICE_KINDS, OFFENCES, PARAM_TYPES, TERMS
from riderperf.notices.model import ParamType
from riderperf.notices.translations import translations_for

LANGUAGES = ("en", "zh", "ar", "hi", "pt")

# Counts avoid 0, 1 and 2: Arabic's forms for those may say the number in words.
SAMPLE: dict[str, Any] = {
    "period": "2026-W45",
    "offence": "late_deliveries",
    "appeal_deadline": date(2026, 12, 3),
    "points": 3,
    "total_points": 11,
    "expires_on": date(2027, 2, 1),
    "days": 14,
    "until": date(2026, 12, 10),
    "weight": 0.75,
    "tier": "gold",
    "bonus_pct": 7.5,
    "badge": "Night owl",
    "restriction": "suspension",
    "case_id": "C-1042",
    "subject": "decision D-77",
    "resolution_due": datetime(2026, 12, 5, 9, 30, tzinfo=UTC),
    "question": "Was the restaurant closed when you arrived?",
    "respond_by": datetime(2026, 12, 4, 18, 0, tzinfo=UTC),
    "outcome": "overturned",
    "reason": "The GPS trace shows you waited at the restaurant.",
    "score": 612.5,
    "threshold": 650,
    "count": 6,
    "orders": 1250,
    "rate_pct": 12.5,
    "per_100": 2.4,
    "kind": "helmet_missing",
    "item": "helmet",
    "due_on": date(2026, 11, 20),
    "score_pct": 92.5,
    "severity": "major",
    "doc_type": "licence",
    "expired_on": date(2026, 11, 20),
    "signal": "GPS position jumps",
}


def _expected_fragments(name: str, language: str) -> list[str]:
    """What Babel itself writes for the sample value, independently of the renderer."""
    value = SAMPLE[name]
    ptype = PARAM_TYPES[name]
    if ptype in (ParamType.INTEGER, ParamType.DECIMAL):
        return [format_decimal(value, locale=language)]
    if ptype is ParamType.PERCENT:
        return [format_percent(value / 100, locale=language, decimal_quantization=False)]
    if ptype is ParamType.DATE:
        return [format_date(value, format="long", locale=language)]
    if ptype is ParamType.DATETIME:
        return [
            format_date(value.date(), format="long", locale=language),
            format_time(value, format="short", tzinfo=UTC, locale=language),
            "UTC",
        ]
    if ptype is ParamType.TERM:
        return [translations_for(language).gettext(TERMS[name][value].msgid)]
    return [value]


def _assert_shows_every_value(kind: str, params: dict[str, Any], language: str) -> None:
    notice = render_notice(kind, params, language)
    shown = f"{notice.title}\n{notice.body}"
    names = set(NOTICE_KINDS[kind].required_params) - {"offence", "outcome"}
    if NOTICE_KINDS[kind].offence != "none" and "offence" in params:
        names |= OFFENCES[params["offence"]].placeholders
    if NOTICE_KINDS[kind].appealable and "appeal_deadline" in params:
        names.add("appeal_deadline")
    for name in names:
        for fragment in _expected_fragments(name, language):
            assert fragment in shown, (kind, language, name, fragment, shown)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
def test_every_kind_renders_with_locale_formatted_values(kind: str, language: str) -> None:
    _assert_shows_every_value(kind, SAMPLE, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("offence", sorted(OFFENCES))
def test_every_offence_explains_why_with_its_numbers(offence: str, language: str) -> None:
    _assert_shows_every_value("decision.warning", SAMPLE | {"offence": offence}, language)


def test_the_notice_reads_what_happened_why_what_to_do_and_the_deadline_in_that_order() -> None:
    body = render_notice("decision.suspension", SAMPLE, "en").body
    happened = body.index("your account is suspended for 14 days, until December 10, 2026")
    why = body.index("6 of your 1,250 deliveries were late because of delays on your side (12.5%)")
    action = body.index("The suspension ends on its own")
    appeal = body.index("you can appeal until December 3, 2026")
    assert happened < why < action < appeal


def test_without_a_deadline_there_is_no_appeal_sentence() -> None:
    params = {"period": "2026-11", "tier": "gold", "bonus_pct": 5}
    assert "appeal" not in render_notice("decision.tier_bonus", params, "en").body


@pytest.mark.parametrize("kind", [kind for kind in NOTICE_KINDS if kind.startswith("case.")])
def test_appeal_steps_never_offer_to_appeal_again(kind: str) -> None:
    assert "you can appeal until" not in render_notice(kind, SAMPLE, "en").body


@pytest.mark.parametrize(
    ("locale", "direction"),
    [("ar", "rtl"), ("ar-EG", "rtl"), ("en", "ltr"), ("zh", "ltr"), ("hi", "ltr"), ("pt", "ltr")],
)
def test_arabic_reads_right_to_left_and_the_others_left_to_right(
    locale: str, direction: str
) -> None:
    assert render_notice("case.triage", {}, locale).direction == direction


@pytest.mark.parametrize(
    ("requested", "language", "tag"),
    [
        ("pt-BR", "pt", "pt-BR"),
        ("pt_BR", "pt", "pt-BR"),
        ("zh-Hans", "zh", "zh-Hans"),
        ("ar-EG", "ar", "ar-EG"),
        ("hi-IN", "hi", "hi-IN"),
        ("fr", "en", "en"),
        ("xx-!!", "en", "en"),
        ("", "en", "en"),
        (None, "en", "en"),
    ],
)
def test_a_regional_locale_falls_back_to_its_language_and_unknown_to_english(
    requested: str | None, language: str, tag: str
) -> None:
    notice = render_notice("decision.suspension", SAMPLE, requested)
    assert notice.body == render_notice("decision.suspension", SAMPLE, language).body
    assert notice.locale == tag


@pytest.mark.parametrize(
    ("kind", "param"),
    [
        (kind, param)
        for kind, spec in NOTICE_KINDS.items()
        for param in sorted(spec.required_params)
    ],
)
def test_a_missing_param_is_named_in_the_error(kind: str, param: str) -> None:
    params = {name: value for name, value in SAMPLE.items() if name != param}
    with pytest.raises(NoticeError, match=f"'{param}'") as raised:
        render_notice(kind, params, "en")
    assert raised.value.param == param
    assert kind in str(raised.value)


def test_a_missing_offence_number_is_named_in_the_error() -> None:
    params = {name: value for name, value in SAMPLE.items() if name != "rate_pct"}
    with pytest.raises(NoticeError, match="'rate_pct'"):
        render_notice("decision.warning", params, "zh")


def test_an_unknown_kind_is_a_notice_error_naming_it() -> None:
    with pytest.raises(NoticeError, match=r"decision\.bonus_cake"):
        render_notice("decision.bonus_cake", SAMPLE, "en")


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"offence": "being_late_once"}, "offence"),
        ({"restriction": "fine"}, "restriction"),
        ({"outcome": "maybe"}, "outcome"),
        ({"points": "three"}, "points"),
        ({"points": 2.5}, "points"),
        ({"until": "next week"}, "until"),
        ({"respond_by": date(2026, 12, 4)}, "respond_by"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_wrong_value_is_a_notice_error_naming_the_param(
    change: dict[str, Any], param: str
) -> None:
    with pytest.raises(NoticeError) as raised:
        for kind in ("decision.points", "decision.rejected", "decision.suspension"):
            render_notice(kind, SAMPLE | change, "en")
        for kind in ("case.decided", "case.waiting_on_rider"):
            render_notice(kind, SAMPLE | change, "en")
    assert raised.value.param == param
    assert f"'{param}'" in str(raised.value)


@pytest.mark.parametrize(
    ("language", "points", "expected"),
    [
        ("en", 1, "1 penalty point has been added"),
        ("en", 4, "4 penalty points have been added"),
        ("pt", 1, "1 ponto de penalidade foi adicionado"),
        ("pt", 4, "4 pontos de penalidade foram adicionados"),
        ("pt", 0, "0 ponto de penalidade foi adicionado"),
        ("pt", 1_000_000, "1.000.000 de pontos de penalidade foram adicionados"),
        ("pt", 2_000_000, "2.000.000 de pontos de penalidade foram adicionados"),
        ("pt", 1_000_001, "1.000.001 pontos de penalidade foram adicionados"),
        ("hi", 0, "0 पेनल्टी पॉइंट जोड़ा गया"),
        ("hi", 1, "1 पेनल्टी पॉइंट जोड़ा गया"),
        ("hi", 4, "4 पेनल्टी पॉइंट जोड़े गए"),
        ("ar", 1, "نقطة جزاء واحدة"),
        ("ar", 2, "نقطتا جزاء"),
        ("ar", 4, "4 نقاط جزاء"),
        ("ar", 12, "12 نقطة جزاء"),
        ("ar", 100, "100 نقطة جزاء"),
        ("zh", 4, "新增违规记分4分"),
    ],
)
def test_counts_take_the_plural_form_of_the_language(
    language: str, points: int, expected: str
) -> None:
    assert expected in render_notice("decision.points", SAMPLE | {"points": points}, language).body


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (3, "لمدة 3 أيام،"),
        (10, "لمدة 10 أيام،"),
        (11, "لمدة 11 يومًا،"),  # 11-99: singular noun in the accusative
        (99, "لمدة 99 يومًا،"),
        (100, "لمدة 100 يوم،"),  # 100-102: singular noun in the genitive
        (102, "لمدة 102 يوم،"),
        (103, "لمدة 103 أيام،"),
        (111, "لمدة 111 يومًا،"),
        (200, "لمدة 200 يوم،"),
    ],
)
def test_arabic_counts_from_eleven_and_from_a_hundred_take_their_own_forms(
    days: int, expected: str
) -> None:
    assert expected in render_notice("decision.suspension", SAMPLE | {"days": days}, "ar").body


def test_datetimes_are_shown_in_utc_unless_a_timezone_is_given() -> None:
    due = SAMPLE["resolution_due"]
    in_utc = render_notice("case.submitted", SAMPLE, "pt").body
    assert "5 de dezembro de 2026 09:30 UTC" in in_utc
    kolkata = ZoneInfo("Asia/Kolkata")
    local = render_notice("case.submitted", SAMPLE | {"timezone": "Asia/Kolkata"}, "hi").body
    assert format_time(due, format="short", tzinfo=kolkata, locale="hi") in local
    assert "UTC" not in local


def test_free_text_is_isolated_inside_arabic_sentences() -> None:
    body = render_notice("decision.warning", SAMPLE, "ar").body
    assert "\u20682026-W45\u2069" in body


def test_dates_may_arrive_as_iso_text_and_percentages_keep_one_decimal() -> None:
    params = SAMPLE | {"appeal_deadline": "2026-12-03", "rate_pct": 12.345}
    body = render_notice("decision.warning", params, "en").body
    assert "appeal until December 3, 2026" in body
    assert "(12.3%)" in body


def test_an_unknown_tier_from_a_newer_policy_is_shown_as_given() -> None:
    notice = render_notice("decision.tier_bonus", SAMPLE | {"tier": "platinum"}, "zh")
    assert "platinum" in notice.body
