"""SQL store shared by the keeper and the API (SQLite WAL by default, PostgreSQL by URL)."""
