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
