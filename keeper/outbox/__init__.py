"""Crash-safe on-chain writes: intents in the store (queue.py), sent and confirmed by the writer."""
