"""The profile page: a refused TOML stays in the editor, an existing profile's TOML can be loaded as a
starting point (``?dari=NAME``, no script needed), the dry run gets the rule descriptions to show."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from ingest_helpers import add_sukses_profile
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from test_ingest_web import admin_token

from smartkotim.economy.ingest import services

DEFAULT_TOML = (Path(services.__file__).parent / "profiles" / "default.toml").read_text(encoding="utf-8")


def editor_text(page: str) -> str:
    """The text in the TOML editor (unescaped)."""
    found = re.search(r'<textarea name="toml_text"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no TOML editor on the page"
    return Markup(found.group(1)).unescape()


def test_editor_starts_from_the_default_profile(client: TestClient, db: Session) -> None:
    page = client.get("/ekonomi/profil", headers=admin_token(db, ["admin"])).text
    assert editor_text(page) == DEFAULT_TOML
    assert 'id="profile-source"' not in page


def test_a_refused_profile_stays_in_the_editor_with_the_error(client: TestClient, db: Session) -> None:
    admin = admin_token(db, ["admin"])
    typed = 'name = "bank-x"\ndescription = "Bank X <laporan> & co"\n[columns]\ntxn_id = "ref"\n'
    response = client.post("/ekonomi/profil", headers=admin, data={"toml_text": typed})
    assert response.status_code == 400
    assert '<p class="error" id="profile-error">' in response.text
    assert editor_text(response.text) == typed
    assert str(escape(typed)) in response.text  # escaped, never raw HTML
    broken = 'name = "bank-x"\n[columns\n'  # not even TOML
    response = client.post("/ekonomi/profil", headers=admin, data={"toml_text": broken})
    assert response.status_code == 400
    assert editor_text(response.text) == broken


def test_a_saved_profile_stays_in_the_editor(client: TestClient, db: Session) -> None:
    admin = admin_token(db, ["admin"])
    text = DEFAULT_TOML.replace('name = "default"', 'name = "bank-y"')
    response = client.post("/ekonomi/profil", headers=admin, data={"toml_text": text})
    assert response.status_code == 200, response.text
    assert '<p class="ok" id="profile-saved">Profil disimpan: bank-y</p>' in response.text
    assert editor_text(response.text) == text


def test_an_existing_profile_is_loaded_into_the_editor(client: TestClient, db: Session) -> None:
    admin = admin_token(db, ["admin"])
    add_sukses_profile(db, name="banka")
    stored = client.get("/api/economy/profiles", headers=admin).json()
    banka = next(p["toml_text"] for p in stored if p["name"] == "banka")
    assert banka != DEFAULT_TOML

    page = client.get("/ekonomi/profil", headers=admin).text
    assert '<a href="/ekonomi/profil?dari=banka#toml_text">Mulai dari profil ini</a>' in page
    assert '<form method="get" action="/ekonomi/profil" id="profile-load-form"' in page
    assert '<select name="dari" id="profile-load">' in page

    loaded = client.get("/ekonomi/profil?dari=banka", headers=admin)
    assert loaded.status_code == 200
    assert editor_text(loaded.text) == banka
    assert '<option value="banka" selected>banka</option>' in loaded.text
    assert (
        '<p class="muted" id="profile-source">Teks di bawah dimuat dari profil <code>banka</code>. '
        "Ubah nilai name untuk menyimpannya sebagai profil baru.</p>"
    ) in loaded.text
    assert editor_text(client.get("/ekonomi/profil?dari=default", headers=admin).text) == DEFAULT_TOML


def test_loading_an_unknown_profile_says_so(client: TestClient, db: Session) -> None:
    admin = admin_token(db, ["admin"])
    response = client.get("/ekonomi/profil?dari=%3Cbank%3E", headers=admin)
    assert response.status_code == 404
    expected = '<p class="error" id="profile-missing">Profil tidak ditemukan: <code>&lt;bank&gt;</code></p>'
    assert expected in response.text
    assert editor_text(response.text) == DEFAULT_TOML
    client.get("/bahasa/en")
    response = client.get("/ekonomi/profil?dari=nope", headers=admin)
    assert '<p class="error" id="profile-missing">Profile not found: <code>nope</code></p>' in response.text


def _rule_labels(page: str) -> dict[str, str]:
    found = re.search(r'data-rule-labels="([^"]*)"', page)
    assert found, "no rule labels for the preview"
    labels: dict[str, str] = json.loads(Markup(found.group(1)).unescape())
    return labels


def test_preview_gets_the_rule_descriptions_in_the_page_language(client: TestClient, db: Session) -> None:
    admin = admin_token(db, ["admin"])
    page = client.get("/ekonomi/profil", headers=admin).text
    labels = _rule_labels(page)
    assert labels["amount_not_positive"] == "Nominal nol atau negatif"
    assert labels["unknown_nmid"] == "NMID belum terdaftar: baris dikarantina"
    assert "<th>Waktu (WIB)</th><th>Tanggal (WIB)</th>" in page
    assert '<p class="muted">Waktu ditampilkan dalam WIB (UTC+7).</p>' in page
    client.get("/bahasa/en")
    page = client.get("/ekonomi/profil", headers=admin).text
    labels = _rule_labels(page)
    assert labels["amount_not_positive"] == "Amount is zero or negative"
    assert labels["timestamp_future"] == "Time after the batch started (in the future)"
    assert "<th>Time (WIB)</th><th>Date (WIB)</th>" in page
