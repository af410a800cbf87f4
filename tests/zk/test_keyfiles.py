"""JSON key files: round trips, permissions and validation without leaking secrets."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from zk.context import VaultId
from zk.errors import KeyFileError
from zk.hpke import AuditorPrivateKey
from zk.keyfiles import (
    dumps_auditor_key,
    dumps_month_key,
    load_auditor_key,
    load_month_key,
    load_root_key,
    loads_auditor_key,
    loads_month_key,
    save_auditor_key,
    save_month_key,
    save_root_key,
)
from zk.view_keys import VaultRootKey


def test_auditor_key_file__round_trip__same_key_and_mode_0600(tmp_path: Path) -> None:
    key = AuditorPrivateKey.generate()
    path = tmp_path / "auditor.json"
    save_auditor_key(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_auditor_key(path).to_bytes() == key.to_bytes()


def test_month_and_root_key_files__round_trip__same_keys(tmp_path: Path, vault_id: VaultId) -> None:
    root = VaultRootKey.generate(vault_id)
    save_root_key(tmp_path / "root.json", root)
    save_month_key(tmp_path / "m.json", root.month_key(2026, 3))
    assert load_root_key(tmp_path / "root.json").secret == root.secret
    loaded = load_month_key(tmp_path / "m.json")
    assert (loaded.vault, loaded.year, loaded.month, loaded.secret) == (vault_id, 2026, 3,
                                                                      root.month_key(2026, 3).secret)


def test_key_file__existing_path__not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "auditor.json"
    save_auditor_key(path, AuditorPrivateKey.generate())
    before = path.read_text()
    with pytest.raises(FileExistsError):
        save_auditor_key(path, AuditorPrivateKey.generate())
    assert path.read_text() == before


def _mutated(text: str, **changes: object) -> str:
    data = json.loads(text)
    data.update(changes)
    return json.dumps(data)


def test_auditor_key_file__mismatched_public_key__rejected_without_echoing_secret() -> None:
    key = AuditorPrivateKey.generate()
    text = _mutated(dumps_auditor_key(key), public_key=AuditorPrivateKey.generate().public_key().hex())
    with pytest.raises(KeyFileError) as info:
        loads_auditor_key(text)
    assert key.to_bytes().hex() not in str(info.value)


@pytest.mark.parametrize(
    "changes",
    [{"kind": "vaultcraft.month-key.v1"}, {"extra": 1}, {"private_key": "0x1234"},
     {"private_key": "0x" + "zz" * 32}, {"suite": "P256"}],
)
def test_auditor_key_file__malformed_fields__rejected(changes: dict) -> None:
    text = _mutated(dumps_auditor_key(AuditorPrivateKey.generate()), **changes)
    with pytest.raises(KeyFileError):
        loads_auditor_key(text)


@pytest.mark.parametrize(
    "changes",
    [{"month": 13}, {"year": "2026"}, {"vault": "0x1234"}, {"chainid": -1}, {"key": "0x" + "00" * 31}],
)
def test_month_key_file__malformed_fields__rejected(vault_id: VaultId, changes: dict) -> None:
    month = VaultRootKey.generate(vault_id).month_key(2026, 3)
    text = _mutated(dumps_month_key(month), **changes)
    with pytest.raises(KeyFileError) as info:
        loads_month_key(text)
    assert month.secret.hex() not in str(info.value)


def test_key_file__not_json__rejected(tmp_path: Path) -> None:
    (tmp_path / "k.json").write_text("{not json")
    with pytest.raises(KeyFileError):
        load_auditor_key(tmp_path / "k.json")
    with pytest.raises(KeyFileError):
        load_auditor_key(tmp_path / "missing.json")
