"""The (chainid, vault, epoch) context every commitment, salt and ciphertext is bound to."""

from __future__ import annotations

from dataclasses import dataclass, field

from .abi import address, parse_address, uint256
from .errors import EncodingError


@dataclass(frozen=True)
class VaultId:
    """A vault on a chain; `vault` is the 20-byte address."""

    chainid: int
    vault: bytes

    def __post_init__(self) -> None:
        uint256(self.chainid, "chainid")
        if not isinstance(self.vault, bytes) or len(self.vault) != 20:
            raise EncodingError("vault: expected 20-byte address")

    @classmethod
    def of(cls, chainid: int, vault: str | bytes) -> VaultId:
        return cls(chainid, parse_address(vault))

    def encoded(self) -> bytes:
        """abi.encode(chainid, vault)."""
        return uint256(self.chainid) + address(self.vault)

    def at(self, epoch: int) -> VaultContext:
        return VaultContext(self.chainid, self.vault, epoch)


@dataclass(frozen=True)
class VaultContext:
    """A vault epoch; `encoded` = abi.encode(chainid, vault, epoch), precomputed as hot paths reuse it."""

    chainid: int
    vault: bytes
    epoch: int
    encoded: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.vault, bytes) or len(self.vault) != 20:
            raise EncodingError("vault: expected 20-byte address")
        words = uint256(self.chainid, "chainid") + address(self.vault) + uint256(self.epoch, "epoch")
        object.__setattr__(self, "encoded", words)

    @classmethod
    def of(cls, chainid: int, vault: str | bytes, epoch: int) -> VaultContext:
        return cls(chainid, parse_address(vault), epoch)

    @property
    def vault_id(self) -> VaultId:
        return VaultId(self.chainid, self.vault)

    @property
    def vault_hex(self) -> str:
        return "0x" + self.vault.hex()
