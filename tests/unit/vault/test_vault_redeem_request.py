"""request_redeem / cancel_redeem_request: share escrow, lockup, deferral of illiquid batches."""

import boa
import pytest

from tests.fixtures.boa_protocol import mul_div, one_event


@pytest.fixture
def holders(any_protocol, manager, depositor, second_depositor):
    """Manager, depositor and second depositor hold unlocked shares at a price of 1."""
    p = any_protocol
    p.onboard({manager: 1_000 * p.unit, depositor: 400 * p.unit, second_depositor: 100 * p.unit})
    boa.env.time_travel(seconds=p.vault.lockup())
    return p


def test_request_redeem__escrows_shares_and_emits(holders, depositor):
    p = holders
    balance = p.vault.balanceOf(depositor)

    batch = p.vault.request_redeem(150 * p.unit, depositor, depositor, sender=depositor)

    event = one_event(p.vault, "RedeemRequest")
    assert (event.controller, event.owner, event.requestId, event.sender, event.shares) == (
        depositor,
        depositor,
        1,
        depositor,
        150 * p.unit,
    )
    assert batch == 1 == p.vault.redeem_epoch()
    assert p.vault.balanceOf(depositor) == balance - 150 * p.unit
    assert p.vault.balanceOf(p.vault) == 150 * p.unit
    assert p.vault.pending_redeem_shares() == 150 * p.unit
    assert p.vault.pendingRedeemRequest(0, depositor) == 150 * p.unit
    assert p.vault.claimableRedeemRequest(0, depositor) == 0
    # escrowed shares still count in the supply until settlement
    assert p.vault.totalSupply() == 1_500 * p.unit


def test_request_redeem__settlement_burns_escrow_and_reserves_assets(holders, depositor):
    p = holders
    p.vault.request_redeem(150 * p.unit, depositor, depositor, sender=depositor)
    idle = p.vault.idle_assets()

    assert p.settle()

    settled = one_event(p.oracle, "RedemptionsSettled")
    assert (settled.batch, settled.shares, settled.assets) == (1, 150 * p.unit, 150 * p.unit)
    assert p.vault.totalSupply() == 1_350 * p.unit
    assert p.vault.balanceOf(p.vault) == 0
    assert p.vault.reserved_assets() == 150 * p.unit
    assert p.vault.idle_assets() == idle - 150 * p.unit
    assert p.vault.epoch_redeem(1) == (150 * p.unit, 150 * p.unit)
    assert p.vault.redeem_epoch() == 2
    assert p.vault.claimableRedeemRequest(0, depositor) == 150 * p.unit
    assert p.vault.maxWithdraw(depositor) == 150 * p.unit


def test_request_redeem__twice_in_one_batch__accumulates(holders, depositor):
    p = holders
    p.vault.request_redeem(10 * p.unit, depositor, depositor, sender=depositor)
    p.vault.request_redeem(5 * p.unit, depositor, depositor, sender=depositor)
    assert p.vault.pendingRedeemRequest(0, depositor) == 15 * p.unit


def test_request_redeem__zero_shares__reverts(holders, depositor):
    with boa.reverts("vault: zero shares"):
        holders.vault.request_redeem(0, depositor, depositor, sender=depositor)


def test_request_redeem__more_than_balance__reverts(holders, depositor):
    p = holders
    with boa.reverts("shares: locked or insufficient"):
        p.vault.request_redeem(p.vault.balanceOf(depositor) + 1, depositor, depositor, sender=depositor)


def test_request_redeem__of_someone_elses_shares__reverts(holders, depositor, attacker):
    with boa.reverts("vault: not authorized"):
        holders.vault.request_redeem(1, attacker, depositor, sender=attacker)


def test_request_redeem__by_operator__escrows_owners_shares(holders, depositor, operator):
    p = holders
    p.vault.setOperator(operator, True, sender=depositor)
    p.vault.request_redeem(7 * p.unit, depositor, depositor, sender=operator)
    event = one_event(p.vault, "RedeemRequest")
    assert (event.sender, event.owner) == (operator, depositor)
    assert p.vault.pendingRedeemRequest(0, depositor) == 7 * p.unit


def test_request_redeem__for_a_controller_that_did_not_consent__reverts(holders, depositor, second_depositor):
    """Griefing: a settled request the controller did not make would block its next one ("claim first")
    until it claims. Nothing moves, and the victim's next request still opens in the new batch."""
    p = holders
    with boa.reverts("vault: controller consent"):
        p.vault.request_redeem(p.unit, second_depositor, depositor, sender=depositor)
    assert p.vault.pendingRedeemRequest(0, second_depositor) == 0
    assert p.vault.pending_redeem_shares() == 0
    assert p.vault.balanceOf(depositor) == 400 * p.unit
    p.settle()
    assert p.vault.request_redeem(p.unit, second_depositor, second_depositor, sender=second_depositor) == 1


def test_request_redeem__for_a_consenting_controller__credits_the_controller(holders, depositor, receiver):
    p = holders
    p.vault.setOperator(depositor, True, sender=receiver)
    p.vault.request_redeem(4 * p.unit, receiver, depositor, sender=depositor)
    event = one_event(p.vault, "RedeemRequest")
    assert (event.sender, event.owner, event.controller) == (depositor, depositor, receiver)
    assert p.vault.pendingRedeemRequest(0, receiver) == 4 * p.unit
    assert p.vault.pendingRedeemRequest(0, depositor) == 0


def test_request_redeem__operator_of_the_owner_only__cannot_name_another_controller(
    holders, depositor, operator, receiver
):
    p = holders
    p.vault.setOperator(operator, True, sender=depositor)
    with boa.reverts("vault: controller consent"):
        p.vault.request_redeem(p.unit, receiver, depositor, sender=operator)
    p.vault.request_redeem(p.unit, operator, depositor, sender=operator)
    assert p.vault.pendingRedeemRequest(0, operator) == p.unit


def test_request_redeem__while_paused__reverts(holders, depositor, guardian):
    p = holders
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.request_redeem(1, depositor, depositor, sender=depositor)


def test_request_redeem__after_shutdown__still_works_and_settles(holders, depositor, admin):
    p = holders
    p.vault.shutdown(sender=admin)
    p.vault.request_redeem(40 * p.unit, depositor, depositor, sender=depositor)
    assert p.settle()
    assert p.vault.claimableRedeemRequest(0, depositor) == 40 * p.unit
    assert p.vault.redeem(40 * p.unit, depositor, sender=depositor) == 40 * p.unit


# ---------------------------------------------------------------- cancel_redeem_request


def test_cancel_redeem_request__while_open__returns_shares_and_emits(holders, depositor, receiver):
    p = holders
    p.vault.request_redeem(30 * p.unit, depositor, depositor, sender=depositor)

    returned = p.vault.cancel_redeem_request(depositor, receiver, sender=depositor)

    event = one_event(p.vault, "RedeemRequestCancelled")
    assert (event.controller, event.receiver, event.requestId, event.shares) == (
        depositor,
        receiver,
        1,
        30 * p.unit,
    )
    assert returned == 30 * p.unit
    assert p.vault.balanceOf(receiver) == 30 * p.unit
    assert p.vault.pending_redeem_shares() == 0
    assert p.vault.balanceOf(p.vault) == 0
    assert p.vault.pendingRedeemRequest(0, depositor) == 0


def test_cancel_redeem_request__by_operator__succeeds(holders, depositor, operator):
    p = holders
    p.vault.request_redeem(3 * p.unit, depositor, depositor, sender=depositor)
    p.vault.setOperator(operator, True, sender=depositor)
    assert p.vault.cancel_redeem_request(depositor, depositor, sender=operator) == 3 * p.unit


def test_cancel_redeem_request__by_stranger__reverts(holders, depositor, attacker):
    p = holders
    p.vault.request_redeem(3 * p.unit, depositor, depositor, sender=depositor)
    with boa.reverts("vault: not authorized"):
        p.vault.cancel_redeem_request(depositor, attacker, sender=attacker)


def test_cancel_redeem_request__without_request__reverts(holders, depositor):
    with boa.reverts("vault: no pending redemption"):
        holders.vault.cancel_redeem_request(depositor, depositor, sender=depositor)


def test_cancel_redeem_request__after_settlement__reverts(holders, depositor):
    p = holders
    p.vault.request_redeem(3 * p.unit, depositor, depositor, sender=depositor)
    p.settle()
    with boa.reverts("vault: no pending redemption"):
        p.vault.cancel_redeem_request(depositor, depositor, sender=depositor)


@pytest.mark.parametrize("receiver_kind", ["zero", "vault"])
def test_cancel_redeem_request__to_the_zero_address_or_the_vault__reverts(holders, depositor, receiver_kind):
    """Shares "returned" to the vault would fall into the request escrow and belong to nobody."""
    p = holders
    p.vault.request_redeem(3 * p.unit, depositor, depositor, sender=depositor)
    bad = {"zero": "0x0000000000000000000000000000000000000000", "vault": p.vault.address}[receiver_kind]
    with boa.reverts("vault: bad receiver"):
        p.vault.cancel_redeem_request(depositor, bad, sender=depositor)
    assert p.vault.pendingRedeemRequest(0, depositor) == 3 * p.unit
    assert p.vault.pending_redeem_shares() == 3 * p.unit
    assert p.vault.balanceOf(p.vault) == 3 * p.unit


def test_cancel_redeem_request__while_paused__reverts(holders, depositor, guardian):
    p = holders
    p.vault.request_redeem(3 * p.unit, depositor, depositor, sender=depositor)
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.cancel_redeem_request(depositor, depositor, sender=depositor)


def test_cancel_redeem_request__after_shutdown__succeeds(holders, depositor, admin):
    p = holders
    p.vault.request_redeem(3 * p.unit, depositor, depositor, sender=depositor)
    p.vault.shutdown(sender=admin)
    assert p.vault.cancel_redeem_request(depositor, depositor, sender=depositor) == 3 * p.unit


# ---------------------------------------------------------------- deferral while capital is at the venue


@pytest.fixture
def illiquid(holders):
    """Nearly all capital sits in custody: idle assets cannot pay a large redemption."""
    p = holders
    custody = p.add_custody()
    p.vault.send_to_custody(custody, 1_450 * p.unit, sender=p.manager)
    assert p.settle(1_450 * p.unit)
    p.custody = custody
    return p


def test_request_redeem__above_idle__is_deferred_and_batch_stays_open(illiquid, depositor):
    p = illiquid
    p.vault.request_redeem(200 * p.unit, depositor, depositor, sender=depositor)
    supply = p.vault.totalSupply()

    assert p.settle()

    deferred = one_event(p.oracle, "RedemptionsDeferred")
    assert (deferred.batch, deferred.assets_needed, deferred.idle_assets) == (1, 200 * p.unit, 50 * p.unit)
    assert not [e for e in p.oracle.get_logs() if type(e).__name__ == "RedemptionsSettled"]
    assert p.vault.redeem_epoch() == 1
    assert p.vault.epoch() == 4
    assert p.vault.totalSupply() == supply
    assert p.vault.pendingRedeemRequest(0, depositor) == 200 * p.unit
    assert p.vault.reserved_assets() == 0
    # still open: the controller may add to it or cancel it
    p.vault.request_redeem(p.unit, depositor, depositor, sender=depositor)
    assert p.vault.pendingRedeemRequest(0, depositor) == 201 * p.unit


def test_request_redeem__deferred__settles_after_capital_returns(illiquid, depositor):
    p = illiquid
    p.vault.request_redeem(200 * p.unit, depositor, depositor, sender=depositor)
    p.settle()
    p.vault.return_from_custody(p.custody, 300 * p.unit, sender=p.manager)

    assert p.settle(1_150 * p.unit)

    settled = one_event(p.oracle, "RedemptionsSettled")
    assert (settled.batch, settled.shares, settled.assets) == (1, 200 * p.unit, 200 * p.unit)
    assert p.vault.redeem_epoch() == 2
    assert p.vault.idle_assets() == 150 * p.unit
    assert p.vault.redeem(200 * p.unit, depositor, sender=depositor) == 200 * p.unit


def test_request_redeem__deferred__can_be_cancelled(illiquid, depositor):
    p = illiquid
    p.vault.request_redeem(200 * p.unit, depositor, depositor, sender=depositor)
    p.settle()
    assert p.vault.cancel_redeem_request(depositor, depositor, sender=depositor) == 200 * p.unit
    assert p.vault.pending_redeem_shares() == 0


def test_request_redeem__exactly_idle__settles(illiquid, depositor):
    p = illiquid
    p.vault.request_redeem(50 * p.unit, depositor, depositor, sender=depositor)
    p.settle()
    burned, paid = p.vault.epoch_redeem(1)
    assert (burned, paid) == (50 * p.unit, 50 * p.unit)
    assert p.vault.idle_assets() == 0


def test_request_redeem__at_a_gain__pays_the_settlement_price(holders, depositor):
    p = holders
    p.vault.request_redeem(100 * p.unit, depositor, depositor, sender=depositor)
    total, supply = p.vault.totalAssets(), p.vault.totalSupply()
    gain = total * 5 // 100
    p.settle(gain)
    _, paid = p.vault.epoch_redeem(1)
    assert paid == mul_div(100 * p.unit, total + gain + 1, supply + 1)
