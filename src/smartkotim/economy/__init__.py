"""Smart Economy: markets and merchants (``registry``), transaction ingest (``ingest``), metrics."""
