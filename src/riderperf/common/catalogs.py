"""The one gettext loader: a catalog's .po file read and compiled to .mo in memory, cached.

Notices (domain `riderperf`) and the web pages (domain `riderperf_web`) both load their
translations here, so there is no build step and no committed .mo file, and a fuzzy or empty
entry falls back to the English message in both.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations


def po_file(locale_dir: Path, domain: str, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def catalog_languages(locale_dir: Path, domain: str) -> frozenset[str]:
    """The languages with a catalog: every <locale_dir>/<lang>/LC_MESSAGES/<domain>.po."""
    return frozenset(p.parents[1].name for p in locale_dir.glob(f"*/LC_MESSAGES/{domain}.po"))


@cache
def compiled_catalog(locale_dir: Path, domain: str, language: str) -> Translations:
    """The compiled catalog of one language; fuzzy or empty entries fall back to English."""
    with po_file(locale_dir, domain, language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)
