"""Pydantic validation errors as Indonesian rules (the forms, the imports and the API show these).

``rule_of(error)`` turns one entry of ``ValidationError.errors()`` into a short Indonesian rule; a
``FieldError`` (or other ``ValueError``) raised by our own validators keeps its own text. Unknown error
types fall back to "nilai tidak sah" so English library text never reaches an Indonesian page.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

from smartkotim.economy.registry import rules

RULES: dict[str, str] = {
    "missing": "wajib diisi",
    "string_too_short": "wajib diisi",
    "string_too_long": "terlalu panjang (paling banyak {max_length} karakter)",
    "string_type": "harus teks",
    "int_parsing": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat",
    "int_type": "harus bilangan bulat",
    "float_parsing": "harus angka (pakai titik desimal, mis. -2.5405)",
    "float_type": "harus angka",
    "finite_number": "harus angka",
    "greater_than_equal": "paling kecil {ge}",
    "less_than_equal": "paling besar {le}",
    "greater_than": "harus lebih dari {gt}",
    "less_than": "harus kurang dari {lt}",
    "date_parsing": "harus tanggal TTTT-BB-HH",
    "date_from_datetime_parsing": "harus tanggal TTTT-BB-HH",
    "date_type": "harus tanggal TTTT-BB-HH",
    "bool_parsing": "harus ya atau tidak",
    "bool_type": "harus ya atau tidak",
    "string_pattern_mismatch": "bentuknya tidak sesuai",
    "enum": "bukan pilihan yang dikenal",
    "literal_error": "bukan pilihan yang dikenal",
    "extra_forbidden": "kolom tidak dikenal",
}
FALLBACK = "nilai tidak sah"
# The form label of each field (the column name is shown too: it is what the import file uses).
FIELD_LABELS: dict[str, str] = {
    "code": "Kode",
    "name": "Nama",
    "kind": "Jenis",
    "kios_count": "Kios",
    "los_count": "Los",
    "managing_office": "Pengelola",
    "desa_code": "Kode desa/kelurahan",
    "lat": "Lintang",
    "lon": "Bujur",
    "market_days": "Hari pasar",
    "opening_hours": "Jam",
    "nmid": "NMID",
    "criteria": "Kriteria",
    "category": "Kategori",
    "market_code": "Pasar",
    "stall": "Lapak",
    "postal_code": "Kode pos",
    "address": "Alamat",
    "acquirer": "Bank",
    "onboarded_on": "Tanggal QRIS",
    "accepts_cashless": "Nontunai",
}


def describe(column: str, value: str, rule: str) -> str:
    """One field error for a person: ``Los (los_count): <rule> (nilai '1.000')``."""
    label = FIELD_LABELS.get(column)
    where = f"{label} ({column})" if label else column
    return f"{where}: {rule} (nilai {value!r})" if value else f"{where}: {rule}"


def rule_of(error: ErrorDetails) -> str:
    """The Indonesian rule of one pydantic error (our own ``FieldError`` rule when that was the cause)."""
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    cause = ctx.get("error")
    if isinstance(cause, rules.FieldError):
        return cause.rule
    if isinstance(cause, ValueError) and str(cause):
        return str(cause)  # our own validators raise Indonesian text
    template = RULES.get(error["type"], FALLBACK)
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split(" (")[0]
