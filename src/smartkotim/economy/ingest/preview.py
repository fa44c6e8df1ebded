"""Dry run of a profile: the first rows of a sample file as they would be parsed, and their errors.

Nothing is stored: the sample is read into an in-memory DuckDB database (payer ids pseudonymised in the
scan, as in a real ingest) and the spool file is deleted by the caller.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from smartkotim.config import Settings
from smartkotim.economy.ingest import pipeline as steps
from smartkotim.economy.ingest.parsing import FileFormatError, open_source
from smartkotim.economy.ingest.profiles import Profile
from smartkotim.economy.ingest.runner import check_context, effective_profile, safe_message
from smartkotim.ledger import connect, work_dir

PREVIEW_COLUMNS = (
    "row_no",
    "txn_id",
    "ts",
    "day",
    "nmid",
    "amount",
    "channel",
    "status",
    "payer",
    "issuer",
    "mcc",
)


def preview_rows(
    settings: Settings,
    *,
    path: Path,
    profile: Profile,
    bank_code: str,
    known_nmids: set[str],
    payer_key: str,
    limit: int = 20,
) -> dict[str, Any]:
    """``{"format", "columns", "decimal", "thousands", "rows": [{canonical fields…, "rules": [...]}]}``.

    Raises:
        FileFormatError: the sample cannot be read or lacks required columns.
    """
    con = connect(settings, memory_limit="512MB")
    scratch = work_dir(settings) / f"preview-{uuid.uuid4().hex}.parquet"
    try:
        source, relation = open_source(con, path, profile)
        effective = effective_profile(profile, source.header)
        limited = f"(SELECT * FROM {relation} LIMIT {int(limit)})"
        payer = effective.source_columns().get("payer_id")
        try:
            steps.stage_upload(con, source, limited, payer, payer_key, scratch)
        except Exception as exc:  # malformed file
            raise FileFormatError(f"berkas tidak dapat dibaca: {safe_message(exc)}") from exc
        ctx = check_context(settings, con, effective, bank_code)
        steps.register_known(con, known_nmids)
        rule_list = steps.check_rows(con, ctx, source, 0)
        fetched = con.execute(
            f"SELECT {', '.join(PREVIEW_COLUMNS)}, mask FROM checked ORDER BY row_no"
        ).fetchall()
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
    rows = []
    for record in fetched:
        item: dict[str, Any] = dict(zip(PREVIEW_COLUMNS, record[:-1], strict=True))
        item["ts"] = item["ts"].isoformat() if item["ts"] is not None else None
        item["day"] = item["day"].isoformat() if item["day"] is not None else None
        item["rules"] = [r.key for r in rule_list if record[-1] & r.bit]
        rows.append(item)
    return {
        "format": source.format,
        "columns": list(source.header),
        "decimal": ctx.decimal,
        "thousands": ctx.thousands,
        "rows": rows,
    }
