"""Month partials of unique payers and the median (``payer_queries``, ``partials``): with every period
estimated, the production path (partials kept between runs, rebuilt only for the months a batch
touched) gives exactly the reference figures straight from the ledger rows; a batch rewrites only its
months' files; a change of the register invalidates every file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import metrics_dataset as ds
import numpy as np
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_metrics_exact import AS_OF
from test_metrics_parity import LATE, both_ways, stored

from conftest import csv_rows, ingest_csv
from smartkotim.config import Settings
from smartkotim.economy.metrics import partials
from smartkotim.economy.metrics.hooks import on_batch_recorded
from smartkotim.economy.metrics.payer_queries import HLL_BUCKETS
from smartkotim.economy.metrics.services import recompute_metrics
from smartkotim.economy.registry.models import Merchant


@pytest.fixture
def estimating(settings: Settings) -> Settings:
    """Settings under which every period's unique payers are HyperLogLog estimates."""
    return settings.model_copy(update={"metrics_exact_payers_max_transactions": 0})


def files(settings: Settings) -> dict[str, int]:
    """The partial files by name, with their modification time (ns)."""
    return {p.name: p.stat().st_mtime_ns for p in partials.partials_dir(settings).iterdir()}


def test_estimated_figures_from_partials_equal_the_reference(ingested: Session, estimating: Settings) -> None:
    from_rollups, from_ledger = both_ways(ingested, estimating)
    assert from_rollups == from_ledger
    # the estimated path ran (month partials were written) and, at this size, linear counting is exact
    assert any(name.startswith("registers-2026-10-") for name in files(estimating))
    quarter = [t for t in ds.TRANSACTIONS if t.status == "success" and t.day >= date(2026, 10, 1)]
    amounts = sorted(t.amount for t in quarter)
    kab_q4 = from_rollups[("kabupaten", "62.02", "2026Q4")]
    assert kab_q4["unique_payers"] == len({t.payer for t in quarter})
    assert kab_q4["median_ticket"] == amounts[(len(amounts) - 1) // 2]  # the lower median


def test_batch_rebuilds_only_its_months_and_equals_the_reference(
    ingested: Session, estimating: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    recompute_metrics(ingested, estimating, as_of=AS_OF, trigger="test")
    before = files(estimating)
    assert any("-2025-10-" in name for name in before)
    batch = ingest_csv(estimating, session_factory, tmp_path / "late.csv", csv_rows(LATE, "BNK1"), "BNK1")
    days = {t.day for t in LATE} | {date(2026, 10, 20)}
    on_batch_recorded(ingested, estimating, batch_id=batch.id, days=days, as_of=AS_OF)
    after = files(estimating)
    touched = {n for n in after if "-2026-10-" in n or "-2026-11-" in n}
    untouched = set(after) - touched
    assert untouched and all(after[n] == before[n] for n in untouched)  # read, not rewritten
    assert touched and all(after[n] != before.get(n) for n in touched)  # rebuilt from the ledger
    incremental = stored(ingested)
    recompute_metrics(ingested, estimating, as_of=AS_OF, source="ledger", trigger="test")
    assert incremental == stored(ingested)


def test_register_change_invalidates_every_partial(ingested: Session, estimating: Settings) -> None:
    recompute_metrics(ingested, estimating, as_of=AS_OF, trigger="test")
    old_keys = {n.rsplit("-", 1)[1] for n in files(estimating)}
    # m4 sold only in October 2026; the update below is for a November day, so October's partial is not
    # stale by its days: only the register's fingerprint makes it rebuilt with m4 in its new desa
    merchant = ingested.scalars(select(Merchant).where(Merchant.nmid == "ID1000000000004")).one()
    old_desa = merchant.desa_code
    moved_to = next(
        m.desa_code for m in ingested.scalars(select(Merchant)) if m.desa_code and m.desa_code != old_desa
    )
    merchant.desa_code = moved_to
    ingested.commit()
    on_batch_recorded(ingested, estimating, batch_id=0, days={date(2026, 11, 2)}, as_of=AS_OF)
    new_keys = {n.rsplit("-", 1)[1] for n in files(estimating)}
    assert new_keys and not new_keys & old_keys
    incremental = stored(ingested)
    recompute_metrics(ingested, estimating, as_of=AS_OF, source="ledger", trigger="test")
    reference = stored(ingested)
    for period in ("2026Q4", "2026"):  # both cover October 2026 whole
        rows = {k: v for k, v in incremental.items() if k[2] == period}
        assert rows and rows == {k: v for k, v in reference.items() if k[2] == period}
    assert incremental[("desa", moved_to, "2026Q4")]["unique_payers"] >= 1
    assert ("desa", old_desa, "2026Q4") not in reference or reference[("desa", old_desa, "2026Q4")][
        "unique_payers"
    ] == incremental[("desa", old_desa, "2026Q4")]["unique_payers"]


def test_partial_files_hold_no_payer_pseudonym(ingested: Session, estimating: Settings) -> None:
    recompute_metrics(ingested, estimating, as_of=AS_OF, trigger="test")
    folder = partials.partials_dir(estimating)
    names = {tuple(pq.read_schema(p).names) for p in folder.glob("*.parquet")}
    assert names == {("month", "level", "code", "amount", "n")}
    stored = list(folder.glob("registers-*.npz"))
    assert stored
    for path in stored:
        with np.load(path, allow_pickle=False) as arrays:
            assert sorted(arrays.files) == ["areas", "registers"]
            assert arrays["registers"].dtype == np.uint8 and arrays["registers"].shape[1] == HLL_BUCKETS
            assert len(arrays["areas"]) == arrays["registers"].shape[0]
            assert all("\x1f" in str(a) for a in arrays["areas"])  # level ␟ code, no payer
