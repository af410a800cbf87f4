"""Keeper test fixtures: stores on SQLite and PostgreSQL, and a real venue simulator process."""

from __future__ import annotations

pytest_plugins = ["tests.keeper.fixtures.stores", "tests.keeper.fixtures.venue"]
