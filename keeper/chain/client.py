"""A signing JSON-RPC client (web3.py) with the error split the outbox needs.

`ChainUnavailable` is transient (connection refused, timeouts, node restarting, 5xx): retry with backoff.
`Reverted` carries the revert reason of a call or gas estimate: the intent itself is wrong for the chain's
current state, and retrying the same bytes cannot help.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxReceipt


class ChainUnavailable(RuntimeError):
    """The node did not answer or answered with a transport error."""


class Reverted(RuntimeError):
    """The call would revert; `reason` is the contract's message (e.g. "nav: too soon")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_TRANSIENT = (requests.exceptions.RequestException, ConnectionError, TimeoutError, OSError)


def _reason(exc: ContractLogicError) -> str:
    message = str(exc.message if getattr(exc, "message", None) else exc)
    return message.removeprefix("execution reverted: ").strip()


@dataclass(frozen=True)
class SignedTx:
    raw: bytes
    tx_hash: str
    nonce: int


class ChainClient:
    """One signer on one node; every method raises ChainUnavailable or Reverted, never a raw RPC error."""

    def __init__(self, url: str, private_key: str | None = None, timeout_s: float = 10.0, retries: int = 3,
                 retry_backoff_s: float = 0.05) -> None:
        """Without a key the client reads only (the API's reconciliation, verification tools)."""
        self.w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout_s}))
        self._account: LocalAccount | None = Account.from_key(private_key) if private_key else None
        self._chain_id: int | None = None
        self.retries, self.retry_backoff_s = retries, retry_backoff_s

    @property
    def account(self) -> LocalAccount:
        if self._account is None:
            raise RuntimeError("read-only chain client: no signing key")
        return self._account

    @property
    def address(self) -> str:
        return str(self.account.address)

    def rpc(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Runs one web3 request, translating its failures into ChainUnavailable / Reverted.

        Transport failures are retried a few times with a short backoff first: every request the keeper
        makes is a read or the broadcast of already-signed bytes, so repeating it is harmless."""
        for attempt in range(self.retries + 1):
            try:
                return self._once(fn, *args, **kwargs)
            except ChainUnavailable:
                if attempt == self.retries:
                    raise
                time.sleep(self.retry_backoff_s * 2**attempt)
        raise AssertionError("unreachable")

    def _once(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ContractLogicError as exc:
            raise Reverted(_reason(exc)) from None
        except TransactionNotFound:
            raise
        except Web3RPCError as exc:
            message = str(exc)
            if "revert" in message.lower():
                raise Reverted(message) from None
            raise ChainUnavailable(message) from None
        except _TRANSIENT as exc:
            raise ChainUnavailable(f"{type(exc).__name__}: {exc}") from None

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.rpc(lambda: self.w3.eth.chain_id))
        return self._chain_id

    def head(self) -> int:
        return int(self.rpc(lambda: self.w3.eth.block_number))

    def block(self, number: int | str = "latest") -> Any:
        return self.rpc(self.w3.eth.get_block, number)

    def call(self, fn: ContractFunction, block: int | str = "latest") -> Any:
        return self.rpc(fn.call, block_identifier=block)

    def nonce(self, block: str = "pending") -> int:
        return int(self.rpc(self.w3.eth.get_transaction_count, self.account.address, block))

    def sign(self, fn: ContractFunction, nonce: int, fee_bump_pct: int = 0) -> SignedTx:
        """Estimates gas (raising Reverted if the call would fail) and signs an EIP-1559 transaction."""
        gas = int(self.rpc(fn.estimate_gas, {"from": self.account.address}))
        base = int(self.rpc(lambda: self.w3.eth.get_block("latest"))["baseFeePerGas"])
        tip = 10**9 * (100 + fee_bump_pct) // 100
        tx = self.rpc(
            fn.build_transaction,
            {
                "from": self.account.address,
                "nonce": nonce,
                "gas": gas * 5 // 4 + 20_000,
                "maxPriorityFeePerGas": tip,
                "maxFeePerGas": 2 * base * (100 + fee_bump_pct) // 100 + tip,
                "chainId": self.chain_id,
            },
        )
        signed = self.account.sign_transaction(tx)
        return SignedTx(bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex(), nonce)

    def broadcast(self, raw: bytes) -> None:
        """Sends signed bytes; a node that already has them (or mined them) is not an error."""
        try:
            self.rpc(self.w3.eth.send_raw_transaction, raw)
        except ChainUnavailable as exc:
            text = str(exc).lower()
            if "already known" in text or "nonce too low" in text or "already imported" in text:
                return
            raise

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self.rpc(self.w3.eth.get_transaction_receipt, tx_hash)
        except TransactionNotFound:
            return None
