"""EIP-712 signed manager/admin actions.

The signer signs the typed struct

    Action(address vault, string action, bytes32 params_hash, uint256 nonce, uint256 expiry)

under the domain `{name: "VaultCraft API", version: "1", chainId}` (no verifyingContract: the API is not a
contract). The server recomputes `params_hash = keccak256(canonical_json(params))` from the request it
received, so a signature covers exactly one request body; canonical JSON is UTF-8, keys sorted, no spaces,
and no floats (money travels as integers or decimal strings).

`ActionVerifier.verify` checks, in this order, and changes nothing unless all pass:
  1. the action name and params hash match what the route is about to do   -> 400 bad_request
  2. expiry: not past (-> 401 signature_expired) and at most `max_ttl_s` ahead (-> 400)
  3. the signature recovers to an address                                     -> 401 signature_invalid
  4. that address holds the on-chain role the action needs (`RoleReader`)     -> 403 role_required
  5. the nonce is single-use per (chain, signer) (`NonceStore.consume`)       -> 409 nonce_reused
Malleated signatures (same r, s' = n - s) recover the same signer and hit the same nonce, so they are
refused as replays too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, Field, field_validator

from api.auth.nonces import NonceStore
from api.errors import BadRequest, Conflict, ErrorCode, Forbidden, Unauthenticated
from vaultcraft.protocol import Role

DOMAIN_NAME = "VaultCraft API"
DOMAIN_VERSION = "1"
UINT256_MAX = 2**256 - 1

ACTION_TYPE = [
    {"name": "vault", "type": "address"},
    {"name": "action", "type": "string"},
    {"name": "params_hash", "type": "bytes32"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]
DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
]


class ChainRole(StrEnum):
    """Who may sign an action: `admin` is the vault owner (snekmate ownable); the rest are Vault.vy roles."""

    ADMIN = "admin"
    MANAGER = "manager"
    GUARDIAN = "guardian"
    WHITELIST_MANAGER = "whitelist_manager"

    @property
    def flag(self) -> Role | None:
        """The `Vault.roles(account)` bit, or None for the owner check."""
        return {
            ChainRole.MANAGER: Role.MANAGER,
            ChainRole.GUARDIAN: Role.GUARDIAN,
            ChainRole.WHITELIST_MANAGER: Role.WHITELIST_MANAGER,
        }.get(self)


class RoleReader(Protocol):
    async def has_role(self, vault: str, account: str, role: ChainRole) -> bool:
        """Whether `account` holds `role` on `vault` now (checksum addresses)."""
        ...


class StaticRoleReader:
    """Fixed role table for tests and the offline demo; the chain-backed reader replaces it."""

    def __init__(self, grants: Mapping[tuple[str, str], set[ChainRole]] | None = None) -> None:
        self._grants: dict[tuple[str, str], set[ChainRole]] = {}
        for (vault, account), roles in (grants or {}).items():
            self.grant(vault, account, *roles)

    def grant(self, vault: str, account: str, *roles: ChainRole) -> None:
        self._grants.setdefault((vault.lower(), account.lower()), set()).update(roles)

    async def has_role(self, vault: str, account: str, role: ChainRole) -> bool:
        return role in self._grants.get((vault.lower(), account.lower()), set())


# Which on-chain role each signed action needs. Routes add theirs here (or pass their own mapping).
DEFAULT_ACTION_ROLES: dict[str, ChainRole] = {
    "orders.place": ChainRole.MANAGER,
    "orders.cancel": ChainRole.MANAGER,
    "risk.template.set": ChainRole.MANAGER,
    "auditor.register": ChainRole.ADMIN,
    "vault.pause": ChainRole.GUARDIAN,
    "whitelist.update": ChainRole.WHITELIST_MANAGER,
}


def _no_floats(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("floats are not allowed in signed params; send integers or decimal strings")
    if isinstance(value, Mapping):
        return {str(k): _no_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_floats(v) for v in value]
    return value


def canonical_json(params: Mapping[str, Any]) -> bytes:
    return json.dumps(_no_floats(params), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def params_hash(params: Mapping[str, Any]) -> bytes:
    return keccak(canonical_json(params))


_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}$")
_SIG = re.compile(r"^0x[0-9a-fA-F]{130}$")


class SignedAction(BaseModel):
    """The signature envelope a client sends next to (or inside) a manager/admin request."""

    vault: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$", description="Vault address (any case; normalised)")
    action: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.:-]+$")
    params_hash: str = Field(
        pattern=r"^0x[0-9a-fA-F]{64}$", description="0x-prefixed keccak256 of the canonical JSON params"
    )
    nonce: int = Field(ge=0, le=UINT256_MAX)
    expiry: int = Field(ge=0, le=UINT256_MAX, description="Unix seconds")
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$", description="0x-prefixed 65-byte signature")

    @field_validator("vault")
    @classmethod
    def _address(cls, v: str) -> str:
        # Any case is accepted (the address is inside the signed struct, so a typo cannot be exploited:
        # it names a vault where the signer holds no role); it is normalised to the checksum form.
        return to_checksum_address(v)

    @field_validator("params_hash")
    @classmethod
    def _hash(cls, v: str) -> str:
        if not _HEX32.fullmatch(v):
            raise ValueError("expected 0x + 64 hex characters")
        return v.lower()

    @field_validator("signature")
    @classmethod
    def _sig(cls, v: str) -> str:
        if not _SIG.fullmatch(v):
            raise ValueError("expected 0x + 130 hex characters")
        return v.lower()


def action_typed_data(
    chain_id: int, vault: str, action: str, params_hash_: bytes, nonce: int, expiry: int
) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, "Action": ACTION_TYPE},
        "primaryType": "Action",
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id},
        "message": {
            "vault": to_checksum_address(vault),
            "action": action,
            "params_hash": params_hash_,
            "nonce": nonce,
            "expiry": expiry,
        },
    }


def sign_action(
    private_key: bytes | str,
    *,
    chain_id: int,
    vault: str,
    action: str,
    params: Mapping[str, Any],
    nonce: int,
    expiry: int,
) -> SignedAction:
    """Client-side helper (tests, CLI): sign an action over `params`."""
    digest = params_hash(params)
    typed = action_typed_data(chain_id, vault, action, digest, nonce, expiry)
    sig = Account.sign_message(encode_typed_data(full_message=typed), private_key).signature
    return SignedAction(
        vault=vault,
        action=action,
        params_hash="0x" + digest.hex(),
        nonce=nonce,
        expiry=expiry,
        signature="0x" + bytes(sig).hex(),
    )


@dataclass(frozen=True)
class VerifiedAction:
    signer: str
    vault: str
    action: str
    nonce: int
    role: ChainRole

    @property
    def actor(self) -> str:
        return f"signer:{self.signer}:{self.role.value}"


class ActionVerifier:
    def __init__(
        self,
        *,
        chain_id: int,
        nonces: NonceStore,
        roles: RoleReader,
        clock: Callable[[], int],
        max_ttl_s: int,
        action_roles: Mapping[str, ChainRole] = DEFAULT_ACTION_ROLES,
    ) -> None:
        self._chain_id = chain_id
        self._nonces = nonces
        self._roles = roles
        self._clock = clock
        self._max_ttl_s = max_ttl_s
        self._action_roles = dict(action_roles)

    def recover(self, signed: SignedAction) -> str:
        typed = action_typed_data(
            self._chain_id,
            signed.vault,
            signed.action,
            bytes.fromhex(signed.params_hash[2:]),
            signed.nonce,
            signed.expiry,
        )
        try:
            signer = Account.recover_message(
                encode_typed_data(full_message=typed), signature=signed.signature
            )
        except Exception as exc:  # eth_keys raises several types for junk signatures
            raise Unauthenticated("signature does not verify", code=ErrorCode.SIGNATURE_INVALID) from exc
        return to_checksum_address(signer)

    async def verify(self, signed: SignedAction, *, action: str, params: Mapping[str, Any]) -> VerifiedAction:
        role = self._action_roles.get(action)
        if role is None:
            raise BadRequest(f"unknown action {action!r}")
        if signed.action != action:
            raise BadRequest("signed action does not match this endpoint", details={"expected": action})
        try:
            expected_hash = "0x" + params_hash(params).hex()
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        if signed.params_hash != expected_hash:
            raise BadRequest("params_hash does not match the request parameters")
        now = self._clock()
        if signed.expiry < now:
            raise Unauthenticated("signature expired", code=ErrorCode.SIGNATURE_EXPIRED)
        if signed.expiry > now + self._max_ttl_s:
            raise BadRequest(
                f"expiry more than {self._max_ttl_s}s ahead", details={"max_ttl_s": self._max_ttl_s}
            )
        signer = self.recover(signed)
        if not await self._roles.has_role(signed.vault, signer, role):
            raise Forbidden(
                "signer does not hold the required role on this vault",
                code=ErrorCode.ROLE_REQUIRED,
                details={"role": role.value},
            )
        key = f"action:{self._chain_id}:{signer.lower()}:{signed.nonce}"
        if not await self._nonces.consume(key, signed.expiry):
            raise Conflict("nonce already used (replayed signature)", code=ErrorCode.NONCE_REUSED)
        return VerifiedAction(signer=signer, vault=signed.vault, action=action, nonce=signed.nonce, role=role)
