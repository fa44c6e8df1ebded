"""Synthetic but plausible Kotim demo data (labelled as synthetic wherever it is shown)."""
