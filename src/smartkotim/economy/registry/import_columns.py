"""The columns of the market and merchant import files as the import pages explain them, and the
downloadable template CSV (the header row and one example row).

The column names come from the import services (``MARKET_COLUMNS``, ``MERCHANT_COLUMNS``), so the page,
the template and the importer cannot disagree; only the explanations are written here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from smartkotim.economy.registry.market_services import MARKET_COLUMNS
from smartkotim.economy.registry.merchant_import import MERCHANT_COLUMNS
from smartkotim.web.i18n import N_

REQUIRED = N_("wajib")
LOCATION = N_("salah satu kolom lokasi")
OPTIONAL = N_("boleh kosong")

DESA_RULE = N_("Kode desa/kelurahan Kemendagri, mis. 62.02.06.1002")
LAT_RULE = N_("Lintang, derajat desimal WGS84 (-2.5405 atau -2,5405); diisi bersama lon")
LON_RULE = N_("Bujur, derajat desimal WGS84 (112.948 atau 112,948); diisi bersama lat")


@dataclass(frozen=True, slots=True)
class ImportColumn:
    """One column of an import file: its name, whether it is needed (Indonesian) and its rule."""

    name: str
    need: str
    rule: str


@dataclass(frozen=True, slots=True)
class ImportFormat:
    """What one import page needs: the columns, the template's example row and file name, the URLs."""

    kind: str  # "market" or "merchant"
    columns: tuple[ImportColumn, ...]
    example: tuple[str, ...]
    template_name: str
    page_url: str
    list_url: str
    api_url: str

    @property
    def template_url(self) -> str:
        return f"{self.page_url}/templat.csv"

    def template_csv(self) -> str:
        """The template file: the header row and the example row (UTF-8 text, comma-separated)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in self.columns])
        writer.writerow(self.example)
        return out.getvalue()


def _columns(
    names: tuple[str, ...], needs: dict[str, str], rules: dict[str, str]
) -> tuple[ImportColumn, ...]:
    return tuple(ImportColumn(name, needs.get(name, OPTIONAL), rules[name]) for name in names)


MARKET_FORMAT = ImportFormat(
    kind="market",
    columns=_columns(
        MARKET_COLUMNS,
        {"code": REQUIRED, "name": REQUIRED, "kind": REQUIRED},
        {
            "code": N_(
                "Kode pasar: huruf, angka, '.', '_' atau '-' (maks. 40), mis. PSR-KERAMAT; "
                "kode yang sudah ada memperbarui pasar itu"
            ),
            "name": N_("Nama pasar"),
            "kind": N_("pasar_induk, pasar_desa, pasar_malam atau pkl_area"),
            "kios_count": N_("Jumlah kios: bilangan bulat ≥ 0 tanpa pemisah ribuan (1200, bukan 1.200)"),
            "los_count": N_("Jumlah los: bilangan bulat ≥ 0 tanpa pemisah ribuan (1200, bukan 1.200)"),
            "managing_office": N_("Kode organisasi pengelola yang terdaftar, biasanya DKUKMPP"),
            "desa_code": DESA_RULE,
            "lat": LAT_RULE,
            "lon": LON_RULE,
            "market_days": N_("Hari pasar, teks bebas (mis. Setiap hari)"),
            "opening_hours": N_("Jam buka HH:MM-HH:MM WIB, mis. 05:00-12:00"),
        },
    ),
    example=(
        "PSR-CONTOH",
        "Pasar Contoh",
        "pasar_desa",
        "40",
        "12",
        "DKUKMPP",
        "62.02.06.1002",
        "-2.5405",
        "112.948",
        "Setiap hari",
        "05:00-12:00",
    ),
    template_name="templat-impor-pasar.csv",
    page_url="/ekonomi/pasar/impor",
    list_url="/ekonomi/pasar",
    api_url="/api/economy/markets/import",
)

MERCHANT_LOCATION_COLUMNS = ("market_code", "desa_code", "lat", "lon", "postal_code", "address")

MERCHANT_FORMAT = ImportFormat(
    kind="merchant",
    columns=_columns(
        MERCHANT_COLUMNS,
        {"name": REQUIRED} | dict.fromkeys(MERCHANT_LOCATION_COLUMNS, LOCATION),
        {
            "nmid": N_("NMID QRIS: ID + 13 angka; kosong untuk pedagang tanpa QRIS"),
            "name": N_("Nama pedagang atau usaha"),
            "criteria": N_("Kriteria QRIS: UMI, UKE, UME, UBE atau URE"),
            "category": N_(
                "Kategori lokal (sayur, buah, ikan, daging, ayam, sembako, kelontong, pakaian, "
                "makanan_jadi, minuman, kue, bumbu, elektronik, perhiasan, jasa, lainnya) atau MCC 4 angka"
            ),
            "market_code": N_("Kode pasar yang sudah terdaftar, mis. PPM"),
            "stall": N_("Nomor kios, los atau lapak (teks bebas)"),
            "desa_code": DESA_RULE,
            "lat": LAT_RULE,
            "lon": LON_RULE,
            "postal_code": N_("Kode pos 5 angka"),
            "address": N_("Alamat (teks bebas)"),
            "acquirer": N_("Kode bank pengakuisisi QRIS yang terdaftar, mis. BRI"),
            "onboarded_on": N_("Tanggal mulai QRIS, YYYY-MM-DD"),
            "accepts_cashless": N_("ya/tidak (atau true/false, 1/0); kosong berarti ya bila NMID diisi"),
        },
    ),
    example=(
        "",
        "Toko Sayur Contoh",
        "UMI",
        "sayur",
        "",
        "A-12",
        "62.02.06.1002",
        "-2.5405",
        "112.948",
        "",
        "Jl. Contoh No. 1",
        "",
        "",
        "tidak",
    ),
    template_name="templat-impor-pedagang.csv",
    page_url="/ekonomi/pedagang/impor",
    list_url="/ekonomi/pedagang",
    api_url="/api/economy/merchants/import",
)
