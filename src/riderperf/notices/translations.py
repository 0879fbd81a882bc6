"""The notices' catalogs (domain `riderperf`, loaded by `common.catalogs`) and the locale a
notice is written in."""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import Translations

from riderperf.common.catalogs import catalog_languages, compiled_catalog, po_file

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "riderperf"
FALLBACK_LANGUAGE = "en"


def available_languages() -> frozenset[str]:
    """The languages that have a catalog: every locale/<lang>/LC_MESSAGES/riderperf.po."""
    return catalog_languages(LOCALE_DIR, DOMAIN)


def po_path(language: str) -> Path:
    return po_file(LOCALE_DIR, DOMAIN, language)


def translations_for(language: str) -> Translations:
    """The compiled catalog of one language; fuzzy or empty entries fall back to English."""
    return compiled_catalog(LOCALE_DIR, DOMAIN, language)


def resolve_locale(requested: str | None) -> Locale:
    """The locale a notice is written in: the requested one (e.g. pt-BR, zh-Hans, ar-EG) when
    its language has a catalog, else English."""
    for candidate in _candidates(requested):
        try:
            locale = Locale.parse(candidate)
        except (ValueError, TypeError, UnknownLocaleError):
            continue
        if locale.language in available_languages():
            return locale
    return Locale.parse(FALLBACK_LANGUAGE)


def locale_tag(locale: Locale) -> str:
    """The BCP 47 tag of a Babel locale, e.g. pt-BR."""
    return "-".join(part for part in (locale.language, locale.script, locale.territory) if part)


def _candidates(requested: str | None) -> list[str]:
    text = (requested or "").strip().replace("-", "_")
    if not text:
        return []
    # The whole tag first (regional formats), then its language alone (e.g. "pt_XX").
    return [text, text.split("_")[0].lower()]
