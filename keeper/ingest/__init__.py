"""Fill ingestion: WS primary, order acks tracked, REST reconciliation by time, position reconciliation."""
