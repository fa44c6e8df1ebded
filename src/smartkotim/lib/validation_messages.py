"""Pydantic's validation errors as Indonesian messages (the interface's first language), shared by the
web's 422 answers and the checks of stored settings such as report profiles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES = {
    # pydantic error type → message; types not listed keep pydantic's English text
    "missing": "wajib diisi",
    "int_parsing": "harus bilangan bulat",
    "int_type": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat",
    "float_parsing": "harus angka (titik sebagai pemisah desimal)",
    "float_type": "harus angka",
    "bool_parsing": "harus true atau false",
    "string_type": "harus teks",
    "string_too_short": "terlalu pendek",
    "string_too_long": "terlalu panjang",
    "string_pattern_mismatch": "tidak sesuai pola yang diizinkan",
    "greater_than": "terlalu kecil",
    "greater_than_equal": "terlalu kecil",
    "less_than": "terlalu besar",
    "less_than_equal": "terlalu besar",
    "date_parsing": "harus tanggal YYYY-MM-DD",
    "date_from_datetime_parsing": "harus tanggal YYYY-MM-DD",
    "datetime_parsing": "harus waktu ISO 8601",
    "literal_error": "bukan salah satu nilai yang diizinkan",
    "enum": "bukan salah satu nilai yang diizinkan",
    "json_invalid": "JSON tidak valid",
    "model_attributes_type": "harus objek JSON",
    "dict_type": "harus objek JSON",
    "list_type": "harus daftar",
    "extra_forbidden": "kunci tidak dikenal",
}


def pydantic_message(error: Mapping[str, Any]) -> str:
    """An Indonesian message for a pydantic error (a mapping as in ``ValidationError.errors()``), with
    the limit or pattern it names when it has one: ``"terlalu besar (le 2147483647)"``. A ``value_error``
    raised by our own validators keeps its text without pydantic's ``"Value error, "`` prefix."""
    if error.get("type") == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    text = MESSAGES.get(str(error.get("type")))
    if text is None:
        return str(error.get("msg", ""))
    context = error.get("ctx") or {}
    limits = [
        f"{k} {v}"
        for k, v in context.items()
        if k in ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern")
    ]
    return f"{text} ({', '.join(limits)})" if limits else text
