"""View-key hierarchy: scope of each level, epoch-key commitments and reveals."""

from __future__ import annotations

import calendar

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from zk.context import VaultContext, VaultId
from zk.errors import EncodingError, KeyScopeError
from zk.tags import EPOCH_KEY_COMMIT
from zk.view_keys import (
    MonthKey,
    VaultRootKey,
    check_revealed_epoch_key,
    epoch_key_commitment,
    hkdf_expand32,
    month_bounds,
    month_of,
)

ROOT_SECRET = bytes(range(100, 132))
MARCH_2026 = calendar.timegm((2026, 3, 1, 0, 0, 0, 0, 0, 0))
APRIL_2026 = calendar.timegm((2026, 4, 1, 0, 0, 0, 0, 0, 0))


@pytest.fixture
def root(vault_id: VaultId) -> VaultRootKey:
    return VaultRootKey(vault_id, ROOT_SECRET)


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=100))
def test_hkdf_expand32__any_input__equals_cryptography_hkdf_expand(prk: bytes, info: bytes) -> None:
    assert hkdf_expand32(prk, info) == HKDFExpand(hashes.SHA256(), 32, info).derive(prk)


def test_month_bounds__december_and_leap_february__are_exact_utc_seconds() -> None:
    assert month_bounds(2025, 12) == (1764547200, 1767225600)
    start, end = month_bounds(2028, 2)
    assert end - start == 29 * 86400
    assert month_of(end - 1) == (2028, 2) and month_of(end) == (2028, 3)


def test_month_key__epochs_in_its_month__same_keys_as_root(root: VaultRootKey) -> None:
    march = root.month_key(2026, 3)
    for epoch, ts in [(10, MARCH_2026), (11, MARCH_2026 + 86400 * 15), (12, APRIL_2026 - 1)]:
        assert march.epoch_key(epoch, ts).secret == root.epoch_key(epoch, ts).secret
    last_second = APRIL_2026 - 1
    assert root.year_key(2026).epoch_key(12, last_second).secret == root.epoch_key(12, last_second).secret


@pytest.mark.parametrize("ts", [MARCH_2026 - 1, APRIL_2026, APRIL_2026 + 86400 * 40])
def test_month_key__epoch_outside_its_month__refused(root: VaultRootKey, ts: int) -> None:
    with pytest.raises(KeyScopeError, match="outside 2026-03"):
        root.month_key(2026, 3).epoch_key(13, ts)


def test_year_key__epoch_in_other_year__refused(root: VaultRootKey) -> None:
    with pytest.raises(KeyScopeError):
        root.year_key(2025).epoch_key(1, MARCH_2026)


def test_month_key__forged_month_label__cannot_derive_other_months_keys(root: VaultRootKey) -> None:
    # Relabelling March's secret as April passes the scope check but derives garbage, not April's keys.
    march = root.month_key(2026, 3)
    relabelled = MonthKey(march.vault, 2026, 4, march.secret)
    assert relabelled.epoch_key(20, APRIL_2026).secret != root.epoch_key(20, APRIL_2026).secret


def test_epoch_key__start_ts_is_bound__other_ts_in_same_month_gives_other_key(root: VaultRootKey) -> None:
    assert root.epoch_key(10, MARCH_2026).secret != root.epoch_key(10, MARCH_2026 + 1).secret


def test_keys__siblings_and_other_vaults__are_all_distinct(root: VaultRootKey, vault_id: VaultId) -> None:
    other = VaultRootKey(VaultId(vault_id.chainid + 1, vault_id.vault), ROOT_SECRET)
    secrets = {
        root.year_key(2026).secret,
        root.year_key(2027).secret,
        root.month_key(2026, 3).secret,
        root.month_key(2026, 4).secret,
        root.epoch_key(10, MARCH_2026).secret,
        root.epoch_key(11, MARCH_2026).secret,
        root.epoch_key(10, MARCH_2026).record_key(1),
        root.epoch_key(10, MARCH_2026).record_key(2),
        other.month_key(2026, 3).secret,
    }
    assert len(secrets) == 9


@pytest.mark.parametrize(("year", "month"), [(1969, 1), (2026, 0), (2026, 13)])
def test_month_key__invalid_calendar_month__rejected(root: VaultRootKey, year: int, month: int) -> None:
    with pytest.raises(EncodingError):
        root.month_key(year, month)


def test_keys__repr__never_shows_secret(root: VaultRootKey) -> None:
    for key in (root, root.year_key(2026), root.month_key(2026, 3), root.epoch_key(10, MARCH_2026)):
        assert key.secret.hex() not in repr(key) + str(key)


def test_epoch_key_commitment__definition__equals_eth_abi(ctx: VaultContext) -> None:
    key = bytes(range(32))
    expected = keccak(encode(["bytes32", "uint256", "address", "uint256", "bytes32"],
                             [EPOCH_KEY_COMMIT, ctx.chainid, ctx.vault, ctx.epoch, keccak(key)]))
    assert epoch_key_commitment(ctx, key) == expected


def test_check_revealed_epoch_key__true_key__accepted_and_others_rejected(root: VaultRootKey) -> None:
    ek = root.epoch_key(7, MARCH_2026)
    posted = epoch_key_commitment(ek.ctx, ek.secret)
    assert check_revealed_epoch_key(ek.ctx, ek.secret, posted)
    assert not check_revealed_epoch_key(ek.ctx, root.epoch_key(8, MARCH_2026).secret, posted)
    other_epoch = VaultContext(ek.ctx.chainid, ek.ctx.vault, ek.ctx.epoch + 1)
    assert not check_revealed_epoch_key(other_epoch, ek.secret, posted)
    assert not check_revealed_epoch_key(ek.ctx, ek.secret[:31], posted)
