"""Property tests (Hypothesis) of issue 3: any valid row survives a profile round-trip; totals do not
depend on how a file is split into parts or on the order in which the parts arrive.

Every example runs the real ingest (DuckDB, the Delta ledger on disk, a SQLite state database copied
from the migrated template) in a fresh temporary directory, so examples never see each other's rows.
The state database is SQLite only here; the same code paths run on PostgreSQL in the other ingest tests.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from ingest_helpers import HEADER, nmid, upload_spec
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smartkotim import ledger
from smartkotim.accounts.models import Organisation
from smartkotim.config import Settings, load_settings
from smartkotim.db import make_engine, make_session_factory
from smartkotim.economy.ingest import profile_services, services
from smartkotim.economy.ingest.models import IngestBatch, TransactionRollup
from smartkotim.economy.ingest.profiles import CANONICAL_CHANNELS
from smartkotim.economy.registry.models import Merchant

MERCHANTS = range(1, 6)
SECRET = "property-test-secret-key-0123456789-abcdef"
EARLIEST, LATEST = datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 6, 30, tzinfo=UTC)
PROPERTY_SETTINGS = hsettings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@dataclass(frozen=True, slots=True)
class Record:
    """A canonical transaction as the test means it: UTC instant, whole rupiah, canonical codes."""

    txn_id: str
    at: datetime
    merchant: int
    amount: int
    channel: str
    status: str
    payer: str  # a payer id is required whenever the report has the column


@dataclass(slots=True)
class State:
    settings: Settings
    session_factory: sessionmaker[Session]


@contextmanager
def fresh_state(template: Path) -> Iterator[State]:
    """An empty ledger and a migrated SQLite state database with the bank ``BANKA`` and merchants 1–5."""
    with tempfile.TemporaryDirectory(prefix="sk-prop-") as tmp:
        database = Path(tmp) / "smartkotim.db"
        shutil.copy(template, database)
        url = f"sqlite:///{database}"
        settings = load_settings(data_dir=Path(tmp) / "var", database_url=url, secret_key=SECRET)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as session:
            session.add(Organisation(code="BANKA", name="Bank A", kind="bank"))
            for i in MERCHANTS:
                session.add(Merchant(nmid=nmid(i), name=f"Pedagang {i}", name_normalised=f"pedagang {i}"))
            session.commit()
        try:
            yield State(settings, factory)
        finally:
            engine.dispose()


def ingest(state: State, path: Path, profile: str = "default") -> IngestBatch:
    spec = upload_spec(path, profile=profile)
    return services.ingest_file(state.settings, state.session_factory, spec, metrics="none")


def ledger_rows(settings: Settings) -> Counter[tuple[Any, ...]]:
    """The ledger's rows as a multiset of ``(txn_id, epoch s, nmid, amount, channel, status, payer)``."""
    files = ledger.list_files(settings, ledger.TRANSACTIONS)
    if not files:
        return Counter()
    rows = duckdb.sql(
        "SELECT txn_id, CAST(epoch(ts) AS BIGINT), CAST(nmid AS VARCHAR), amount, CAST(channel AS VARCHAR), "
        f"CAST(status AS VARCHAR), payer FROM {ledger.scan_sql(files)}"
    ).fetchall()
    return Counter(tuple(r) for r in rows)


def rollup_rows(state: State) -> set[tuple[Any, ...]]:
    with state.session_factory() as session:
        return {
            (r.day, r.acquirer_code, r.nmid, r.channel, r.txn_count, r.value, r.payers, r.failed_count,
             r.reversed_count)
            for r in session.scalars(select(TransactionRollup))
        }  # fmt: skip


def expected_row(settings: Settings, record: Record, *, with_payer: bool = True) -> tuple[Any, ...]:
    payer = services.pseudonymise(settings, record.payer) if with_payer else None
    return (
        record.txn_id,
        int(record.at.timestamp()),
        nmid(record.merchant),
        record.amount,
        record.channel,
        record.status,
        payer,
    )


# --- strategies -------------------------------------------------------------------------------------

TXN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/"
PAYER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.@"


@st.composite
def records(draw: st.DrawFn, *, min_size: int = 1, max_size: int = 12) -> list[Record]:
    ids = draw(
        st.lists(
            st.text(TXN_ALPHABET, min_size=1, max_size=30), min_size=min_size, max_size=max_size, unique=True
        )
    )
    found = []
    for txn_id in ids:
        at = draw(
            st.datetimes(min_value=EARLIEST.replace(tzinfo=None), max_value=LATEST.replace(tzinfo=None))
        )
        found.append(
            Record(
                txn_id=txn_id,
                at=at.replace(microsecond=0, tzinfo=UTC),
                merchant=draw(st.sampled_from(list(MERCHANTS))),
                amount=draw(st.integers(min_value=1, max_value=100_000_000)),
                channel=draw(st.sampled_from(CANONICAL_CHANNELS)),
                status=draw(st.sampled_from(["success", "success", "failed", "reversed"])),
                payer=draw(st.text(PAYER_ALPHABET, min_size=1, max_size=20)),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Shape:
    """How one bank writes its report, and the profile that reads it."""

    columns: dict[str, str]  # canonical field → the bank's column name
    delimiter: str
    encoding: str
    timestamp_format: str  # "iso", "iso-offset" (written with an offset) or a strptime pattern
    zone: str
    decimal: str
    thousands: str
    decimals: bool  # amounts written with ",00" / ".00"
    statuses: dict[str, str]  # canonical status → the bank's word
    channels: dict[str, str]

    def toml(self, name: str) -> str:
        def q(value: str) -> str:
            return json.dumps(value)

        timestamp_format = "iso" if self.timestamp_format.startswith("iso") else self.timestamp_format
        lines = [
            f"name = {q(name)}",
            "[file]",
            'format = "csv"',
            f"encoding = {q('utf-8' if self.encoding == 'utf-8-sig' else self.encoding)}",
            f"delimiter = {q(self.delimiter)}",
            "[columns]",
            *(f"{field} = {q(column)}" for field, column in self.columns.items()),
            "[timestamp]",
            f"format = {q(timestamp_format)}",
            f"timezone = {q(self.zone)}",
            "[amount]",
            f"decimal_separator = {q(self.decimal)}",
            f"thousands_separator = {q(self.thousands)}",
            "[status]",
            *(f"{status} = [{q(word)}]" for status, word in self.statuses.items()),
            "[channel]",
            *(f"{channel} = [{q(word)}]" for channel, word in self.channels.items()),
        ]
        return "\n".join(lines) + "\n"

    def amount_text(self, amount: int) -> str:
        digits = str(amount)
        if self.thousands:
            groups = []
            while digits:
                groups.insert(0, digits[-3:])
                digits = digits[:-3]
            digits = self.thousands.join(groups)
        return digits + (f"{self.decimal}00" if self.decimals else "")

    def timestamp_text(self, at: datetime) -> str:
        local = at.astimezone(ZoneInfo(self.zone))
        if self.timestamp_format == "iso-offset":
            return local.isoformat()
        if self.timestamp_format == "iso":
            return local.replace(tzinfo=None).isoformat(sep=" ")
        return local.strftime(self.timestamp_format)

    def write(self, path: Path, rows: list[Record], note: str | None = None) -> Path:
        """Write ``rows``; ``note`` adds a column ``catatan`` no profile maps (two parts with the same
        rows are then two different files, as two uploads of a bank would be)."""
        fields = list(self.columns)
        with path.open("w", encoding=self.encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=self.delimiter)
            writer.writerow([self.columns[f] for f in fields] + (["catatan"] if note else []))
            for record in rows:
                values = {
                    "acquirer": "BANKA",
                    "txn_id": record.txn_id,
                    "timestamp": self.timestamp_text(record.at),
                    "nmid": nmid(record.merchant),
                    "amount": self.amount_text(record.amount),
                    "channel": self.channels[record.channel],
                    "status": self.statuses[record.status],
                    "payer_id": record.payer,
                }
                writer.writerow([values[f] for f in fields] + ([note] if note else []))
        return path


COLUMN_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}( [A-Za-z0-9]{1,6})?", fullmatch=True)
WORDS = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=1, max_size=8)


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    fields = ["acquirer", *HEADER[1:]]  # acquirer, txn_id, timestamp, nmid, amount, channel, status, payer_id
    names = draw(
        st.lists(COLUMN_NAME, min_size=len(fields), max_size=len(fields), unique_by=str.lower).filter(
            lambda found: not any(n.lower().startswith("__sk_") for n in found)
        )
    )
    order = draw(st.permutations(fields))
    if draw(st.booleans()):  # a report without payer ids: the ledger's payer is NULL
        order = [f for f in order if f != "payer_id"]
    decimal, thousands = draw(st.sampled_from([(".", ""), (",", "."), (".", ","), (",", " "), (",", "")]))
    status_words = draw(st.lists(WORDS, min_size=3, max_size=3, unique_by=str.lower))
    channel_words = draw(st.lists(WORDS, min_size=5, max_size=5, unique_by=str.lower))
    return Shape(
        columns={field: names[fields.index(field)] for field in order},
        delimiter=draw(st.sampled_from([",", ";", "\t", "|"])),
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "windows-1252"])),
        timestamp_format=draw(
            st.sampled_from(["iso", "iso-offset", "%d/%m/%Y %H:%M:%S", "%Y%m%d %H%M%S", "%d-%m-%Y %H.%M.%S"])
        ),
        zone=draw(st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"])),
        decimal=decimal,
        thousands=thousands,
        decimals=draw(st.booleans()),
        statuses=dict(zip(("success", "failed", "reversed"), status_words, strict=True)),
        channels=dict(zip(CANONICAL_CHANNELS, channel_words, strict=True)),
    )


# --- properties -------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(shape=shapes(), rows=records())
def test_any_valid_row_survives_a_profile_round_trip(
    sqlite_template: Path, shape: Shape, rows: list[Record]
) -> None:
    with fresh_state(sqlite_template) as state:
        with state.session_factory() as session:
            profile_services.add_profile(session, toml_text=shape.toml("bankx"), principal=None)
        with tempfile.TemporaryDirectory() as tmp:
            batch = ingest(state, shape.write(Path(tmp) / "laporan.csv", rows), profile="bankx")
        assert batch.status == "applied", batch.message
        assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (len(rows), len(rows), 0)
        with_payer = "payer_id" in shape.columns
        expected = Counter(expected_row(state.settings, r, with_payer=with_payer) for r in rows)
        assert ledger_rows(state.settings) == expected


@st.composite
def reports(draw: st.DrawFn) -> list[Record]:
    """Records with exact repeats (a bank sending a row again) and reversals of earlier successes."""
    base = [r for r in draw(records(max_size=10)) if r.status != "reversed"] or [
        Record("T0", LATEST - timedelta(days=3), 1, 1000, "qris", "success", "CIF-0")
    ]
    rows = list(base)
    for record in base:
        if record.status == "success" and draw(st.booleans()):
            later = record.at + timedelta(minutes=draw(st.integers(min_value=0, max_value=3 * 24 * 60)))
            rows.append(replace(record, at=later, status="reversed"))
    repeats = draw(st.lists(st.sampled_from(rows), max_size=4))
    rows.extend(repeats)
    return list(draw(st.permutations(rows)))


@PROPERTY_SETTINGS
@given(rows=reports(), data=st.data())
def test_totals_do_not_depend_on_how_a_file_is_split_or_the_order_of_its_parts(
    sqlite_template: Path, rows: list[Record], data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(min_value=1, max_value=max(1, len(rows) - 1)), max_size=3)))
    bounds = [0, *[c for c in cuts if c < len(rows)], len(rows)]
    parts = [rows[a:b] for a, b in pairwise(bounds) if b > a]
    order = data.draw(st.permutations(range(len(parts))))
    shape = Shape(
        columns=dict(zip(["acquirer", *HEADER[1:]], HEADER, strict=True)),
        delimiter=",",
        encoding="utf-8",
        timestamp_format="iso-offset",
        zone="Asia/Jakarta",
        decimal=".",
        thousands="",
        decimals=False,
        statuses={s: s for s in ("success", "failed", "reversed")},
        channels={c: c for c in CANONICAL_CHANNELS},
    )
    with tempfile.TemporaryDirectory() as tmp, fresh_state(sqlite_template) as whole:
        one = ingest(whole, shape.write(Path(tmp) / "utuh.csv", rows))
        assert one.status == "applied", one.message
        with fresh_state(sqlite_template) as split:
            batches = [
                ingest(split, shape.write(Path(tmp) / f"bagian{i}.csv", parts[i], f"bagian {i}"))
                for i in order
            ]
            assert all(b.status == "applied" for b in batches), [b.message for b in batches]
            assert sum(b.rows_read for b in batches) == one.rows_read == len(rows)
            assert sum(b.rows_accepted for b in batches) == one.rows_accepted
            assert sum(b.rows_duplicate for b in batches) == one.rows_duplicate
            # every distinct (txn id, reversal or not) is in the ledger once, whichever part brought it
            distinct = {(r.txn_id, r.status == "reversed"): r for r in rows}
            assert one.rows_accepted == len(distinct)
            assert (
                ledger_rows(split.settings)
                == ledger_rows(whole.settings)
                == Counter(expected_row(whole.settings, r) for r in distinct.values())
            )
            assert rollup_rows(split) == rollup_rows(whole)
        # the totals are those of the effective transactions the test made
        reversed_ids = {r.txn_id for r in distinct.values() if r.status == "reversed"}
        effective = [r for r in distinct.values() if r.status == "success" and r.txn_id not in reversed_ids]
        cells = rollup_rows(whole)
        assert sum(c[4] for c in cells) == len(effective)
        assert sum(c[5] for c in cells) == sum(r.amount for r in effective)
        assert sum(c[8] for c in cells) == sum(
            1 for r in distinct.values() if r.status == "success" and r.txn_id in reversed_ids
        )
