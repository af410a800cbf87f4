"""The API's handle on the keeper store: one SQLAlchemy engine, blocking work run off the event loop.

The keeper store (`keeper.store`) owns the schema and its Alembic migrations; the API opens the same URL
(SQLite file by default, PostgreSQL in production) and reads keeper tables, writing only its own
(`api_keys`, `api_nonces`). `SqlDb.run(fn)` executes `fn(connection)` inside one transaction:

* PostgreSQL (network round trips): in a worker thread, so a slow answer never stalls other requests;
* SQLite reads (a local file in WAL mode: readers never wait for the writer): inline on the event loop
  by default. Every API read is bounded (LIMIT <= 501, indexed) and takes well under a millisecond, while
  the thread hand-off alone costs more than the query on a busy 2-core machine (`bench/api.py`).
  Writes (`write=True`: keys, nonces) always go to a thread, because they may wait for the keeper's write
  lock (busy timeout). `inline=False` sends SQLite reads to a thread as well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from sqlalchemy import Connection, Engine

from keeper.store.db import make_engine

T = TypeVar("T")


class SqlDb:
    def __init__(self, engine: Engine, inline: bool | None = None) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.inline = self.dialect == "sqlite" if inline is None else inline

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> SqlDb:
        """Open `url`; with `migrate` the schema is first brought to head (keeper migrations)."""
        if migrate:
            from keeper.store.migrations import upgrade

            upgrade(url)
        return cls(make_engine(url))

    def run_sync(self, fn: Callable[[Connection], T]) -> T:
        with self.engine.begin() as conn:
            return fn(conn)

    async def run(self, fn: Callable[[Connection], T], *, write: bool = False) -> T:
        if self.inline and not write:
            return self.run_sync(fn)
        return await anyio.to_thread.run_sync(self.run_sync, fn)

    def close(self) -> None:
        self.engine.dispose()
