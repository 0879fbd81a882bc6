"""Picks the language a page is written in and formats its numbers and dates with Babel.

The pages' own words live in the gettext domain `riderperf_web`
(`web/locale/<lang>/LC_MESSAGES/riderperf_web.po`), read and compiled in memory by the one
loader, `riderperf.common.catalogs`, like the notice catalogs: no build step, no committed .mo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations

from riderperf.clock import as_utc
from riderperf.common.catalogs import catalog_languages, compiled_catalog, po_file
from riderperf.notices.formatting import format_moment, format_percentage, isolate

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "riderperf_web"
FALLBACK_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def available_languages() -> frozenset[str]:
    """The languages with a catalog: every locale/<lang>/LC_MESSAGES/riderperf_web.po."""
    return catalog_languages(LOCALE_DIR, DOMAIN)


def po_path(language: str) -> Path:
    return po_file(LOCALE_DIR, DOMAIN, language)


def _catalog(language: str) -> NullTranslations:
    if language not in available_languages():
        return NullTranslations()
    return compiled_catalog(LOCALE_DIR, DOMAIN, language)


def resolve_locale(requested: str | None) -> Locale:
    """The locale of a rider's language tag (pt-BR keeps Brazil's formats); English when the
    language has no catalog or the tag is malformed."""
    text = (requested or "").strip().replace("-", "_")
    for candidate in (text, text.split("_")[0].lower()) if text else ():
        try:
            locale = Locale.parse(candidate)
        except (ValueError, TypeError, UnknownLocaleError):
            continue
        if locale.language in available_languages():
            return locale
    return Locale.parse(FALLBACK_LANGUAGE)


def negotiate(accept_language: str | None) -> str:
    """The first language of an Accept-Language header that has a catalog, else English."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*" and resolve_locale(tag).language != FALLBACK_LANGUAGE:
            return tag
    return FALLBACK_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """The words and formats of one locale, handed to templates and view models."""

    locale: Locale
    catalog: NullTranslations

    @property
    def tag(self) -> str:
        """The BCP 47 tag for `<html lang>`, e.g. pt-BR."""
        parts = (self.locale.language, self.locale.script, self.locale.territory)
        return "-".join(part for part in parts if part)

    @property
    def direction(self) -> str:
        return "rtl" if self.locale.text_direction == "rtl" else "ltr"

    def gettext(self, message: str, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self.catalog.ngettext(singular, plural, n)
        return text.format(**values) if values else text

    def number(self, value: float | int, places: int | None = None) -> str:
        """A number in the locale's digits and grouping (Hindi groups by lakh: 12,34,567);
        `places` fixes the number of decimals."""
        if places is None:
            return format_decimal(value, locale=self.locale)
        pattern = self.locale.decimal_formats[None].pattern.split(";")[0].split(".")[0]
        pattern += "." + "0" * places if places else ""
        return format_decimal(round(value, places), format=pattern, locale=self.locale)

    def percent(self, share: float) -> str:
        """A share 0–1 as a percentage with one decimal at most (0.975 → 97.5%)."""
        return format_percentage(share * 100, self.locale)

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "—"
        day = value.date() if isinstance(value, datetime) else value
        return format_date(day, format="medium", locale=self.locale)

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        return format_moment(as_utc(value), UTC, self.locale)

    def text(self, value: str) -> str:
        """An id or period kept whole inside right-to-left text."""
        return isolate(value, self.locale)


@cache
def translator_for(language: str | None) -> Translator:
    locale = resolve_locale(language)
    return Translator(locale, _catalog(locale.language))
