"""Replay protection as the venue does it: per signer, the N highest nonces are remembered; a new nonce
must be unused, larger than the smallest remembered one once the set is full, and within a window around
wall-clock time (the SDK uses the current time in ms as the nonce)."""

from __future__ import annotations

import bisect


class NonceBook:
    def __init__(self) -> None:
        self._by_signer: dict[str, list[int]] = {}  # sorted ascending, at most `keep` entries

    def check(
        self, signer: str, nonce: int, wall_ms: int, keep: int, past_ms: int, future_ms: int
    ) -> str | None:
        """Error message if the nonce is unacceptable, else None (nothing is recorded)."""
        if nonce <= wall_ms - past_ms or nonce >= wall_ms + future_ms:
            return f"Invalid nonce: nonce {nonce} is outside the accepted time window around {wall_ms}"
        seen = self._by_signer.get(signer, [])
        i = bisect.bisect_left(seen, nonce)
        if i < len(seen) and seen[i] == nonce:
            return f"Invalid nonce: duplicate nonce {nonce}"
        if len(seen) >= keep and nonce < seen[0]:
            return f"Invalid nonce: nonce {nonce} is lower than the lowest retained nonce {seen[0]}"
        return None

    def use(self, signer: str, nonce: int, keep: int) -> None:
        seen = self._by_signer.setdefault(signer, [])
        bisect.insort(seen, nonce)
        del seen[: max(0, len(seen) - keep)]
