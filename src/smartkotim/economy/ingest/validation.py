"""Validation rules and the SQL that parses every raw value into the canonical record.

Each rule is one bit of a per-row mask computed by DuckDB in the same vectorised pass that reads the
file (``kept.stage_select``); the error report unpivots the set bits into rows ``(row, column, raw
value, rule)``. The raw value of the payer column is never reported (it is pseudonymised in that pass).

Speed: every typed value has a **fast path** for values already in canonical form (``25000``,
``qris``, an ISO timestamp) and evaluates the general rule only for the other rows (``CASE`` and
``coalesce`` run their later branches on the remaining rows only); the mask is ``0`` for a row that
passes a cheap conjunction of sufficient conditions (``fast_ok``) and the per-rule bits are computed
only for the rest. Both paths give the same result by construction (the fast conditions imply the
slow ones), and the tests exercise every rule through the slow path.

======================  =====================================================================
``required``            a required field is empty
``too_long``            a transaction id longer than 64 characters
``timestamp_invalid``   the timestamp does not parse with the profile's format
``timestamp_future``    the timestamp is after the moment the batch started
``timestamp_too_early`` the timestamp is before ``SMARTKOTIM_INGEST_EARLIEST_DATE``
``amount_invalid``      the amount is not a number in the (sniffed) format: digits, grouped by threes
                        with the thousands separator or not, at most two decimals; no exponent
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

import re
from dataclasses import dataclass
from datetime import date, datetime

from smartkotim.economy.ingest.parsing import ident
from smartkotim.economy.ingest.profiles import Profile
from smartkotim.ledger import sql_literal

TXN_ID_MAX = 64
P = "__sk_"  # prefix of the typed columns (a header may not use it)


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


def col(name: str) -> str:
    """The quoted name of the typed column ``name`` (``__sk_<name>``)."""
    return ident(P + name)


def _source(profile: Profile, field: str) -> str | None:
    column = profile.source_columns().get(field)
    return ident(column) if column else None


def clean(raw: str) -> str:
    """``nullif(trim(raw), '')`` with a fast path that skips ``trim`` for values without edge spaces."""
    return f"nullif(CASE WHEN {raw} LIKE ' %' OR {raw} LIKE '% ' THEN trim({raw}) ELSE {raw} END, '')"


def _raw(profile: Profile, field: str) -> str:
    column = _source(profile, field)
    return clean(column) if column else "CAST(NULL AS VARCHAR)"


def _amount_shape(ctx: CheckContext) -> str:
    """SQL: the amount (without ``Rp`` and spaces) is written as the profile's (or the sniffed) format
    writes a number — an optional minus, digits (optionally grouped by threes with the thousands
    separator) and at most two decimals after the decimal separator.

    Anything else is ``amount_invalid``, never a value read at another scale: ``25.000`` where ``.`` is
    the decimal mark (three decimals: rupiah have at most two), an exponent (``1e3``), a ``+``, a
    thousands separator in the wrong place (``1.25.000``).
    """
    text = f"replace(replace({_raw(ctx.profile, 'amount')}, 'Rp', ''), ' ', '')"
    grouped = ""
    if ctx.thousands and ctx.thousands != " ":  # spaces were removed with the text's other spaces
        grouped = f"[0-9]{{1,3}}({re.escape(ctx.thousands)}[0-9]{{3}})+|"
    pattern = f"-?({grouped}[0-9]+)({re.escape(ctx.decimal)}[0-9]{{1,2}})?"
    return f"regexp_full_match({text}, {sql_literal(pattern)})"


def _amount_text(ctx: CheckContext) -> str:
    text = f"replace(replace({_raw(ctx.profile, 'amount')}, 'Rp', ''), ' ', '')"
    if ctx.thousands:
        text = f"replace({text}, {sql_literal(ctx.thousands)}, '')"
    if ctx.decimal != ".":
        text = f"replace({text}, {sql_literal(ctx.decimal)}, '.')"
    return text


def _timestamp(ctx: CheckContext) -> str:
    column = _source(ctx.profile, "timestamp") or "CAST(NULL AS VARCHAR)"
    fmt = ctx.profile.timestamp.format
    if fmt == "iso":
        # the session zone is the profile's zone: values without an offset are read in that zone;
        # DuckDB's cast ignores edge spaces, so the trimmed retry only runs for what still fails
        return f"coalesce(TRY_CAST({column} AS TIMESTAMPTZ), TRY_CAST({clean(column)} AS TIMESTAMPTZ))"
    raw = _raw(ctx.profile, "timestamp")
    if "%z" in fmt or "%Z" in fmt:
        return f"try_strptime({raw}, {sql_literal(fmt)})"
    return f"timezone({sql_literal(ctx.profile.timestamp.timezone)}, try_strptime({raw}, {sql_literal(fmt)}))"


def _mapping(column: str | None, lookup: dict[str, str], enum: str) -> str:
    """Canonical value (of the ENUM type ``enum``) of a mapped column: exact source values first, then
    ``lower(trim(...))``."""
    if not lookup or column is None:
        return f"CAST(NULL AS {enum})"
    whens = " ".join(
        f"WHEN {sql_literal(k)} THEN CAST({sql_literal(v)} AS {enum})" for k, v in sorted(lookup.items())
    )
    return f"CASE {column} {whens} ELSE (CASE lower({clean(column)}) {whens} END) END"


def _whole_rupiah(text: str) -> str:
    """Integer rupiah from the cleaned amount text: plain digits, or a decimal whose fraction is zero.

    (DuckDB's cast of ``'1000.5'`` to BIGINT rounds; a fraction must be an error, never rounded away.)
    Every cast is a ``TRY_CAST``: a value that does not parse or does not fit (``1e30``) is NULL, never
    a query error, and the rules say why.
    """
    dec = _decimal(text)
    return (
        f"CASE WHEN strpos({text}, '.') = 0 AND strpos(lower({text}), 'e') = 0 "
        f"THEN TRY_CAST({text} AS BIGINT) "
        f"WHEN {dec} = floor({dec}) THEN TRY_CAST({dec} AS BIGINT) END"
    )


def _decimal(text: str) -> str:
    """The cleaned amount text as ``DECIMAL(38, 6)``; NULL when it does not parse or exceeds 32 digits."""
    return f"TRY_CAST({text} AS DECIMAL(38, 6))"


def first_columns(ctx: CheckContext, payer_sql: str) -> list[tuple[str, str]]:
    """Typed columns computed straight from the raw columns: ``[(name, SQL)]`` (names without prefix).

    ``payer_sql`` turns the raw payer column into the BIGINT pseudonym (hash for a new upload, a cast
    for a kept upload that holds pseudonyms already). ``a0``/``afast`` are the fast amount path: the
    raw value cast to BIGINT, and whether that cast prints back as exactly the raw text.
    """
    p = ctx.profile
    amount = _source(p, "amount") or "CAST(NULL AS VARCHAR)"
    channel = (
        _mapping(_source(p, "channel"), p.channel_lookup(), "sk_channel")
        if p.columns.channel
        else f"CAST({sql_literal(p.channel_default or '')} AS sk_channel)"
    )
    return [
        ("txn", _raw(p, "txn_id")),
        ("ts", _timestamp(ctx)),
        ("nmid", f"upper({_raw(p, 'nmid')})"),
        ("a0", f"TRY_CAST({amount} AS BIGINT)"),
        ("channel", channel),
        ("status_mapped", _mapping(_source(p, "status"), p.status_lookup(), "sk_status")),
        ("payer", payer_sql),
        ("issuer", _raw(p, "issuer")),
        ("mcc", _raw(p, "mcc")),
        ("currency", f"upper({_raw(p, 'currency')})"),
    ]


def second_columns(ctx: CheckContext) -> list[tuple[str, str]]:
    """Typed columns over ``first_columns``: ``afast``, ``amount`` (signed whole rupiah), ``status``."""
    amount = _source(ctx.profile, "amount") or "CAST(NULL AS VARCHAR)"
    afast = f"CAST({col('a0')} AS VARCHAR) = {amount}"
    final_status = col("status_mapped")
    if ctx.profile.amount.negative_is_reversal:
        reversed_ = "CAST('reversed' AS sk_status)"
        final_status = f"CASE WHEN {col('amount')} < 0 THEN {reversed_} ELSE {col('status_mapped')} END"
    return [
        ("afast", f"coalesce({afast}, FALSE)"),
        (
            "amount",
            f"CASE WHEN {afast} THEN {col('a0')} "
            f"WHEN {_amount_shape(ctx)} THEN ({_whole_rupiah(_amount_text(ctx))}) END",
        ),
        ("status", final_status),
    ]


def _later_rules(ctx: CheckContext) -> list[tuple[str, str, str]]:
    negative_ok = "FALSE" if not ctx.profile.amount.negative_is_reversal else f"{col('amount')} < 0"
    amount_text = _amount_text(ctx)
    dec = _decimal(amount_text)
    shape = _amount_shape(ctx)
    return [
        ("too_long", "txn_id", f"length({col('txn')}) > {TXN_ID_MAX}"),
        (
            "timestamp_invalid",
            "timestamp",
            f"{_raw(ctx.profile, 'timestamp')} IS NOT NULL AND {col('ts')} IS NULL",
        ),
        (
            "timestamp_future",
            "timestamp",
            f"{col('ts')} > TIMESTAMPTZ {sql_literal(ctx.started_at.isoformat())}",
        ),
        (
            "timestamp_too_early",
            "timestamp",
            f"{col('ts')} < TIMESTAMPTZ {sql_literal(ctx.earliest.isoformat())}",
        ),
        (
            "amount_invalid",
            "amount",
            f"{amount_text} IS NOT NULL AND (NOT {shape} OR ({col('amount')} IS NULL AND {dec} IS NULL))",
        ),
        ("amount_fraction", "amount", f"{shape} AND {col('amount')} IS NULL AND {dec} <> floor({dec})"),
        ("amount_not_positive", "amount", f"{col('amount')} <= 0 AND NOT ({negative_ok})"),
        (
            # a whole number too large for BIGINT (``1e30``) has no typed amount: it is above the ceiling
            "amount_above_ceiling",
            "amount",
            f"abs({col('amount')}) > {int(ctx.ceiling)} "
            f"OR ({shape} AND {col('amount')} IS NULL AND {dec} = floor({dec}))",
        ),
        (
            "currency_not_idr",
            "currency",
            f"{col('currency')} IS NOT NULL AND {col('currency')} NOT IN ('IDR', 'RP')",
        ),
        (
            "nmid_invalid",
            "nmid",
            f"NOT {col('known')} AND NOT regexp_full_match({col('nmid')}, 'ID[0-9]{{13}}')",
        ),
        (
            "channel_unknown",
            "channel",
            f"{_raw(ctx.profile, 'channel')} IS NOT NULL AND {col('channel')} IS NULL",
        ),
        (
            "status_unknown",
            "status",
            f"{_raw(ctx.profile, 'status')} IS NOT NULL AND {col('status_mapped')} IS NULL",
        ),
        (
            "acquirer_mismatch",
            "acquirer",
            f"{_raw(ctx.profile, 'acquirer')} IS NOT NULL "
            f"AND upper({_raw(ctx.profile, 'acquirer')}) <> {sql_literal(ctx.bank_code.upper())}",
        ),
        (
            "mcc_invalid",
            "mcc",
            f"{col('mcc')} IS NOT NULL AND NOT regexp_full_match({col('mcc')}, '[0-9]{{4}}')",
        ),
    ]


def rules(ctx: CheckContext) -> list[Rule]:
    """The rules that apply under ``ctx`` (conditions over the raw and the typed ``__sk_`` columns)."""
    p = ctx.profile
    mapped = p.source_columns()
    required = [
        f for f in ("txn_id", "timestamp", "nmid", "amount", "status", "channel", "payer_id") if f in mapped
    ]
    found: list[Rule] = [
        Rule(1 << i, "required", field, f"{_raw(p, field)} IS NULL") for i, field in enumerate(required)
    ]
    bit = 1 << len(found)
    for key, field, condition in _later_rules(ctx):
        if field in ("acquirer", "currency", "mcc", "channel") and field not in mapped:
            continue
        found.append(Rule(bit, key, field, condition))
        bit <<= 1
    # a well-formed NMID not on the register is quarantined; a malformed one is only ``nmid_invalid``
    quarantined = f"NOT {col('known')} AND regexp_full_match({col('nmid')}, 'ID[0-9]{{13}}')"
    found.append(Rule(bit, QUARANTINE_RULE, "nmid", quarantined))
    return found


def fast_ok_sql(ctx: CheckContext) -> str:
    """A cheap condition that implies every rule passes (so the row's mask is 0 without computing it).

    Each term is at least as strict as the rule it stands for; rows that fail it get the full mask.
    """
    p = ctx.profile
    mapped = p.source_columns()
    terms = [
        f"{col('txn')} IS NOT NULL",
        f"length({col('txn')}) <= {TXN_ID_MAX}",
        f"{col('ts')} >= TIMESTAMPTZ {sql_literal(ctx.earliest.isoformat())}",
        f"{col('ts')} <= TIMESTAMPTZ {sql_literal(ctx.started_at.isoformat())}",
        f"{col('amount')} > 0",
        f"{col('amount')} <= {int(ctx.ceiling)}",
        col("known"),
        f"{col('status_mapped')} IS NOT NULL",
    ]
    if "channel" in mapped:
        terms.append(f"{col('channel')} IS NOT NULL")
    if "payer_id" in mapped:
        terms.append(f"{col('payer')} IS NOT NULL")
    if "acquirer" in mapped:
        terms.append(f"{_source(p, 'acquirer')} = {sql_literal(ctx.bank_code.upper())}")
    if "currency" in mapped:
        terms.append(f"({col('currency')} IS NULL OR {col('currency')} IN ('IDR', 'RP'))")
    if "mcc" in mapped:
        terms.append(f"({col('mcc')} IS NULL OR regexp_full_match({col('mcc')}, '[0-9]{{4}}'))")
    return " AND ".join(terms)


def mask_sql(rule_list: list[Rule], fast_ok: str | None = None) -> tuple[str, int]:
    """``(SQL of the error mask, bit of the quarantine rule)``; the mask is 0 for a clean row.

    With ``fast_ok`` the per-rule bits are computed only for rows that fail it.
    """
    terms = [f"(CASE WHEN coalesce({r.condition}, FALSE) THEN {r.bit} ELSE 0 END)" for r in rule_list]
    quarantine_bit = next(r.bit for r in rule_list if r.key == QUARANTINE_RULE)
    detailed = " | ".join(terms)
    if fast_ok is None:
        return detailed, quarantine_bit
    return f"CASE WHEN coalesce({fast_ok}, FALSE) THEN 0 ELSE ({detailed}) END", quarantine_bit
