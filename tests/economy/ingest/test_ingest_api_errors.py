"""API answers of the ingest: refusals carry their status and say why; re-processing reads JSON too."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from ingest_helpers import add_sukses_profile, row, write_csv
from sqlalchemy.orm import Session, sessionmaker

from conftest import Ingest
from smartkotim.config import Settings
from smartkotim.economy.ingest.models import IngestBatch
from smartkotim.jobs import run_next_job


def test_refused_uploads_say_why_with_their_status(
    tmp_path: Path, client: TestClient, db: Session, banks: dict[str, int], merchants: list[str]
) -> None:
    from test_ingest_web import make_token, upload

    path = write_csv(tmp_path / "a.csv", [row("T1")])
    reader = make_token(db, username="baca", role="bank_partner", org_id=banks["BANKA"], scopes=["read"])
    bank_a = make_token(db, username="bank-a", role="bank_partner", org_id=banks["BANKA"], scopes=["ingest"])

    no_scope = upload(client, reader, path)
    assert no_scope.status_code == 403  # type: ignore[attr-defined]
    body = no_scope.json()  # type: ignore[attr-defined]
    assert body["status"] == 403 and body["required_scope"] == "ingest"
    assert "cakupan" in body["detail"]

    other_bank = upload(client, bank_a, path, bank="BANKB")
    assert other_bank.status_code == 403  # type: ignore[attr-defined]
    assert other_bank.json() == {  # type: ignore[attr-defined]
        "detail": "akun bank BANKA tidak boleh mengunggah laporan bank BANKB",
        "batch_id": None,
        "status": 403,
    }
    unknown = upload(client, make_admin(db), path, bank="BANKZ")
    assert unknown.status_code == 400  # type: ignore[attr-defined]
    assert unknown.json()["status"] == 400 and "BANKZ" in unknown.json()["detail"]  # type: ignore[attr-defined]

    missing_file = client.post("/api/economy/batches", headers=bank_a, data={"profile": "default"})
    assert missing_file.status_code == 422
    assert missing_file.json()["detail"] == [
        {"loc": ["body", "file"], "msg": "wajib diisi", "type": "missing"}
    ]
    assert db.query(IngestBatch).count() == 0


def make_admin(db: Session) -> dict[str, str]:
    from test_ingest_web import admin_token

    return admin_token(db, ["read", "ingest"])


def test_a_bad_id_in_a_path_is_explained_in_indonesian(client: TestClient, db: Session) -> None:
    headers = make_admin(db)
    api = client.get("/api/economy/batches/abc", headers=headers)
    assert api.status_code == 422
    assert api.json()["detail"] == [
        {"loc": ["path", "batch_id"], "msg": "harus bilangan bulat", "type": "int_parsing"}
    ]
    page = client.get("/ekonomi/batch/abc", headers=headers)
    assert page.status_code == 422
    assert "batch_id: harus bilangan bulat" in page.text and "Input should" not in page.text


def test_reprocess_reads_the_profile_from_a_json_body_or_the_form(
    tmp_path: Path,
    ingest: Ingest,
    client: TestClient,
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    first = ingest(write_csv(tmp_path / "a.csv", [row("T1"), row("T2", status="SUKSES")]))
    assert first.rows_rejected == 1
    name = add_sukses_profile(db)
    headers = make_admin(db)
    url = f"/api/economy/batches/{first.id}/reprocess"

    bad = client.post(url, headers=headers | {"content-type": "application/json"}, content=b"{")
    assert bad.status_code == 422 and bad.json()["status"] == 422
    misspelt = client.post(url, headers=headers, json={"profil": name})
    assert misspelt.status_code == 422
    assert misspelt.json()["detail"] == "kunci tidak dikenal: profil (yang dikenal: profile)"
    schema = client.get("/api/openapi.json", headers=headers).json()
    body = schema["paths"]["/api/economy/batches/{batch_id}/reprocess"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["properties"]["profile"]["type"] == "string"
    wrong_type = client.post(url, headers=headers, json={"profile": 7})
    assert wrong_type.status_code == 422 and "teks" in wrong_type.json()["detail"]
    unknown = client.post(url, headers=headers, json={"profile": "tidak-ada"})
    assert unknown.status_code == 400 and "tidak-ada" in unknown.json()["detail"]

    response = client.post(url, headers=headers, json={"profile": name})
    assert response.status_code == 202, response.text
    assert response.json()["profile_name"] == name
    while run_next_job(settings, session_factory) is not None:  # the ingest job, then its metrics refresh
        pass
    db.expire_all()
    done = db.get(IngestBatch, response.json()["id"])
    assert done is not None and (done.status, done.rows_accepted) == ("applied", 1)


def test_a_profile_made_for_one_bank_is_hidden_from_and_refused_for_another(
    tmp_path: Path, client: TestClient, db: Session, banks: dict[str, int], merchants: list[str]
) -> None:
    from pathlib import Path as _Path

    from test_ingest_web import make_token

    from smartkotim.economy.ingest import profile_services, services

    toml = (_Path(services.__file__).parent / "profiles" / "default.toml").read_text(encoding="utf-8")
    toml = toml.replace('name = "default"', 'name = "khusus-a"\nacquirer_code = "BANKA"')
    profile_services.add_profile(db, toml_text=toml, principal=None)
    bank_a = make_token(
        db, username="bank-a", role="bank_partner", org_id=banks["BANKA"], scopes=["read", "ingest"]
    )
    bank_b = make_token(
        db, username="bank-b", role="bank_partner", org_id=banks["BANKB"], scopes=["read", "ingest"]
    )

    seen_b = [p["name"] for p in client.get("/api/economy/profiles", headers=bank_b).json()]
    seen_a = [p["name"] for p in client.get("/api/economy/profiles", headers=bank_a).json()]
    assert "khusus-a" not in seen_b and "khusus-a" in seen_a and "default" in seen_b
    assert "khusus-a" not in client.get("/ekonomi/unggah", headers=bank_b).text

    path = write_csv(tmp_path / "b.csv", [row("T1", bank="BANKB")])
    with path.open("rb") as handle:
        refused = client.post(
            "/api/economy/batches",
            headers=bank_b,
            files={"file": (path.name, handle)},
            data={"profile": "khusus-a"},
        )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "profil 'khusus-a' khusus untuk laporan bank BANKA, bukan bank BANKB"

    own = write_csv(tmp_path / "a.csv", [row("T2")])
    with own.open("rb") as handle:
        accepted = client.post(
            "/api/economy/batches",
            headers=bank_a,
            files={"file": (own.name, handle)},
            data={"profile": "khusus-a", "bank_code": "banka"},  # the code in any case
        )
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["acquirer_code"] == "BANKA"
