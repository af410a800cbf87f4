"""What the demo shows at the end: per vault and epoch, NAV, price per share, fees, fills mirrored; and the
totals (proofs verified, records decrypted, gas spent). Read from the chain, never from the demo's memory."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from vaultcraft.units import fmt_units


@dataclass
class EpochRow:
    vault: str
    epoch: int
    total_assets: int
    share_price: int
    management_fee: int
    performance_fee: int
    trade_count: int
    tx_hash: str


@dataclass
class Summary:
    chain_id: int
    epochs: list[EpochRow] = field(default_factory=list)
    fills_mirrored: dict[str, int] = field(default_factory=dict)
    proofs_verified: int = 0
    records_decrypted: int = 0
    redeemed_assets: int = 0
    gas_demo_txs: int = 0
    gas_keeper_txs: int = 0
    steps: list[str] = field(default_factory=list)
    ok: bool = False

    def table(self, decimals: int) -> Table:
        table = Table(title="VaultCraft demo: settled epochs")
        for column in ("vault", "epoch", "NAV", "price/share", "mgmt fee", "perf fee", "fills on-chain"):
            table.add_column(column, justify="right" if column != "vault" else "left")
        for row in self.epochs:
            table.add_row(
                row.vault,
                str(row.epoch),
                fmt_units(row.total_assets, decimals),
                fmt_units(row.share_price, 18, 6),
                fmt_units(row.management_fee, decimals),
                fmt_units(row.performance_fee, decimals),
                str(row.trade_count),
            )
        return table

    def totals(self, decimals: int) -> Table:
        table = Table(title="Totals", show_header=False)
        table.add_row("fills mirrored", ", ".join(f"{k}: {v}" for k, v in self.fills_mirrored.items()))
        table.add_row("holder proofs verified on-chain", str(self.proofs_verified))
        table.add_row("private records decrypted and checked", str(self.records_decrypted))
        table.add_row("assets redeemed", fmt_units(self.redeemed_assets, decimals))
        table.add_row("gas: keeper transactions", f"{self.gas_keeper_txs:,}")
        table.add_row("gas: investor / manager / admin transactions", f"{self.gas_demo_txs:,}")
        return table

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for row in data["epochs"]:
            for key in ("total_assets", "share_price", "management_fee", "performance_fee"):
                row[key] = str(row[key])  # uint256 values stay exact in JSON
        data["redeemed_assets"] = str(self.redeemed_assets)
        return data

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2))
