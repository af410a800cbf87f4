"""A populated keeper store and a read-side app over it (tests of the /v1 routes).

The store holds one public and one private vault. Every private-vault trading value is a *sentinel* that
appears nowhere else, so the leakage test can look for it in any answer: coin `PRIVCOIN`, venue account
`PRIVATE_ACCOUNT`, prices/sizes/PnL built from the digits below.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from eth_account import Account
from eth_utils import keccak, to_checksum_address
from sqlalchemy import insert

from api.app import create_app
from api.auth.api_keys import InMemoryKeyStore
from api.auth.nonces import InMemoryNonceStore
from api.auth.signed import StaticRoleReader
from api.container import ApiDeps
from api.ratelimit import InMemoryRateLimiter, RateLimit
from api.registry import VaultRegistry
from api.settings import ApiSettings, RatePolicy
from api.store.db import SqlDb
from api.store.reads import ReadStore
from keeper.store.models import (
    AuditLog,
    EpochKeyWrap,
    Fill,
    IngestCheckpoint,
    KeeperLease,
    OutboxEntry,
    Position,
    Report,
    Statement,
    TradeCommitment,
)
from vaultcraft.deploy import Deployment, VaultRecord


def addr(label: str) -> str:
    return to_checksum_address(keccak(text=label)[:20])


PUBLIC_VAULT = addr("public-vault")
PRIVATE_VAULT = addr("private-vault")
PUBLIC_ORACLE = addr("public-oracle")
PRIVATE_ORACLE = addr("private-oracle")
PROOF_VERIFIER = addr("proof-verifier")
AUDITOR_REGISTRY = addr("auditor-registry")
PUBLIC_ACCOUNT = addr("public-venue-account")
PRIVATE_ACCOUNT = addr("private-venue-account")
UNKNOWN_VAULT = addr("nobody")
HOLDER = Account.from_key(keccak(text="vaultcraft-test-holder"))
OTHER_HOLDER = Account.from_key(keccak(text="vaultcraft-test-other-holder"))

# Private-vault sentinels (1e8-scaled in the store).
PRIVATE_COIN = "PRIVCOIN"
PRIVATE_PX = 424_242_424_242  # 4242.42424242
PRIVATE_SZ = 13_371_337  # 0.13371337
PRIVATE_SZI = 777_777_777  # 7.77777777
PRIVATE_PNL = 919_191_919  # 9.19191919
PRIVATE_FEE = 31_415_926  # 0.31415926
PRIVATE_TID_BASE = 86_420_000
PRIVATE_SENTINELS = [
    PRIVATE_COIN,
    PRIVATE_ACCOUNT,
    PRIVATE_ACCOUNT.lower(),
    str(PRIVATE_PX),
    "4242.42424242",
    str(PRIVATE_SZ),
    "0.13371337",
    str(PRIVATE_SZI),
    "7.77777777",
    str(PRIVATE_PNL),
    "9.19191919",
    str(PRIVATE_FEE),
    "0.31415926",
    str(PRIVATE_TID_BASE),
]
CIPHERTEXT = bytes(range(64))
# An hour before the real clock (the status route compares with the database clock), whole seconds.
NOW_MS = (int(time.time()) - 3_600) * 1000
PUBLIC_EPOCHS = 7
PRIVATE_EPOCHS = 3
PUBLIC_FILLS = 12
DAY_MS = 86_400_000


def deployment() -> Deployment:
    return Deployment(
        chain_id=31337,
        network="local",
        block=1,
        asset=addr("asset"),
        factory=addr("factory"),
        vault_blueprint=addr("vbp"),
        oracle_blueprint=addr("obp"),
        invite_gate=addr("gate"),
        roles={},
        auditor_registry=AUDITOR_REGISTRY,
        proof_verifier=PROOF_VERIFIER,
        vaults=[
            VaultRecord("Public Alpha", "vPUB", PUBLIC_VAULT, PUBLIC_ORACLE, False, 5),
            VaultRecord("Private Beta", "vPRV", PRIVATE_VAULT, PRIVATE_ORACLE, True, 6),
        ],
    )


def report_fields(epoch: int, holder_root: str, holder_sum: int) -> dict[str, Any]:
    return {
        "epoch": str(epoch),
        "external_assets": "0",
        "equity": "0",
        "debt": "0",
        "position_root": "0x" + "00" * 32,
        "holder_root": holder_root,
        "holder_sum": str(holder_sum),
        "trade_head": "0x" + "00" * 32,
        "trade_count": "0",
        "custody_out": "0",
        "custody_in": "0",
        "report_hash": "0x" + keccak(text=f"report-{epoch}").hex(),
        "timestamp": str(1_800_000_000 + epoch),
    }


def seed(
    db: SqlDb,
    *,
    statements: list[dict[str, Any]] | None = None,
    public_vault: str = PUBLIC_VAULT,
    private_vault: str = PRIVATE_VAULT,
) -> None:
    """Fill every table the read side reads."""
    with db.engine.begin() as conn:
        reports = []
        for vault, epochs, base in (
            (public_vault, PUBLIC_EPOCHS, 10**18),
            (private_vault, PRIVATE_EPOCHS, 10**18),
        ):
            for epoch in range(1, epochs + 1):
                price = base + epoch * 10**16 * (1 if epoch % 3 else -1)
                reports.append(
                    dict(
                        vault=vault,
                        epoch=epoch,
                        nav=10**12 + epoch,
                        positions_root="0x" + "11" * 32,
                        holders_root="0x" + "22" * 32,
                        report_hash="0x" + "33" * 32,
                        status="posted",
                        created_ms=NOW_MS - (epochs - epoch + 1) * DAY_MS,
                        struct_hash="0x" + f"{epoch:064x}",
                        fields=report_fields(epoch, "0x" + "22" * 32, 10**20),
                        total_supply=10**20 + epoch,
                        share_price=price,
                        tx_hash="0x" + f"{epoch + 100:064x}",
                        posted_ms=NOW_MS - (epochs - epoch) * DAY_MS,
                    )
                )
        conn.execute(insert(Report), reports)
        conn.execute(
            insert(Report),
            dict(
                vault=public_vault,
                epoch=PUBLIC_EPOCHS + 1,
                nav=1,
                positions_root="0x" + "11" * 32,
                holders_root=None,
                report_hash="0x" + "44" * 32,
                status="quarantined",
                created_ms=NOW_MS,
                struct_hash="0x" + "55" * 32,
            ),
        )
        fills = []
        for i in range(PUBLIC_FILLS):
            fills.append(
                dict(
                    venue="hyperliquid",
                    account=PUBLIC_ACCOUNT,
                    tid=1000 + i,
                    oid=500 + i // 2,
                    coin="BTC",
                    is_buy=i % 2 == 0,
                    px=6_500_000_000_000 + i,
                    sz=10_000_000,
                    fee=1_625_000,
                    closed_pnl=0,
                    start_position=0,
                    direction="Open Long",
                    crossed=True,
                    time_ms=NOW_MS - 1000 + i,
                    hash="0x" + f"{i:064x}",
                    cloid=None,
                    source="ws",
                    ingested_ms=NOW_MS,
                )
            )
        for i in range(3):
            fills.append(
                dict(
                    venue="hyperliquid",
                    account=PRIVATE_ACCOUNT,
                    tid=PRIVATE_TID_BASE + i,
                    oid=PRIVATE_TID_BASE,
                    coin=PRIVATE_COIN,
                    is_buy=True,
                    px=PRIVATE_PX,
                    sz=PRIVATE_SZ,
                    fee=PRIVATE_FEE,
                    closed_pnl=PRIVATE_PNL,
                    start_position=0,
                    direction="Open Long",
                    crossed=True,
                    time_ms=NOW_MS + i,
                    hash="0x" + f"{PRIVATE_TID_BASE + i:064x}",
                    cloid=None,
                    source="ws",
                    ingested_ms=NOW_MS,
                )
            )
        ids = list(conn.execute(insert(Fill).returning(Fill.id, Fill.account), fills))
        commitments = []
        seqs = {PUBLIC_ACCOUNT: 0, PRIVATE_ACCOUNT: 0}
        for fill_id, account in ids:
            seqs[account] += 1
            vault = public_vault if account == PUBLIC_ACCOUNT else private_vault
            commitments.append(
                dict(
                    vault=vault,
                    epoch=1 + seqs[account] // 5,
                    seq=seqs[account],
                    fill_id=fill_id,
                    commitment="0x" + keccak(text=f"c-{vault}-{seqs[account]}").hex(),
                    ciphertext=CIPHERTEXT,
                    enc_meta={"suite": "hpke-x25519-chacha20poly1305", "aad": "0x" + "ab" * 8},
                    created_ms=NOW_MS,
                )
            )
        conn.execute(insert(TradeCommitment), commitments)
        conn.execute(
            insert(Position),
            [
                dict(
                    venue="hyperliquid",
                    account=PUBLIC_ACCOUNT,
                    coin="BTC",
                    szi=20_000_000,
                    realized_pnl=-150_000_000,
                    fees=3_250_000,
                    fill_count=PUBLIC_FILLS,
                    last_fill_ms=NOW_MS,
                ),
                dict(
                    venue="hyperliquid",
                    account=PRIVATE_ACCOUNT,
                    coin=PRIVATE_COIN,
                    szi=PRIVATE_SZI,
                    realized_pnl=PRIVATE_PNL,
                    fees=PRIVATE_FEE,
                    fill_count=3,
                    last_fill_ms=NOW_MS,
                ),
            ],
        )
        conn.execute(
            insert(EpochKeyWrap),
            [
                dict(
                    vault=private_vault,
                    epoch=e,
                    auditor_key="0x" + f"{k:02x}" * 32,
                    wrap=bytes([e, k]) * 40,
                    key_commitment="0x" + keccak(text=f"kc-{e}").hex(),
                    created_ms=NOW_MS,
                )
                for e in (1, 2, 3)
                for k in (0xA1, 0xB2)
            ],
        )
        conn.execute(
            insert(KeeperLease),
            [
                dict(
                    name="keeper-leader",
                    holder="keeper-a",
                    term=3,
                    acquired_ms=0,
                    renewed_ms=NOW_MS,
                    expires_ms=NOW_MS,
                )
            ],
        )
        conn.execute(
            insert(IngestCheckpoint),
            [
                dict(
                    venue="hyperliquid",
                    account=PUBLIC_ACCOUNT,
                    confirmed_ms=NOW_MS - 5000,
                    last_ack_ms=NOW_MS - 100,
                    last_ws_fill_ms=NOW_MS - 50,
                    last_rest_ms=NOW_MS - 4000,
                    positions_in_sync=True,
                    ws_fills=10,
                    reconciled_fills=2,
                    ws_dropped_suspected=1,
                )
            ],
        )
        conn.execute(
            insert(OutboxEntry),
            [
                dict(
                    dedupe_key=f"trade:{public_vault}:{i}",
                    kind="trade",
                    vault=public_vault,
                    seq=i,
                    payload={},
                    status=status,
                    attempts=attempts,
                    last_error=error,
                    created_ms=NOW_MS - 60_000 + i,
                    updated_ms=NOW_MS,
                )
                for i, (status, attempts, error) in enumerate(
                    [
                        ("confirmed", 1, None),
                        ("pending", 0, None),
                        ("pending", 3, "rpc https://user:hunter2@node.example/v3/KEY timed out"),
                        ("sent", 1, None),
                    ]
                )
            ],
        )
        conn.execute(
            insert(AuditLog),
            [
                dict(at_ms=NOW_MS + i, actor=f"api_key:{i:016x}:desk", action="orders.place", detail={"n": i})
                for i in range(7)
            ],
        )
        if statements:
            conn.execute(insert(Statement), statements)


LOOSE = RatePolicy(
    per_ip=RateLimit(burst=100_000, tokens=100_000, period_s=1),
    per_key=RateLimit(burst=100_000, tokens=100_000, period_s=1),
)


def read_settings(**overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {
        "key_pepper": secrets.token_hex(32),
        "login_secret": secrets.token_hex(32),
        "rate_default": LOOSE,
        "rate_admin": LOOSE,
        "status_cache_s": 0,
    }
    values.update(overrides)
    return ApiSettings(**values)


def make_read_app(
    db: SqlDb,
    *,
    settings: ApiSettings | None = None,
    wall_clock: Callable[[], int] = lambda: NOW_MS // 1000,
    **dep_overrides: Any,
):
    deps = ApiDeps(
        key_store=InMemoryKeyStore(),
        rate_limiter=InMemoryRateLimiter(),
        nonce_store=InMemoryNonceStore(clock=wall_clock),
        role_reader=StaticRoleReader(),
        wall_clock=wall_clock,
        reads=ReadStore(db),
        registry=VaultRegistry(deployment()),
    )
    for name, value in dep_overrides.items():
        setattr(deps, name, value)
    return create_app(settings or read_settings(), deps)


def issue(app: Any, *scopes: Any, owner: str = "desk-1") -> str:
    import anyio

    async def run() -> str:
        key, _ = await app.state.services.keys.issue(owner, scopes)
        return key

    return anyio.run(run)
