"""EIP-191 (`personal_sign`) login challenges for investors.

`challenge(address)` returns a text message in the SIWE spirit:

    VaultCraft API wants you to sign in with your Ethereum account:
    0x…(checksum)

    Chain ID: 31337
    Nonce: <32 hex random><32 hex tag>
    Issued At: <unix s>
    Expiration Time: <unix s>

The tag is HMAC-SHA256(login_secret, address|chain|random|issued|expires) truncated to 128 bits, so the
server issues challenges without storing them and refuses any message it did not produce. `verify`
checks the tag, the expiry, that the signature recovers to the address in the message, and finally
consumes the nonce (single use, `NonceStore`). Errors: malformed message 400; foreign/forged tag, bad
signature 401 `signature_invalid`; expired 401 `signature_expired`; reused 409 `nonce_reused`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import is_address, to_checksum_address

from api.auth.nonces import NonceStore
from api.errors import BadRequest, Conflict, ErrorCode, Unauthenticated

HEADER = "VaultCraft API wants you to sign in with your Ethereum account:"
_MESSAGE_RE = re.compile(
    r"\A" + re.escape(HEADER) + r"\n(?P<address>0x[0-9a-fA-F]{40})\n\n"
    r"Chain ID: (?P<chain>[0-9]{1,20})\n"
    r"Nonce: (?P<rand>[0-9a-f]{32})(?P<tag>[0-9a-f]{32})\n"
    r"Issued At: (?P<iat>[0-9]{1,20})\n"
    r"Expiration Time: (?P<exp>[0-9]{1,20})\Z"
)


class LoginChallenges:
    def __init__(
        self, *, secret: bytes, nonces: NonceStore, clock: Callable[[], int], chain_id: int, ttl_s: int
    ) -> None:
        self._secret = secret
        self._nonces = nonces
        self._clock = clock
        self._chain_id = chain_id
        self._ttl_s = ttl_s

    def _tag(self, address: str, chain: int, rand: str, iat: int, exp: int) -> str:
        msg = f"login:v1|{address}|{chain}|{rand}|{iat}|{exp}".encode()
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()[:32]

    def challenge(self, address: str) -> str:
        if not is_address(address):
            raise BadRequest("not an address")
        address = to_checksum_address(address)
        rand = secrets.token_hex(16)
        iat = self._clock()
        exp = iat + self._ttl_s
        tag = self._tag(address, self._chain_id, rand, iat, exp)
        return (
            f"{HEADER}\n{address}\n\nChain ID: {self._chain_id}\nNonce: {rand}{tag}\n"
            f"Issued At: {iat}\nExpiration Time: {exp}"
        )

    async def verify(self, message: str, signature: str) -> str:
        match = _MESSAGE_RE.fullmatch(message)
        if match is None:
            raise BadRequest("not a VaultCraft login challenge")
        address, chain = match["address"], int(match["chain"])
        iat, exp = int(match["iat"]), int(match["exp"])
        expected = self._tag(address, chain, match["rand"], iat, exp)
        if chain != self._chain_id or not hmac.compare_digest(expected, match["tag"]):
            raise Unauthenticated("challenge was not issued by this server", code=ErrorCode.SIGNATURE_INVALID)
        if self._clock() > exp:
            raise Unauthenticated("challenge expired", code=ErrorCode.SIGNATURE_EXPIRED)
        try:
            signer = Account.recover_message(encode_defunct(text=message), signature=signature)
        except Exception as exc:
            raise Unauthenticated("signature does not verify", code=ErrorCode.SIGNATURE_INVALID) from exc
        if signer.lower() != address.lower():
            raise Unauthenticated(
                "signature is not from the challenged address", code=ErrorCode.SIGNATURE_INVALID
            )
        if not await self._nonces.consume(f"login:{match['rand']}", exp):
            raise Conflict("challenge already used", code=ErrorCode.NONCE_REUSED)
        return to_checksum_address(address)
