"""The NAV epoch loop: decide when an epoch closes, snapshot it, and hand the signed report to the outbox.

State lives in the store (`reports.status`: signed -> posted | quarantined | failed) and on-chain (the vault's
epoch, the oracle's clock), never in memory, so a restarted keeper resumes exactly where it stopped. A report
the oracle quarantines stops the engine until the guardian resolves it on-chain; a report that keeps failing
stops it after `max_failures` attempts. In both cases `alert` says why, and nothing is posted in a loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD

from keeper import logs
from keeper.chain.client import ChainClient
from keeper.chain.contracts import VaultContracts
from keeper.ingest.clock import Clock
from keeper.nav.custody import custody_balance
from keeper.nav.holders import holder_balances
from keeper.nav.report import BuiltReport, Snapshot, build_report, report_from_json, report_json
from keeper.nav.valuation import value_account
from keeper.outbox.queue import enqueue, has_open
from keeper.store.models import Epoch, OutboxEntry, Report, Statement
from keeper.store.repo import Store
from keeper.venues.base import AccountState
from zk.context import VaultContext

log = logs.get_logger(__name__)


class VenueReader(Protocol):
    name: str

    async def account_state(self) -> AccountState: ...

    async def mids(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class NavSettings:
    epoch_interval_s: int = 3_600
    max_failures: int = 3
    # A snapshot outside the oracle's per-report bound is re-taken for this long before it is posted (and
    # quarantined): capital crossing the venue bridge is briefly in neither place, or in both.
    out_of_bounds_grace_s: int = 30


def _hx(raw: bytes) -> str:
    return "0x" + raw.hex()


@dataclass
class NavEngine:
    store: Store
    client: ChainClient
    contracts: VaultContracts
    venue: VenueReader
    salt_secret: bytes
    keeper_keys: Sequence[str]
    clock: Clock
    settings: NavSettings
    has_unbatched_fills: Callable[[], bool]  # fills stored but not yet in the trade log
    alert: str | None = None
    _asset_decimals: int | None = None
    _out_of_bounds_since: float | None = None

    @property
    def vault(self) -> str:
        return self.contracts.address

    def _call(self, fn: ContractFunction, block: int | str = "latest") -> Any:
        return self.client.call(fn, block)

    def epoch_start_ts(self, epoch: int) -> int:
        if epoch <= 1:
            return int(self.client.block(self.contracts.deployment_block)["timestamp"])
        return int(self._call(self.contracts.vault.functions.last_settled_at()))

    async def tick(self) -> str:
        """One decision; returns it: idle, waiting, flushing, posting, enqueued, quarantined or halted."""
        epoch = int(self._call(self.contracts.vault.functions.epoch()))
        with self.store.session() as session:
            self._record_resolved_quarantines(session, epoch)
            row = session.scalar(select(Report).where(Report.vault == self.vault, Report.epoch == epoch))
            state = self._existing(session, row)
            if state is not None:
                return state
            if self._failures(session, epoch) >= self.settings.max_failures:
                self.alert = (
                    f"epoch {epoch}: report failed {self.settings.max_failures} times; see outbox errors"
                )
                return "halted"
        self.alert = None
        head = self.client.block("latest")
        chain_s = int(head["timestamp"])
        # The epoch's length is the operator's schedule (wall clock); the oracle's minimum delay is checked
        # against block time, exactly as the contract will.
        if (
            max(chain_s, self.clock.now_ms() // 1000) - self.epoch_start_ts(epoch)
            < self.settings.epoch_interval_s
        ):
            return "waiting"
        oracle = self.contracts.oracle.functions
        if chain_s <= int(self._call(oracle.last_report_at())) + int(self._call(oracle.min_report_delay())):
            return "waiting"
        with self.store.session() as session:
            if has_open(session, self.vault) or self.has_unbatched_fills():
                return "flushing"  # the report must cover every fill already stored
            attempt = self._failures(session, epoch, status=None)
        built = await self._build(epoch, int(head["number"]), int(head["timestamp"]))
        if self._hold_back(built):
            return "settling"
        self._enqueue(epoch, built, self.epoch_start_ts(epoch), attempt)
        log.info(
            "nav_report_enqueued",
            epoch=epoch,
            external_assets=built.report.external_assets,
            holders=len(built.statements),
            trade_count=built.report.trade_count,
        )
        return "enqueued"

    def _hold_back(self, built: BuiltReport) -> bool:
        """True while a snapshot outside the per-report bound is younger than the grace period."""
        report, oracle = built.report, self.contracts.oracle.functions
        price = int(
            self._call(
                self.contracts.vault.functions.preview_settlement_price(
                    report.external_assets, report.custody_out, report.custody_in
                )
            )
        )
        last = int(self._call(oracle.last_pps()))
        max_bps = int(self._call(oracle.guards())[3])  # Guards.max_pps_change_bps
        if last == 0 or abs(price - last) * 10_000 <= last * max_bps:
            self._out_of_bounds_since = None
            return False
        now = self.clock.now_ms() / 1000
        if self._out_of_bounds_since is None:
            self._out_of_bounds_since = now
            log.warning("nav_out_of_bounds_waiting", epoch=report.epoch, share_price=price, last=last)
        return now - self._out_of_bounds_since < self.settings.out_of_bounds_grace_s

    def _existing(self, session: Session, row: Report | None) -> str | None:
        if row is None or row.status == "failed":
            return None
        if row.status == "signed":
            return "posting"
        if row.status == "quarantined":
            if self._call(self.contracts.vault.functions.quarantined()):
                self.alert = (
                    f"epoch {row.epoch}: report quarantined by the oracle's bounds; guardian must resolve"
                )
                return "quarantined"
            row.status = "failed"  # the guardian rejected it (an accept would have advanced the epoch)
            log.warning("nav_quarantine_rejected", epoch=row.epoch)
            return None
        return "idle"

    def _record_resolved_quarantines(self, session: Session, epoch: int) -> None:
        """A quarantined report of a closed epoch was resolved by the guardian: accepted (the oracle holds its
        struct hash) it is `posted`, so statements and reconciliation count it; otherwise `failed`."""
        rows = session.scalars(
            select(Report).where(
                Report.vault == self.vault, Report.status == "quarantined", Report.epoch < epoch
            )
        )
        for row in rows:
            accepted = _hx(bytes(self._call(self.contracts.oracle.functions.report_of(row.epoch))))
            if accepted == row.struct_hash:
                row.status, row.posted_ms = "posted", self.clock.now_ms()
            else:
                row.status = "failed"
            log.info("nav_quarantine_resolved", epoch=row.epoch, status=row.status)

    def _failures(self, session: Session, epoch: int, status: str | None = "failed") -> int:
        """Failed report intents of the epoch (what halts the engine); with status=None, every attempt."""
        query = (
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.dedupe_key.startswith(f"nav:{self.vault}:{epoch}:"))
        )
        if status is not None:
            query = query.where(OutboxEntry.status == status)
        return int(session.scalar(query) or 0)

    async def _build(self, epoch: int, block: int, timestamp: int) -> BuiltReport:
        state, marks = await self.venue.account_state(), await self.venue.mids()
        self.store.record_marks(self.venue.name, marks, self.clock.now_ms())
        if self._asset_decimals is None:
            self._asset_decimals = int(self._call(self.contracts.token.functions.decimals()))
        in_custody = custody_balance(self.client, self.contracts, block)
        valuation = value_account(state, marks, self._asset_decimals, in_custody)
        vault, log_fns = self.contracts.vault.functions, self.contracts.trade_log.functions
        count = int(self._call(log_fns.trade_count(), block))
        snapshot = Snapshot(
            ctx=VaultContext.of(self.contracts.chain_id, self.vault, epoch),
            timestamp=timestamp,
            holdings=list(holder_balances(self.client, self.contracts, block).items()),
            positions=valuation.rows,
            trade_head=bytes(self._call(log_fns.head_at(count), block)),
            trade_count=count,
            custody_out=int(self._call(vault.custody_out(), block)),
            custody_in=int(self._call(vault.custody_in(), block)),
        )
        return build_report(snapshot, self.salt_secret, str(self.contracts.oracle.address), self.keeper_keys)

    def _enqueue(self, epoch: int, built: BuiltReport, start_ts: int, attempt: int) -> None:
        report, now = built.report, self.clock.now_ms()
        with self.store.session() as session:
            session.execute(delete(Statement).where(Statement.vault == self.vault, Statement.epoch == epoch))
            row = session.scalar(select(Report).where(Report.vault == self.vault, Report.epoch == epoch))
            if row is None:
                row = Report(vault=self.vault, epoch=epoch)
                session.add(row)
            row.nav, row.positions_root, row.holders_root = (
                report.external_assets,
                _hx(report.position_root),
                _hx(report.holder_root),
            )
            row.report_hash, row.struct_hash, row.fields = (
                _hx(report.report_hash),
                _hx(built.struct_hash),
                report_json(report),
            )
            row.signature = json.dumps([_hx(s) for s in built.signatures])
            row.status, row.created_ms, row.tx_hash, row.posted_ms = "signed", now, None, None
            session.add_all(
                Statement(
                    vault=self.vault,
                    epoch=epoch,
                    holder=s.holder,
                    shares=s.shares,
                    leaf=s.leaf,
                    salt=s.salt,
                    proof=s.proof,
                )
                for s in built.statements
            )
            enqueue(
                session,
                kind="nav",
                vault=self.vault,
                now_ms=now,
                seq=epoch,
                dedupe_key=f"nav:{self.vault}:{epoch}:{attempt}",
                payload={
                    "epoch": epoch,
                    "start_ts": start_ts,
                    "struct_hash": _hx(built.struct_hash),
                    "report": report_json(report),
                    "signatures": [_hx(s) for s in built.signatures],
                },
            )


@dataclass
class NavReportHandler:
    """Outbox handler for `nav` intents: NavOracle.post_report (which settles the epoch when accepted)."""

    client: ChainClient
    contracts: VaultContracts
    clock: Clock

    def call(self, entry: OutboxEntry) -> ContractFunction:
        report = report_from_json(entry.payload["report"])
        sigs = [bytes.fromhex(s[2:]) for s in entry.payload["signatures"]]
        return self.contracts.oracle.functions.post_report(report.as_tuple(), sigs)

    def satisfied(self, entry: OutboxEntry) -> bool:
        accepted = bytes(self.client.call(self.contracts.oracle.functions.report_of(entry.payload["epoch"])))
        if "0x" + accepted.hex() == entry.payload["struct_hash"]:
            return True
        quarantined = bytes(self.client.call(self.contracts.oracle.functions.quarantined()))
        return "0x" + quarantined.hex() == entry.payload["struct_hash"]

    def _row(self, session: Session, entry: OutboxEntry) -> Report | None:
        return session.scalar(
            select(Report).where(
                Report.vault == entry.vault,
                Report.epoch == entry.payload["epoch"],
                Report.struct_hash == entry.payload["struct_hash"],
            )
        )

    def confirmed(self, session: Session, entry: OutboxEntry, receipt: Mapping[str, Any] | None) -> None:
        row = self._row(session, entry)
        if row is None:
            return
        row.tx_hash = entry.tx_hash
        if receipt is not None and self.contracts.oracle.events.ReportQuarantined().process_receipt(
            receipt, errors=DISCARD
        ):
            row.status = "quarantined"
            log.error("nav_report_quarantined", epoch=row.epoch, tx=entry.tx_hash)
            return
        if (
            receipt is None
            and bytes(self.client.call(self.contracts.oracle.functions.quarantined())) != b"\0" * 32
        ):
            row.status = "quarantined"
            return
        row.status, row.posted_ms = "posted", self.clock.now_ms()
        settled = (
            self.contracts.vault.events.EpochSettled().process_receipt(receipt, errors=DISCARD)
            if receipt is not None
            else ()
        )
        vault = self.contracts.vault.functions
        if settled:
            args = settled[0]["args"]
            total_assets, row.total_supply, row.share_price = (
                int(args["total_assets"]),
                int(args["total_supply"]),
                int(args["share_price"]),
            )
        else:
            total_assets = int(self.client.call(vault.totalAssets()))
            row.total_supply, row.share_price = (
                int(self.client.call(vault.totalSupply())),
                int(self.client.call(vault.share_price())),
            )
        row.nav = total_assets
        end_ms = int(entry.payload["report"]["timestamp"]) * 1000
        session.add(
            Epoch(
                vault=row.vault,
                epoch=row.epoch,
                start_ms=int(entry.payload["start_ts"]) * 1000,
                end_ms=end_ms,
                status="settled",
                nav=total_assets,
            )
        )

    def failed(self, session: Session, entry: OutboxEntry, reason: str) -> None:
        row = self._row(session, entry)
        if row is not None:
            row.status = "failed"
            session.execute(
                delete(Statement).where(Statement.vault == row.vault, Statement.epoch == row.epoch)
            )
