"""Import pages ``/ekonomi/pasar/impor`` and ``/ekonomi/pedagang/impor``: logged in through the form,
CSRF token from the page, the file posted as multipart; the report, refusals, roles and templates."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from registry_helpers import MERCHANT_HEADER
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartkotim.accounts.audit import Actor
from smartkotim.accounts.models import AuditEntry
from smartkotim.accounts.services import create_user
from smartkotim.economy.registry import view_support
from smartkotim.economy.registry.market_services import MARKET_COLUMNS, create_market
from smartkotim.economy.registry.merchant_import import MERCHANT_COLUMNS
from smartkotim.economy.registry.models import DesaResolution, Market, Merchant
from smartkotim.economy.registry.schemas import MarketCreate

PASSWORD = "correct horse battery"  # test-only
USERS = {
    # username: (role, organisation)
    "imp.admin": ("admin", "DISKOMINFO"),
    "imp.dkukmpp": ("opd_officer", "DKUKMPP"),
    "imp.kominfo": ("opd_officer", "DISKOMINFO"),
    "imp.analyst": ("analyst", "DISKOMINFO"),
    "imp.surveyor": ("surveyor", "DKUKMPP"),
}
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_ERROR_ROW = re.compile(
    r'<tr><td class="num">(\d+)</td><td><code>(.*?)</code></td><td class="wrap">(.*?)</td>'
    r'<td class="wrap">(.*?)</td></tr>'
)
_UNRESOLVED_ROW = re.compile(r'<tr><td class="num">(\d+)</td><td><a href="/ekonomi/pedagang/(\d+)">(.*?)</a>')


@pytest.fixture
def users(db: Session, orgs: dict[str, int]) -> None:
    """The users of ``USERS`` (password ``PASSWORD``) and the market PPM (for ``market_code`` cells)."""
    for username, (role, org) in USERS.items():
        create_user(
            db, username=username, role=role, organisation_code=org, password=PASSWORD, by=Actor(label="test")
        )
    data = MarketCreate(code="PPM", name="Pusat Perbelanjaan Mentaya", kind="pasar induk")
    create_market(db, data=data, actor=None, regency_code="62.02")


def _csrf(client: TestClient, path: str) -> str:
    match = _META_CSRF.search(client.get(path).text)
    assert match, f"no csrf meta tag on {path}"
    return match.group(1)


def _log_in(client: TestClient, username: str) -> None:
    form = {"username": username, "password": PASSWORD, "csrf_token": _csrf(client, "/masuk"), "next": "/"}
    assert client.post("/masuk", data=form, follow_redirects=False).status_code == 303


def _upload(client: TestClient, path: str, name: str, content: bytes, csrf: bool = True):  # type: ignore[no-untyped-def]
    data = {"csrf_token": _csrf(client, "/")} if csrf else {}
    return client.post(path, data=data, files={"file": (name, content, "text/csv")})


def _csv(header: list[str] | tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(header)] + [",".join(r.get(c, "") for c in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _errors(page: str) -> list[tuple[int, str, str, str]]:
    table = page.split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    return [
        (int(r), html.unescape(c), html.unescape(v), html.unescape(t))
        for r, c, v, t in _ERROR_ROW.findall(table)
    ]


def _count(page: str, name: str) -> int:
    match = re.search(rf'id="count-{name}">([\d.]+)<', page)
    assert match, f"no count {name}"
    return int(match.group(1).replace(".", ""))


def _merchant_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Merchant)) or 0


MARKET_ROWS = [
    {
        "code": "psr-keramat",
        "name": "Pasar Keramat",
        "kind": "pasar induk",
        "los_count": "120",
        "managing_office": "DKUKMPP",
        "desa_code": "62.02.05.1001",
        "opening_hours": "05.00 - 12.00",
    },
    {"code": "PIM", "name": "Pasar Ikan Mentaya", "kind": "pasar_malam", "kios_count": "60"},
]


def test_market_import_page_stores_the_rows_and_shows_the_counts(
    client: TestClient, db: Session, users: None
) -> None:
    _log_in(client, "imp.admin")
    listing = client.get("/ekonomi/pasar").text
    assert 'href="/ekonomi/pasar/impor"' in listing and "Impor CSV/XLSX" in listing
    form = client.get("/ekonomi/pasar/impor")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text and 'name="csrf_token"' in form.text
    assert 'href="/ekonomi/pasar/impor/templat.csv"' in form.text
    assert [m for m in MARKET_COLUMNS if f"<code>{m}</code>" in form.text] == list(MARKET_COLUMNS)

    response = _upload(client, "/ekonomi/pasar/impor", "pasar.csv", _csv(MARKET_COLUMNS, MARKET_ROWS))
    assert response.status_code == 200, response.text
    page = response.text
    counts = {
        n: _count(page, n) for n in ("rows", "created", "updated", "unchanged", "unresolved", "rejected")
    }
    # PIM has neither desa code nor point: stored, counted unresolved
    assert counts == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "unresolved": 1, "rejected": 0}
    assert 'id="import-errors"' not in page
    db.expire_all()
    stored = {m.code: m for m in db.scalars(select(Market))}
    assert sorted(stored) == ["PIM", "PPM", "PSR-KERAMAT"]
    keramat = stored["PSR-KERAMAT"]
    assert (keramat.kind, keramat.los_count, keramat.desa_code, keramat.opening_hours) == (
        "pasar_induk",
        120,
        "62.02.05.1001",
        "05:00-12:00",
    )
    assert (stored["PIM"].kios_count, stored["PIM"].desa_code) == (60, None)
    audit = db.scalars(select(AuditEntry).where(AuditEntry.event == "economy.market.imported")).one()
    assert (audit.actor_label, audit.object_id, audit.details["created"]) == ("imp.admin", "pasar.csv", 2)

    again = _upload(client, "/ekonomi/pasar/impor", "pasar.csv", _csv(MARKET_COLUMNS, MARKET_ROWS)).text
    assert (_count(again, "created"), _count(again, "unchanged")) == (0, 2)


MERCHANT_ROWS = [
    # row 2: good, desa given
    {"nmid": "ID1000000000001", "name": "Toko Sayur Ani", "desa_code": "62.02.05.1002", "category": "sayur"},
    # row 3: three broken rules in one row
    {
        "nmid": "ID123",
        "name": "Salah Tiga",
        "criteria": "XYZ",
        "onboarded_on": "31/12/2024",
        "postal_code": "74311",
    },
    # row 4: good, in market PPM (the market has no desa: unresolved, kept for review)
    {"name": "Pedagang Sembako Citra", "market_code": "PPM", "stall": "A-12"},
    # row 5: unknown market
    {"name": "Pasar Tak Dikenal", "market_code": "NOPE"},
    # row 6: good; 74322 names two desa: unresolved, kept for review
    {"name": "Jasa Fajar", "postal_code": "74322", "accepts_cashless": "tidak"},
]


def test_merchant_import_page_lists_every_error_and_stores_the_good_rows(
    client: TestClient, db: Session, users: None
) -> None:
    _log_in(client, "imp.dkukmpp")
    listing = client.get("/ekonomi/pedagang").text
    assert 'href="/ekonomi/pedagang/impor"' in listing
    body = _csv(MERCHANT_COLUMNS, MERCHANT_ROWS)
    response = _upload(client, "/ekonomi/pedagang/impor", "pedagang.csv", body)
    assert response.status_code == 200, response.text
    page = response.text
    counts = {n: _count(page, n) for n in ("rows", "created", "updated", "unresolved", "rejected")}
    assert counts == {"rows": 5, "created": 3, "updated": 0, "unresolved": 2, "rejected": 2}
    assert _errors(page) == [
        (3, "nmid", "ID123", "NMID harus 15 karakter: 'ID' diikuti 13 digit"),
        (3, "criteria", "XYZ", "kriteria harus salah satu dari UMI, UKE, UME, UBE, URE"),
        (3, "onboarded_on", "31/12/2024", "tanggal harus berbentuk YYYY-MM-DD"),
        (5, "market_code", "NOPE", "kode pasar tidak terdaftar"),
    ]
    db.expire_all()
    stored = {m.name: m for m in db.scalars(select(Merchant))}
    assert sorted(stored) == ["Jasa Fajar", "Pedagang Sembako Citra", "Toko Sayur Ani"]
    assert (stored["Toko Sayur Ani"].nmid, stored["Toko Sayur Ani"].desa_code) == (
        "ID1000000000001",
        "62.02.05.1002",
    )
    assert stored["Jasa Fajar"].desa_resolution == DesaResolution.UNRESOLVED
    unresolved = page.split('id="import-unresolved"', 1)[1].split("</table>", 1)[0]
    assert _UNRESOLVED_ROW.findall(unresolved) == [
        ("4", str(stored["Pedagang Sembako Citra"].id), "Pedagang Sembako Citra"),
        ("6", str(stored["Jasa Fajar"].id), "Jasa Fajar"),
    ]
    assert 'href="/ekonomi/pedagang/belum-terpetakan"' in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kosong.csv", b"", "kosong.csv: berkas kosong (0 byte). Tidak ada data yang disimpan."),
        ("judul.csv", ",".join(MERCHANT_HEADER).encode() + b"\n", "judul.csv: tidak ada baris data"),
        (
            "salah.csv",
            b"nama,alamat\nToko A,Jl. Pelita\n",
            "salah.csv: kolom wajib tidak ada: name (baris 1)",
        ),
        ("lebih.csv", b"name,desa_code,warna\nToko A,62.02.05.1002,biru\n", "kolom tidak dikenal: warna"),
        ("foto.png", b"\x89PNG\r\n", "foto.png: format tidak dikenal (pakai .csv atau .xlsx)"),
        ("rusak.xlsx", b"PK\x03\x04 bukan xlsx", "rusak.xlsx: bukan spreadsheet XLSX yang terbaca"),
    ],
)
def test_bad_files_are_refused_with_their_message_and_store_nothing(
    client: TestClient, db: Session, users: None, name: str, content: bytes, message: str
) -> None:
    _log_in(client, "imp.admin")
    response = _upload(client, "/ekonomi/pedagang/impor", name, content)
    assert response.status_code == 422
    error = re.search(r'id="import-error" role="alert">(.*?)</div>', response.text)
    assert error and message in html.unescape(error.group(1))
    assert 'id="import-report"' not in response.text
    assert _merchant_count(db) == 0


def test_a_file_over_the_upload_limit_is_refused(
    client: TestClient, db: Session, users: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(view_support, "MAX_UPLOAD_BYTES", 1 << 20)  # 1 MiB instead of 20
    _log_in(client, "imp.admin")
    rows = [{"name": f"Toko {i}", "postal_code": "74311"} for i in range(40_000)]
    body = _csv(MERCHANT_COLUMNS, rows)
    assert len(body) > 1 << 20
    response = _upload(client, "/ekonomi/pedagang/impor", "besar.csv", body)
    assert response.status_code == 413
    assert "besar.csv: berkas terlalu besar (batas 1 MiB). Tidak ada data yang disimpan." in response.text
    assert _merchant_count(db) == 0


def test_a_post_without_a_file_asks_for_one(client: TestClient, db: Session, users: None) -> None:
    _log_in(client, "imp.admin")
    response = client.post("/ekonomi/pasar/impor", data={"csrf_token": _csrf(client, "/")})
    assert response.status_code == 422 and "Pilih berkas CSV atau XLSX." in response.text


def test_without_the_csrf_token_nothing_is_imported(client: TestClient, db: Session, users: None) -> None:
    _log_in(client, "imp.admin")
    body = _csv(MERCHANT_COLUMNS, MERCHANT_ROWS[:1])
    response = _upload(client, "/ekonomi/pedagang/impor", "pedagang.csv", body, csrf=False)
    assert response.status_code == 403 and "CSRF" in response.text
    assert _merchant_count(db) == 0


@pytest.mark.parametrize("username", ["imp.analyst", "imp.surveyor"])
def test_roles_without_the_import_right_get_403(
    client: TestClient, db: Session, users: None, username: str
) -> None:
    _log_in(client, username)
    for path in ("/ekonomi/pedagang/impor", "/ekonomi/pasar/impor"):
        assert client.get(path).status_code == 403
        assert client.get(f"{path}/templat.csv").status_code == 403
    merchant_body = _csv(MERCHANT_COLUMNS, MERCHANT_ROWS[:1])
    assert _upload(client, "/ekonomi/pedagang/impor", "pedagang.csv", merchant_body).status_code == 403
    market_body = _csv(MARKET_COLUMNS, MARKET_ROWS)
    assert _upload(client, "/ekonomi/pasar/impor", "pasar.csv", market_body).status_code == 403
    assert _merchant_count(db) == 0
    assert db.scalar(select(func.count()).select_from(Market)) == 1  # PPM only
    assert 'href="/ekonomi/pasar/impor"' not in client.get("/ekonomi/pasar").text
    merchants = client.get("/ekonomi/pedagang")  # a surveyor may register merchants, not import them
    assert merchants.status_code == 200 and 'href="/ekonomi/pedagang/impor"' not in merchants.text


def test_an_officer_of_another_office_is_refused_on_submit(
    client: TestClient, db: Session, users: None
) -> None:
    """The route table admits every OPD officer (as for the API import); the service checks the office."""
    _log_in(client, "imp.kominfo")
    assert 'href="/ekonomi/pedagang/impor"' not in client.get("/ekonomi/pedagang").text
    assert 'href="/ekonomi/pasar/impor"' not in client.get("/ekonomi/pasar").text
    merchant_body = _csv(MERCHANT_COLUMNS, MERCHANT_ROWS[:1])
    refused = _upload(client, "/ekonomi/pedagang/impor", "pedagang.csv", merchant_body)
    assert refused.status_code == 403
    assert "hanya admin atau petugas DKUKMPP" in html.unescape(refused.text)
    market_body = _csv(MARKET_COLUMNS, MARKET_ROWS)
    assert _upload(client, "/ekonomi/pasar/impor", "pasar.csv", market_body).status_code == 403
    assert _merchant_count(db) == 0
    assert db.scalar(select(func.count()).select_from(Market)) == 1  # PPM only


@pytest.mark.parametrize(
    ("path", "file_name", "columns"),
    [
        ("/ekonomi/pedagang/impor", "templat-impor-pedagang.csv", MERCHANT_COLUMNS),
        ("/ekonomi/pasar/impor", "templat-impor-pasar.csv", MARKET_COLUMNS),
    ],
)
def test_the_template_downloads_with_the_header_and_its_example_row_imports(
    client: TestClient, db: Session, users: None, path: str, file_name: str, columns: tuple[str, ...]
) -> None:
    _log_in(client, "imp.dkukmpp")
    template = client.get(f"{path}/templat.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert template.headers["content-disposition"] == f'attachment; filename="{file_name}"'
    lines = template.text.splitlines()
    assert lines[0] == ",".join(columns) and len(lines) == 2
    page = _upload(client, path, file_name, template.content).text
    assert (_count(page, "created"), _count(page, "rejected")) == (1, 0)
    db.expire_all()
    if "pedagang" in path:
        example = db.scalars(select(Merchant)).one()
        assert (example.name, example.desa_code, example.accepts_cashless) == (
            "Toko Sayur Contoh",
            "62.02.06.1002",
            False,
        )
    else:
        example = db.scalars(select(Market).where(Market.code == "PSR-CONTOH")).one()
        assert (example.kind, example.kios_count, example.los_count) == ("pasar_desa", 40, 12)
