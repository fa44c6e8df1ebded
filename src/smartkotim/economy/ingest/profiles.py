"""Bank report profiles: a declarative TOML mapping from a bank's file to the canonical record.

A profile names the file format and encoding, the source column of each canonical field, the
timestamp format and zone, the amount format, the status and channel values (refunds and reversals are
marked by the values listed under ``[status] reversed``, or by a negative amount when
``negative_is_reversal``), and the payer id column. The registry is a plain dict: the profiles shipped
in ``economy/ingest/profiles/*.toml`` (``default`` among them) plus those an admin stored in the
database (``ingest_profiles``), which may not reuse a built-in name.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from smartkotim.lib.validation_messages import pydantic_message

BUILTIN_DIR = Path(__file__).parent / "profiles"
CANONICAL_STATUSES = ("success", "failed", "reversed")
CANONICAL_CHANNELS = ("qris", "edc", "transfer", "emoney", "va")
REQUIRED_FIELDS = ("txn_id", "timestamp", "nmid", "amount", "status")
OPTIONAL_FIELDS = ("acquirer", "channel", "payer_id", "issuer", "mcc", "currency")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the key and what was expected."""


class FileSection(BaseModel):
    """How to read the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["auto", "csv", "xlsx", "parquet", "jsonl"] = "auto"
    encoding: Literal["auto", "utf-8", "windows-1252"] = "auto"
    delimiter: str = "auto"
    sheet: str | None = None

    @field_validator("delimiter")
    @classmethod
    def _check_delimiter(cls, value: str) -> str:
        if value != "auto" and len(value) != 1:
            raise ValueError("delimiter harus 'auto' atau satu karakter")
        return value


class ColumnsSection(BaseModel):
    """Source column name of each canonical field; ``""`` means the file has no such column."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    acquirer: str = ""
    txn_id: str
    timestamp: str
    nmid: str
    amount: str
    channel: str = ""
    status: str
    payer_id: str = ""
    issuer: str = ""
    mcc: str = ""
    currency: str = ""


class TimestampSection(BaseModel):
    """``format`` is ``iso`` or a strptime pattern; ``timezone`` applies to values without an offset."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: str = "iso"
    timezone: str = "Asia/Jakarta"

    @field_validator("timezone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"zona waktu {value!r} tidak dikenal (contoh: Asia/Jakarta)") from exc
        return value


class AmountSection(BaseModel):
    """Amount format: separators (``auto`` sniffs them from the first rows) and refund marking."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    decimal_separator: Literal["auto", ".", ","] = "auto"
    thousands_separator: Literal["auto", "", ".", ",", " "] = "auto"
    negative_is_reversal: bool = False


class Profile(BaseModel):
    """One bank report profile (see the module docstring and ``docs/ingest.md``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    description: str = ""
    acquirer_code: str | None = None
    channel_default: str | None = None
    file: FileSection = FileSection()
    columns: ColumnsSection
    timestamp: TimestampSection = TimestampSection()
    amount: AmountSection = AmountSection()
    status: dict[str, list[str]]
    channel: dict[str, list[str]] = Field(default_factory=lambda: {c: [c] for c in CANONICAL_CHANNELS})

    @model_validator(mode="after")
    def _check_values(self) -> Profile:
        for key in self.status:
            if key not in CANONICAL_STATUSES:
                raise ValueError(f"[status] {key!r} bukan salah satu dari {', '.join(CANONICAL_STATUSES)}")
        for key in self.channel:
            if key not in CANONICAL_CHANNELS:
                raise ValueError(f"[channel] {key!r} bukan salah satu dari {', '.join(CANONICAL_CHANNELS)}")
        if "success" not in self.status:
            raise ValueError("[status] perlu nilai-nilai yang berarti 'success'")
        if self.channel_default is not None and self.channel_default not in CANONICAL_CHANNELS:
            raise ValueError(f"channel_default {self.channel_default!r} bukan kanal yang dikenal")
        if not self.columns.channel and self.channel_default is None:
            raise ValueError("[columns] channel kosong: isi channel_default")
        return self

    def source_columns(self) -> dict[str, str]:
        """``{canonical field: source column}`` for every mapped field."""
        return {k: v for k, v in self.columns.model_dump().items() if v}

    def status_lookup(self) -> dict[str, str]:
        """``{lower-case source value: canonical status}``."""
        return {v.strip().lower(): k for k, values in self.status.items() for v in values}

    def channel_lookup(self) -> dict[str, str]:
        """``{lower-case source value: canonical channel}``."""
        return {v.strip().lower(): k for k, values in self.channel.items() for v in values}


def parse_profile(text: str, *, source: str = "profile") -> Profile:
    """Parse and validate a TOML profile.

    Raises:
        ProfileError: TOML syntax error or an invalid key, naming ``source`` and the key.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        place = f" di baris {where[1]}, kolom {where[2]}" if where else ""
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ProfileError(f"{source}: sintaks TOML salah{place} ({detail})") from exc
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'profil'}: {_problem(e)}" for e in exc.errors()
        )
        raise ProfileError(f"{source}: {problems}") from exc


def _problem(error: Any) -> str:
    if tuple(error.get("loc", ())) == ("name",) and error.get("type") == "string_pattern_mismatch":
        return "hanya huruf kecil a–z, angka, '-' dan '_', diawali huruf atau angka, paling panjang 40"
    return pydantic_message(error)


@cache
def builtin_profiles() -> dict[str, tuple[Profile, str]]:
    """The shipped profiles: ``{name: (profile, toml text)}``."""
    found: dict[str, tuple[Profile, str]] = {}
    for path in sorted(BUILTIN_DIR.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        profile = parse_profile(text, source=path.name)
        found[profile.name] = (profile, text)
    return found


def default_profile() -> Profile:
    """The built-in ``default`` profile."""
    return builtin_profiles()["default"][0]
