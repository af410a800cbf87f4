"""EIP-712 signed actions (digest cross-checked by hand, expiry, role, single-use nonce, replay refused),
nonce stores (in-memory and live Redis) and EIP-191 login challenges."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak, to_checksum_address

from api.auth.login import LoginChallenges
from api.auth.nonces import InMemoryNonceStore, RedisNonceStore
from api.auth.signed import (
    ActionVerifier,
    ChainRole,
    SignedAction,
    StaticRoleReader,
    action_typed_data,
    params_hash,
    sign_action,
)
from api.errors import BadRequest, Conflict, ErrorCode, Forbidden, Unauthenticated
from tests.api.fakes import FakeClock
from vaultcraft.protocol import Role

pytestmark = pytest.mark.anyio
CHAIN_ID = 31337
VAULT = "0x" + "ab" * 20
MANAGER = Account.from_key(b"\x01" * 32)
ATTACKER = Account.from_key(b"\x02" * 32)
PARAMS = {"coin": "BTC", "size": "150000000", "side": "buy"}


@pytest.fixture
def roles() -> StaticRoleReader:
    reader = StaticRoleReader()
    reader.grant(VAULT, MANAGER.address, ChainRole.MANAGER)
    return reader


@pytest.fixture
def verifier(roles, wall_clock) -> ActionVerifier:
    return ActionVerifier(
        chain_id=CHAIN_ID, nonces=InMemoryNonceStore(wall_clock), roles=roles, clock=wall_clock, max_ttl_s=600
    )


def signed(wall_clock, key=MANAGER.key, **overrides) -> SignedAction:
    args = {
        "chain_id": CHAIN_ID,
        "vault": VAULT,
        "action": "orders.place",
        "params": PARAMS,
        "nonce": 7,
        "expiry": wall_clock.now + 60,
    }
    args.update(overrides)
    return sign_action(key, **args)


def test_digest__matches_hand_built_eip712_encoding():
    ph = params_hash(PARAMS)
    domain_type = keccak(b"EIP712Domain(string name,string version,uint256 chainId)")
    domain_sep = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256"],
            [domain_type, keccak(b"VaultCraft API"), keccak(b"1"), CHAIN_ID],
        )
    )
    action_type = keccak(
        b"Action(address vault,string action,bytes32 params_hash,uint256 nonce,uint256 expiry)"
    )
    struct = keccak(
        encode(
            ["bytes32", "address", "bytes32", "bytes32", "uint256", "uint256"],
            [action_type, VAULT, keccak(b"orders.place"), ph, 7, 99],
        )
    )
    digest = keccak(b"\x19\x01" + domain_sep + struct)
    sig = Account.unsafe_sign_hash(digest, MANAGER.key).signature
    from eth_account.messages import encode_typed_data

    typed = encode_typed_data(full_message=action_typed_data(CHAIN_ID, VAULT, "orders.place", ph, 7, 99))
    assert Account.recover_message(typed, signature=sig) == MANAGER.address


async def test_verify__float_params_are_a_400_not_a_crash(verifier, wall_clock):
    with pytest.raises(BadRequest, match="floats"):
        await verifier.verify(signed(wall_clock), action="orders.place", params={"size": 1.5})


def test_params_hash__canonical_and_refuses_floats():
    assert params_hash({"b": "1", "a": 2}) == keccak(b'{"a":2,"b":"1"}')
    with pytest.raises(ValueError, match="floats"):
        params_hash({"size": 1.5})


async def test_verify__valid_manager_signature_accepted(verifier, wall_clock):
    result = await verifier.verify(signed(wall_clock), action="orders.place", params=PARAMS)
    assert result.signer == MANAGER.address and result.role is ChainRole.MANAGER
    assert result.actor == f"signer:{MANAGER.address}:manager"


async def test_verify__replayed_signature_refused_409(verifier, wall_clock):
    sig = signed(wall_clock)
    await verifier.verify(sig, action="orders.place", params=PARAMS)
    with pytest.raises(Conflict) as exc:
        await verifier.verify(sig, action="orders.place", params=PARAMS)
    assert exc.value.code is ErrorCode.NONCE_REUSED


async def test_verify__malleated_signature_is_still_a_replay(verifier, wall_clock):
    sig = signed(wall_clock)
    await verifier.verify(sig, action="orders.place", params=PARAMS)
    raw = bytes.fromhex(sig.signature[2:])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    r, s, v = raw[:32], int.from_bytes(raw[32:64], "big"), raw[64]
    flipped = r + (n - s).to_bytes(32, "big") + bytes([55 - v])  # 27 <-> 28
    twin = sig.model_copy(update={"signature": "0x" + flipped.hex()})
    assert twin.signature != sig.signature
    with pytest.raises(Conflict):  # eth_account accepts high-s: same signer, same nonce -> replay
        await verifier.verify(twin, action="orders.place", params=PARAMS)


async def test_verify__same_nonce_other_signer_is_independent(verifier, roles, wall_clock):
    roles.grant(VAULT, ATTACKER.address, ChainRole.MANAGER)
    await verifier.verify(signed(wall_clock), action="orders.place", params=PARAMS)
    await verifier.verify(signed(wall_clock, key=ATTACKER.key), action="orders.place", params=PARAMS)


async def test_verify__expired_refused_401(verifier, wall_clock):
    sig = signed(wall_clock, expiry=wall_clock.now + 5)
    wall_clock.advance(6)
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(sig, action="orders.place", params=PARAMS)
    assert exc.value.code is ErrorCode.SIGNATURE_EXPIRED


async def test_verify__expiry_too_far_ahead_refused_400(verifier, wall_clock):
    with pytest.raises(BadRequest, match="expiry"):
        await verifier.verify(
            signed(wall_clock, expiry=wall_clock.now + 601), action="orders.place", params=PARAMS
        )


async def test_verify__non_role_holder_refused_403_and_nonce_not_burnt(verifier, roles, wall_clock):
    attacker_sig = signed(wall_clock, key=ATTACKER.key)
    with pytest.raises(Forbidden) as exc:
        await verifier.verify(attacker_sig, action="orders.place", params=PARAMS)
    assert exc.value.code is ErrorCode.ROLE_REQUIRED
    roles.grant(VAULT, ATTACKER.address, ChainRole.MANAGER)  # granted on-chain later: same signature works
    await verifier.verify(attacker_sig, action="orders.place", params=PARAMS)


async def test_verify__wrong_role_for_action_refused(verifier, wall_clock):
    sig = signed(wall_clock, action="auditor.register")
    with pytest.raises(Forbidden):
        await verifier.verify(sig, action="auditor.register", params=PARAMS)


async def test_verify__tampered_params_action_or_unknown_action_refused_400(verifier, wall_clock):
    sig = signed(wall_clock)
    with pytest.raises(BadRequest, match="params_hash"):
        await verifier.verify(sig, action="orders.place", params={**PARAMS, "size": "999"})
    with pytest.raises(BadRequest, match="does not match"):
        await verifier.verify(sig, action="orders.cancel", params=PARAMS)
    with pytest.raises(BadRequest, match="unknown action"):
        await verifier.verify(sig, action="nope", params=PARAMS)


async def test_verify__signature_for_other_chain_recovers_someone_else(verifier, wall_clock):
    sig = signed(wall_clock, chain_id=1)
    with pytest.raises(Forbidden):  # recovers a random address that holds no role
        await verifier.verify(sig, action="orders.place", params=PARAMS)


async def test_verify__junk_signature_refused_401(verifier, wall_clock):
    sig = signed(wall_clock).model_copy(update={"signature": "0x" + "00" * 65})
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(sig, action="orders.place", params=PARAMS)
    assert exc.value.code is ErrorCode.SIGNATURE_INVALID


def test_signed_action_model__validates_shapes():
    from pydantic import ValidationError

    good = {
        "vault": VAULT,
        "action": "orders.place",
        "params_hash": "0x" + "11" * 32,
        "nonce": "5",
        "expiry": 10,
        "signature": "0x" + "22" * 65,
    }
    assert SignedAction(**good).vault == to_checksum_address(VAULT)
    assert SignedAction(**good).nonce == 5
    for field, value in [
        ("vault", "0x12"),
        ("params_hash", "0x11"),
        ("signature", "0xzz"),
        ("nonce", 2**256),
        ("action", "Bad Action"),
    ]:
        with pytest.raises(ValidationError):
            SignedAction(**{**good, field: value})


def test_chain_roles__mirror_vault_flags():
    assert ChainRole.MANAGER.flag is Role.MANAGER
    assert ChainRole.ADMIN.flag is None


# --- nonce stores ----------------------------------------------------------------------------------------


async def test_in_memory_nonces__single_use_until_expiry_plus_margin(wall_clock):
    store = InMemoryNonceStore(wall_clock, retention_margin_s=10)
    assert await store.consume("n", wall_clock.now + 5)
    assert not await store.consume("n", wall_clock.now + 5)
    wall_clock.advance(16)
    assert await store.consume("n", wall_clock.now + 5)  # long expired: a signature would be refused anyway


async def test_in_memory_nonces__expired_entries_are_purged(wall_clock):
    store = InMemoryNonceStore(wall_clock, retention_margin_s=0)
    for i in range(10_000):
        assert await store.consume(f"n{i}", wall_clock.now)
    wall_clock.advance(1)
    assert await store.consume("fresh", wall_clock.now + 10)
    assert len(store) == 1


async def test_redis_nonces__single_use_and_ttl(redis_client, wall_clock):
    import time

    store = RedisNonceStore(redis_client, prefix=redis_client.test_prefix + "nonce:")
    expiry = int(time.time()) + 60
    assert await store.consume("k1", expiry)
    assert not await store.consume("k1", expiry)
    assert await store.consume("k2", expiry)
    ttl = await redis_client.ttl(redis_client.test_prefix + "nonce:k1")
    assert 60 < ttl <= 60 + 300


async def test_replay_refused_across_workers_sharing_redis(redis_client, roles):
    import time

    clock = FakeClock(int(time.time()))
    workers = [
        ActionVerifier(
            chain_id=CHAIN_ID,
            roles=roles,
            clock=clock,
            max_ttl_s=600,
            nonces=RedisNonceStore(redis_client, prefix=redis_client.test_prefix + "nonce:"),
        )
        for _ in range(2)
    ]
    sig = signed(clock, nonce=424242)
    await workers[0].verify(sig, action="orders.place", params=PARAMS)
    with pytest.raises(Conflict):
        await workers[1].verify(sig, action="orders.place", params=PARAMS)


# --- login challenges ------------------------------------------------------------------------------------

INVESTOR = Account.from_key(b"\x03" * 32)


@pytest.fixture
def login(wall_clock) -> LoginChallenges:
    return LoginChallenges(
        secret=b"k" * 32,
        nonces=InMemoryNonceStore(wall_clock),
        clock=wall_clock,
        chain_id=CHAIN_ID,
        ttl_s=300,
    )


def personal_sign(message: str, key=INVESTOR.key) -> str:
    return "0x" + bytes(Account.sign_message(encode_defunct(text=message), key).signature).hex()


async def test_login__round_trip_then_single_use(login):
    message = login.challenge(INVESTOR.address.lower())
    assert INVESTOR.address in message and "Chain ID: 31337" in message
    assert await login.verify(message, personal_sign(message)) == INVESTOR.address
    with pytest.raises(Conflict):
        await login.verify(message, personal_sign(message))


async def test_login__expired_refused(login, wall_clock):
    message = login.challenge(INVESTOR.address)
    wall_clock.advance(301)
    with pytest.raises(Unauthenticated) as exc:
        await login.verify(message, personal_sign(message))
    assert exc.value.code is ErrorCode.SIGNATURE_EXPIRED


async def test_login__other_signer_refused(login):
    message = login.challenge(INVESTOR.address)
    with pytest.raises(Unauthenticated, match="not from the challenged address"):
        await login.verify(message, personal_sign(message, key=ATTACKER.key))


async def test_login__forged_or_edited_challenge_refused(login, wall_clock):
    message = login.challenge(INVESTOR.address)
    extended = message.replace(
        f"Expiration Time: {wall_clock.now + 300}", f"Expiration Time: {wall_clock.now + 10**6}"
    )
    assert extended != message
    with pytest.raises(Unauthenticated, match="not issued"):
        await login.verify(extended, personal_sign(extended))
    with pytest.raises(BadRequest):
        await login.verify("please sign in", personal_sign("please sign in"))


async def test_login__challenge_for_non_address_refused(login):
    with pytest.raises(BadRequest):
        login.challenge("0x1234")
