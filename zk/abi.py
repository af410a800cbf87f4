"""Raw ABI encoding of static types as 32-byte big-endian words.

`abi.encode` of static types is plain word concatenation, so hot paths build it with bytes joins instead of
eth_abi (which is ~50x slower); tests/zk/test_abi.py proves byte equality with eth_abi.
"""

from __future__ import annotations

from eth_utils import is_checksum_address

from .errors import EncodingError
from .keccak import keccak256

UINT256_MAX = (1 << 256) - 1
INT256_MIN = -(1 << 255)
INT256_MAX = (1 << 255) - 1


def _require_int(value: object, name: str) -> int:
    # bool is an int subclass; True silently becoming 1 in a commitment would be a bug, not a convenience.
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodingError(f"{name}: expected int, got {type(value).__name__}")
    return value


def uint256(value: int, name: str = "value") -> bytes:
    v = _require_int(value, name)
    if v < 0 or v > UINT256_MAX:
        raise EncodingError(f"{name}: {v} is outside uint256")
    return v.to_bytes(32, "big")


def int256(value: int, name: str = "value") -> bytes:
    v = _require_int(value, name)
    if v < INT256_MIN or v > INT256_MAX:
        raise EncodingError(f"{name}: {v} is outside int256")
    return v.to_bytes(32, "big", signed=True)


def bytes32(value: bytes, name: str = "value") -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise EncodingError(f"{name}: expected 32 bytes")
    return bytes(value)


def decode_uint256(word: bytes) -> int:
    return int.from_bytes(word, "big")


def decode_int256(word: bytes) -> int:
    return int.from_bytes(word, "big", signed=True)


# Byte tables for the EIP-55 check: 0x20 (the ASCII case bit) where a hash nibble is >= 8 / where a character
# is a letter; their AND over all 40 characters, XORed into the lower-case form, is the checksummed form.
_HASH_NIBBLE_HIGH = bytes(0x20 if chr(b) in "89abcdef" else 0 for b in range(256))
_HEX_LETTER = bytes(0x20 if chr(b) in "abcdef" else 0 for b in range(256))


def _is_eip55(text: str) -> bool:
    """EIP-55 check of 40 hex digits (no prefix): a letter is upper case iff its keccak nibble is >= 8.

    Same verdict as eth_utils.is_checksum_address for 40 hex digits, several times faster (pysha3, whole-word
    integer ops instead of a per-character loop); holder snapshots parse one address per investor.
    """
    lower = text.lower().encode("ascii")
    nibbles = keccak256(lower).hex()[:40].encode("ascii")
    flip = int.from_bytes(nibbles.translate(_HASH_NIBBLE_HIGH), "big") & int.from_bytes(
        lower.translate(_HEX_LETTER), "big"
    )
    return int.from_bytes(text.encode("ascii"), "big") == int.from_bytes(lower, "big") ^ flip


def parse_address(value: str | bytes) -> bytes:
    """Return the 20-byte address; a mixed-case hex string must carry a valid EIP-55 checksum."""
    if isinstance(value, bytes | bytearray):
        if len(value) != 20:
            raise EncodingError("address: expected 20 bytes")
        return bytes(value)
    if not isinstance(value, str):
        raise EncodingError(f"address: expected str or bytes, got {type(value).__name__}")
    text = value[2:] if value[:2] in ("0x", "0X") else value
    if len(text) != 40:
        raise EncodingError("address: expected 40 hex digits")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise EncodingError("address: not hex") from None
    if text != text.lower() and text != text.upper():
        # bytes.fromhex skips whitespace, so 40 characters are 40 hex digits only when they gave 20 bytes;
        # anything else keeps eth_utils' verdict.
        ok = _is_eip55(text) if len(raw) == 20 else is_checksum_address("0x" + text)
        if not ok:
            raise EncodingError("address: bad EIP-55 checksum")
    return raw


def address(value: str | bytes) -> bytes:
    """ABI word of an address: 12 zero bytes then the 20 address bytes."""
    return bytes(12) + parse_address(value)


def bytes32_from_text(text: str) -> bytes:
    """Right-pad a short UTF-8 identifier (e.g. an instrument symbol) to bytes32, like a bytes32 literal."""
    raw = text.encode("utf-8")
    if not raw or len(raw) > 32:
        raise EncodingError("identifier: must be 1..32 UTF-8 bytes")
    return raw.ljust(32, b"\x00")


def hex32(value: str) -> bytes:
    """Parse a 0x-prefixed 32-byte hex string (as found in JSON and key files)."""
    text = value[2:] if value.startswith("0x") else value
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise EncodingError("expected hex") from None
    return bytes32(raw)
