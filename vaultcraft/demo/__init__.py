"""`vaultcraft demo`: the whole system on the embedded default (Anvil, venue simulator, SQLite)."""
