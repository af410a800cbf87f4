"""VaultCraft keeper daemon: venue adapters, fill ingestion, store (NAV engine and outbox come next)."""
