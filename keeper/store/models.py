"""SQLAlchemy 2 models. Money columns are BigInteger scaled by 1e8 (`keeper.money.SCALE`); on-chain
uint256 quantities are stored as decimal strings (`UInt256`) because neither SQLite nor a portable
BigInteger holds 256 bits. Times are ms since the epoch (BigInteger) unless named `*_at` (DB timestamps).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UInt256(TypeDecorator[int]):
    """Non-negative int up to 2**256-1 stored as its decimal string (exact on every backend)."""

    impl = String(78)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**256:
            raise ValueError(f"not a uint256: {value!r}")
        return str(value)

    def process_result_value(self, value: str | None, dialect: Any) -> int | None:
        return None if value is None else int(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class VenueOrder(Base):
    """An order the keeper placed. `status` is derived from fills: never 'filled' before filled_sz == sz."""

    __tablename__ = "venue_orders"
    __table_args__ = (UniqueConstraint("venue", "oid", name="uq_venue_orders_venue_oid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(42))
    oid: Mapped[int] = mapped_column(BigInteger)
    cloid: Mapped[str | None] = mapped_column(String(34))
    coin: Mapped[str] = mapped_column(String(32))
    is_buy: Mapped[bool] = mapped_column(Boolean)
    sz: Mapped[int] = mapped_column(BigInteger)  # ordered size, 1e8
    limit_px: Mapped[int | None] = mapped_column(BigInteger)  # 1e8
    order_type: Mapped[str] = mapped_column(String(16))  # market | limit | trigger
    reduce_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # resting | partially_filled | filled | canceled | rejected
    status: Mapped[str] = mapped_column(String(20))
    filled_sz: Mapped[int] = mapped_column(BigInteger, default=0)  # sum of stored fills, 1e8
    created_ms: Mapped[int] = mapped_column(BigInteger)
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class OrderAck(Base):
    """Every order acknowledgement from the venue; `expected_sz` is what the ack says has filled already.

    An ack is `settled` once the stored fills for its oid reach `expected_sz`; unsettled acks older than
    the ack timeout trigger REST reconciliation (the ack fallback).
    """

    __tablename__ = "order_acks"
    __table_args__ = (
        UniqueConstraint("venue", "oid", name="uq_order_acks_venue_oid"),
        Index("ix_order_acks_open", "venue", "account", "settled"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(42))
    oid: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # filled | resting
    expected_sz: Mapped[int] = mapped_column(BigInteger)  # 1e8; 0 for a resting ack
    ack_ms: Mapped[int] = mapped_column(BigInteger)  # keeper clock when the ack arrived
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    settled_ms: Mapped[int | None] = mapped_column(BigInteger)
    fallback_attempts: Mapped[int] = mapped_column(Integer, default=0)


class Fill(Base):
    """A venue fill. `tid` is the only unique key (several fills share an oid; `hash` is per action)."""

    __tablename__ = "fills"
    __table_args__ = (
        UniqueConstraint("venue", "tid", name="uq_fills_venue_tid"),
        Index("ix_fills_account_time", "venue", "account", "time_ms"),
        Index("ix_fills_oid", "venue", "oid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(42))
    tid: Mapped[int] = mapped_column(BigInteger)
    oid: Mapped[int] = mapped_column(BigInteger)
    coin: Mapped[str] = mapped_column(String(32))
    is_buy: Mapped[bool] = mapped_column(Boolean)
    px: Mapped[int] = mapped_column(BigInteger)  # 1e8
    sz: Mapped[int] = mapped_column(BigInteger)  # 1e8, always > 0
    fee: Mapped[int] = mapped_column(BigInteger)  # USDC 1e8 (negative = rebate)
    closed_pnl: Mapped[int] = mapped_column(BigInteger)  # USDC 1e8
    start_position: Mapped[int] = mapped_column(BigInteger)  # signed, 1e8
    direction: Mapped[str] = mapped_column(String(32))
    crossed: Mapped[bool] = mapped_column(Boolean)
    time_ms: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(66))
    cloid: Mapped[str | None] = mapped_column(String(34))
    source: Mapped[str] = mapped_column(String(12))  # ws | ws_snapshot | rest
    ingested_ms: Mapped[int] = mapped_column(BigInteger)


class Position(Base):
    """Per-coin position derived from stored fills (updated in the fill's transaction)."""

    __tablename__ = "positions"

    venue: Mapped[str] = mapped_column(String(32), primary_key=True)
    account: Mapped[str] = mapped_column(String(42), primary_key=True)
    coin: Mapped[str] = mapped_column(String(32), primary_key=True)
    szi: Mapped[int] = mapped_column(BigInteger, default=0)  # signed size, 1e8
    realized_pnl: Mapped[int] = mapped_column(BigInteger, default=0)  # sum closedPnl, USDC 1e8
    fees: Mapped[int] = mapped_column(BigInteger, default=0)  # sum fees, USDC 1e8
    fill_count: Mapped[int] = mapped_column(Integer, default=0)
    last_fill_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    # Last full reconciliation against the venue: the venue's szi and whether it matched.
    venue_szi: Mapped[int | None] = mapped_column(BigInteger)
    reconciled_ms: Mapped[int | None] = mapped_column(BigInteger)
    in_sync: Mapped[bool | None] = mapped_column(Boolean)


class Mark(Base):
    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("venue", "coin", "time_ms", name="uq_marks_venue_coin_time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue: Mapped[str] = mapped_column(String(32))
    coin: Mapped[str] = mapped_column(String(32))
    time_ms: Mapped[int] = mapped_column(BigInteger)
    px: Mapped[int] = mapped_column(BigInteger)  # 1e8
    source: Mapped[str] = mapped_column(String(16))  # mark | mid | oracle


class Epoch(Base):
    __tablename__ = "epochs"
    __table_args__ = (UniqueConstraint("vault", "epoch", name="uq_epochs_vault_epoch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vault: Mapped[str] = mapped_column(String(42))
    epoch: Mapped[int] = mapped_column(BigInteger)
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # open | closing | reported | settled
    nav: Mapped[int | None] = mapped_column(UInt256)  # asset base units


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("vault", "epoch", name="uq_reports_vault_epoch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vault: Mapped[str] = mapped_column(String(42))
    epoch: Mapped[int] = mapped_column(BigInteger)
    nav: Mapped[int] = mapped_column(UInt256)
    positions_root: Mapped[str] = mapped_column(String(66))
    holders_root: Mapped[str | None] = mapped_column(String(66))
    report_hash: Mapped[str] = mapped_column(String(66))
    signature: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # built | signed | posted | quarantined
    created_ms: Mapped[int] = mapped_column(BigInteger)
    # EIP-712 struct hash: what NavOracle.report_of[epoch] holds once accepted (proofs check against it).
    struct_hash: Mapped[str | None] = mapped_column(String(66))
    # The NavReport struct as posted (vaultcraft.protocol.NavReport fields; bytes as 0x-hex, ints as str).
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    total_supply: Mapped[int | None] = mapped_column(UInt256)
    share_price: Mapped[int | None] = mapped_column(UInt256)  # 1e18, from EpochSettled
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    posted_ms: Mapped[int | None] = mapped_column(BigInteger)


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("vault", "epoch", "holder", name="uq_statements_vault_epoch_holder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vault: Mapped[str] = mapped_column(String(42))
    epoch: Mapped[int] = mapped_column(BigInteger)
    holder: Mapped[str] = mapped_column(String(42))
    shares: Mapped[int] = mapped_column(UInt256)
    leaf: Mapped[str] = mapped_column(String(66))
    salt: Mapped[str] = mapped_column(String(66))
    proof: Mapped[list[str]] = mapped_column(JSON)


class OutboxEntry(Base):
    """An on-chain write: recorded as an intent first, then sent (nonce, tx hash), then confirmed."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index("ix_outbox_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))  # e.g. "trade:<vault>:<seq>"
    kind: Mapped[str] = mapped_column(String(32))  # trade | nav | settle
    vault: Mapped[str] = mapped_column(String(42))
    seq: Mapped[int | None] = mapped_column(BigInteger)  # on-chain sequence number, makes replays harmless
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | confirmed | failed
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The signed transaction, stored before it is broadcast so a restart rebroadcasts the same bytes.
    raw_tx: Mapped[bytes | None] = mapped_column(LargeBinary)
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class TradeCommitment(Base):
    """Private-vault fill: commitment posted on-chain, envelope-encrypted record for auditors."""

    __tablename__ = "trade_commitments"
    __table_args__ = (
        UniqueConstraint("vault", "seq", name="uq_trade_commitments_vault_seq"),
        UniqueConstraint("vault", "fill_id", name="uq_trade_commitments_vault_fill_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vault: Mapped[str] = mapped_column(String(42))
    epoch: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    fill_id: Mapped[int] = mapped_column(ForeignKey("fills.id"))
    commitment: Mapped[str] = mapped_column(String(66))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    enc_meta: Mapped[dict[str, Any]] = mapped_column(JSON)  # suite, wrapped epoch keys per auditor, aad
    created_ms: Mapped[int] = mapped_column(BigInteger)
    outbox_id: Mapped[int | None] = mapped_column(BigInteger)  # the trade batch that posts it


class EpochKeyWrap(Base):
    """A private vault's epoch view key wrapped (HPKE) to one registered auditor key."""

    __tablename__ = "epoch_key_wraps"
    __table_args__ = (
        UniqueConstraint("vault", "epoch", "auditor_key", name="uq_epoch_key_wraps_vault_epoch_auditor"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vault: Mapped[str] = mapped_column(String(42))
    epoch: Mapped[int] = mapped_column(BigInteger)
    auditor_key: Mapped[str] = mapped_column(String(66))  # X25519 public key, 0x-hex
    wrap: Mapped[bytes] = mapped_column(LargeBinary)  # enc || ct || tag (80 bytes)
    key_commitment: Mapped[str] = mapped_column(String(66))  # zk.view_keys.epoch_key_commitment
    created_ms: Mapped[int] = mapped_column(BigInteger)
    outbox_id: Mapped[int | None] = mapped_column(BigInteger)


class KeeperLease(Base):
    """Leader lease; all times are DB time (ms). `term` increases on every change of holder (fencing)."""

    __tablename__ = "keeper_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    term: Mapped[int] = mapped_column(BigInteger)
    acquired_ms: Mapped[int] = mapped_column(BigInteger)
    renewed_ms: Mapped[int] = mapped_column(BigInteger)
    expires_ms: Mapped[int] = mapped_column(BigInteger)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at_ms: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class IngestCheckpoint(Base):
    """Per (venue, account) ingestion state, read by /status.

    `confirmed_ms` only advances from complete REST pages, never from the socket, so a fill the socket
    dropped can never fall behind the checkpoint.
    """

    __tablename__ = "ingest_checkpoints"

    venue: Mapped[str] = mapped_column(String(32), primary_key=True)
    account: Mapped[str] = mapped_column(String(42), primary_key=True)
    confirmed_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    last_ack_ms: Mapped[int | None] = mapped_column(BigInteger)
    last_ws_fill_ms: Mapped[int | None] = mapped_column(BigInteger)  # keeper clock at last WS fill
    last_rest_ms: Mapped[int | None] = mapped_column(BigInteger)
    last_position_check_ms: Mapped[int | None] = mapped_column(BigInteger)
    positions_in_sync: Mapped[bool | None] = mapped_column(Boolean)
    ws_fills: Mapped[int] = mapped_column(BigInteger, default=0)
    reconciled_fills: Mapped[int] = mapped_column(BigInteger, default=0)  # fills first seen via REST
    ws_dropped_suspected: Mapped[int] = mapped_column(BigInteger, default=0)


class KeeperHeartbeat(Base):
    """Each keeper process's latest status (writer counters, chain errors, alerts), for `/v1/status`."""

    __tablename__ = "keeper_heartbeats"

    holder: Mapped[str] = mapped_column(String(128), primary_key=True)
    vault: Mapped[str | None] = mapped_column(String(42))
    is_leader: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[dict[str, Any]] = mapped_column(JSON)
    at_ms: Mapped[int] = mapped_column(BigInteger)


# --- API tables (the API service owns these rows; the keeper never writes them) ---------------------


class ApiKey(Base):
    """An API key: only its HMAC is stored (api.auth.api_keys.KeyHasher)."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary)
    owner: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)  # unix seconds
    expires_at: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class ApiKeyVault(Base):
    """Which vaults a trading key may act on (a key without rows acts on none, unless it is admin)."""

    __tablename__ = "api_key_vaults"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vault: Mapped[str] = mapped_column(String(42), primary_key=True)  # lower-case


class ApiNonce(Base):
    """A consumed signed-action / login nonce, kept until it could no longer be replayed."""

    __tablename__ = "api_nonces"
    __table_args__ = (Index("ix_api_nonces_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[int] = mapped_column(BigInteger)


class RiskTemplate(Base):
    """A vault's order risk limits (api/risk); replaced as a whole, `version` increases on every change."""

    __tablename__ = "risk_templates"

    vault: Mapped[str] = mapped_column(String(42), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    template: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_ms: Mapped[int] = mapped_column(BigInteger)
