"""Alembic: an empty database upgrades to head, matches the models exactly, and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from keeper.store.db import make_engine
from keeper.store.migrations import MIGRATIONS_DIR, alembic_config, downgrade, upgrade
from keeper.store.models import Base

TABLES = {
    "venue_orders", "order_acks", "fills", "positions", "marks", "epochs", "reports", "statements", "outbox",
    "trade_commitments", "keeper_leases", "audit_log", "ingest_checkpoints",
}


def test_upgrade__empty_db__reaches_head_and_matches_models(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
            assert context.get_current_revision() == head
            assert TABLES <= set(inspect(conn).get_table_names())
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade__twice__is_a_no_op_and_downgrade_empties(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    downgrade(db_url)
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_store__lives_in_data_dir_with_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'keeper.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
    assert (tmp_path / "nested" / "dir" / "keeper.db").exists()
    assert MIGRATIONS_DIR.is_dir()
