"""Validation rules and the SQL that parses every raw value into the canonical record.

Each rule is one bit of a per-row mask computed by DuckDB in one vectorised pass; the error report
unpivots the set bits into rows ``(row, column, raw value, rule)``. The raw value of the payer column is
never reported (the kept upload holds only its pseudonym). Rules (``RULES``):

======================  =====================================================================
``required``            a required field is empty
``too_long``            a transaction id longer than 64 characters
``timestamp_invalid``   the timestamp does not parse with the profile's format
``timestamp_future``    the timestamp is after the moment the batch started
``timestamp_too_early`` the timestamp is before ``SMARTKOTIM_INGEST_EARLIEST_DATE``
``amount_invalid``      the amount does not parse with the (sniffed) separators
``amount_fraction``     the amount is not a whole number of rupiah
``amount_not_positive`` the amount is ≤ 0 (a negative amount is a reversal only if the profile says so)
``amount_above_ceiling`` the amount is above ``SMARTKOTIM_INGEST_AMOUNT_CEILING_IDR``
``currency_not_idr``    the currency column holds something other than IDR / Rp
``nmid_invalid``        the NMID is not ``ID`` + 13 digits
``channel_unknown``     the channel value is not in the profile's channel mapping
``status_unknown``      the status value is not in the profile's status mapping
``acquirer_mismatch``   the row's acquirer is not the bank that uploads the file
``mcc_invalid``         the MCC is not 4 digits
``unknown_nmid``        the NMID is not on the register: the row is quarantined, not rejected
======================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from smartkotim.economy.ingest.parsing import ident
from smartkotim.economy.ingest.profiles import Profile
from smartkotim.ledger import sql_literal

TXN_ID_MAX = 64


@dataclass(frozen=True, slots=True)
class Rule:
    """One validation rule: its bit, key, the canonical field it reports and the failing condition."""

    bit: int
    key: str
    field: str
    condition: str


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Everything a row check depends on besides the row."""

    profile: Profile
    bank_code: str
    started_at: datetime
    earliest: date
    ceiling: int
    decimal: str
    thousands: str


QUARANTINE_RULE = "unknown_nmid"
RULE_KEYS = (
    "required",
    "too_long",
    "timestamp_invalid",
    "timestamp_future",
    "timestamp_too_early",
    "amount_invalid",
    "amount_fraction",
    "amount_not_positive",
    "amount_above_ceiling",
    "currency_not_idr",
    "nmid_invalid",
    "channel_unknown",
    "status_unknown",
    "acquirer_mismatch",
    "mcc_invalid",
    QUARANTINE_RULE,
)


def _raw(profile: Profile, field: str) -> str:
    column = profile.source_columns().get(field)
    return f"nullif(trim({ident(column)}), '')" if column else "CAST(NULL AS VARCHAR)"


def _amount_text(ctx: CheckContext) -> str:
    text = f"replace(replace({_raw(ctx.profile, 'amount')}, 'Rp', ''), ' ', '')"
    if ctx.thousands:
        text = f"replace({text}, {sql_literal(ctx.thousands)}, '')"
    if ctx.decimal != ".":
        text = f"replace({text}, {sql_literal(ctx.decimal)}, '.')"
    return text


def _timestamp(ctx: CheckContext) -> str:
    raw = _raw(ctx.profile, "timestamp")
    fmt = ctx.profile.timestamp.format
    if fmt == "iso":
        # the session zone is the profile's zone: values without an offset are read in that zone
        return f"TRY_CAST({raw} AS TIMESTAMPTZ)"
    if "%z" in fmt or "%Z" in fmt:
        return f"try_strptime({raw}, {sql_literal(fmt)})"
    return f"timezone({sql_literal(ctx.profile.timestamp.timezone)}, try_strptime({raw}, {sql_literal(fmt)}))"


def _mapping(raw: str, lookup: dict[str, str]) -> str:
    if not lookup:
        return "CAST(NULL AS VARCHAR)"
    whens = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in sorted(lookup.items()))
    return f"CASE lower({raw}) {whens} END"


def _whole_rupiah(text: str) -> str:
    """Integer rupiah from the cleaned amount text: plain digits, or a decimal whose fraction is zero.

    (DuckDB's cast of ``'1000.5'`` to BIGINT rounds; a fraction must be an error, never rounded away.)
    """
    dec = f"TRY_CAST({text} AS DECIMAL(38, 6))"
    return (
        f"CASE WHEN strpos({text}, '.') = 0 AND strpos(lower({text}), 'e') = 0 "
        f"THEN TRY_CAST({text} AS BIGINT) "
        f"WHEN {dec} = floor({dec}) THEN CAST({dec} AS BIGINT) END"
    )


def parsed_columns(ctx: CheckContext) -> str:
    """The ``SELECT`` list turning ``upload``'s raw columns into typed canonical columns.

    Columns: ``acquirer_raw``, ``txn_id``, ``ts`` (UTC), ``nmid``, ``amount_int`` (whole rupiah),
    ``amount_dec`` (for the fraction check), ``channel``, ``status``, ``payer``, ``issuer``, ``mcc``,
    ``currency``, plus ``*_raw`` for the mapped fields whose check needs the raw value.
    """
    p = ctx.profile
    amount = _amount_text(ctx)
    channel_raw = _raw(p, "channel")
    channel = (
        _mapping(channel_raw, p.channel_lookup())
        if p.columns.channel
        else sql_literal(p.channel_default or "")
    )
    payer_col = p.source_columns().get("payer_id")
    payer = f"TRY_CAST({ident(payer_col)} AS BIGINT)" if payer_col else "CAST(NULL AS BIGINT)"
    return ",\n".join(
        [
            f"{_raw(p, 'acquirer')} AS acquirer_raw",
            f"{_raw(p, 'txn_id')} AS txn_id",
            f"{_timestamp(ctx)} AS ts",
            f"{_raw(p, 'timestamp')} AS ts_raw",
            f"upper({_raw(p, 'nmid')}) AS nmid",
            f"{amount} AS amount_text",
            f"{_whole_rupiah(amount)} AS amount_int",
            f"{channel_raw} AS channel_raw",
            f"{channel} AS channel",
            f"{_raw(p, 'status')} AS status_raw",
            f"{_mapping(_raw(p, 'status'), p.status_lookup())} AS status_mapped",
            f"{payer} AS payer",
            f"{_raw(p, 'payer_id')} AS payer_raw",
            f"{_raw(p, 'issuer')} AS issuer",
            f"{_raw(p, 'mcc')} AS mcc",
            f"upper({_raw(p, 'currency')}) AS currency",
        ]
    )


def rules(ctx: CheckContext) -> list[Rule]:
    """The rules that apply under ``ctx`` (conditions over the ``parsed_columns`` names)."""
    p = ctx.profile
    mapped = p.source_columns()
    required = [
        f for f in ("txn_id", "timestamp", "nmid", "amount", "status", "channel", "payer_id") if f in mapped
    ]
    missing_sql = {
        "txn_id": "txn_id",
        "timestamp": "ts_raw",
        "nmid": "nmid",
        "amount": "amount_text",
        "status": "status_raw",
        "channel": "channel_raw",
        "payer_id": "payer_raw",
    }
    found: list[Rule] = [
        Rule(1 << i, "required", field, f"{missing_sql[field]} IS NULL") for i, field in enumerate(required)
    ]
    bit = 1 << len(found)
    negative_ok = "FALSE" if not p.amount.negative_is_reversal else "amount_int < 0"
    later = [
        ("too_long", "txn_id", f"length(txn_id) > {TXN_ID_MAX}"),
        ("timestamp_invalid", "timestamp", "ts_raw IS NOT NULL AND ts IS NULL"),
        ("timestamp_future", "timestamp", f"ts > TIMESTAMPTZ {sql_literal(ctx.started_at.isoformat())}"),
        ("timestamp_too_early", "timestamp", f"ts < TIMESTAMPTZ {sql_literal(ctx.earliest.isoformat())}"),
        (
            "amount_invalid",
            "amount",
            "amount_text IS NOT NULL AND amount_int IS NULL "
            "AND TRY_CAST(amount_text AS DECIMAL(38, 6)) IS NULL",
        ),
        (
            "amount_fraction",
            "amount",
            "amount_int IS NULL AND TRY_CAST(amount_text AS DECIMAL(38, 6)) IS NOT NULL",
        ),
        ("amount_not_positive", "amount", f"amount_int <= 0 AND NOT ({negative_ok})"),
        ("amount_above_ceiling", "amount", f"abs(amount_int) > {int(ctx.ceiling)}"),
        ("currency_not_idr", "currency", "currency IS NOT NULL AND currency NOT IN ('IDR', 'RP')"),
        ("nmid_invalid", "nmid", "NOT is_known AND NOT regexp_full_match(nmid, 'ID[0-9]{13}')"),
        ("channel_unknown", "channel", "channel_raw IS NOT NULL AND channel IS NULL"),
        ("status_unknown", "status", "status_raw IS NOT NULL AND status_mapped IS NULL"),
        (
            "acquirer_mismatch",
            "acquirer",
            f"acquirer_raw IS NOT NULL AND upper(acquirer_raw) <> {sql_literal(ctx.bank_code.upper())}",
        ),
        ("mcc_invalid", "mcc", "mcc IS NOT NULL AND NOT regexp_full_match(mcc, '[0-9]{4}')"),
    ]
    for key, field, condition in later:
        if field in ("acquirer", "currency", "mcc", "channel") and field not in mapped:
            continue
        found.append(Rule(bit, key, field, condition))
        bit <<= 1
    found.append(Rule(bit, QUARANTINE_RULE, "nmid", "nmid IS NOT NULL AND NOT is_known"))
    return found


def mask_sql(rule_list: list[Rule]) -> tuple[str, int]:
    """``(SQL of the error mask, bit of the quarantine rule)``; the mask is 0 for a clean row."""
    terms = [f"(CASE WHEN coalesce({r.condition}, FALSE) THEN {r.bit} ELSE 0 END)" for r in rule_list]
    quarantine_bit = next(r.bit for r in rule_list if r.key == QUARANTINE_RULE)
    return " | ".join(terms), quarantine_bit


def status_sql(profile: Profile) -> str:
    """The final canonical status: a negative amount marks a reversal when the profile says so."""
    if profile.amount.negative_is_reversal:
        return "CASE WHEN amount_int < 0 THEN 'reversed' ELSE status_mapped END"
    return "status_mapped"
