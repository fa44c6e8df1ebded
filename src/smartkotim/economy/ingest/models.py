"""Batches, report profiles, quarantine and rollups of the transaction ingest."""

from __future__ import annotations
