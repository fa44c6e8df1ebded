"""Dry run of a profile: the first rows of a sample file as they would be parsed, and their errors.

Nothing is stored: the first rows go through pass A (``runner.stage``: payer ids pseudonymised in the
scan, as in a real ingest) into a scratch file deleted at once; the spool file is deleted by the caller.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from smartkotim.config import Settings
from smartkotim.economy.ingest import pipeline as steps
from smartkotim.economy.ingest.kept import typed_source
from smartkotim.economy.ingest.profiles import Profile
from smartkotim.economy.ingest.runner import RunInput, stage
from smartkotim.economy.ingest.validation import Rule
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
    run = RunInput(
        batch_id=0,
        path=path,
        kept=scratch,
        profile=profile,
        bank_code=bank_code,
        known_nmids=known_nmids,
        payer_key=payer_key,
    )
    try:
        staged, _ = stage(con, settings, run, scratch, limit=limit)
        source, ctx = staged.source.file, staged.ctx
        day = steps.day_sql("__sk_ts", fixed_wib=ctx.earliest.year >= 1970)
        fetched = con.execute(
            f"SELECT r + {int(source.row_offset)}, __sk_txn, __sk_ts, {day}, __sk_nmid, __sk_amount, "
            "__sk_channel, __sk_status, __sk_payer, __sk_issuer, __sk_mcc, __sk_mask "
            f"FROM {typed_source(scratch, staged.typed)} ORDER BY r"
        ).fetchall()
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
    return {
        "format": source.format,
        "columns": list(source.header),
        "decimal": ctx.decimal,
        "thousands": ctx.thousands,
        "rows": [_preview_row(record, staged.rule_list) for record in fetched],
    }


def _preview_row(record: tuple[Any, ...], rule_list: list[Rule]) -> dict[str, Any]:
    item: dict[str, Any] = dict(zip(PREVIEW_COLUMNS, record[:-1], strict=True))
    item["ts"] = item["ts"].isoformat() if item["ts"] is not None else None
    item["day"] = item["day"].isoformat() if item["day"] is not None else None
    # a 60-bit pseudonym as text: a JSON number above 2**53 loses digits in a browser
    item["payer"] = None if item["payer"] is None else str(item["payer"])
    item["rules"] = [r.key for r in rule_list if record[-1] & r.bit]
    return item
