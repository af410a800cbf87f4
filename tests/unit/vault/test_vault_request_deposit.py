"""request_deposit and cancel_deposit_request: escrow, events, caps, operators, the "claim first" rule."""

import boa
import pytest

from tests.fixtures.boa_protocol import events, one_event

ZERO = "0x0000000000000000000000000000000000000000"


def test_request_deposit__pulls_assets_and_records_pending_request(any_protocol, depositor):
    p = any_protocol
    amount = 1_234 * p.unit + 7
    p.fund(depositor, amount)

    request_id = p.vault.request_deposit(amount, depositor, depositor, sender=depositor)

    event = one_event(p.vault, "DepositRequest")
    assert (event.controller, event.owner, event.requestId, event.sender, event.assets) == (
        depositor,
        depositor,
        1,
        depositor,
        amount,
    )
    assert request_id == 1 == p.vault.epoch()
    assert p.token.balanceOf(p.vault) == amount
    assert p.token.balanceOf(depositor) == 0
    assert p.vault.pendingDepositRequest(0, depositor) == amount
    assert p.vault.claimableDepositRequest(0, depositor) == 0
    assert p.vault.pending_deposit_assets() == amount
    # pending deposits are not shareholder assets yet
    assert p.vault.totalAssets() == 0
    assert p.vault.idle_assets() == 0


def test_request_deposit__twice_in_one_epoch__accumulates(protocol, depositor):
    p = protocol
    p.fund(depositor, 300 * p.unit)
    p.vault.request_deposit(100 * p.unit, depositor, depositor, sender=depositor)
    p.vault.request_deposit(200 * p.unit, depositor, depositor, sender=depositor)
    assert p.vault.pendingDepositRequest(0, depositor) == 300 * p.unit
    assert p.vault.pending_deposit_assets() == 300 * p.unit


def test_request_deposit__zero_assets__reverts(protocol, depositor):
    with boa.reverts("vault: zero assets"):
        protocol.vault.request_deposit(0, depositor, depositor, sender=depositor)


def test_request_deposit__from_someone_elses_assets__reverts(protocol, depositor, attacker):
    protocol.fund(depositor, 10 * protocol.unit)
    with boa.reverts("vault: not authorized"):
        protocol.vault.request_deposit(10 * protocol.unit, attacker, depositor, sender=attacker)


def test_request_deposit__by_operator_of_owner__pulls_owners_assets(protocol, depositor, operator):
    p = protocol
    p.fund(depositor, 10 * p.unit)
    p.vault.setOperator(operator, True, sender=depositor)
    p.vault.request_deposit(10 * p.unit, depositor, depositor, sender=operator)
    event = one_event(p.vault, "DepositRequest")
    assert (event.sender, event.owner, event.controller) == (operator, depositor, depositor)
    assert p.token.balanceOf(depositor) == 0
    assert p.vault.pendingDepositRequest(0, depositor) == 10 * p.unit


def test_request_deposit__for_a_consenting_controller__credits_the_controller(protocol, depositor, receiver):
    p = protocol
    p.fund(depositor, 10 * p.unit)
    p.vault.setOperator(depositor, True, sender=receiver)
    p.vault.request_deposit(10 * p.unit, receiver, depositor, sender=depositor)
    event = one_event(p.vault, "DepositRequest")
    assert (event.sender, event.owner, event.controller) == (depositor, depositor, receiver)
    assert p.vault.pendingDepositRequest(0, receiver) == 10 * p.unit
    assert p.vault.pendingDepositRequest(0, depositor) == 0


def test_request_deposit__for_a_controller_that_did_not_consent__reverts(protocol, depositor, attacker):
    """Griefing: a request the controller did not make would block its next one until it claims, and
    the claim would restart its lock. Nothing moves."""
    p = protocol
    p.fund(attacker, 10 * p.unit)
    with boa.reverts("vault: controller consent"):
        p.vault.request_deposit(10 * p.unit, depositor, attacker, sender=attacker)
    assert p.vault.pendingDepositRequest(0, depositor) == 0
    assert p.vault.pending_deposit_assets() == 0
    assert p.token.balanceOf(attacker) == 10 * p.unit


def test_request_deposit__settled_for_a_victim__cannot_block_its_next_request(protocol, depositor, attacker):
    """The attack the consent check stops: a dust request settled for the victim would make its next
    request revert "claim first" (and the forced claim would lock the victim's shares)."""
    p = protocol
    p.fund(attacker, 1)
    with boa.reverts("vault: controller consent"):
        p.vault.request_deposit(1, depositor, attacker, sender=attacker)
    p.settle(0)
    p.fund(depositor, 10 * p.unit)
    assert p.vault.request_deposit(10 * p.unit, depositor, depositor, sender=depositor) == 2


def test_request_deposit__operator_of_the_owner_only__cannot_name_another_controller(
    protocol, depositor, operator, receiver
):
    """The owner's operator may pull the owner's assets, but the controller must consent on its own."""
    p = protocol
    p.fund(depositor, 10 * p.unit)
    p.vault.setOperator(operator, True, sender=depositor)
    with boa.reverts("vault: controller consent"):
        p.vault.request_deposit(10 * p.unit, receiver, depositor, sender=operator)
    # the operator itself may be the controller: the caller always consents for itself
    p.vault.request_deposit(10 * p.unit, operator, depositor, sender=operator)
    assert p.vault.pendingDepositRequest(0, operator) == 10 * p.unit


def test_request_deposit__after_the_controller_revoked_the_operator__reverts(protocol, depositor, receiver):
    p = protocol
    p.fund(depositor, 10 * p.unit)
    p.vault.setOperator(depositor, True, sender=receiver)
    p.vault.setOperator(depositor, False, sender=receiver)
    with boa.reverts("vault: controller consent"):
        p.vault.request_deposit(10 * p.unit, receiver, depositor, sender=depositor)


def test_request_deposit__without_allowance__reverts(protocol, depositor):
    p = protocol
    p.token.faucet(depositor, 10 * p.unit, sender=depositor)
    with boa.reverts("erc20: insufficient allowance"):
        p.vault.request_deposit(10 * p.unit, depositor, depositor, sender=depositor)


@pytest.mark.parametrize("decimals", [6, 18])
def test_request_deposit__up_to_the_cap__succeeds_and_one_more_unit_reverts(
    decimals, depositor, second_depositor
):
    from tests.fixtures.boa_protocol import deploy_protocol

    with boa.env.anchor():
        p = deploy_protocol(decimals=decimals, deposit_cap=1_000 * 10**decimals)
        p.onboard({depositor: 600 * p.unit})  # counts as total assets now
        p.fund(second_depositor, 401 * p.unit)
        p.vault.request_deposit(400 * p.unit, second_depositor, second_depositor, sender=second_depositor)
        assert p.vault.totalAssets() + p.vault.pending_deposit_assets() == p.vault.deposit_cap()
        with boa.reverts("vault: deposit cap"):
            p.vault.request_deposit(1, second_depositor, second_depositor, sender=second_depositor)


def test_request_deposit__with_settled_unclaimed_request__reverts_claim_first(protocol, depositor):
    p = protocol
    p.request_deposit(depositor, 10 * p.unit)
    p.settle(0)
    p.fund(depositor, 10 * p.unit)
    with boa.reverts("vault: claim first"):
        p.vault.request_deposit(10 * p.unit, depositor, depositor, sender=depositor)
    # after claiming, a new request opens in the new epoch
    p.vault.deposit(10 * p.unit, depositor, sender=depositor)
    assert p.vault.request_deposit(10 * p.unit, depositor, depositor, sender=depositor) == 2


def test_request_deposit__while_paused__reverts(protocol, depositor, guardian):
    p = protocol
    p.fund(depositor, p.unit)
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)


def test_request_deposit__after_shutdown__reverts(protocol, depositor, admin):
    p = protocol
    p.fund(depositor, p.unit)
    p.vault.shutdown(sender=admin)
    with boa.reverts("vault: shut down"):
        p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)


# ---------------------------------------------------------------- cancel_deposit_request


def test_cancel_deposit_request__while_open__returns_assets_and_emits(any_protocol, depositor, receiver):
    p = any_protocol
    p.request_deposit(depositor, 50 * p.unit)

    returned = p.vault.cancel_deposit_request(depositor, receiver, sender=depositor)

    event = one_event(p.vault, "DepositRequestCancelled")
    assert (event.controller, event.receiver, event.requestId, event.assets) == (
        depositor,
        receiver,
        1,
        50 * p.unit,
    )
    assert returned == 50 * p.unit
    assert p.token.balanceOf(receiver) == 50 * p.unit
    assert p.token.balanceOf(p.vault) == 0
    assert p.vault.pending_deposit_assets() == 0
    assert p.vault.pendingDepositRequest(0, depositor) == 0


def test_cancel_deposit_request__cancelled_assets_are_not_settled(protocol, depositor, second_depositor):
    p = protocol
    p.request_deposit(depositor, 50 * p.unit)
    p.request_deposit(second_depositor, 30 * p.unit)
    p.vault.cancel_deposit_request(depositor, depositor, sender=depositor)
    p.settle(0)
    assert p.vault.epoch_deposit(1) == (30 * p.unit, 30 * p.unit)
    assert p.vault.claimableDepositRequest(0, depositor) == 0


def test_cancel_deposit_request__by_operator__succeeds(protocol, depositor, operator):
    p = protocol
    p.request_deposit(depositor, 5 * p.unit)
    p.vault.setOperator(operator, True, sender=depositor)
    assert p.vault.cancel_deposit_request(depositor, depositor, sender=operator) == 5 * p.unit


def test_cancel_deposit_request__by_stranger__reverts(protocol, depositor, attacker):
    p = protocol
    p.request_deposit(depositor, 5 * p.unit)
    with boa.reverts("vault: not authorized"):
        p.vault.cancel_deposit_request(depositor, attacker, sender=attacker)


def test_cancel_deposit_request__without_request__reverts(protocol, depositor):
    with boa.reverts("vault: no pending deposit"):
        protocol.vault.cancel_deposit_request(depositor, depositor, sender=depositor)


def test_cancel_deposit_request__after_settlement__reverts(protocol, depositor):
    p = protocol
    p.request_deposit(depositor, 5 * p.unit)
    p.settle(0)
    with boa.reverts("vault: no pending deposit"):
        p.vault.cancel_deposit_request(depositor, depositor, sender=depositor)


def test_cancel_deposit_request__while_paused__reverts(protocol, depositor, guardian):
    p = protocol
    p.request_deposit(depositor, 5 * p.unit)
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.cancel_deposit_request(depositor, depositor, sender=depositor)


@pytest.mark.parametrize("receiver_kind", ["zero", "vault"])
def test_cancel_deposit_request__to_the_zero_address_or_the_vault__reverts(
    protocol, depositor, receiver_kind
):
    """Assets "returned" to the vault would become a donation nobody owns; to zero they would burn."""
    p = protocol
    p.request_deposit(depositor, 5 * p.unit)
    bad = {"zero": ZERO, "vault": p.vault.address}[receiver_kind]
    with boa.reverts("vault: bad receiver"):
        p.vault.cancel_deposit_request(depositor, bad, sender=depositor)
    assert p.vault.pendingDepositRequest(0, depositor) == 5 * p.unit
    assert p.vault.pending_deposit_assets() == 5 * p.unit
    assert p.token.balanceOf(p.vault) == 5 * p.unit


def test_cancel_deposit_request__emits_nothing_else(protocol, depositor):
    p = protocol
    p.request_deposit(depositor, 5 * p.unit)
    p.vault.cancel_deposit_request(depositor, depositor, sender=depositor)
    assert [type(e).__name__ for e in p.vault.get_logs()] == ["Transfer", "DepositRequestCancelled"]
    assert events(p.vault, "Transfer")[0].value == 5 * p.unit
