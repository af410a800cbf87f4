"""`vaultcraft api …`: serve the API, manage API keys, read the audit log, write/check the OpenAPI document.

Settings come from the environment (`VAULTCRAFT_API_*`, see api/settings.py); secrets are never accepted
as options, so they do not end up in shell history or process lists.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import anyio
import typer
from pydantic import ValidationError

app = typer.Typer(help="The VaultCraft HTTP API.", no_args_is_help=True)
keys_app = typer.Typer(
    help="Create, revoke and list API keys (stored hashed in the keeper store).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")

OPENAPI_PATH = Path("docs/api/openapi.json")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"vaultcraft api: {message}", err=True)
    return typer.Exit(code)


def _settings() -> Any:
    from api.settings import ApiSettings

    try:
        return ApiSettings()  # type: ignore[call-arg]
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) + f" ({e['msg']})" for e in exc.errors())
        raise _fail(f"invalid settings (VAULTCRAFT_API_*): {fields}") from None


def _db(url: str) -> Any:
    from api.store.db import SqlDb

    return SqlDb.open(url)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(
        1, min=1, help="uvicorn worker processes (set VAULTCRAFT_API_REDIS_URL for >1)."
    ),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Serve the API with uvicorn (store, chain and deployment from VAULTCRAFT_API_*)."""
    import uvicorn

    from api.server import UVICORN_RUNTIME

    settings = _settings()
    if workers > 1 and settings.redis_url is None:
        typer.echo(
            "vaultcraft api: warning: several workers without Redis keep separate rate-limit buckets",
            err=True,
        )
    uvicorn.run(
        "api.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        **UVICORN_RUNTIME,  # type: ignore[arg-type]
    )


@keys_app.command("create")
def keys_create(
    owner: Annotated[str, typer.Option(help="Who the key acts for (named in the audit log).")],
    scope: Annotated[list[str], typer.Option("--scope", help="read | trade | risk | admin (repeat).")],
    expires_in_days: int | None = typer.Option(None, min=1, help="Expiry; none = until revoked."),
    vault: Annotated[
        list[str] | None, typer.Option("--vault", help="Vault this key may trade / set risk for (repeat).")
    ] = None,
) -> None:
    """Create a key and print it ONCE (only its HMAC is stored)."""
    from eth_utils import is_address

    from api.auth.api_keys import ApiKeyService, KeyHasher, Scope
    from api.store.bindings import SqlVaultBindings
    from api.store.keys import SqlKeyStore

    bad = [v for v in vault or [] if not is_address(v)]
    if bad:
        raise _fail(f"--vault: not an address: {bad[0]}")
    try:
        scopes = [Scope(s) for s in scope]
    except ValueError:
        raise _fail(f"unknown scope in {scope}; use read, trade, risk or admin") from None
    if not owner.strip() or len(owner) > 128:
        raise _fail("owner must be 1..128 characters")
    settings = _settings()
    db = _db(settings.resolved_db_url())
    try:
        now = int(time.time())
        expires = now + expires_in_days * 86_400 if expires_in_days else None
        service = ApiKeyService(
            SqlKeyStore(db),
            KeyHasher(settings.key_pepper.get_secret_value().encode()),
            lambda: int(time.time()),
        )
        plaintext, record = anyio.run(service.issue, owner, scopes, expires)
        for address in vault or []:
            anyio.run(SqlVaultBindings(db).bind, record.key_id, address)
    finally:
        db.close()
    typer.echo(f"key_id  {record.key_id}", err=True)
    typer.echo(f"scopes  {','.join(sorted(s.value for s in record.scopes))}", err=True)
    if vault:
        typer.echo(f"vaults  {','.join(v.lower() for v in vault)}", err=True)
    typer.echo("the key is shown once; store it now:", err=True)
    typer.echo(plaintext)


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The 16-hex id (vc_<id>_…).")) -> None:
    """Revoke a key now."""
    from api.settings import StoreSettings
    from api.store.keys import SqlKeyStore

    db = _db(StoreSettings().resolved_db_url())
    try:
        done = anyio.run(SqlKeyStore(db).revoke, key_id, int(time.time()))
    finally:
        db.close()
    if not done:
        raise _fail(f"no active key {key_id!r}", code=1)
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def keys_list(as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table.")) -> None:
    """List keys (id, owner, scopes, dates; never secrets or hashes)."""
    from api.settings import StoreSettings
    from api.store.keys import SqlKeyStore

    db = _db(StoreSettings().resolved_db_url())
    try:
        records = anyio.run(SqlKeyStore(db).list_all)
    finally:
        db.close()
    rows = [
        {
            "key_id": r.key_id,
            "owner": r.owner,
            "scopes": sorted(s.value for s in r.scopes),
            "created_at": r.created_at,
            "expires_at": r.expires_at,
            "revoked_at": r.revoked_at,
        }
        for r in records
    ]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("key_id", "owner", "scopes", "created_at", "expires_at", "revoked_at")
    for r in records:
        table.add_row(
            r.key_id,
            r.owner,
            ",".join(sorted(s.value for s in r.scopes)),
            str(r.created_at),
            str(r.expires_at or "-"),
            str(r.revoked_at or "-"),
        )
    Console().print(table)


@app.command("audit-log")
def audit_log(
    limit: int = typer.Option(50, min=1, max=500, help="Entries to show."),
    newest_first: bool = typer.Option(True, help="Newest entries first."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines."),
) -> None:
    """Show the audit log (who did what) from the keeper store."""
    from api.settings import StoreSettings
    from api.store.reads import ReadStore

    db = _db(StoreSettings().resolved_db_url())
    try:
        rows = anyio.run(ReadStore(db).audit_log, None, limit, newest_first)
    finally:
        db.close()
    for row in rows[:limit]:
        if as_json:
            typer.echo(json.dumps(row, sort_keys=True, default=str))
        else:
            typer.echo(
                f"{row['id']:>8}  {row['at_ms']}  {row['actor']}  {row['action']}  "
                f"{json.dumps(row['detail'], sort_keys=True)}"
            )


@app.command()
def openapi(
    check: bool = typer.Option(False, "--check", help="Exit 1 if the checked-in document is out of date."),
    out: Annotated[Path, typer.Option(help="Where the document lives.")] = OPENAPI_PATH,
) -> None:
    """Write the OpenAPI document (docs/api/openapi.json), or --check that it is current."""
    from api.openapi import render_openapi

    text = render_openapi()
    if check:
        current = out.read_text() if out.exists() else ""
        if current != text:
            raise _fail(f"{out} is out of date: run `vaultcraft api openapi`", code=1)
        typer.echo(f"{out} is current")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    typer.echo(f"wrote {out}")
