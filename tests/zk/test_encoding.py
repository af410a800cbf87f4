"""keccak backends, tags, raw ABI words and exact fixed-point parsing."""

from __future__ import annotations

from decimal import Context, Decimal

import pytest
from eth_abi import encode
from eth_utils import keccak as eth_keccak
from hypothesis import given
from hypothesis import strategies as st

from zk import tags
from zk.abi import address, bytes32, bytes32_from_text, int256, parse_address, uint256
from zk.context import VaultContext
from zk.errors import EncodingError, InexactValueError
from zk.fixedpoint import fixed_units
from zk.keccak import cryptodome_keccak256, keccak256


@given(st.binary(max_size=300))
def test_keccak__any_input__matches_eth_utils_and_both_backends(data: bytes) -> None:
    assert keccak256(data) == eth_keccak(data) == cryptodome_keccak256(data)


def test_keccak__empty_input__is_ethereum_keccak_not_sha3() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (tags.HOLDER_LEAF, b"vaultcraft.holder.leaf.v1"),
        (tags.POSITION_LEAF, b"vaultcraft.position.leaf.v1"),
        (tags.SUM_NODE, b"vaultcraft.sum.node.v1"),
        (tags.SUM2_NODE, b"vaultcraft.sum2.node.v1"),
        (tags.TRADE, b"vaultcraft.trade.v1"),
        (tags.PEDERSEN_G, b"vaultcraft.pedersen.G.v1"),
        (tags.PEDERSEN_H, b"vaultcraft.pedersen.H.v1"),
        (tags.SCHNORR, b"vaultcraft.schnorr.v1"),
    ],
)
def test_tags__each_tag__is_keccak_of_its_label(value: bytes, label: bytes) -> None:
    assert value == eth_keccak(label)


@given(st.integers(0, 2**256 - 1), st.integers(-(2**255), 2**255 - 1), st.binary(min_size=20, max_size=20))
def test_raw_words__random_values__equal_eth_abi_encode(u: int, i: int, addr: bytes) -> None:
    assert uint256(u) + int256(i) + address(addr) == encode(["uint256", "int256", "address"], [u, i, addr])


@pytest.mark.parametrize("bad", [-1, 2**256])
def test_uint256__out_of_range__rejected(bad: int) -> None:
    with pytest.raises(EncodingError):
        uint256(bad)


@pytest.mark.parametrize("bad", [-(2**255) - 1, 2**255])
def test_int256__out_of_range__rejected(bad: int) -> None:
    with pytest.raises(EncodingError):
        int256(bad)


def test_uint256__bool__rejected() -> None:
    with pytest.raises(EncodingError):
        uint256(True)


def test_bytes32__wrong_length__rejected() -> None:
    with pytest.raises(EncodingError):
        bytes32(bytes(31))


def test_parse_address__bad_checksum__rejected() -> None:
    good = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    assert parse_address(good) == parse_address(good.lower())
    with pytest.raises(EncodingError):
        parse_address("0x5FbDB2315678afecb367f032d93F642f64180AA3")


@pytest.mark.parametrize("bad", ["0x1234", "0x" + "zz" * 20, b"\x00" * 19])
def test_parse_address__malformed__rejected(bad: str | bytes) -> None:
    with pytest.raises(EncodingError):
        parse_address(bad)


def test_bytes32_from_text__symbol__is_right_padded() -> None:
    assert bytes32_from_text("BTC") == b"BTC" + bytes(29)
    with pytest.raises(EncodingError):
        bytes32_from_text("X" * 33)


def test_vault_context__encoded__equals_eth_abi_encode(ctx: VaultContext) -> None:
    assert ctx.encoded == encode(["uint256", "address", "uint256"], [ctx.chainid, ctx.vault, ctx.epoch])


@pytest.mark.parametrize(
    ("text", "units"),
    [("1.5", 150_000_000), ("65000.12345678", 6_500_012_345_678), ("-0.48", -48_000_000), ("0", 0),
     ("1e3", 100_000_000_000), ("0.000000010000", 1)],
)
def test_fixed_units__exact_decimal_string__scaled_exactly(text: str, units: int) -> None:
    assert fixed_units(text) == units
    assert fixed_units(Decimal(text)) == units


@pytest.mark.parametrize("text", ["0.000000001", "1.123456789", "1e-9"])
def test_fixed_units__more_places_than_scale__rejected_as_inexact(text: str) -> None:
    with pytest.raises(InexactValueError):
        fixed_units(text)


@pytest.mark.parametrize("bad", [1.5, True, "abc", "NaN", "inf", "1e999999999"])
def test_fixed_units__float_or_garbage__rejected(bad: object) -> None:
    with pytest.raises(EncodingError):
        fixed_units(bad)  # type: ignore[arg-type]


def test_fixed_units__int__taken_as_already_scaled_units() -> None:
    assert fixed_units(150_000_000) == 150_000_000


@given(st.one_of(st.integers(-(10**40), 10**40), st.just(10**30 + 1)))
def test_fixed_units__decimal_rendering_of_units__round_trips(units: int) -> None:
    # A wide context: the default 28-digit one would round large values before we ever parse them.
    text = str(Decimal(units).scaleb(-8, context=Context(prec=100)))
    assert fixed_units(text) == units
