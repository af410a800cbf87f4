"""The /v1 read routers, mounted by `create_app` when a store is given (`ApiDeps.reads`)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import audit, audit_log, events, nav, portfolio, sessions, statements, status, vaults


def read_routers() -> list[APIRouter]:
    return [
        status.router,
        vaults.router,
        nav.router,
        events.router,
        statements.router,
        sessions.router,
        audit.router,
        portfolio.router,
        audit_log.router,
    ]
