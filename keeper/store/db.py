"""Engine and session factory: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL from one URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """`postgresql://` means psycopg2 here (the pinned driver); SQLAlchemy 2.1 would pick psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine; for a file SQLite DB the parent directory is created and WAL is switched on."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
        # The keeper's outbox runs in a worker thread; a pooled connection is only ever used by one thread.
        kwargs["connect_args"].setdefault("check_same_thread", False)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def db_now_ms_sql(engine: Engine) -> str:
    """SQL expression for the database clock in ms (leases use DB time so keepers agree on expiry)."""
    if engine.dialect.name == "sqlite":
        return "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)"
    return "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)"


def db_now_ms(session: Session) -> int:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return int(session.execute(text(f"SELECT {db_now_ms_sql(engine)}")).scalar_one())
