"""Pages and API: upload with a bearer token (scope ``ingest``), the job, bank scoping, error CSV."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from ingest_helpers import add_sukses_profile, row, write_csv
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import Ingest
from smartkotim.accounts import services
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.models import ApiToken, Organisation, User
from smartkotim.accounts.roles import Role
from smartkotim.accounts.services import hash_token
from smartkotim.config import Settings
from smartkotim.db import utcnow
from smartkotim.economy.ingest import services as ingest_services
from smartkotim.economy.ingest.models import IngestBatch
from smartkotim.economy.metrics.models import EconomyMetric
from smartkotim.jobs import Job, run_next_job


def make_token(db: Session, *, username: str, role: str, org_id: int, scopes: list[str]) -> dict[str, str]:
    user = User(
        username=username,
        display_name=username,
        password_hash="-",
        role=role,
        organisation_id=org_id,
        session_version="v1",
    )
    db.add(user)
    db.flush()
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(24).replace("_", "-")
    raw = f"skt_{prefix}_{secret}"
    db.add(
        ApiToken(
            user_id=user.id,
            name="test",
            token_prefix=prefix,
            token_hash=hash_token(raw),
            scopes=scopes,
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


def admin_token(db: Session, scopes: list[str]) -> dict[str, str]:
    """Headers of an admin of the OPD ``DISKOMINFO`` (created here) with a token of ``scopes``."""
    org = Organisation(code="DISKOMINFO", name="Diskominfo", kind="opd")
    db.add(org)
    db.commit()
    return make_token(db, username="admin", role="admin", org_id=org.id, scopes=scopes)


def upload(client: TestClient, headers: dict[str, str], path: Path, bank: str | None = None) -> object:
    data = {"profile": "default"} | ({"bank_code": bank} if bank else {})
    with path.open("rb") as handle:
        return client.post(
            "/api/economy/batches", headers=headers, files={"file": (path.name, handle)}, data=data
        )


def test_api_upload_with_token_runs_as_a_job_and_is_scoped_to_the_bank(
    client: TestClient,
    db: Session,
    merchants: list[str],
    banks: dict[str, int],
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    bank_a = make_token(
        db, username="bank-a", role="bank_partner", org_id=banks["BANKA"], scopes=["read", "ingest"]
    )
    bank_b = make_token(
        db, username="bank-b", role="bank_partner", org_id=banks["BANKB"], scopes=["read", "ingest"]
    )
    reader = make_token(
        db, username="bank-a-read", role="bank_partner", org_id=banks["BANKA"], scopes=["read"]
    )
    path = write_csv(tmp_path / "../etc passwd=evil.csv", [row("T1", amount="1000"), row("T2", amount="x")])

    assert upload(client, reader, path).status_code == 403  # a read token cannot upload
    assert upload(client, bank_a, path, bank="BANKB").status_code == 403  # not its own bank
    response = upload(client, bank_a, path)
    assert response.status_code == 202, response.text
    batch_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    assert "/" not in response.json()["file_name"]

    assert run_next_job(settings, session_factory) is not None
    # the worker's ingest job queued the metrics refresh of the batch's day as the next job
    queued = db.scalars(select(Job).where(Job.kind == "economy.metrics.update")).all()
    assert [(j.status, j.payload) for j in queued] == [
        ("queued", {"batch_id": batch_id, "batch_ids": [batch_id], "days": ["2026-10-05"]})
    ]
    assert db.scalars(select(EconomyMetric).where(EconomyMetric.period_id == "2026-10")).first() is None
    assert run_next_job(settings, session_factory) == queued[0].id
    db.expire_all()
    october = db.scalars(
        select(EconomyMetric).where(EconomyMetric.period_id == "2026-10", EconomyMetric.level == "kabupaten")
    ).one()
    assert (october.transactions, october.value) == (1, 1000)
    detail = client.get(f"/api/economy/batches/{batch_id}", headers=bank_a).json()
    assert "batch" in detail, detail
    assert detail["batch"]["status"] == "applied"
    assert (detail["batch"]["rows_accepted"], detail["batch"]["rows_rejected"]) == (1, 1)
    assert detail["errors"] == [{"row_no": 3, "column": "amount", "raw_value": "x", "rule": "amount_invalid"}]
    assert not list((settings.data_dir / "tmp" / "spool").glob("*"))  # spool deleted

    again = upload(client, bank_a, path)
    assert again.status_code == 409 and again.json()["batch_id"] == batch_id

    assert client.get(f"/api/economy/batches/{batch_id}", headers=bank_b).status_code == 404
    assert client.get("/api/economy/batches", headers=bank_b).json() == []
    assert [b["id"] for b in client.get("/api/economy/batches", headers=bank_a).json()] == [batch_id]
    assert client.get(f"/ekonomi/batch/{batch_id}", headers=bank_b).status_code == 404
    page = client.get(f"/ekonomi/batch/{batch_id}", headers=bank_a)
    assert page.status_code == 200 and "amount_invalid" in page.text

    csv_text = client.get(f"/ekonomi/batch/{batch_id}/galat.csv", headers=bank_a).text
    assert csv_text.splitlines() == ["row,column,raw_value,rule", "3,amount,x,amount_invalid"]
    scorecard = client.get("/api/economy/scorecard", headers=bank_a).json()
    assert [(r["acquirer_code"], r["month"], r["revisions"]) for r in scorecard] == [("BANKA", "2026-10", 0)]


def test_pages_render_for_an_admin(client: TestClient, db: Session, banks: dict[str, int]) -> None:
    admin = admin_token(db, ["admin"])
    for url in ("/ekonomi/unggah", "/ekonomi/batch", "/ekonomi/profil", "/ekonomi/rekap-pelaporan"):
        response = client.get(url, headers=admin)
        assert response.status_code == 200, url
    assert "default" in [p["name"] for p in client.get("/api/economy/profiles", headers=admin).json()]
    bad = client.post("/api/economy/profiles", headers=admin, json={"toml_text": 'name = "x"'})
    assert bad.status_code == 400 and "columns" in bad.json()["detail"]


def test_error_csv_neutralises_formulas() -> None:
    from smartkotim.economy.ingest.views import neutralise

    assert [neutralise(v) for v in ("=1+1", "+62", "-5", "@SUM", "ok", None)] == [
        "'=1+1",
        "'+62",
        "'-5",
        "'@SUM",
        "ok",
        "",
    ]


_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def test_reprocess_form_offers_the_profiles_and_applies_the_one_chosen(
    client: TestClient,
    db: Session,
    ingest: Ingest,
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    password = "correct horse battery"  # test-only
    services.create_user(
        db,
        username="bank.a",
        role=Role.BANK_PARTNER,
        organisation_code="BANKA",
        password=password,
        region_code=None,
        by=Actor(label="test"),
    )
    token = _META_CSRF.search(client.get("/masuk").text)
    assert token
    login = {"username": "bank.a", "password": password, "csrf_token": token.group(1), "next": "/"}
    assert client.post("/masuk", data=login, follow_redirects=False).status_code == 303
    clean = ingest(write_csv(tmp_path / "clean.csv", [row("T0")]))
    first = ingest(write_csv(tmp_path / "a.csv", [row("T1"), row("T2", status="SUKSES")]))
    add_sukses_profile(db)

    assert "reprocess-button" not in client.get(f"/ekonomi/batch/{clean.id}").text  # nothing failed
    page = client.get(f"/ekonomi/batch/{first.id}").text
    assert '<option value="default" selected>' in page and '<option value="banka" >' in page
    csrf = _META_CSRF.search(page)
    assert csrf
    response = client.post(
        f"/ekonomi/batch/{first.id}/proses-ulang",
        data={"profile": "banka", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert run_next_job(settings, session_factory) is not None
    new_id = int(response.headers["location"].rsplit("/", 1)[1])
    db.expire_all()
    done = db.get_one(IngestBatch, new_id)
    assert (done.profile_name, done.status, done.rows_read, done.rows_accepted) == ("banka", "applied", 1, 1)


def test_profile_preview_parses_the_first_rows_for_the_bank_chosen(
    client: TestClient,
    db: Session,
    merchants: list[str],
    banks: dict[str, int],
    tmp_path: Path,
    settings: Settings,
) -> None:
    admin = admin_token(db, ["admin", "ingest", "read"])
    page = client.get("/ekonomi/profil", headers=admin).text
    assert '<select name="bank_code" id="preview-bank">' in page and '<option value="BANKA">' in page
    path = write_csv(tmp_path / "sample.csv", [row("T1", payer="CIF-9"), row("T2", amount="-5000")])
    with path.open("rb") as handle:
        response = client.post(
            "/api/economy/profiles/preview",
            headers=admin,
            files={"file": ("sample.csv", handle)},
            data={"profile": "default", "bank_code": "BANKA"},
        )
    assert response.status_code == 200, response.text
    first, second = response.json()["rows"]
    # the pseudonym travels as text (a JSON number above 2**53 would lose digits in a browser)
    assert first["payer"] == str(ingest_services.pseudonymise(settings, "CIF-9"))
    assert (first["row_no"], first["amount"], first["rules"]) == (2, 25000, [])
    assert (second["row_no"], second["amount"], second["rules"]) == (3, -5000, ["amount_not_positive"])
    assert not list(settings.ledger_dir.rglob("*.parquet"))  # nothing stored


def test_metrics_refreshes_of_quick_uploads_coalesce_into_one_job(
    client: TestClient,
    db: Session,
    merchants: list[str],
    banks: dict[str, int],
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    bank_a = make_token(
        db, username="bank-a", role="bank_partner", org_id=banks["BANKA"], scopes=["read", "ingest"]
    )
    days = ("2026-10-05", "2026-10-07")
    ids = []
    for i, day in enumerate(days):
        path = write_csv(tmp_path / f"{i}.csv", [row(f"T{i}", ts=f"{day}T10:00:00+07:00", amount="1000")])
        ids.append(upload(client, bank_a, path).json()["id"])
    assert run_next_job(settings, session_factory) is not None  # the first batch
    assert run_next_job(settings, session_factory) is not None  # the second batch
    refreshes = db.scalars(select(Job).where(Job.kind == "economy.metrics.update")).all()
    assert [(j.status, j.payload) for j in refreshes] == [
        ("queued", {"batch_id": ids[1], "batch_ids": ids, "days": list(days)})
    ]
    assert run_next_job(settings, session_factory) == refreshes[0].id
    db.expire_all()
    done = db.get_one(Job, refreshes[0].id)
    assert (done.status, done.result["batch_ids"], done.result["days"]) == ("succeeded", ids, 2)
    october = db.scalars(
        select(EconomyMetric).where(EconomyMetric.period_id == "2026-10", EconomyMetric.level == "kabupaten")
    ).one()
    assert (october.transactions, october.value) == (2, 2000)
    # nothing else was queued: one refresh for both batches
    assert run_next_job(settings, session_factory) is None
