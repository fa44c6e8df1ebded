"""The web shell: home, health, language switch, error pages, security headers, assets."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_reports_database_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_home_lists_the_six_dimensions_in_indonesian(client: TestClient) -> None:
    html = client.get("/").text
    for name in ("Smart Governance", "Smart Economy", "Smart Environment", "Smart Living", "Smart People"):
        assert name in html
    assert "Enam dimensi masterplan" in html


def test_language_switch_translates_the_layout(client: TestClient) -> None:
    assert "Masuk" in client.get("/").text
    response = client.get("/bahasa/en?next=/", follow_redirects=False)
    assert response.status_code == 303
    html = client.get("/").text
    assert "Six dimensions of the smart city masterplan" in html
    assert ">Log in<" in html


def test_language_switch_refuses_foreign_redirects(client: TestClient) -> None:
    response = client.get("/bahasa/en?next=//evil.example", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text
    assert client.get("/api/tidak-ada").json()["status"] == 404


def test_security_headers_on_every_page(client: TestClient) -> None:
    response = client.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_assets_are_served_by_the_app(client: TestClient) -> None:
    assert client.get("/static/vendor/plotly.min.js").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    docs = client.get("/api/docs").text
    assert "/static/apidocs/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_favicon_is_linked_and_served(client: TestClient) -> None:
    html = client.get("/").text
    assert '<link rel="icon" href="/static/img/favicon.svg"' in html
    response = client.get("/static/img/favicon.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")


def test_unknown_language_is_a_404(client: TestClient) -> None:
    assert client.get("/bahasa/fr", follow_redirects=False).status_code == 404


def test_error_pages_follow_the_language_switch(client: TestClient) -> None:
    client.get("/bahasa/en?next=/")
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Back to home" in response.text


def test_marked_strings_are_returned_unchanged() -> None:
    from smartkotim.web.i18n import N_, translate

    assert N_("Akses ditolak") == "Akses ditolak"
    assert translate("Akses ditolak", "en") == "Access denied"
    assert translate("Akses ditolak", "id") == "Akses ditolak"
    assert translate("Teks tanpa terjemahan", "en") == "Teks tanpa terjemahan"  # falls back to the source
