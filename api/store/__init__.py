"""SQL-backed ports and read queries over the keeper store (same database, same URL)."""
