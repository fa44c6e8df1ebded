"""The batch page and the batch list: rule descriptions beside the rule keys, batch sources in words,
what the accepted value means, no zero counts before they are known, long file names, pagination."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ingest_helpers import row, write_csv
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_ingest_web import admin_token, make_token

from conftest import Ingest
from smartkotim.db import utcnow
from smartkotim.economy.ingest import queries
from smartkotim.economy.ingest.models import BatchSource, IngestBatch
from smartkotim.economy.ingest.validation import RULE_KEYS
from smartkotim.economy.ingest.views import RULE_LABELS, SOURCE_LABELS, is_counting
from smartkotim.web.i18n import translate


def add_batch(db: Session, **fields: Any) -> IngestBatch:
    """A batch row as the services store it (defaults: an applied web upload of BANKA)."""
    values: dict[str, Any] = {
        "acquirer_code": "BANKA",
        "source": BatchSource.WEB,
        "profile_name": "default",
        "file_name": "laporan.csv",
        "file_sha256": "0" * 64,
        "status": "applied",
    }
    batch = IngestBatch(**(values | fields))
    db.add(batch)
    db.commit()
    return batch


def english(client: TestClient) -> None:
    """Switch the client's session to English."""
    assert client.get("/bahasa/en", follow_redirects=False).status_code in (302, 303, 307)


def test_every_rule_and_every_source_has_a_description_in_both_languages() -> None:
    assert set(RULE_LABELS) == set(RULE_KEYS)
    assert set(SOURCE_LABELS) == {str(s) for s in BatchSource}
    for text in [*RULE_LABELS.values(), *SOURCE_LABELS.values()]:
        assert translate(text, "en") != text or text == "API", text


def test_batch_page_describes_each_broken_rule_and_keeps_its_key(
    client: TestClient, db: Session, ingest: Ingest, tmp_path: Path
) -> None:
    admin = admin_token(db, ["read"])
    path = write_csv(
        tmp_path / "a.csv",
        [
            row("T1", amount="-5000"),
            row("T2", ts="2099-01-01T10:00:00+07:00"),
            row("T3", m=99),
            row("T4", status="weird"),
            row("T5", channel="pos"),
            row("", amount="1000"),
            row("T" * 70),
        ],
    )
    batch = ingest(path)
    page = client.get(f"/ekonomi/batch/{batch.id}", headers=admin).text
    for cell in (
        '<td class="rule">Nominal nol atau negatif<br><code>amount_not_positive</code></td>',
        '<td class="rule">Waktu sesudah batch dimulai (di masa depan)<br><code>timestamp_future</code></td>',
        '<td class="rule">NMID belum terdaftar: baris dikarantina<br><code>unknown_nmid</code></td>',
        '<td class="rule">Status tidak ada di pemetaan profil<br><code>status_unknown</code></td>',
        '<td class="rule">Kanal tidak ada di pemetaan profil<br><code>channel_unknown</code></td>',
        '<td class="rule">Kolom wajib kosong<br><code>required</code></td>',
        '<td class="rule">ID transaksi lebih dari 64 karakter<br><code>too_long</code></td>',
    ):
        assert cell in page, cell
    english(client)
    page = client.get(f"/ekonomi/batch/{batch.id}", headers=admin).text
    assert '<td class="rule">Amount is zero or negative<br><code>amount_not_positive</code></td>' in page
    assert (
        '<td class="rule">NMID not on the register: row quarantined<br><code>unknown_nmid</code></td>' in page
    )
    # the CSV keeps its columns and the rule keys
    csv_lines = client.get(f"/ekonomi/batch/{batch.id}/galat.csv", headers=admin).text.splitlines()
    assert csv_lines[0] == "row,column,raw_value,rule"
    assert "2,amount,'-5000,amount_not_positive" in csv_lines
    assert "4,nmid,ID1025380000099,unknown_nmid" in csv_lines


def test_a_rule_key_without_description_is_shown_as_it_is(
    client: TestClient, db: Session, banks: dict[str, int]
) -> None:
    batch = add_batch(db, rows_read=1, rows_rejected=1, error_count=1)
    queries.insert_row_errors(db, batch.id, [(2, "amount", "x", "rule_from_the_future")])
    db.commit()
    page = client.get(f"/ekonomi/batch/{batch.id}", headers=admin_token(db, ["read"])).text
    assert '<td class="rule"><code>rule_from_the_future</code></td>' in page


@pytest.mark.parametrize(
    ("source", "indonesian", "in_english"),
    [
        (BatchSource.WEB, "Unggahan web", "Web upload"),
        (BatchSource.API, "API", "API"),
        (BatchSource.CLI, "Baris perintah (CLI)", "Command line (CLI)"),
        (BatchSource.REPROCESS, "Proses ulang", "Re-process"),
        (BatchSource.RELEASE, "Pelepasan dari karantina", "Release from quarantine"),
        (BatchSource.RECOVERED, "Dipulihkan dari ledger", "Recovered from the ledger"),
    ],
)
def test_batch_source_is_shown_in_the_page_language(
    client: TestClient,
    db: Session,
    banks: dict[str, int],
    source: BatchSource,
    indonesian: str,
    in_english: str,
) -> None:
    admin = admin_token(db, ["read"])
    batch = add_batch(db, source=source, actor_label="operator")
    source_cell = f'<td id="batch-source">{indonesian} · operator</td>'
    assert source_cell in client.get(f"/ekonomi/batch/{batch.id}", headers=admin).text
    assert f"<td>{indonesian}</td>" in client.get("/ekonomi/batch", headers=admin).text
    english(client)
    source_cell = f'<td id="batch-source">{in_english} · operator</td>'
    assert source_cell in client.get(f"/ekonomi/batch/{batch.id}", headers=admin).text
    assert f"<td>{in_english}</td>" in client.get("/ekonomi/batch", headers=admin).text


def test_a_reprocessing_batch_links_the_batch_it_reprocesses(
    client: TestClient, db: Session, banks: dict[str, int]
) -> None:
    first = add_batch(db)
    again = add_batch(db, source=BatchSource.REPROCESS, reprocess_of_id=first.id, actor_label="admin")
    page = client.get(f"/ekonomi/batch/{again.id}", headers=admin_token(db, ["read"])).text
    expected = (
        f'<td id="batch-source">Proses ulang (dari batch <a href="/ekonomi/batch/{first.id}">{first.id}</a>)'
        " · admin</td>"
    )
    assert expected in page


def test_accepted_value_says_it_is_before_reversals(
    client: TestClient, db: Session, ingest: Ingest, tmp_path: Path
) -> None:
    admin = admin_token(db, ["read"])
    rows = [row(f"T{i}", amount="24000") for i in range(5)]
    first = ingest(write_csv(tmp_path / "a.csv", rows))
    # a later file reverses two of them: the rollups hold 3 × Rp24.000, the first batch still Rp120.000
    reversals = [row(f"T{i}", status="reversed", amount="24000") for i in range(2)]
    ingest(write_csv(tmp_path / "b.csv", reversals))
    assert queries.summarise_rollups(db)["value"] == 72000

    page = client.get(f"/ekonomi/batch/{first.id}", headers=admin).text
    assert '<span id="rows-accepted-count" data-count="rows_accepted">5</span>' in page
    title = "Nilai transaksi sukses yang diterima dari berkas ini, sebelum pembatalan (reversal) diterapkan"
    assert f'<span id="value-accepted" title="{title}">Rp120.000</span>' in page
    note = (
        '<small class="muted" id="value-accepted-note">Nilai: transaksi sukses yang diterima dari berkas'
        " ini, sebelum pembatalan (reversal) diterapkan; rekap harian bisa lebih kecil.</small>"
    )
    assert note in page
    english(client)
    page = client.get(f"/ekonomi/batch/{first.id}", headers=admin).text
    title = "Value of the accepted successful transactions of this file, before reversals are applied"
    assert f'<span id="value-accepted" title="{title}">Rp120,000</span>' in page
    assert (
        "Value: the accepted successful transactions of this file, before reversals are applied; "
        "the daily rollups may be lower.</small>"
    ) in page


def test_counts_are_not_shown_as_results_before_they_are_stored(
    client: TestClient, db: Session, banks: dict[str, int]
) -> None:
    admin = admin_token(db, ["read"])
    running = add_batch(db, status="running", progress=0.4)
    committing = add_batch(db, status="committed", committed_at=None)
    committed = add_batch(
        db, status="committed", committed_at=utcnow(), rows_read=7, rows_accepted=5, value_accepted=120000
    )
    failed = add_batch(db, status="failed", message="berkas kosong")
    assert [is_counting(b) for b in (running, committing, committed, failed)] == [True, True, False, False]

    for batch in (running, committing):
        page = client.get(f"/ekonomi/batch/{batch.id}", headers=admin).text
        assert '<td id="rows-read" data-count="rows_read">sedang dihitung</td>' in page
        assert '<span id="rows-accepted-count" data-count="rows_accepted">sedang dihitung</span>' in page
        assert '<span id="value-accepted-box" hidden>' in page
        assert '<td id="rows-rejected" data-count="rows_rejected">sedang dihitung</td>' in page
        assert '(<span id="error-count" data-count="error_count">sedang dihitung</span>)' in page
        assert "Galat tampil setelah baris selesai dihitung." in page
        assert "Tidak ada galat." not in page
        assert 'data-pending="sedang dihitung"' in page
    page = client.get(f"/ekonomi/batch/{committed.id}", headers=admin).text
    assert '<td id="rows-read" data-count="rows_read">7</td>' in page
    assert '<span id="value-accepted-box">(<span id="value-accepted"' in page
    page = client.get(f"/ekonomi/batch/{failed.id}", headers=admin).text
    assert '<td id="rows-read" data-count="rows_read">0</td>' in page  # a result: nothing was read

    listing = client.get("/ekonomi/batch", headers=admin).text
    pending_cell = '<td class="num"><span class="muted" title="sedang dihitung">—</span></td>'
    assert listing.count(pending_cell) == 2 * 5  # five counts of each of the two batches in progress
    english(client)
    page = client.get(f"/ekonomi/batch/{running.id}", headers=admin).text
    assert '<td id="rows-read" data-count="rows_read">being counted</td>' in page
    assert "Errors appear once the rows are counted." in page


def test_long_file_names_are_cut_with_the_full_name_in_the_title(
    client: TestClient, db: Session, banks: dict[str, int]
) -> None:
    admin = admin_token(db, ["read"])
    name = "laporan-" + "x" * 192  # 200 characters, the longest name an upload keeps
    batch = add_batch(db, file_name=name)
    listing = client.get("/ekonomi/batch", headers=admin).text
    assert f'<td class="file-name" title="{name}">{name[:47]}…</td>' in listing
    page = client.get(f"/ekonomi/batch/{batch.id}", headers=admin).text
    assert f'<span title="{name}">{name[:59]}…</span></h1>' in page
    assert f'<td class="wrap" id="batch-file">{name}</td>' in page


def test_a_file_name_is_escaped_everywhere(client: TestClient, db: Session, banks: dict[str, int]) -> None:
    admin = admin_token(db, ["read"])
    name = '"><img src=x>.csv'
    batch = add_batch(db, file_name=name)
    for url in ("/ekonomi/batch", f"/ekonomi/batch/{batch.id}"):
        text = client.get(url, headers=admin).text
        assert "<img src=x>" not in text
        assert f'title="{escape(name)}"' in text


def _page_ids(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr><td><a href="/ekonomi/batch/(\d+)">', text)]


def test_batch_list_is_paginated_50_a_page(client: TestClient, db: Session, banks: dict[str, int]) -> None:
    admin = admin_token(db, ["read"])
    start = utcnow() - timedelta(days=1)
    db.add_all(
        IngestBatch(
            acquirer_code="BANKA",
            source="web",
            profile_name="default",
            file_name=f"{i}.csv",
            file_sha256=f"{i:064d}",
            status="applied",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(123)
    )
    db.commit()
    ids = sorted(db.scalars(select(IngestBatch.id)), reverse=True)

    first = client.get("/ekonomi/batch", headers=admin)
    assert first.status_code == 200
    assert _page_ids(first.text) == ids[:50]
    assert '<p id="batch-page-info">123 batch, halaman 1 dari 3 · nomor 1–50</p>' in first.text
    assert '<a href="/ekonomi/batch?halaman=2" rel="next" id="batch-next">Berikutnya »</a>' in first.text
    assert 'rel="prev"' not in first.text

    second = client.get("/ekonomi/batch?halaman=2", headers=admin).text
    assert _page_ids(second) == ids[50:100]
    assert '<a href="/ekonomi/batch?halaman=1" rel="prev" id="batch-prev">« Sebelumnya</a>' in second
    assert '<a href="/ekonomi/batch?halaman=3" rel="next" id="batch-next">Berikutnya »</a>' in second

    last = client.get("/ekonomi/batch?halaman=3", headers=admin).text
    assert _page_ids(last) == ids[100:]
    assert '<p id="batch-page-info">123 batch, halaman 3 dari 3 · nomor 101–123</p>' in last
    assert 'rel="next"' not in last

    assert client.get("/ekonomi/batch?halaman=4", headers=admin).status_code == 404
    assert client.get("/ekonomi/batch?halaman=0", headers=admin).status_code == 422
    assert client.get("/ekonomi/batch?halaman=dua", headers=admin).status_code == 422
    english(client)
    text = client.get("/ekonomi/batch?halaman=3", headers=admin).text
    assert '<p id="batch-page-info">123 batches, page 3 of 3 · numbers 101–123</p>' in text
    assert "« Previous</a>" in text


def test_batch_list_pages_keep_a_bank_partner_to_its_own_bank(
    client: TestClient, db: Session, banks: dict[str, int]
) -> None:
    for i in range(55):
        add_batch(db, acquirer_code="BANKA" if i % 11 else "BANKB", file_sha256=f"{i:064d}")
    bank_b = make_token(db, username="bank-b", role="bank_partner", org_id=banks["BANKB"], scopes=["read"])
    page = client.get("/ekonomi/batch", headers=bank_b).text
    assert '<p id="batch-page-info">5 batch, halaman 1 dari 1 · nomor 1–5</p>' in page
    own = sorted(db.scalars(select(IngestBatch.id).where(IngestBatch.acquirer_code == "BANKB")), reverse=True)
    assert _page_ids(page) == own and len(own) == 5
    assert client.get("/ekonomi/batch?halaman=2", headers=bank_b).status_code == 404


def test_empty_batch_list_says_so(client: TestClient, db: Session, banks: dict[str, int]) -> None:
    page = client.get("/ekonomi/batch", headers=admin_token(db, ["read"])).text
    assert '<p id="batch-page-info">0 batch, halaman 1 dari 1</p>' in page
    assert "Belum ada batch." in page
