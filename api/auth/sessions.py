"""Holder sessions: a signed login challenge (`auth/login.py`) is exchanged for a short-lived bearer token.

    vcs_<base64url(payload)>.<hex HMAC-SHA256(session_key, payload)>
    payload = JSON {"a": checksum address, "c": chain id, "i": issued unix s, "e": expiry unix s}

`session_key = HMAC-SHA256(login_secret, "vc-session:v1")`, so the token needs no server state and cannot
be forged without the login secret. A token proves control of the address at issue time; it grants only
holder reads (the holder's own statements), never an API-key scope.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

from eth_utils import is_checksum_address

from api.errors import ErrorCode, Unauthenticated

PREFIX = "vcs_"
MAX_TOKEN_CHARS = 400


@dataclass(frozen=True)
class HolderSession:
    address: str
    issued_at: int
    expires_at: int

    @property
    def actor(self) -> str:
        return f"holder:{self.address}"


class SessionTokens:
    def __init__(self, *, secret: bytes, chain_id: int, clock: Callable[[], int], ttl_s: int) -> None:
        self._key = hmac.new(secret, b"vc-session:v1", hashlib.sha256).digest()
        self._chain_id = chain_id
        self._clock = clock
        self.ttl_s = ttl_s

    def _mac(self, payload: bytes) -> str:
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()

    def issue(self, address: str) -> tuple[str, HolderSession]:
        now = self._clock()
        session = HolderSession(address, now, now + self.ttl_s)
        payload = json.dumps(
            {"a": address, "c": self._chain_id, "i": now, "e": session.expires_at}, separators=(",", ":")
        ).encode()
        body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
        return f"{PREFIX}{body}.{self._mac(payload)}", session

    def verify(self, token: str) -> HolderSession:
        invalid = Unauthenticated("invalid session token", code=ErrorCode.SESSION_INVALID)
        if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
            raise invalid
        body, mac = token[len(PREFIX) :].split(".")
        try:
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as exc:
            raise invalid from exc
        if not hmac.compare_digest(self._mac(payload), mac):
            raise invalid
        try:
            data = json.loads(payload)
            address, chain, iat, exp = data["a"], data["c"], data["i"], data["e"]
        except (ValueError, KeyError, TypeError) as exc:
            raise invalid from exc
        if chain != self._chain_id or not isinstance(address, str) or not is_checksum_address(address):
            raise invalid
        if not isinstance(exp, int) or self._clock() >= exp:
            raise Unauthenticated("session expired", code=ErrorCode.SIGNATURE_EXPIRED)
        return HolderSession(address, int(iat), exp)
