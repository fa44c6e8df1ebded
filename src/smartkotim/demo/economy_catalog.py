"""The economy demo's fixed tables: Kotim's markets (real names, public kios/los figures, points checked
to lie inside their desa), one desa market per other kecamatan, trader categories and names.

Synthetic apart from the market names and counts; see docs/demo_data.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoMarket:
    """A demo market: register fields plus how many traders to generate and whether it opens at night."""

    code: str
    name: str
    kind: str
    desa_suffix: str  # e.g. "06.1002" below the regency code
    lat: float
    lon: float
    kios: int | None
    los: int | None
    traders: int
    days: str = "Setiap hari"
    hours: str = "05:00-12:00"
    office: str | None = "DKUKMPP"

    @property
    def night(self) -> bool:
        return self.kind == "pasar_malam"


MARKETS = (
    DemoMarket(
        "PPM",
        "Pusat Perbelanjaan Mentaya (PPM)",
        "pasar_induk",
        "06.1002",
        -2.5471,
        112.9493,
        350,
        250,
        600,
        hours="05:00-17:00",
    ),
    DemoMarket(
        "PIM",
        "Pasar Ikan Mentaya (malam, kompleks PPM)",
        "pasar_malam",
        "06.1002",
        -2.5472,
        112.9486,
        None,
        60,
        60,
        days="Setiap malam",
        hours="17:00-23:00",
    ),
    DemoMarket("PSR-KERAMAT", "Pasar Keramat", "pasar_induk", "05.1001", -2.5319, 112.9560, 120, 180, 300),
    DemoMarket(
        "PSR-EKS-MENTAYA", "Pasar Eks Mentaya", "pasar_induk", "06.1002", -2.5473, 112.9471, None, 222, 222
    ),
    DemoMarket(
        "PSR-AL-KAMAL",
        "Pasar Al Kamal",
        "pasar_induk",
        "05.1002",
        -2.5290,
        112.9590,
        None,
        190,
        190,
        office=None,
    ),
    DemoMarket(
        "PSR-UMAR-HASYIM",
        "Pasar H. Umar Hasyim",
        "pasar_induk",
        "08.1008",
        -2.8705,
        112.9112,
        60,
        100,
        150,
        hours="06:00-12:00",
    ),
    DemoMarket(
        "PKL-TAMAN-KOTA",
        "Area PKL Taman Kota Sampit",
        "pkl_area",
        "06.1003",
        -2.5572,
        112.9456,
        None,
        None,
        60,
        hours="16:00-23:00",
    ),
)
# One desa market per other kecamatan, near its capital: (kecamatan, desa suffix, name, lat, lon, traders).
DESA_MARKETS = (
    ("01", "01.1009", "Pasar Kota Besi", -2.412, 112.9878, 70),
    ("02", "02.2008", "Pasar Cempaka Mulia", -2.3124, 113.0119, 50),
    ("03", "03.1012", "Pasar Kuala Kuayan", -1.98, 112.45, 60),
    ("04", "04.1004", "Pasar Parenggean", -2.0117, 112.7529, 90),
    ("07", "07.2002", "Pasar Bagendang", -2.784, 112.8302, 45),
    ("09", "09.2002", "Pasar Bapinang", -2.85, 113.05, 45),
    ("10", "10.2001", "Pasar Tumbang Kalang", -1.49, 112.69, 35),
    ("11", "11.2004", "Pasar Ujung Pandaran", -3.22, 112.89, 40),
    ("12", "12.1001", "Pasar Mentaya Seberang", -2.56, 113.07, 60),
    ("13", "13.2001", "Pasar Pundu", -1.92, 113.09, 50),
    ("14", "14.2001", "Pasar Sebabi", -2.34, 112.53, 40),
    ("15", "15.2004", "Pasar Tumbang Penyahuan", -1.84, 112.38, 30),
    ("16", "16.2001", "Pasar Luwuk Sampun", -1.7283, 112.6794, 35),
    ("17", "17.2004", "Pasar Tumbang Mangkup", -1.77, 112.55, 35),
)
SHOPS_OUTSIDE_MARKETS = 650
MARKET_CATEGORIES = (
    "sayur",
    "ikan",
    "daging",
    "ayam",
    "sembako",
    "pakaian",
    "kue",
    "bumbu",
    "buah",
    "makanan_jadi",
)
NIGHT_CATEGORIES = ("ikan", "makanan_jadi", "minuman")
SHOP_CATEGORIES = ("kelontong", "makanan_jadi", "jasa", "minuman", "sembako")
MEDIAN_AMOUNT = {"pakaian": 85_000, "sembako": 45_000, "daging": 60_000, "ikan": 35_000, "jasa": 40_000}
OWNERS = (
    "Siti",
    "Ani",
    "Budi",
    "Rahmat",
    "Yanti",
    "Hendra",
    "Rina",
    "Agus",
    "Dewi",
    "Ahmad",
    "Fitri",
    "Joko",
    "Nur",
    "Samsul",
    "Wati",
    "Iwan",
    "Lina",
    "Usman",
    "Erna",
    "Dayak",
    "Ujang",
    "Maya",
    "Rudi",
    "Halimah",
)


SECOND_NAMES = (
    "Aminah",
    "Wahyuni",
    "Saputra",
    "Hidayat",
    "Lestari",
    "Kurniawan",
    "Susanti",
    "Pratama",
    "Rahayu",
    "Setiawan",
    "Hasan",
    "Marlina",
    "Syahputra",
    "Handayani",
    "Gunawan",
    "Sari",
)
