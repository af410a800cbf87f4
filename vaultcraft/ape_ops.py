"""Protocol operations through Ape contract objects: signed NAV posts and time control.

Shared by the local demo, the gas benchmark and the Anvil integration tests.
"""

from __future__ import annotations

from eth_utils import keccak

from vaultcraft.protocol import NavReport, sign_nav_report

ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def trade_claim(oracle, trade_log=None) -> tuple[bytes, int]:
    """(trade_head, trade_count) a report can name: the linked TradeLog's current head and count (a batch
    end, so `covers` holds), or (0, 0) while the oracle has no log linked (NavOracle refuses any other)."""
    if trade_log is None:
        address = oracle.trade_log()
        if str(address).lower() == ZERO_ADDRESS:
            return ZERO32, 0
        from ape import project

        trade_log = project.TradeLog.at(address)
    return bytes(trade_log.head()), trade_log.trade_count()


def current_report(
    vault, oracle, timestamp: int, external_assets: int | None = None, trade_log=None, **overrides
) -> NavReport:
    """A report consistent with the vault's on-chain state at `timestamp`, covering the whole trade log."""
    ext = vault.external_assets() if external_assets is None else external_assets
    head, count = trade_claim(oracle, trade_log)
    fields = dict(
        epoch=vault.epoch(), external_assets=ext, equity=ext, debt=0,
        position_root=keccak(text="positions"), holder_root=keccak(text="holders"),
        holder_sum=vault.totalSupply(), trade_head=head, trade_count=count,
        custody_out=vault.custody_out(), custody_in=vault.custody_in(),
        report_hash=keccak(text=f"report-{vault.epoch()}"), timestamp=timestamp,
    )
    fields.update(overrides)
    return NavReport(**fields)


def advance(chain, seconds: int) -> None:
    """Move the next block's time forward (Anvil)."""
    chain.pending_timestamp = chain.pending_timestamp + seconds


def post_nav(chain, vault, oracle, keeper, keeper_keys: list, external_assets: int | None = None,
             wait: int | None = None, **overrides):
    """Waits out the oracle's minimum delay, posts a report signed by `keeper_keys`, returns the receipt."""
    advance(chain, oracle.min_report_delay() + 1 if wait is None else wait)
    report = current_report(vault, oracle, chain.pending_timestamp - 5, external_assets, **overrides)
    signatures = sign_nav_report(report, chain.chain_id, oracle.address, keeper_keys)
    return oracle.post_report(report.as_tuple(), signatures, sender=keeper)
