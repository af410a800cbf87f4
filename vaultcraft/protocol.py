"""On-chain constants and typed structures mirrored once in Python.

Tests, deploy scripts, the keeper and the API import these so they agree with the contracts.
"""

from __future__ import annotations

import enum
from dataclasses import astuple, dataclass, fields

from eth_account import Account
from eth_account.messages import encode_typed_data

BPS = 10_000
PPS_SCALE = 10**18
MAX_KEEPERS = 16
DEFAULT_LOCKUP = 86_400
DEFAULT_MIN_MANAGER_BPS = 500
DEFAULT_NOTICE_DELAY = 7 * 86_400

# Fee caps enforced by contracts/modules/fees.vy.
MAX_MANAGEMENT_BPS = 500
MAX_PERFORMANCE_BPS = 5_000
MAX_HURDLE_BPS = 2_000
MAX_ENTRY_BPS = 200
MAX_EXIT_BPS = 200
MAX_PROTOCOL_SHARE_BPS = 3_000


class Role(enum.IntFlag):
    """Vault.vy `flag Role` (Vyper flags are 1-based bit positions)."""

    MANAGER = 1
    GUARDIAN = 2
    FEE_RECIPIENT = 4
    PROTOCOL_FEE_RECIPIENT = 8
    WHITELIST_MANAGER = 16


@dataclass(frozen=True)
class FeeConfig:
    management_bps: int = 0
    performance_bps: int = 0
    hurdle_bps: int = 0
    entry_bps: int = 0
    exit_bps: int = 0
    protocol_share_bps: int = 0

    def as_tuple(self) -> tuple[int, ...]:
        return astuple(self)


@dataclass(frozen=True)
class NavReport:
    """NavOracle.vy `struct NavReport`, field for field and in order."""

    epoch: int
    external_assets: int
    equity: int
    debt: int
    position_root: bytes
    holder_root: bytes
    holder_sum: int
    trade_head: bytes
    trade_count: int
    custody_out: int
    custody_in: int
    report_hash: bytes
    timestamp: int

    def as_tuple(self) -> tuple:
        return astuple(self)


_NAV_REPORT_TYPE = [
    {"name": "epoch", "type": "uint256"},
    {"name": "externalAssets", "type": "uint256"},
    {"name": "equity", "type": "uint256"},
    {"name": "debt", "type": "uint256"},
    {"name": "positionRoot", "type": "bytes32"},
    {"name": "holderRoot", "type": "bytes32"},
    {"name": "holderSum", "type": "uint256"},
    {"name": "tradeHead", "type": "bytes32"},
    {"name": "tradeCount", "type": "uint256"},
    {"name": "custodyOut", "type": "uint256"},
    {"name": "custodyIn", "type": "uint256"},
    {"name": "reportHash", "type": "bytes32"},
    {"name": "timestamp", "type": "uint256"},
]
_INVITE_TYPE = [
    {"name": "vault", "type": "address"},
    {"name": "invitee", "type": "address"},
    {"name": "expiry", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]


def _domain(name: str, chain_id: int, verifying_contract: str) -> dict:
    return {"name": name, "version": "1", "chainId": chain_id, "verifyingContract": verifying_contract}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def nav_report_typed_data(report: NavReport, chain_id: int, oracle: str) -> dict:
    message = {_camel(f.name): getattr(report, f.name) for f in fields(report)}
    return {
        "types": {"NavReport": _NAV_REPORT_TYPE},
        "primaryType": "NavReport",
        "domain": _domain("VaultCraft NAV", chain_id, oracle),
        "message": message,
    }


def sign_nav_report(report: NavReport, chain_id: int, oracle: str, keeper_keys: list[bytes]) -> list[bytes]:
    """Signatures of every keeper key, ordered by ascending signer address as NavOracle requires."""
    signable = encode_typed_data(full_message=nav_report_typed_data(report, chain_id, oracle))
    signed = [(Account.from_key(k).address, Account.sign_message(signable, k).signature) for k in keeper_keys]
    return [sig for _, sig in sorted(signed, key=lambda pair: int(pair[0], 16))]


def sign_invite(
    vault: str, invitee: str, expiry: int, nonce: bytes, chain_id: int, gate: str, manager_key: bytes
) -> bytes:
    """The manager's EIP-712 invite ticket for a private vault, checked by InviteGate.vy."""
    typed = {
        "types": {"Invite": _INVITE_TYPE},
        "primaryType": "Invite",
        "domain": _domain("VaultCraft Invite", chain_id, gate),
        "message": {"vault": vault, "invitee": invitee, "expiry": expiry, "nonce": nonce},
    }
    return Account.sign_message(encode_typed_data(full_message=typed), manager_key).signature
