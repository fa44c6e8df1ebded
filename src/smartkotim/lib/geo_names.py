"""Region names and codes as they appear in boundary files: normalising, variants, similarity, code parsing.

Pure text helpers (no database): the boundary importer uses them to match a file's features to the
Kemendagri register. Two code systems occur in the wild:

* Kemendagri (``62.02.01.2003``, or without dots ``6202012003``): 2-2-2-4 digits.
* BPS (``6202020005``, often written ``id6202020005``): 2-2-3-3 digits. BPS numbers kecamatan and desa
  differently from Kemendagri, so only the province and kabupaten parts can be compared directly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

_APOSTROPHES = re.compile("['’`´]")
_NOT_ALNUM = re.compile(r"[^a-z0-9/]+")
_SPACES = re.compile(r"\s+")
# Administrative words written before a name. "Kota" is deliberately absent: "Kota Besi" is a name.
_PREFIX = re.compile(r"^(desa|ds|kelurahan|kel|kecamatan|kec|kabupaten|kab)\s+")
_DOTTED = re.compile(r"^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$")
_DIGITS = re.compile(r"^\d+$")

# Depth of a code in the hierarchy: 2 = kabupaten/kota, 3 = kecamatan, 4 = desa/kelurahan.
_KEMENDAGRI_DEPTH_BY_LENGTH = {4: 2, 6: 3, 10: 4}
_BPS_DEPTH_BY_LENGTH = {4: 2, 7: 3, 10: 4}


class CodeSystem(StrEnum):
    """Which numbering a region code follows."""

    KEMENDAGRI = "kemendagri"
    BPS = "bps"


@dataclass(frozen=True, slots=True)
class ParsedCode:
    """A region code read from a file.

    ``digits`` has no dots or ``id`` prefix; ``depth`` is 2 (kabupaten), 3 (kecamatan) or 4 (desa);
    ``system`` is ``None`` when the text fits both systems (10 undotted digits; decided per file).
    """

    raw: str
    digits: str
    depth: int
    system: CodeSystem | None

    @property
    def regency_digits(self) -> str:
        """The province + kabupaten part (``6202``), the same in both systems."""
        return self.digits[:4]

    def as_kemendagri(self) -> str:
        """The dotted Kemendagri form (``62.02.01.2003``) of these digits."""
        d = self.digits
        return ".".join(p for p in (d[0:2], d[2:4], d[4:6], d[6:10]) if p)


def strip_accents(text: str) -> str:
    """``text`` without combining accents (``é`` → ``e``)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise_name(name: str) -> str:
    """A name reduced for comparison: lower case, no accents or punctuation, single spaces, no prefix.

    ``"Kel. Baamang  Tengah"`` → ``"baamang tengah"``; ``"DESA Bapinang-Hilir"`` → ``"bapinang hilir"``.
    Slashes are kept (see ``name_variants``).
    """
    text = _APOSTROPHES.sub("", strip_accents(str(name)).lower())
    text = _NOT_ALNUM.sub(" ", text)
    text = _SPACES.sub(" ", text.replace(" /", "/").replace("/ ", "/")).strip()
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text or not stripped:
            return text
        text = stripped


def name_variants(name: str) -> list[str]:
    """The normalised name and, for slash names, each alternative it stands for.

    ``"Baamang Hulu/Tengah"`` → ``["baamang hulu/tengah", "baamang hulu", "baamang tengah"]``;
    ``"Sebabi/Sebabi Baru"`` → ``[…, "sebabi", "sebabi baru"]``. A short alternative replaces the
    last words of the first one.
    """
    full = normalise_name(name)
    if "/" not in full:
        return [full]
    parts = [p.strip() for p in full.split("/") if p.strip()]
    variants = [full]
    first = parts[0].split(" ") if parts else []
    for part in parts:
        words = part.split(" ")
        if part != parts[0] and len(words) < len(first):
            variants.append(" ".join(first[: len(first) - len(words)] + words))
        else:
            variants.append(part)
    return list(dict.fromkeys(variants))


def name_similarity(a: str, b: str) -> float:
    """Similarity of two normalised names in [0, 1] (difflib ratio; 1.0 = identical)."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _code_text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value or not value.is_integer():  # NaN or a fraction: not a code
            return None
        return str(int(value))
    text = str(value).strip().lower()
    return text or None


def parse_region_code(value: object) -> ParsedCode | None:
    """Read a Kemendagri or BPS region code from a file value; ``None`` when it is not a code.

    Accepts ``62.02.01``, ``620201``, ``6202012003``, ``id6202020005``, integers and whole floats
    (shapefiles often store codes as numbers).
    """
    text = _code_text(value)
    if text is None:
        return None
    if text.startswith("id") and _DIGITS.match(text[2:]):
        depth = _BPS_DEPTH_BY_LENGTH.get(len(text) - 2)
        return ParsedCode(str(value), text[2:], depth, CodeSystem.BPS) if depth else None
    if _DOTTED.match(text):
        digits = text.replace(".", "")
        return ParsedCode(str(value), digits, text.count(".") + 1, CodeSystem.KEMENDAGRI)
    if not _DIGITS.match(text):
        return None
    if len(text) == 7:
        return ParsedCode(str(value), text, 3, CodeSystem.BPS)
    depth = _KEMENDAGRI_DEPTH_BY_LENGTH.get(len(text))
    if depth is None:
        return None
    system = None if len(text) == 10 else CodeSystem.KEMENDAGRI
    return ParsedCode(str(value), text, depth, system)
