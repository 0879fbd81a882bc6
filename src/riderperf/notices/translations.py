"""Loads each language's notice catalog from its .po file, compiled in memory and cached.

No build step and no committed .mo: Babel reads the .po and writes the .mo into memory.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "riderperf"
FALLBACK_LANGUAGE = "en"


@cache
def available_languages() -> frozenset[str]:
    """The languages that have a catalog: every locale/<lang>/LC_MESSAGES/riderperf.po."""
    return frozenset(path.parents[1].name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations_for(language: str) -> Translations:
    """The compiled catalog of one language; fuzzy or empty entries fall back to English."""
    with po_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


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
