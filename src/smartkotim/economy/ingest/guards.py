"""Guards around a batch run: the ingest lock, the test hook that pauses a run at a named step, and
failure messages reduced to text that cannot carry data values (for users and the server log).

One file lock (``DATA_DIR/ledger/.ingest.lock``, an exclusive ``flock``) serialises ingests, reconcile
and rollup rebuilds, so two batches never race on a key.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smartkotim.config import Settings

log = logging.getLogger("smartkotim.economy.ingest.runner")  # the name operators already filter on
INTERNAL_ERROR = "kesalahan internal; dicatat di log server"
"""What a user sees for a batch that failed unexpectedly (details go to the server log only)."""
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
PAUSE_ENV = "SMARTKOTIM_INGEST_TEST_PAUSE"  # "step:/path/marker" — test hook, see tests/economy/ingest


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """Hold the ingest lock (an exclusive ``flock``) for the duration of the block."""
    with _exclusive(settings, ".ingest.lock"):
        yield


@contextmanager
def _exclusive(settings: Settings, name: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``DATA_DIR/ledger/<name>`` (waiting for it) during the block."""
    settings.ledger_dir.mkdir(parents=True, exist_ok=True)
    with (settings.ledger_dir / name).open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def intake_lock(settings: Settings) -> Iterator[None]:
    """Hold the intake lock (``DATA_DIR/ledger/.intake.lock``, an exclusive ``flock``) while a new batch
    is checked against the batches of the same file and recorded: two simultaneous uploads of one new
    file then give one batch and one refusal, not two batches. Held for milliseconds, never during a
    run, and independent of the ingest lock (a batch can be recorded while another one runs)."""
    with _exclusive(settings, ".intake.lock"):
        yield


@contextmanager
def try_ingest_lock(settings: Settings) -> Iterator[bool]:
    """Take the ingest lock if it is free (yields ``True``), without waiting (yields ``False``)."""
    settings.ledger_dir.mkdir(parents=True, exist_ok=True)
    with (settings.ledger_dir / ".ingest.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def test_pause(step: str) -> None:
    """Test hook: when ``SMARTKOTIM_INGEST_TEST_PAUSE`` is ``step:marker``, touch marker and sleep."""
    wanted = os.environ.get(PAUSE_ENV, "")
    if wanted.split(":", 1)[0] == step:
        Path(wanted.split(":", 1)[1]).touch()
        time.sleep(3600)


_SAFE_LINE = re.compile(
    r"^(CSV Error on Line: \d+|Expected Number of Columns: \d+ Found: \d+|"
    r"Invalid unicode.*|Maximum line size.*|.*Error: [^:]*$)"
)


# Facts of a DuckDB reader error that carry no data value, with how a user is told them (in order).
_READER_FACTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"CSV Error on Line: (\d+)"), "baris {0}"),
    (
        re.compile(r"Maximum line size of (\d+) bytes exceeded"),
        "baris lebih panjang dari {kib} KiB (aturan: line_too_long)",
    ),
    (
        re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)"),
        "{1} kolom, seharusnya {0} (aturan: column_count)",
    ),
    (re.compile(r"Invalid unicode"), "teks bukan UTF-8 yang sah (aturan: encoding)"),
    (
        re.compile(r"unterminated quote"),
        'tanda kutip (") dibuka tetapi tidak ditutup (aturan: unterminated_quote)',
    ),
)


def safe_message(exc: BaseException) -> str:
    """A DuckDB error reduced to what cannot hold data values (its "Original Line" is dropped): the
    line number, the rule broken and its limit, in Indonesian (``"baris 4002: baris lebih panjang dari
    256 KiB (aturan: line_too_long)"``); other errors keep only their lines that end in an error name."""
    text = str(exc)
    facts = []
    for pattern, template in _READER_FACTS:
        found = pattern.search(text)
        if found:
            numbers = found.groups()
            kib = int(numbers[0]) // 1024 if numbers else 0
            facts.append(template.format(*numbers, kib=kib))
    if facts:
        return ": ".join(facts)[:500]
    kept = [line.strip() for line in text.splitlines() if _SAFE_LINE.match(line.strip())]
    return ("; ".join(kept) if kept else type(exc).__name__)[:500]


def log_internal_error(batch_id: int, exc: BaseException) -> None:
    """Log an unexpected failure of a batch for the operators: the exception type, its message reduced
    to lines that cannot hold data values (``safe_message``, quoted values masked) and the stack
    frames without the message, so no raw value or payer id reaches the log."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    detail = _QUOTED.sub("'…'", safe_message(exc))
    log.error("batch %s failed: %s: %s\n%s", batch_id, type(exc).__name__, detail, frames)
