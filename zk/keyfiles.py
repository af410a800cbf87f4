"""JSON key files for auditor private keys, month view keys and vault root keys.

Files are written 0600 and never overwritten. Loaders check the kind, the exact field set, hex lengths and
internal consistency, and their errors never echo file contents (a key file's content is the secret).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .abi import parse_address
from .context import VaultId
from .errors import EncodingError, KeyFileError
from .hpke import AuditorPrivateKey
from .view_keys import MonthKey, VaultRootKey

AUDITOR_KEY_KIND = "vaultcraft.auditor-key.v1"
MONTH_KEY_KIND = "vaultcraft.month-key.v1"
ROOT_KEY_KIND = "vaultcraft.vault-root-key.v1"
HPKE_SUITE_NAME = "DHKEM(X25519,HKDF-SHA256)/HKDF-SHA256/ChaCha20-Poly1305"


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


def _parse(text: str, kind: str, fields: set[str]) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        raise KeyFileError("key file is not valid JSON") from None
    if not isinstance(data, dict):
        raise KeyFileError("key file must be a JSON object")
    if data.get("kind") != kind:
        raise KeyFileError(f"key file kind must be {kind!r}")
    if set(data) != fields | {"kind"}:
        raise KeyFileError(f"key file fields must be exactly {sorted(fields | {'kind'})}")
    return data


def _key_bytes(data: dict[str, Any], name: str) -> bytes:
    value = data[name]
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise KeyFileError(f"{name} must be 0x followed by 64 hex digits")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise KeyFileError(f"{name} is not hex") from None


def _int_field(data: dict[str, Any], name: str) -> int:
    value = data[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise KeyFileError(f"{name} must be an integer")
    return value


def _vault(data: dict[str, Any]) -> VaultId:
    try:
        return VaultId(_int_field(data, "chainid"), parse_address(data["vault"]))
    except EncodingError as exc:
        raise KeyFileError(f"bad chainid/vault: {exc}") from None


# ------------------------------------------------------------------------------------------- (de)serialise


def dumps_auditor_key(key: AuditorPrivateKey) -> str:
    return json.dumps(
        {
            "kind": AUDITOR_KEY_KIND,
            "suite": HPKE_SUITE_NAME,
            "private_key": _hex(key.to_bytes()),
            "public_key": key.public_key().hex(),
        },
        indent=2,
    )


def loads_auditor_key(text: str) -> AuditorPrivateKey:
    data = _parse(text, AUDITOR_KEY_KIND, {"suite", "private_key", "public_key"})
    if data["suite"] != HPKE_SUITE_NAME:
        raise KeyFileError("unsupported HPKE suite")
    key = AuditorPrivateKey.from_bytes(_key_bytes(data, "private_key"))
    if key.public_key().raw != _key_bytes(data, "public_key"):
        raise KeyFileError("public_key does not match private_key")
    return key


def dumps_month_key(key: MonthKey) -> str:
    return json.dumps(
        {
            "kind": MONTH_KEY_KIND,
            "chainid": key.vault.chainid,
            "vault": _hex(key.vault.vault),
            "year": key.year,
            "month": key.month,
            "key": _hex(key.secret),
        },
        indent=2,
    )


def loads_month_key(text: str) -> MonthKey:
    data = _parse(text, MONTH_KEY_KIND, {"chainid", "vault", "year", "month", "key"})
    try:
        year, month = _int_field(data, "year"), _int_field(data, "month")
        return MonthKey(_vault(data), year, month, _key_bytes(data, "key"))
    except EncodingError as exc:
        raise KeyFileError(f"bad month key: {exc}") from None


def dumps_root_key(key: VaultRootKey) -> str:
    return json.dumps(
        {
            "kind": ROOT_KEY_KIND,
            "chainid": key.vault.chainid,
            "vault": _hex(key.vault.vault),
            "key": _hex(key.secret),
        },
        indent=2,
    )


def loads_root_key(text: str) -> VaultRootKey:
    data = _parse(text, ROOT_KEY_KIND, {"chainid", "vault", "key"})
    return VaultRootKey(_vault(data), _key_bytes(data, "key"))


# ------------------------------------------------------------------------------------------------- files


def write_secret_file(path: str | Path, text: str) -> None:
    """Create `path` with mode 0600; refuse to overwrite an existing file (it may hold another key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read key file {path}: {type(exc).__name__}") from None


def save_auditor_key(path: str | Path, key: AuditorPrivateKey) -> None:
    write_secret_file(path, dumps_auditor_key(key))


def load_auditor_key(path: str | Path) -> AuditorPrivateKey:
    return loads_auditor_key(read_text(path))


def save_month_key(path: str | Path, key: MonthKey) -> None:
    write_secret_file(path, dumps_month_key(key))


def load_month_key(path: str | Path) -> MonthKey:
    return loads_month_key(read_text(path))


def save_root_key(path: str | Path, key: VaultRootKey) -> None:
    write_secret_file(path, dumps_root_key(key))


def load_root_key(path: str | Path) -> VaultRootKey:
    return loads_root_key(read_text(path))
