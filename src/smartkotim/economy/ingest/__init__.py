"""Exactly-once ingest of the partner banks' transaction reports into the ledger and rollups."""
