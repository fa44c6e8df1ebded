"""Placeholder replaced by the regions feature (point → desa benchmark)."""
