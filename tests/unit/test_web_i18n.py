"""The web pages' translations: one catalog per language, complete, with the English
placeholders, drawn from exactly the messages the code and templates use; numbers, dates and
text direction follow the rider's locale."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from riderperf.web import i18n
from riderperf.web.i18n import available_languages, negotiate, po_path, translator_for
from tests.plurals import assert_same_plural_rule

WEB = Path(i18n.__file__).parent
LANGUAGES = ("en", "zh", "ar", "hi", "pt")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def template() -> Catalog:
    with (WEB / "locale" / "riderperf_web.pot").open("rb") as pot:
        return read_po(pot)


def catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as po:
        return read_po(po, locale=language)


def ids(found: Catalog) -> set[tuple[str, ...]]:
    return {texts(m.id) for m in found if m.id}


def texts(value: object) -> tuple[str, ...]:
    """A message id or string as a tuple of texts (one, or one per plural form)."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value) if isinstance(value, tuple | list) else ("",)


def test_every_portal_language_has_a_catalog() -> None:
    assert available_languages() == set(LANGUAGES)


def test_the_template_holds_exactly_the_messages_of_the_code_and_templates() -> None:
    method_map = [("**.py", "python"), ("**/templates/**.j2", "jinja2")]
    extracted: set[tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), method_map):
        extracted.add(texts(message))
    assert extracted == ids(template()), (
        "regenerate locale/riderperf_web.pot and update the catalogs (docs/web.md)"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_without_fuzzy_entries(language: str) -> None:
    found = catalog(language)
    assert ids(found) == ids(template())
    expected = get_plural(language)
    assert_same_plural_rule(
        (found.num_plurals, found.plural_expr),
        (expected.num_plurals, expected.plural_expr),
        language,
    )
    for message in found:
        if not message.id:
            continue
        assert not message.fuzzy, f"{language}: fuzzy entry {message.id!r}"
        forms = texts(message.string)
        assert all(forms), f"{language}: {message.id!r} is not translated"
        if message.pluralizable:
            assert len(forms) == expected.num_plurals, f"{language}: {message.id!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_english_placeholders(language: str) -> None:
    """A form may leave the number out (Arabic "نقطتان" is "two points"), never add a name;
    the last plural form, used for most numbers, and every singular keep them all."""
    for message in catalog(language):
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall(texts(message.id)[-1]))
        forms = texts(message.string)
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) <= wanted, f"{language}: {form!r}"
        assert set(PLACEHOLDER.findall(forms[-1])) == wanted, f"{language}: {forms[-1]!r}"


def test_arabic_is_written_right_to_left_and_others_left_to_right() -> None:
    assert (translator_for("ar").direction, translator_for("ar").tag) == ("rtl", "ar")
    assert translator_for("ar-EG").tag == "ar-EG"
    assert translator_for("pt-BR").direction == "ltr"


def test_a_language_without_a_catalog_or_a_broken_tag_falls_back_to_english() -> None:
    assert translator_for("fr").tag == "en"
    assert translator_for("not a tag!").tag == "en"
    assert translator_for(None).gettext("My score") == "My score"


def test_pages_use_the_riders_language() -> None:
    assert translator_for("pt").gettext("My score") == "Minha pontuação"
    assert translator_for("ar").gettext("Period {period}", period="W1") == "الفترة W1"
    points = translator_for("ar")
    assert (
        points.ngettext(
            "You have {count} active penalty point.",
            "You have {count} active penalty points.",
            2,
            count="2",
        )
        == "لديك نقطتا جزاء ساريتان."
    )


@pytest.mark.parametrize(
    ("language", "count", "sentence"),
    [
        ("pt", 0, "Você tem 0 ponto de penalidade ativo."),
        ("pt", 2, "Você tem 2 pontos de penalidade ativos."),
        ("pt", 1_000_000, "Você tem 1.000.000 de pontos de penalidade ativos."),
        ("hi", 0, "आपके पास 0 सक्रिय पेनल्टी पॉइंट है।"),
        ("hi", 2, "आपके पास 2 सक्रिय पेनल्टी पॉइंट हैं।"),
        ("ar", 0, "ليست لديك أي نقطة جزاء سارية."),
        ("ar", 11, "لديك 11 نقطة جزاء سارية."),
        ("ar", 100, "لديك 100 نقطة جزاء سارية."),
    ],
)
def test_counts_take_the_plural_form_of_the_language(
    language: str, count: int, sentence: str
) -> None:
    t = translator_for(language)
    assert (
        t.ngettext(
            "You have {count} active penalty point.",
            "You have {count} active penalty points.",
            count,
            count=t.number(count),
        )
        == sentence
    )


def test_numbers_percentages_and_dates_follow_the_locale() -> None:
    pt = translator_for("pt")
    assert pt.number(1234.5, 1) == "1.234,5"
    assert pt.percent(0.975) == "97,5%"
    assert pt.date(date(2026, 2, 3)) == "3 de fev. de 2026"
    assert translator_for("en").number(1234.5, 1) == "1,234.5"
    assert translator_for("hi").number(1234567, 0) == "12,34,567"
    assert translator_for("en").moment(datetime(2026, 2, 3, 9, 0)) == (
        "February 3, 2026, 9:00\u202fAM UTC"
    )
    assert translator_for("hi").moment(datetime(2026, 2, 3, 9, 0, tzinfo=UTC)).endswith("UTC")


def test_ids_inside_arabic_text_are_isolated() -> None:
    assert translator_for("ar").text("2026-W03") == "\u20682026-W03\u2069"
    assert translator_for("en").text("2026-W03") == "2026-W03"


@pytest.mark.parametrize(
    ("header", "language"),
    [("ar-EG,ar;q=0.9,en;q=0.5", "ar-EG"), ("fr-FR, pt;q=0.8", "pt"), ("de", "en"), (None, "en")],
)
def test_the_login_page_follows_the_browsers_languages(header: str | None, language: str) -> None:
    assert negotiate(header) == language
