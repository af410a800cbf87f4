"""Share ERC-20 surface (transfer, approve, transferFrom) and the manager's skin in the game."""

import boa
import pytest

from tests.fixtures.boa_protocol import one_event

ZERO = "0x0000000000000000000000000000000000000000"
MAX = 2**256 - 1


@pytest.fixture
def holders(any_protocol, manager, depositor):
    """Manager holds 100 and depositor 1,900 free shares (manager at exactly 5% of supply)."""
    p = any_protocol
    p.onboard({manager: 100 * p.unit, depositor: 1_900 * p.unit})
    boa.env.time_travel(seconds=p.vault.lockup())
    return p


def test_transfer__moves_free_shares_and_emits(holders, depositor, receiver):
    p = holders
    assert p.vault.transfer(receiver, 25 * p.unit, sender=depositor)
    event = one_event(p.vault, "Transfer")
    assert (event.sender, event.receiver, event.value) == (depositor, receiver, 25 * p.unit)
    assert p.vault.balanceOf(receiver) == 25 * p.unit
    assert p.vault.balanceOf(depositor) == 1_875 * p.unit
    assert p.vault.totalSupply() == 2_000 * p.unit


def test_transfer__more_than_balance__reverts(holders, depositor, receiver):
    with boa.reverts("shares: locked or insufficient"):
        holders.vault.transfer(receiver, 1_900 * holders.unit + 1, sender=depositor)


def test_transfer__to_zero_address__reverts(holders, depositor):
    with boa.reverts("shares: zero receiver"):
        holders.vault.transfer(ZERO, 1, sender=depositor)


def test_transfer__to_the_vault__reverts(holders, depositor):
    """Shares sent to the vault would join the request escrow and belong to nobody."""
    with boa.reverts("vault: escrow receiver"):
        holders.vault.transfer(holders.vault.address, 1, sender=depositor)


def test_approve__sets_allowance_and_emits(holders, depositor, operator):
    p = holders
    assert p.vault.approve(operator, 7, sender=depositor)
    event = one_event(p.vault, "Approval")
    assert (event.owner, event.spender, event.value) == (depositor, operator, 7)
    assert p.vault.allowance(depositor, operator) == 7


def test_approve__zero_spender__reverts(holders, depositor):
    with boa.reverts("shares: zero spender"):
        holders.vault.approve(ZERO, 1, sender=depositor)


def test_transfer_from__spends_the_allowance(holders, depositor, operator, receiver):
    p = holders
    p.vault.approve(operator, 10 * p.unit, sender=depositor)
    p.vault.transferFrom(depositor, receiver, 4 * p.unit, sender=operator)
    assert p.vault.allowance(depositor, operator) == 6 * p.unit
    assert p.vault.balanceOf(receiver) == 4 * p.unit
    with boa.reverts("shares: allowance exceeded"):
        p.vault.transferFrom(depositor, receiver, 6 * p.unit + 1, sender=operator)


def test_transfer_from__infinite_allowance__never_decreases(holders, depositor, operator, receiver):
    p = holders
    p.vault.approve(operator, MAX, sender=depositor)
    p.vault.transferFrom(depositor, receiver, 4 * p.unit, sender=operator)
    assert p.vault.allowance(depositor, operator) == MAX


def test_transfer_from__to_the_vault__reverts(holders, depositor, operator):
    p = holders
    p.vault.approve(operator, MAX, sender=depositor)
    with boa.reverts("vault: escrow receiver"):
        p.vault.transferFrom(depositor, p.vault.address, 1, sender=operator)


# ---------------------------------------------------------------- skin in the game


def test_manager_request_redeem__down_to_min_stake_after_burn__succeeds_and_one_more_reverts(
    holders, manager, depositor
):
    p = holders
    p.vault.transfer(manager, 100 * p.unit, sender=depositor)  # manager: 200 of 2,000 (10%)
    # after the burn: (200 - x) * 10_000 >= 500 * (2_000 - x)  <=>  x <= 105.26...
    p.vault.request_redeem(105 * p.unit, manager, manager, sender=manager)
    with boa.reverts("vault: manager stake too low"):
        p.vault.request_redeem(p.unit, manager, manager, sender=manager)
    assert p.settle()
    assert p.vault.balanceOf(manager) * 10_000 >= 500 * p.vault.totalSupply()


def test_manager_transfer__far_below_min_stake__reverts(holders, manager, receiver, depositor):
    p = holders
    p.vault.transfer(manager, 100 * p.unit, sender=depositor)  # manager: 200 of 2,000 (10%)
    with boa.reverts("vault: manager stake too low"):
        p.vault.transfer(receiver, 110 * p.unit, sender=manager)


def test_manager_transfer__never_leaves_the_manager_below_min_stake(holders, manager, receiver, depositor):
    p = holders
    p.vault.transfer(manager, 100 * p.unit, sender=depositor)  # manager: 200 of 2,000 (10%)
    with boa.reverts("vault: manager stake too low"):
        p.vault.transfer(receiver, 105 * p.unit, sender=manager)  # would leave 95 of 2,000 = 4.75%


def test_manager_request_redeem__dropping_below_min_stake__reverts(holders, manager):
    with boa.reverts("vault: manager stake too low"):
        holders.vault.request_redeem(1, manager, manager, sender=manager)


def test_manager_transfer_from__dropping_below_min_stake__reverts(holders, manager, operator, receiver):
    p = holders
    p.vault.approve(operator, MAX, sender=manager)
    with boa.reverts("vault: manager stake too low"):
        p.vault.transferFrom(manager, receiver, 1, sender=operator)


def test_manager_sync_redeem__dropping_below_min_stake__reverts(holders, manager, admin):
    p = holders
    p.vault.set_limits(p.vault.deposit_cap(), p.vault.lockup(), 500, 10**9, sender=admin)
    with boa.reverts("vault: manager stake too low"):
        p.vault.sync_redeem(1, manager, manager, sender=manager)


def test_manager_stake__before_the_first_settlement__is_not_enforced(protocol, manager, receiver):
    """Epoch 1 has no supply to hold a share of; the manager may cancel or move freely."""
    p = protocol
    p.request_deposit(manager, 10 * p.unit)
    assert p.vault.cancel_deposit_request(manager, manager, sender=manager) == 10 * p.unit


def test_manager_stake__others_redeeming__is_unaffected(holders, depositor):
    p = holders
    assert p.vault.request_redeem(1_000 * p.unit, depositor, depositor, sender=depositor) == 1


def test_manager_stake__with_zero_minimum__lets_the_manager_exit(holders, manager, admin):
    p = holders
    p.vault.set_limits(p.vault.deposit_cap(), p.vault.lockup(), 0, 0, sender=admin)
    p.vault.request_redeem(100 * p.unit, manager, manager, sender=manager)
    assert p.vault.pendingRedeemRequest(0, manager) == 100 * p.unit


def test_manager_stake__more_than_balance__reports_insufficient(holders, manager):
    with boa.reverts("shares: locked or insufficient"):
        holders.vault.request_redeem(101 * holders.unit, manager, manager, sender=manager)
