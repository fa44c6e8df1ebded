"""Field rules of the market and merchant register: pure parsing and validation, no database.

Each ``parse_*`` function takes the raw text of one field and returns the typed value, or raises
``FieldError`` naming the column, the raw value and the rule it broke. Empty text means "not given"
(``None``) for optional fields; it never becomes 0 or a default silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

from smartkotim.economy.registry.models import MarketKind, MerchantCriteria

NMID_PATTERN = re.compile(r"ID\d{13}")
MARKET_CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,39}")
HOURS_PATTERN = re.compile(r"([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)")
DESA_CODE_PATTERN = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
POSTAL_PATTERN = re.compile(r"\d{5}")
MCC_PATTERN = re.compile(r"\d{4}")
# Digits only (ASCII): "1.200" and "1,200" are refused, never read as 1 or 1.2.
COUNT_PATTERN = re.compile(r"[0-9]+")
# A decimal degree: optional sign, digits, optionally one "." or "," and more digits (no exponent,
# no "_", no thousands separator: Python's float() would accept "1_0" or "1e1").
DECIMAL_PATTERN = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
ISO_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
COUNT_RULE = "harus bilangan bulat ≥ 0 tanpa pemisah ribuan (tulis 1200, bukan 1.200 atau 1,200)"

# Local categories of market traders (slug -> Indonesian label); an MCC (4 digits) is accepted too.
LOCAL_CATEGORIES: dict[str, str] = {
    "sayur": "Sayur",
    "buah": "Buah",
    "ikan": "Ikan",
    "daging": "Daging",
    "ayam": "Ayam",
    "sembako": "Sembako",
    "kelontong": "Kelontong",
    "pakaian": "Pakaian",
    "makanan_jadi": "Makanan jadi",
    "minuman": "Minuman",
    "kue": "Kue",
    "bumbu": "Bumbu",
    "elektronik": "Elektronik",
    "perhiasan": "Perhiasan",
    "jasa": "Jasa",
    "lainnya": "Lainnya",
}
KIND_ALIASES = {
    "pasar induk": MarketKind.PASAR_INDUK,
    "pasar desa": MarketKind.PASAR_DESA,
    "pasar malam": MarketKind.PASAR_MALAM,
    "pkl area": MarketKind.PKL_AREA,
    "pkl": MarketKind.PKL_AREA,
    "area pkl": MarketKind.PKL_AREA,
}
TRUE_WORDS = frozenset({"1", "true", "ya", "y", "yes", "t"})
FALSE_WORDS = frozenset({"0", "false", "tidak", "n", "no", "f"})
NAME_NOISE = re.compile(r"[^a-z0-9]+")


class FieldError(ValueError):
    """One field broke one rule: ``column``, the raw ``value`` and the ``rule`` (Indonesian text)."""

    def __init__(self, column: str, value: str, rule: str) -> None:
        super().__init__(f"{column}={value!r}: {rule}")
        self.column = column
        self.value = value
        self.rule = rule


class RowErrors(ValueError):
    """Every broken rule of one import row: one ``FieldError`` per column, in the file's column order."""

    def __init__(self, errors: Iterable[FieldError], columns: Sequence[str]) -> None:
        order = {column: i for i, column in enumerate(columns)}
        first: dict[str, FieldError] = {}
        for error in errors:
            first.setdefault(error.column, error)
        self.errors = sorted(first.values(), key=lambda e: order.get(e.column, len(order)))
        super().__init__("; ".join(str(e) for e in self.errors))


def blank(text: str | None) -> bool:
    """True when ``text`` is missing or only whitespace."""
    return text is None or not text.strip()


def parse_nmid(text: str | None, column: str = "nmid") -> str | None:
    """An NMID: exactly 15 characters, ``ID`` followed by 13 digits (upper-cased, spaces trimmed)."""
    if blank(text):
        return None
    assert text is not None
    value = text.strip().upper()
    if not is_valid_nmid(value):
        raise FieldError(column, text, "NMID harus 15 karakter: 'ID' diikuti 13 digit")
    return value


def is_valid_nmid(value: str) -> bool:
    """True when ``value`` is a well-formed NMID (``ID`` + 13 ASCII digits, 15 characters)."""
    return NMID_PATTERN.fullmatch(value) is not None and value.isascii()


def normalise_name(name: str) -> str:
    """A merchant name for duplicate checks: accents dropped, lower case, punctuation and spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return NAME_NOISE.sub(" ", ascii_text).strip()


def parse_name(text: str | None, column: str = "name") -> str:
    """A required display name, 1–200 characters after trimming."""
    if blank(text):
        raise FieldError(column, text or "", "wajib diisi")
    assert text is not None
    value = " ".join(text.split())
    if len(value) > 200:
        raise FieldError(column, text, "paling banyak 200 karakter")
    if not normalise_name(value):
        raise FieldError(column, text, "harus memuat huruf atau angka")
    return value


def parse_criteria(text: str | None, column: str = "criteria") -> str | None:
    """QRIS merchant criteria UMI/UKE/UME/UBE/URE (case-insensitive)."""
    if blank(text):
        return None
    assert text is not None
    value = text.strip().upper()
    if value not in MerchantCriteria.__members__:
        raise FieldError(column, text, "kriteria harus salah satu dari UMI, UKE, UME, UBE, URE")
    return value


def parse_category(text: str | None, column: str = "category") -> str | None:
    """A local category slug (``makanan jadi`` → ``makanan_jadi``) or a 4-digit MCC."""
    if blank(text):
        return None
    assert text is not None
    value = "_".join(text.strip().lower().split())
    if value in LOCAL_CATEGORIES or MCC_PATTERN.fullmatch(value):
        return value
    raise FieldError(
        column, text, "kategori harus MCC 4 digit atau salah satu dari " + ", ".join(LOCAL_CATEGORIES)
    )


def parse_market_code(text: str | None, column: str = "code") -> str:
    """A market code: upper case letters, digits, ``.``, ``_``, ``-``; at most 40 characters."""
    if blank(text):
        raise FieldError(column, text or "", "wajib diisi")
    assert text is not None
    value = text.strip().upper()
    if not MARKET_CODE_PATTERN.fullmatch(value):
        raise FieldError(column, text, "kode pasar hanya huruf, angka, '.', '_' atau '-', maks. 40 karakter")
    return value


def parse_market_kind(text: str | None, column: str = "kind") -> str:
    """``pasar_induk``, ``pasar_desa``, ``pasar_malam`` or ``pkl_area`` (spaces or underscores)."""
    value = " ".join((text or "").strip().lower().replace("_", " ").split())
    kind = KIND_ALIASES.get(value)
    if kind is None:
        raise FieldError(column, text or "", "jenis harus pasar induk, pasar desa, pasar malam atau PKL area")
    return str(kind)


def parse_count(text: str | None, column: str) -> int | None:
    """A non-negative whole count in ASCII digits; ``1.200`` and ``1,200`` are refused (write ``1200``).

    The one parser of counts for forms, API text and imports. A trailing ``.0`` (a spreadsheet's whole
    number saved as a float, e.g. ``350.0``) is accepted; ``1.000`` is not, since to a person it means
    one thousand.
    """
    if blank(text):
        return None
    assert text is not None
    value = text.strip()
    if value.endswith(".0") and COUNT_PATTERN.fullmatch(value[:-2]):
        value = value[:-2]
    if not COUNT_PATTERN.fullmatch(value):
        raise FieldError(column, text, COUNT_RULE)
    return int(value)


def parse_hours(text: str | None, column: str = "opening_hours") -> str | None:
    """Opening hours ``HH:MM-HH:MM`` (24 h, WIB; closing at ``24:00`` is allowed); a night market may
    close after midnight."""
    if blank(text):
        return None
    assert text is not None
    value = text.strip().replace("–", "-").replace(".", ":").replace(" ", "")
    if not HOURS_PATTERN.fullmatch(value):
        raise FieldError(
            column,
            text,
            "jam buka harus berbentuk HH:MM-HH:MM (00:00–23:59, tutup paling lambat 24:00), "
            "misalnya 05:00-12:00",
        )
    return value


def parse_coordinate(text: str | None, column: str, low: float, high: float) -> float | None:
    """A decimal degree between ``low`` and ``high``; ``.`` or ``,`` is the decimal mark (``-2,54``).

    No exponent, no ``_``, no thousands separator, no ``nan``/``inf``: only what a person types.
    """
    if blank(text):
        return None
    assert text is not None
    value = text.strip()
    if not DECIMAL_PATTERN.fullmatch(value):
        raise FieldError(column, text, "harus angka desimal derajat WGS84, mis. -2.5405 atau -2,5405")
    degrees = float(value.replace(",", "."))
    if not low <= degrees <= high:
        raise FieldError(column, text, f"harus antara {low:g} dan {high:g}")
    return degrees


def parse_point(lat_text: str | None, lon_text: str | None) -> tuple[float, float] | None:
    """``(lat, lon)`` when both are given, ``None`` when both are empty; one without the other is an error."""
    lat = parse_coordinate(lat_text, "lat", -90.0, 90.0)
    lon = parse_coordinate(lon_text, "lon", -180.0, 180.0)
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing, given = ("lat", lon_text) if lat is None else ("lon", lat_text)
        raise FieldError(missing, "", f"lat dan lon harus diisi berdua (yang lain berisi {given!r})")
    return lat, lon


def parse_desa_code(text: str | None, column: str = "desa_code") -> str | None:
    """A dotted Kemendagri desa code ``62.02.06.1001`` (undotted ``6202061001`` is accepted)."""
    if blank(text):
        return None
    assert text is not None
    value = text.strip()
    if value.isdigit() and len(value) == 10:
        value = f"{value[:2]}.{value[2:4]}.{value[4:6]}.{value[6:]}"
    if not DESA_CODE_PATTERN.fullmatch(value):
        raise FieldError(column, text, "kode desa Kemendagri berbentuk 62.02.06.1001")
    return value


def parse_postal_code(text: str | None, column: str = "postal_code") -> str | None:
    """A five-digit postal code (kode pos)."""
    if blank(text):
        return None
    assert text is not None
    value = text.strip()
    if value.endswith(".0"):
        value = value[:-2]
    if not POSTAL_PATTERN.fullmatch(value):
        raise FieldError(column, text, "kode pos harus 5 digit")
    return value


def parse_date(text: str | None, column: str) -> date | None:
    """An ISO date ``YYYY-MM-DD`` (a spreadsheet datetime ``YYYY-MM-DD 00:00:00`` is accepted).

    Only that form: ``20240501``, ``2024-W18-3`` (which ``date.fromisoformat`` reads) or a Unix time
    are refused, in forms and imports alike.
    """
    if blank(text):
        return None
    assert text is not None
    value = text.strip()
    if len(value) > 10 and value[10] in " T" and value[11:].strip("0:. ") == "":
        value = value[:10]
    if not ISO_DATE_PATTERN.fullmatch(value):
        raise FieldError(column, text, "tanggal harus berbentuk YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError(column, text, "tanggal harus berbentuk YYYY-MM-DD") from None


def check_not_future(value: date | None, column: str, text: str | None = None) -> date | None:
    """``value`` when it is not after today in WIB (an onboarding date cannot lie ahead).

    Raises:
        FieldError: naming the column, the value and the rule.
    """
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone(timedelta(hours=7))).date()
    if value is not None and value > today:
        raise FieldError(column, text or value.isoformat(), f"tanggal tidak boleh sesudah hari ini ({today})")
    return value


def parse_bool(text: str | None, column: str) -> bool | None:
    """``ya/tidak``, ``true/false``, ``1/0`` (case-insensitive); empty is ``None``."""
    if blank(text):
        return None
    assert text is not None
    value = text.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise FieldError(column, text, "harus ya/tidak (atau true/false, 1/0)")


def parse_optional_text(text: str | None, column: str, limit: int) -> str | None:
    """Free text trimmed to single spaces, at most ``limit`` characters."""
    if blank(text):
        return None
    assert text is not None
    value = " ".join(text.split())
    if len(value) > limit:
        raise FieldError(column, text, f"paling banyak {limit} karakter")
    return value
