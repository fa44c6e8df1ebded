"""The HyperLogLog of the payer partials (``payer_queries`` registers, ``hll`` estimator): estimates
within the stated error on known distinct counts, exact merging, and the register SQL's bounds."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from smartkotim.economy.metrics import hll
from smartkotim.economy.metrics.payer_queries import (
    BUCKET_SQL,
    HLL_BUCKETS,
    HLL_PRECISION,
    HLL_RSE_PCT,
    RHO_SQL,
)


def registers(payers: list[int] | np.ndarray) -> np.ndarray:
    """The dense register set of ``payers`` through the production SQL."""
    con = duckdb.connect()
    con.register("p", pa.table({"payer": pa.array(payers, pa.int64())}))
    rows = con.sql(
        f"SELECT {BUCKET_SQL} AS bucket, max({RHO_SQL}) AS rho "
        "FROM (SELECT hash(payer) AS h FROM p) GROUP BY bucket"
    ).fetchall()
    dense = np.zeros(HLL_BUCKETS, np.uint8)
    for bucket, rho in rows:
        dense[bucket] = rho
    return dense


@pytest.mark.parametrize("distinct", [0, 1, 37, 3_000, 40_000, 250_000])
def test_estimate_is_within_four_standard_errors(distinct: int) -> None:
    rng = np.random.default_rng(distinct)
    payers = rng.choice(2**60, size=distinct, replace=False)
    repeated = np.concatenate([payers, payers[: distinct // 2]])  # repeats change nothing
    estimate = int(hll.estimate(registers(repeated)[None, :])[0])
    if distinct == 0:
        assert estimate == 0
    else:
        error = abs(estimate - distinct) / distinct * 100
        assert error <= 4 * HLL_RSE_PCT, (distinct, estimate)


def test_merged_registers_estimate_the_union() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.choice(2**60, size=30_000, replace=False), rng.choice(2**60, size=20_000, replace=False)
    both = np.concatenate([a, b, a[:5_000]])  # a payer in both months is one payer
    merged = np.maximum(registers(a), registers(b))
    assert np.array_equal(merged, registers(both))
    assert int(hll.estimate(merged[None, :])[0]) == int(hll.estimate(registers(both)[None, :])[0])


def test_rank_is_bounded_and_bucket_in_range() -> None:
    con = duckdb.connect()
    # h = 0 has no set bit below the bucket: the sentinel bounds its rank
    ((bucket, rho),) = con.sql(f"SELECT {BUCKET_SQL}, {RHO_SQL} FROM (SELECT 0::UBIGINT AS h)").fetchall()
    assert (bucket, rho) == (0, 64 - HLL_PRECISION + 1)
    top = (1 << 64) - 1  # every bit set: last bucket, rank 1
    ((bucket, rho),) = con.sql(f"SELECT {BUCKET_SQL}, {RHO_SQL} FROM (SELECT {top}::UBIGINT AS h)").fetchall()
    assert (bucket, rho) == (HLL_BUCKETS - 1, 1)
    (rho,) = con.sql(f"SELECT {RHO_SQL} FROM (SELECT 8::UBIGINT AS h)").fetchall()[0]
    assert rho == 4  # three trailing zeros


def test_estimate_refuses_wrong_register_length() -> None:
    with pytest.raises(ValueError, match="buckets"):
        hll.estimate(np.zeros((1, 16), np.uint8))
