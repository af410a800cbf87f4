"""Private vaults: whitelist on deposits and share receivers; InviteGate tickets signed by the manager."""

import boa
import pytest
from eth_utils import keccak

from tests.fixtures.boa_protocol import actor, actor_key, anchored, deploy_protocol, one_event
from vaultcraft.protocol import Role, sign_invite

YEAR = 365 * 86_400


@pytest.fixture(scope="module")
def private_base():
    return deploy_protocol(is_private=True)


@pytest.fixture
def private(private_base):
    """A fresh private vault whose whitelist manager is the InviteGate."""
    yield from anchored(private_base)


def _ticket(p, invitee, expiry=None, nonce=b"\x01" * 32, key=None, chain_id=None, vault=None, gate=None):
    expiry = boa.env.evm.patch.timestamp + 3_600 if expiry is None else expiry
    signature = sign_invite(
        vault or p.vault.address,
        invitee,
        expiry,
        nonce,
        boa.env.evm.patch.chain_id if chain_id is None else chain_id,
        gate or p.gate.address,
        key or actor_key("manager"),
    )
    return expiry, nonce, signature


def _join(p, invitee, **kwargs):
    expiry, nonce, signature = _ticket(p, invitee, **kwargs)
    p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=invitee)


@pytest.fixture
def members(private, manager, depositor):
    """Manager and depositor hold free shares in the private vault."""
    p = private
    _join(p, depositor)
    p.onboard({manager: 100 * p.unit, depositor: 900 * p.unit})
    boa.env.time_travel(seconds=p.vault.lockup())
    return p


# ---------------------------------------------------------------- the whitelist inside the vault


def test_private_vault__whitelists_the_manager_and_names_the_gate(private, manager):
    p = private
    assert p.vault.is_private()
    assert p.vault.whitelisted(manager)
    assert p.vault.whitelist_manager() == p.gate.address


def test_request_deposit__by_outsider__reverts(private, attacker):
    p = private
    p.fund(attacker, p.unit)
    with boa.reverts("vault: not whitelisted"):
        p.vault.request_deposit(p.unit, attacker, attacker, sender=attacker)


def test_request_deposit__for_an_outsider_controller__reverts(private, manager, attacker):
    p = private
    p.fund(manager, p.unit)
    with boa.reverts("vault: not whitelisted"):
        p.vault.request_deposit(p.unit, attacker, manager, sender=manager)


def test_request_deposit__from_an_outsider_owner__reverts(private, manager, attacker):
    p = private
    p.fund(attacker, p.unit)
    p.vault.setOperator(manager, True, sender=attacker)
    with boa.reverts("vault: not whitelisted"):
        p.vault.request_deposit(p.unit, manager, attacker, sender=manager)


def test_transfer__to_an_outsider__reverts(members, depositor, attacker):
    with boa.reverts("vault: not whitelisted"):
        members.vault.transfer(attacker, 1, sender=depositor)


def test_transfer_from__to_an_outsider__reverts(members, depositor, attacker):
    p = members
    p.vault.approve(attacker, 2**256 - 1, sender=depositor)
    with boa.reverts("vault: not whitelisted"):
        p.vault.transferFrom(depositor, attacker, 1, sender=attacker)


def test_transfer__between_members__succeeds(members, depositor, manager):
    p = members
    p.vault.transfer(manager, 5 * p.unit, sender=depositor)
    assert p.vault.balanceOf(manager) == 105 * p.unit


def test_claim__into_an_outsider_receiver__reverts(members, depositor, receiver):
    p = members
    p.request_deposit(depositor, p.unit)
    p.settle()
    p.vault.setOperator(depositor, True, sender=receiver)  # the receiver consents but is not whitelisted
    with boa.reverts("vault: not whitelisted"):
        p.vault.deposit(p.unit, receiver, sender=depositor)


def test_cancel_redeem_request__to_an_outsider__reverts(members, depositor, attacker):
    p = members
    p.vault.request_redeem(p.unit, depositor, depositor, sender=depositor)
    with boa.reverts("vault: not whitelisted"):
        p.vault.cancel_redeem_request(depositor, attacker, sender=depositor)


def test_sync_deposit__for_an_outsider__reverts(members, attacker, admin):
    p = members
    p.vault.set_limits(p.vault.deposit_cap(), p.vault.lockup(), 500, YEAR, sender=admin)
    p.fund(attacker, p.unit)
    with boa.reverts("vault: not whitelisted"):
        p.vault.sync_deposit(p.unit, attacker, sender=attacker)


def test_redemption__may_pay_any_receiver(members, depositor, receiver):
    """Assets (not shares) leave a private vault to whoever the controller names."""
    p = members
    p.vault.request_redeem(10 * p.unit, depositor, depositor, sender=depositor)
    p.settle()
    assert p.vault.redeem(10 * p.unit, receiver, sender=depositor) == 10 * p.unit
    assert p.token.balanceOf(receiver) == 10 * p.unit


def test_set_whitelisted__directly_by_the_manager__reverts_when_the_gate_is_whitelister(
    private, manager, depositor
):
    with boa.reverts("vault: not whitelister"):
        private.vault.set_whitelisted(depositor, True, sender=manager)


def test_removed_member__can_no_longer_deposit(members, manager, depositor):
    p = members
    p.gate.set_whitelisted(p.vault.address, depositor, False, sender=manager)
    p.fund(depositor, p.unit)
    with boa.reverts("vault: not whitelisted"):
        p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)


# ---------------------------------------------------------------- InviteGate.accept_invite


def test_accept_invite__with_a_manager_ticket__whitelists_the_caller_and_emits(private, depositor):
    p = private
    expiry, nonce, signature = _ticket(p, depositor)

    p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=depositor)

    accepted = one_event(p.gate, "InviteAccepted")
    assert (accepted.vault, accepted.invitee, accepted.nonce) == (p.vault.address, depositor, nonce)
    listed = one_event(p.gate, "WhitelistSet")
    assert (listed.account, listed.allowed, listed.by) == (depositor, True, p.gate.address)
    assert p.vault.whitelisted(depositor)
    assert p.gate.invite_used(p.vault.address, nonce)
    # and the invitee can now deposit
    p.fund(depositor, p.unit)
    assert p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor) == 1


def test_accept_invite__at_expiry__works_and_one_second_later__reverts(private, depositor, second_depositor):
    p = private
    now = boa.env.evm.patch.timestamp
    _join(p, depositor, expiry=now)
    expiry, nonce, signature = _ticket(p, second_depositor, expiry=now, nonce=b"\x02" * 32)
    boa.env.time_travel(seconds=1)
    with boa.reverts("invite: expired"):
        p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=second_depositor)


def test_accept_invite__twice__reverts_used(private, depositor):
    p = private
    expiry, nonce, signature = _ticket(p, depositor)
    p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=depositor)
    with boa.reverts("invite: used"):
        p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=depositor)


def test_accept_invite__by_someone_other_than_the_invitee__reverts(private, depositor, attacker):
    p = private
    expiry, nonce, signature = _ticket(p, depositor)
    with boa.reverts("invite: bad signature"):
        p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=attacker)
    assert not p.vault.whitelisted(attacker)


@pytest.mark.parametrize(
    "forgery", ["attacker_key", "wrong_chain", "wrong_gate", "other_vault", "longer_expiry"]
)
def test_accept_invite__with_a_forged_ticket__reverts(private, attacker, forgery):
    p = private
    if forgery == "attacker_key":
        expiry, nonce, signature = _ticket(p, attacker, key=actor_key("attacker"))
    elif forgery == "wrong_chain":
        expiry, nonce, signature = _ticket(p, attacker, chain_id=boa.env.evm.patch.chain_id + 1)
    elif forgery == "wrong_gate":
        expiry, nonce, signature = _ticket(p, attacker, gate=actor("other_gate"))
    elif forgery == "other_vault":
        expiry, nonce, signature = _ticket(p, attacker, vault=actor("other_vault"))
    else:
        expiry, nonce, signature = _ticket(p, attacker)
        expiry += 1
    with boa.reverts("invite: bad signature"):
        p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=attacker)
    assert not p.vault.whitelisted(attacker)


def test_accept_invite__ticket_of_a_replaced_manager__reverts(private, admin, depositor):
    p = private
    p.vault.set_role(int(Role.MANAGER), actor("new_manager"), sender=admin)
    expiry, nonce, signature = _ticket(p, depositor)  # signed by the old manager's key
    with boa.reverts("invite: bad signature"):
        p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=depositor)
    _join(p, depositor, key=actor_key("new_manager"))
    assert p.vault.whitelisted(depositor)


def test_accept_invite__nonces_are_per_vault(private, depositor):
    p = private
    other = deploy_protocol(is_private=True)  # rolled back with the test's snapshot
    nonce = keccak(text="shared nonce")
    _join(p, depositor, nonce=nonce)
    expiry, _, signature = _ticket(other, depositor, nonce=nonce, gate=other.gate.address)
    other.gate.accept_invite(other.vault.address, expiry, nonce, signature, sender=depositor)
    assert other.vault.whitelisted(depositor)


def test_accept_invite__for_a_vault_not_using_the_gate__reverts(protocol, depositor):
    """A public vault whose whitelister is its manager does not take writes from the gate."""
    p = protocol
    expiry, nonce, signature = _ticket(p, depositor)
    with boa.reverts("vault: not whitelister"):
        p.gate.accept_invite(p.vault.address, expiry, nonce, signature, sender=depositor)


# ---------------------------------------------------------------- InviteGate.set_whitelisted


def test_gate_set_whitelisted__by_the_manager__adds_and_removes(private, manager, depositor):
    p = private
    p.gate.set_whitelisted(p.vault.address, depositor, True, sender=manager)
    event = one_event(p.gate, "WhitelistSet")
    assert (event.account, event.allowed, event.by) == (depositor, True, p.gate.address)
    assert p.vault.whitelisted(depositor)
    p.gate.set_whitelisted(p.vault.address, depositor, False, sender=manager)
    assert not p.vault.whitelisted(depositor)


@pytest.mark.parametrize("role", ["admin", "guardian", "attacker"])
def test_gate_set_whitelisted__by_anyone_but_the_manager__reverts(private, role):
    caller = actor(role)
    with boa.reverts("invite: not manager"):
        private.gate.set_whitelisted(private.vault.address, caller, True, sender=caller)


def test_gate_eip712_domain__is_bound_to_chain_and_gate(private):
    p = private
    domain = p.gate.eip712Domain()
    assert domain[1:5] == ("VaultCraft Invite", "1", boa.env.evm.patch.chain_id, p.gate.address)
