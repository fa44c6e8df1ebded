"""``docs/settings.md`` documents every setting, with its right default, and nothing that is gone."""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from smartkotim.config import SECRET_FIELDS, Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
ROW = re.compile(r"^\|\s*`(SMARTKOTIM_[A-Z0-9_]+)`\s*\|([^|]*)\|([^|]*)\|(.*)\|\s*$")
NO_DEFAULT = "—"


def documented_rows() -> dict[str, tuple[str, str, str]]:
    """``{variable: (type, default, description)}`` from every table row of the settings doc."""
    rows: dict[str, tuple[str, str, str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            name, kind, default, description = (part.strip() for part in match.groups())
            assert name not in rows, f"docs/settings.md documents {name} twice"
            rows[name] = (kind, default, description)
    return rows


def env_name(field_name: str) -> str:
    return f"SMARTKOTIM_{field_name.upper()}"


def default_text(field: FieldInfo) -> str:
    """How the default of ``field`` is written in the Default column (``—`` for none)."""
    value: Any = field.get_default(call_default_factory=True)
    if value is None:
        return NO_DEFAULT
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, (list, tuple, dict)):
        text = json.dumps(value, default=str)
    else:
        text = str(value)
    return f"`{text}`"


def suggested_row(name: str, field: FieldInfo) -> str:
    kind = getattr(field.annotation, "__name__", str(field.annotation))
    return f"| `{env_name(name)}` | {kind} | {default_text(field)} | {field.description or '…'} |"


def test_the_doc_has_rows_to_check() -> None:
    rows = documented_rows()
    assert "SMARTKOTIM_DATA_DIR" in rows, "the row parser found nothing: check the table format"


def test_every_setting_is_documented() -> None:
    rows = documented_rows()
    missing = [suggested_row(n, f) for n, f in Settings.model_fields.items() if env_name(n) not in rows]
    assert not missing, "add these rows to docs/settings.md:\n" + "\n".join(missing)


def test_every_secret_has_its_file_variant_documented() -> None:
    rows = documented_rows()
    missing = [f"{env_name(name)}_FILE" for name in SECRET_FIELDS if f"{env_name(name)}_FILE" not in rows]
    assert not missing, f"document the *_FILE variants in docs/settings.md: {missing}"


def test_no_documented_setting_is_unknown() -> None:
    known = {env_name(n) for n in Settings.model_fields} | {f"{env_name(n)}_FILE" for n in SECRET_FIELDS}
    stale = sorted(set(documented_rows()) - known)
    assert not stale, f"docs/settings.md documents settings that do not exist: {stale}"


def test_documented_defaults_match_the_code() -> None:
    rows = documented_rows()
    wrong = [
        f"{env_name(n)}: documented {rows[env_name(n)][1]!r}, code says {default_text(f)!r}"
        for n, f in Settings.model_fields.items()
        if env_name(n) in rows and default_text(f) not in rows[env_name(n)][1]
    ]
    assert not wrong, "wrong defaults in docs/settings.md:\n" + "\n".join(wrong)


def test_every_documented_row_has_a_type_and_a_description() -> None:
    empty = [name for name, (kind, _default, text) in documented_rows().items() if not kind or not text]
    assert not empty, f"rows without type or description in docs/settings.md: {empty}"
