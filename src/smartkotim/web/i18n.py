"""Translation layer: Bahasa Indonesia is the source language, English comes from JSON catalogues.

Each feature keeps its English strings in ``web/locales/en/<feature>.json`` (``{"Indonesian text":
"English text"}``); they are merged at start. ``gettext``-style lookup: a missing entry falls back to
the Indonesian source text (and a test fails on any template string without an English entry).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("id", "en")
LOCALES_DIR = Path(__file__).parent / "locales"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The merged catalogue for ``language`` (empty for ``id``, the source language).

    Raises:
        ValueError: when two catalogue files translate the same source text differently.
    """
    merged: dict[str, str] = {}
    folder = LOCALES_DIR / language
    if not folder.is_dir():
        return merged
    for path in sorted(folder.glob("*.json")):
        for source, target in json.loads(path.read_text(encoding="utf-8")).items():
            if source in merged and merged[source] != target:
                raise ValueError(f"{path.name}: {source!r} translated twice differently")
            merged[source] = target
    return merged


def N_(text: str) -> str:  # the gettext name for "mark now, translate where shown"
    """Mark ``text`` as Indonesian source text that is translated where it is shown; returns it unchanged.

    Use it for strings defined in Python and rendered later with ``{{ _(value) }}`` (titles, messages),
    so that the catalogue test finds them.
    """
    return text


def translate(text: str, language: str) -> str:
    """``text`` (Indonesian) in ``language``; the source text when no translation exists."""
    if language == "id":
        return text
    return catalogue(language).get(text, text)
