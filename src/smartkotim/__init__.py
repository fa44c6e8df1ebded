"""SmartKotim — the smart-city platform of Kabupaten Kotawaringin Timur (Kemendagri 62.02)."""

__version__ = "0.1.0"
