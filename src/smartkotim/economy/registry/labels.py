"""Indonesian labels of the register's stored values (market kinds, statuses, desa resolution, categories).

Templates show ``{{ _(value_label(m.kind)) }}``: the Indonesian label is the source text, the English is
in ``web/locales/en/economy_registry.json``. Unknown values (e.g. a 4-digit MCC) are shown as they are.
"""

from __future__ import annotations

from smartkotim.web.i18n import N_

VALUE_LABELS: dict[str, str] = {
    # market kinds
    "pasar_induk": N_("Pasar induk"),
    "pasar_desa": N_("Pasar desa"),
    "pasar_malam": N_("Pasar malam"),
    "pkl_area": N_("Area PKL"),
    # merchant statuses
    "active": N_("Aktif"),
    "inactive": N_("Tidak aktif"),
    "merged": N_("Digabung"),
    # how the desa was found
    "code": N_("kode desa"),
    "point": N_("titik koordinat"),
    "market": N_("desa pasar"),
    "postal_code": N_("kode pos"),
    "address": N_("alamat"),
    "unresolved": N_("belum terpetakan"),
    # merchant sources
    "form": N_("Formulir"),
    "import": N_("Impor berkas"),
    "demo": N_("Demo (sintetis)"),
    # local categories
    "sayur": N_("Sayur"),
    "buah": N_("Buah"),
    "ikan": N_("Ikan"),
    "daging": N_("Daging"),
    "ayam": N_("Ayam"),
    "sembako": N_("Sembako"),
    "kelontong": N_("Kelontong"),
    "pakaian": N_("Pakaian"),
    "makanan_jadi": N_("Makanan jadi"),
    "minuman": N_("Minuman"),
    "kue": N_("Kue"),
    "bumbu": N_("Bumbu"),
    "elektronik": N_("Elektronik"),
    "perhiasan": N_("Perhiasan"),
    "jasa": N_("Jasa"),
    "lainnya": N_("Lainnya"),
}


def value_label(value: object) -> str:
    """The Indonesian label of a stored register value (``"pkl_area"`` → ``"Area PKL"``); ``"—"`` for
    empty; any other value as text."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return VALUE_LABELS.get(text, text)
