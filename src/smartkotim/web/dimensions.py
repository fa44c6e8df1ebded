"""The six dimensions of the Gerakan Menuju Smart City framework (Kominfo), three elements each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dimension:
    """A dimension with its Indonesian name, elements and the platform's pages for it (label, URL)."""

    name: str
    summary: str
    elements: tuple[str, str, str]
    links: tuple[tuple[str, str], ...] = ()


DIMENSIONS: dict[str, Dimension] = {
    "governance": Dimension(
        "Smart Governance",
        "Tata kelola pemerintahan",
        ("Pelayanan publik", "Manajemen birokrasi", "Kebijakan publik"),
    ),
    "economy": Dimension(
        "Smart Economy",
        "Ekosistem transaksi non-tunai di pasar: prioritas pertama masterplan Kotim",
        ("Ekosistem industri", "Kesejahteraan rakyat", "Ekosistem transaksi keuangan"),
        (
            ("Wilayah", "/wilayah"),
            # economy: metrics
            ("Dasbor non-tunai", "/ekonomi"),
            ("Peringkat wilayah", "/ekonomi/peringkat"),
            ("Tampilan pimpinan", "/ekonomi/pimpinan"),
        ),
    ),
    "environment": Dimension(
        "Smart Environment",
        "Lingkungan hidup",
        ("Proteksi lingkungan", "Pengelolaan sampah", "Pengelolaan energi"),
    ),
    "living": Dimension(
        "Smart Living",
        "Kualitas hidup",
        ("Harmonisasi tata ruang", "Kesehatan", "Sarana transportasi"),
    ),
    "people": Dimension(
        "Smart People",
        "Masyarakat",
        ("Ekosistem komunitas", "Ekosistem belajar", "Keamanan"),
    ),
    "branding": Dimension(
        "Smart Branding",
        "Citra daerah",
        ("Ekosistem pariwisata", "Ekosistem bisnis", "Wajah kota"),
    ),
}
