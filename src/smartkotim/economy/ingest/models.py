"""Batches, report profiles, quarantine and rollups of the transaction ingest (owned by the ingest feature)."""

from __future__ import annotations
