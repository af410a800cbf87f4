"""Investor statements: holder login (EIP-191 challenge -> session token), who may read what
(401/403/404/409), and the returned `verify_holder` calldata checked for real on the ProofVerifier
contract (titanoboa)."""

from __future__ import annotations

import dataclasses

import boa
import pytest
from eth_abi import decode
from eth_account import Account
from eth_account.messages import encode_defunct
from fastapi.testclient import TestClient
from sqlalchemy import insert

from api.auth.api_keys import Scope
from api.errors import ErrorCode
from api.registry import VaultRegistry
from keeper.store.models import Report, Statement
from tests.api.readside import HOLDER, OTHER_HOLDER, PUBLIC_VAULT, addr, deployment, issue, make_read_app
from tests.api.test_read_routes import assert_error
from tests.fixtures.boa_protocol import contract_deployer
from tests.unit.proofs.helpers import deploy_mock_oracle, report_with
from zk.context import VaultContext
from zk.keccak import keccak256
from zk.leaves import build_holder_tree, holder_leaves

EPOCH = 3
SALT_SECRET = keccak256(b"api statements salt secret")


def _fields(report) -> dict:
    return {
        f.name: ("0x" + v.hex() if isinstance(v, bytes) else str(v))
        for f, v in zip(dataclasses.fields(report), report.as_tuple(), strict=True)
    }


@pytest.fixture
def onchain(sqlite_db):
    """A ProofVerifier, an oracle that accepted a report over a holder tree, and the keeper's rows for it."""
    verifier = contract_deployer("ProofVerifier").deploy()
    oracle = deploy_mock_oracle(PUBLIC_VAULT)
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, PUBLIC_VAULT, EPOCH)
    holdings = [(HOLDER.address, 5 * 10**18), (OTHER_HOLDER.address, 7 * 10**18)]
    holdings += [(addr(f"h{i}"), (i + 1) * 10**17) for i in range(3)]
    leaves = holder_leaves(ctx, holdings, SALT_SECRET)
    tree = build_holder_tree(ctx, leaves, 4)
    report = report_with(epoch=EPOCH, holder_root=tree.root, holder_sum=tree.total)
    oracle.accept(report.as_tuple())
    with sqlite_db.engine.begin() as conn:
        conn.execute(
            insert(Report).values(
                vault=PUBLIC_VAULT,
                epoch=EPOCH,
                nav=1,
                positions_root="0x" + "00" * 32,
                holders_root="0x" + tree.root.hex(),
                report_hash="0x" + report.report_hash.hex(),
                status="posted",
                created_ms=0,
                struct_hash="0x" + keccak256(b"s").hex(),
                fields=_fields(report),
                posted_ms=1,
            )
        )
        conn.execute(
            insert(Statement),
            [
                dict(
                    vault=PUBLIC_VAULT,
                    epoch=EPOCH,
                    holder=account,
                    shares=shares,
                    leaf="0x" + leaf.leaf_hash(ctx).hex(),
                    salt="0x" + leaf.salt.hex(),
                    proof=tree.proof(i).to_json(),
                )
                for i, ((account, shares), leaf) in enumerate(zip(holdings, leaves, strict=True))
            ],
        )
    dep = deployment()
    dep.proof_verifier = str(verifier.address)
    dep.vaults[0].nav_oracle = str(oracle.address)
    app = make_read_app(sqlite_db, registry=VaultRegistry(dep))
    return app, TestClient(app, raise_server_exceptions=False), verifier


def login(client: TestClient, account) -> str:
    message = client.get("/v1/auth/challenge", params={"address": account.address}).json()["message"]
    signature = "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()
    response = client.post("/v1/auth/login", json={"message": message, "signature": signature})
    assert response.status_code == 200, response.text
    assert response.json()["address"] == account.address
    return response.json()["token"]


def url(holder: str) -> str:
    return f"/v1/vaults/{PUBLIC_VAULT}/statements/{holder}"


def eth_call_bool(verifier, calldata: str) -> bool:
    out = boa.env.raw_call(str(verifier.address), data=bytes.fromhex(calldata[2:])).output
    return bool(decode(["bool"], out)[0])


def test_holder_reads_own_statement_and_the_calldata_verifies_on_chain(onchain):
    app, client, verifier = onchain
    token = login(client, HOLDER)
    body = client.get(url(HOLDER.address), headers={"Authorization": f"Bearer {token}"}).json()
    assert body["holder"] == HOLDER.address and body["shares"] == str(5 * 10**18) and body["epoch"] == EPOCH
    call = body["verify"]
    assert call["contract"] == str(verifier.address) and call["function"].startswith(
        "verify_holder(address,("
    )
    assert eth_call_bool(verifier, call["calldata"]) is True
    assert call["args"][3] == str(5 * 10**18)  # shares as a decimal string
    # one share more in the calldata (head word 15: oracle, 13 inline report words, account, shares) is false
    raw = bytearray.fromhex(call["calldata"][2:])
    offset = 4 + 15 * 32
    assert int.from_bytes(raw[offset : offset + 32], "big") == 5 * 10**18
    raw[offset : offset + 32] = (5 * 10**18 + 1).to_bytes(32, "big")
    assert eth_call_bool(verifier, "0x" + raw.hex()) is False


def test_statement_calldata_for_every_holder_verifies_and_differs(onchain):
    app, client, verifier = onchain
    admin = issue(app, Scope.ADMIN, owner="ops")
    seen = set()
    for holder in (HOLDER.address, OTHER_HOLDER.address, addr("h0"), addr("h2")):
        body = client.get(url(holder), headers={"X-API-Key": admin}).json()
        assert eth_call_bool(verifier, body["verify"]["calldata"]) is True
        seen.add(body["verify"]["calldata"])
    assert len(seen) == 4


def test_default_statement_is_the_latest_the_chain_accepted(onchain, sqlite_db):
    """A report the keeper built but the chain has not accepted yet would not verify: the default skips it."""
    app, client, verifier = onchain
    admin = issue(app, Scope.ADMIN, owner="ops")
    with sqlite_db.engine.begin() as conn:
        conn.execute(
            insert(Report).values(
                vault=PUBLIC_VAULT,
                epoch=EPOCH + 1,
                nav=1,
                positions_root="0x" + "00" * 32,
                holders_root="0x" + "11" * 32,
                report_hash="0x" + "22" * 32,
                status="signed",
                created_ms=0,
                struct_hash="0x" + "33" * 32,
                fields=None,
            )
        )
        conn.execute(
            insert(Statement).values(
                vault=PUBLIC_VAULT,
                epoch=EPOCH + 1,
                holder=HOLDER.address,
                shares=6 * 10**18,
                leaf="0x" + "44" * 32,
                salt="0x" + "55" * 32,
                proof={"index": 0, "siblings": []},
            )
        )
    headers = {"X-API-Key": admin}
    body = client.get(url(HOLDER.address), headers=headers).json()
    assert (body["epoch"], body["report_status"]) == (EPOCH, "posted")
    assert eth_call_bool(verifier, body["verify"]["calldata"]) is True
    pending = client.get(url(HOLDER.address), params={"epoch": EPOCH + 1}, headers=headers).json()
    assert (pending["epoch"], pending["report_status"], pending["shares"]) == (
        EPOCH + 1,
        "signed",
        str(6 * 10**18),
    )


def test_statement_access__401_403_404(onchain):
    app, client, _ = onchain
    assert_error(client.get(url(HOLDER.address)), 401, ErrorCode.UNAUTHENTICATED)
    assert_error(
        client.get(url(HOLDER.address), headers={"Authorization": "Bearer vcs_forged.00"}),
        401,
        ErrorCode.SESSION_INVALID,
    )
    assert_error(
        client.get(url(HOLDER.address), headers={"Authorization": "Basic abc"}),
        401,
        ErrorCode.INVALID_API_KEY,
    )
    other = login(client, OTHER_HOLDER)
    assert_error(
        client.get(url(HOLDER.address), headers={"Authorization": f"Bearer {other}"}),
        403,
        ErrorCode.FORBIDDEN,
    )
    reader = issue(app, Scope.READ, Scope.TRADE, Scope.RISK)
    assert_error(
        client.get(url(HOLDER.address), headers={"X-API-Key": reader}), 403, ErrorCode.INSUFFICIENT_SCOPE
    )
    stranger = Account.create()
    token = login(client, stranger)
    assert_error(
        client.get(url(stranger.address), headers={"Authorization": f"Bearer {token}"}),
        404,
        ErrorCode.STATEMENT_NOT_FOUND,
    )
    mine = login(client, HOLDER)
    assert_error(
        client.get(
            url(HOLDER.address), params={"epoch": EPOCH + 1}, headers={"Authorization": f"Bearer {mine}"}
        ),
        404,
        ErrorCode.STATEMENT_NOT_FOUND,
    )
    assert_error(
        client.get(url("0x12"), headers={"Authorization": f"Bearer {mine}"}), 422, ErrorCode.VALIDATION_FAILED
    )


def test_session_token__tampered_expired_or_other_chain__401(onchain, sqlite_db):
    app, client, _ = onchain
    token = login(client, HOLDER)
    body, mac = token.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    assert_error(
        client.get(url(HOLDER.address), headers={"Authorization": f"Bearer {flipped}.{mac}"}),
        401,
        ErrorCode.SESSION_INVALID,
    )
    sessions = app.state.services.sessions
    expired_app = make_read_app(
        sqlite_db, wall_clock=lambda: 10**10, registry=app.state.services.deps.registry
    )
    expired_app.state.services.sessions._key = sessions._key  # same secret, later clock
    late = TestClient(expired_app, raise_server_exceptions=False)
    assert_error(
        late.get(url(HOLDER.address), headers={"Authorization": f"Bearer {token}"}),
        401,
        ErrorCode.SIGNATURE_EXPIRED,
    )


def test_login__replayed_challenge_409_bad_signature_401_malformed_400(onchain):
    _, client, _ = onchain
    message = client.get("/v1/auth/challenge", params={"address": HOLDER.address}).json()["message"]
    signature = "0x" + bytes(HOLDER.sign_message(encode_defunct(text=message)).signature).hex()
    assert client.post("/v1/auth/login", json={"message": message, "signature": signature}).status_code == 200
    assert_error(
        client.post("/v1/auth/login", json={"message": message, "signature": signature}),
        409,
        ErrorCode.NONCE_REUSED,
    )
    other_sig = "0x" + bytes(OTHER_HOLDER.sign_message(encode_defunct(text=message)).signature).hex()
    assert_error(
        client.post("/v1/auth/login", json={"message": message, "signature": other_sig}),
        401,
        ErrorCode.SIGNATURE_INVALID,
    )
    assert_error(
        client.post("/v1/auth/login", json={"message": "hello", "signature": signature}),
        400,
        ErrorCode.BAD_REQUEST,
    )
    assert_error(client.post("/v1/auth/login", json={"message": message}), 422, ErrorCode.VALIDATION_FAILED)


def test_statement_with_unusable_proof_or_report__served_without_a_verify_call(sqlite_db):
    other = addr("holder-with-bad-proof")
    with sqlite_db.engine.begin() as conn:
        conn.execute(
            insert(Statement),
            [
                dict(
                    vault=PUBLIC_VAULT,
                    epoch=9,
                    holder=other,
                    shares=5,
                    leaf="0x" + "01" * 32,
                    salt="0x" + "02" * 32,
                    proof=["0x" + "03" * 32],
                ),
                dict(
                    vault=PUBLIC_VAULT,
                    epoch=10,
                    holder=other,
                    shares=5,
                    leaf="0x" + "01" * 32,
                    salt="0x" + "02" * 32,
                    proof={"index": 0, "siblings": []},
                ),
            ],
        )
        conn.execute(
            insert(Report).values(
                vault=PUBLIC_VAULT,
                epoch=9,
                nav=1,
                positions_root="0x" + "00" * 32,
                report_hash="0x" + "00" * 32,
                status="posted",
                created_ms=0,
                fields={"epoch": "9"},
            )
        )
    app = make_read_app(sqlite_db)
    client = TestClient(app, raise_server_exceptions=False)
    admin = {"X-API-Key": issue(app, Scope.ADMIN)}
    bad_proof = client.get(url(other), params={"epoch": 9}, headers=admin).json()
    assert bad_proof["verify"] is None and bad_proof["verify_unavailable_reason"]
    assert bad_proof["proof"] == ["0x" + "03" * 32]
    no_report = client.get(url(other), params={"epoch": 10}, headers=admin).json()
    assert (
        no_report["verify"] is None and no_report["verify_unavailable_reason"] == "report struct not recorded"
    )
    latest = client.get(url(other), headers=admin).json()
    assert latest["epoch"] == 9  # the newest statement whose report the chain accepted
