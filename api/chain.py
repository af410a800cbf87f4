"""Chain reads over web3 (`AsyncWeb3`), with the ABIs the deployment file lists.

* `head()` (chain id, block, timestamp) is cached for `head_ttl_s` (default 1 s) and fetched by one caller
  at a time, so `/v1/status` under load costs the node at most one request per second.
* `vault_state()` reads a vault's and its oracle's views concurrently (every view the ABI has; one that is
  missing from an older ABI is simply absent), cached per vault for `head_ttl_s` as well.
* `logs()` reads decoded events of given contracts over a bounded block range, ordered by (block, index).
Any node error becomes `ChainUnavailable` (503 `chain_unavailable`) with no URL or node text in it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from eth_utils import to_checksum_address
from web3 import AsyncHTTPProvider, AsyncWeb3

from api.errors import ErrorCode, NotReady

T = TypeVar("T")


class ChainUnavailable(NotReady):
    code = ErrorCode.CHAIN_UNAVAILABLE

    def __init__(self, message: str = "chain node unavailable") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Head:
    chain_id: int
    block: int
    timestamp: int
    fetched_at: float


@dataclass(frozen=True)
class DecodedLog:
    contract: str
    address: str
    event: str
    block: int
    log_index: int
    tx_hash: str
    args: dict[str, Any]


def _jsonable(value: Any) -> Any:
    """JSON-safe values: ints as decimal strings (uint256 exceeds JSON numbers), bytes as 0x-hex."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return value
    if hasattr(value, "items"):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def _named(outputs: list[dict[str, Any]], value: Any) -> Any:
    """A struct return value as a dict named by the ABI components."""
    if len(outputs) == 1 and outputs[0].get("components") and isinstance(value, list | tuple):
        names = [c["name"] for c in outputs[0]["components"]]
        return dict(zip(names, value, strict=False))
    return value


class ChainReader:
    def __init__(
        self,
        w3: AsyncWeb3,
        abis: dict[str, list[dict[str, Any]]],
        head_ttl_s: float = 1.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.w3 = w3
        self.abis = abis
        self._ttl = head_ttl_s
        self._timeout = timeout_s
        self._clock = clock
        self._head: Head | None = None
        self._head_failed_at: float | None = None
        self._head_lock = asyncio.Lock()
        self._state: dict[str, tuple[float, dict[str, Any]]] = {}
        self._state_locks: dict[str, asyncio.Lock] = {}
        self._topics: dict[str, dict[bytes, tuple[str, Any]]] = {}

    @classmethod
    def from_url(cls, url: str, abis: dict[str, list[dict[str, Any]]], **kwargs: Any) -> ChainReader:
        provider = AsyncHTTPProvider(url, request_kwargs={"timeout": kwargs.get("timeout_s", 5.0)})
        return cls(AsyncWeb3(provider), abis, **kwargs)

    async def _guard(self, call: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(call, self._timeout)
        except ChainUnavailable:
            raise
        except Exception as exc:  # node text may carry the URL (with credentials): never pass it on
            raise ChainUnavailable() from exc

    # --- head --------------------------------------------------------------------------------------

    async def head(self) -> Head:
        """The cached head; a failed fetch is remembered for the TTL too, so a dead node costs one timeout
        per TTL rather than one per request."""
        cached = self._fresh_head()
        if cached is not None:
            return cached
        async with self._head_lock:
            cached = self._fresh_head()
            if cached is not None:
                return cached
            try:
                chain_id, block = await self._guard(
                    asyncio.gather(self.w3.eth.chain_id, self.w3.eth.get_block("latest"))
                )
            except ChainUnavailable:
                self._head_failed_at = self._clock()
                raise
            self._head_failed_at = None
            self._head = Head(int(chain_id), int(block["number"]), int(block["timestamp"]), self._clock())
            return self._head

    def _fresh_head(self) -> Head | None:
        now = self._clock()
        if self._head_failed_at is not None and now - self._head_failed_at < self._ttl:
            raise ChainUnavailable()
        if self._head is not None and now - self._head.fetched_at < self._ttl:
            return self._head
        return None

    async def aclose(self) -> None:
        """Close the provider's HTTP session (call on shutdown)."""
        disconnect = getattr(self.w3.provider, "disconnect", None)
        if disconnect is not None:
            await disconnect()

    # --- views -------------------------------------------------------------------------------------

    def contract(self, name: str, address: str) -> Any:
        return self.w3.eth.contract(address=to_checksum_address(address), abi=self.abis.get(name, []))

    async def views(
        self, name: str, address: str, calls: Sequence[tuple[str, tuple[Any, ...]]]
    ) -> dict[str, Any]:
        """Call the named views that exist in the ABI (others are skipped); struct results come back named."""
        contract = self.contract(name, address)
        by_name = {f["name"]: f for f in self.abis.get(name, []) if f.get("type") == "function"}
        wanted = [
            (fn, args) for fn, args in calls if fn in by_name and len(by_name[fn]["inputs"]) == len(args)
        ]
        results = await self._guard(
            asyncio.gather(*(contract.functions[fn](*args).call() for fn, args in wanted))
        )
        return {
            fn: _named(by_name[fn]["outputs"], value) for (fn, _), value in zip(wanted, results, strict=True)
        }

    async def vault_state(self, vault: str, oracle: str) -> dict[str, Any]:
        key = vault.lower()
        hit = self._state.get(key)
        if hit is not None and self._clock() - hit[0] < self._ttl:
            return hit[1]
        lock = self._state_locks.setdefault(key, asyncio.Lock())
        async with lock:
            hit = self._state.get(key)
            if hit is not None and self._clock() - hit[0] < self._ttl:
                return hit[1]
            plain = [
                "name",
                "symbol",
                "decimals",
                "asset",
                "is_private",
                "owner",
                "manager",
                "guardian",
                "fee_recipient",
                "protocol_fee_recipient",
                "whitelist_manager",
                "deposit_cap",
                "lockup",
                "min_manager_bps",
                "sync_max_age",
                "epoch",
                "redeem_epoch",
                "totalAssets",
                "totalSupply",
                "share_price",
                "high_water_mark",
                "paused",
                "shut_down",
                "quarantined",
                "last_settled_at",
                "pending_deposit_assets",
                "pending_redeem_shares",
                "nav_oracle",
            ]
            vault_views, oracle_views = await asyncio.gather(
                self.views("Vault", vault, [(n, ()) for n in plain]),
                self.views(
                    "NavOracle",
                    oracle,
                    [
                        (n, ())
                        for n in (
                            "config",
                            "pending",
                            "pending_effective_at",
                            "notice_delay",
                            "quorum",
                            "keeper_count",
                            "last_report_at",
                            "guards",
                        )
                    ],
                ),
            )
            decimals = vault_views.get("decimals")
            if isinstance(decimals, int) and 0 <= decimals <= 77:
                pps = await self.views("Vault", vault, [("convertToAssets", (10**decimals,))])
                vault_views["convertToAssets_one_share"] = pps.get("convertToAssets")
            state = {"vault": vault_views, "oracle": oracle_views}
            self._state[key] = (self._clock(), state)
            return state

    # --- logs --------------------------------------------------------------------------------------

    def _topic_map(self, name: str) -> dict[bytes, tuple[str, Any]]:
        if name not in self._topics:
            contract = self.w3.eth.contract(abi=self.abis.get(name, []))
            table: dict[bytes, tuple[str, Any]] = {}
            for item in self.abis.get(name, []):
                if item.get("type") != "event" or item.get("anonymous"):
                    continue
                event = contract.events[item["name"]]()
                topic = event.topic
                table[bytes.fromhex(topic[2:]) if isinstance(topic, str) else bytes(topic)] = (
                    item["name"],
                    event,
                )
            self._topics[name] = table
        return self._topics[name]

    async def logs(
        self,
        sources: Sequence[tuple[str, str]],
        from_block: int,
        to_block: int,
        topics: Sequence[Any] | None = None,
    ) -> list[DecodedLog]:
        """Decoded events of `sources` [(abi name, address)] in [from_block, to_block], by (block, index)."""
        if to_block < from_block:
            return []
        names = {to_checksum_address(a): n for n, a in sources}
        params: dict[str, Any] = {
            "address": list(names),
            "fromBlock": from_block,
            "toBlock": to_block,
        }
        if topics:
            params["topics"] = list(topics)
        raw = await self._guard(self.w3.eth.get_logs(params))  # type: ignore[arg-type]
        out: list[DecodedLog] = []
        for log in raw:
            address = to_checksum_address(log["address"])
            name = names.get(address)
            if name is None or not log["topics"]:
                continue
            found = self._topic_map(name).get(bytes(log["topics"][0]))
            if found is None:
                continue
            event_name, event = found
            try:
                decoded = event.process_log(log)
            except Exception:  # an event this ABI cannot decode is skipped, never a 500
                continue
            out.append(
                DecodedLog(
                    contract=name,
                    address=address,
                    event=event_name,
                    block=int(log["blockNumber"]),
                    log_index=int(log["logIndex"]),
                    tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                    args={k: _jsonable(v) for k, v in decoded["args"].items()},
                )
            )
        out.sort(key=lambda e: (e.block, e.log_index))
        return out


def jsonable(value: Any) -> Any:
    return _jsonable(value)
