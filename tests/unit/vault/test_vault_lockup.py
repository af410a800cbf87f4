"""Deposit lockup: claimed shares stay locked in the receiver's account; locks never travel or spread."""

import boa
import pytest

from tests.fixtures.boa_protocol import one_event

DAY = 86_400


def _now() -> int:
    return boa.env.evm.patch.timestamp


@pytest.fixture
def locked(protocol, manager, depositor, second_depositor):
    """Manager's shares are free (a lockup ago); depositor and second depositor just claimed locked shares."""
    p = protocol
    p.onboard({manager: 1_000 * p.unit})
    boa.env.time_travel(seconds=p.vault.lockup())
    p.onboard({depositor: 100 * p.unit, second_depositor: 50 * p.unit})
    p.claimed_at = _now()
    return p


def test_claim__locks_the_shares_for_the_lockup(locked, depositor):
    p = locked
    assert p.vault.lockup() == DAY
    assert p.vault.lock_of(depositor) == (100 * p.unit, p.claimed_at + DAY)
    assert p.vault.free_balance_of(depositor) == 0
    assert p.vault.balanceOf(depositor) == 100 * p.unit


def test_transfer__of_locked_shares__reverts(locked, depositor, receiver):
    with boa.reverts("shares: locked or insufficient"):
        locked.vault.transfer(receiver, 1, sender=depositor)


def test_transfer_from__of_locked_shares__reverts(locked, depositor, operator):
    p = locked
    p.vault.approve(operator, 2**256 - 1, sender=depositor)
    with boa.reverts("shares: locked or insufficient"):
        p.vault.transferFrom(depositor, operator, 1, sender=operator)


def test_request_redeem__during_lockup__reverts(locked, depositor):
    with boa.reverts("shares: locked or insufficient"):
        locked.vault.request_redeem(1, depositor, depositor, sender=depositor)


def test_lock__one_second_before_the_end__still_holds(locked, depositor):
    p = locked
    boa.env.time_travel(seconds=DAY - 1)
    assert p.vault.free_balance_of(depositor) == 0
    with boa.reverts("shares: locked or insufficient"):
        p.vault.request_redeem(1, depositor, depositor, sender=depositor)


def test_lock__at_its_end__frees_every_share(locked, depositor, receiver):
    p = locked
    boa.env.time_travel(seconds=DAY)
    assert p.vault.lock_of(depositor) == (0, p.claimed_at + DAY)
    assert p.vault.free_balance_of(depositor) == 100 * p.unit
    p.vault.transfer(receiver, 60 * p.unit, sender=depositor)
    p.vault.request_redeem(40 * p.unit, depositor, depositor, sender=depositor)
    assert p.vault.balanceOf(depositor) == 0


def test_transfer__to_a_locked_account__neither_moves_nor_extends_its_lock(locked, manager, depositor):
    p = locked
    boa.env.time_travel(seconds=3_600)
    before = p.vault.lock_of(depositor)

    p.vault.transfer(depositor, 30 * p.unit, sender=manager)

    assert p.vault.lock_of(depositor) == before
    assert p.vault.free_balance_of(depositor) == 30 * p.unit
    assert not [e for e in p.vault.get_logs() if type(e).__name__ == "SharesLocked"]
    # the received shares are free, the deposit stays locked
    p.vault.transfer(manager, 30 * p.unit, sender=depositor)
    with boa.reverts("shares: locked or insufficient"):
        p.vault.transfer(manager, 1, sender=depositor)


def test_transfer__from_a_locked_account__leaves_its_lock_behind(locked, manager, depositor, receiver):
    p = locked
    p.vault.transfer(depositor, 30 * p.unit, sender=manager)
    lock = p.vault.lock_of(depositor)
    p.vault.transfer(receiver, 30 * p.unit, sender=depositor)
    assert p.vault.lock_of(depositor) == lock
    assert p.vault.lock_of(receiver)[0] == 0
    assert p.vault.free_balance_of(receiver) == 30 * p.unit


def test_claim__while_still_locked__adds_to_the_lock_and_restarts_it(locked, depositor):
    p = locked
    p.request_deposit(depositor, 10 * p.unit)
    p.settle()  # warps an hour
    shares = p.vault.deposit(10 * p.unit, depositor, sender=depositor)
    event = one_event(p.vault, "SharesLocked")
    assert (event.account, event.locked, event.unlock_at) == (depositor, 100 * p.unit + shares, _now() + DAY)
    assert p.vault.lock_of(depositor) == (100 * p.unit + shares, _now() + DAY)


def test_claim__after_the_lock_ended__locks_only_the_new_shares(locked, depositor):
    p = locked
    boa.env.time_travel(seconds=DAY)
    p.request_deposit(depositor, 10 * p.unit)
    p.settle()
    shares = p.vault.deposit(10 * p.unit, depositor, sender=depositor)
    assert p.vault.lock_of(depositor) == (shares, _now() + DAY)
    assert p.vault.free_balance_of(depositor) == 100 * p.unit


def test_claim__with_zero_lockup__leaves_shares_free(protocol, depositor, admin):
    p = protocol
    p.vault.set_limits(p.vault.deposit_cap(), 0, 500, 0, sender=admin)
    shares = p.onboard({depositor: 10 * p.unit})[depositor]
    assert p.vault.free_balance_of(depositor) == shares
    assert p.vault.lock_of(depositor)[0] == 0


def test_claim__into_another_account__cannot_lock_it(locked, attacker, manager):
    """An attacker with its own settled deposit cannot push locked shares into a victim's account."""
    p = locked
    p.request_deposit(attacker, 10 * p.unit)
    p.settle()
    before = p.vault.lock_of(manager)
    with boa.reverts("vault: receiver consent"):
        p.vault.deposit(10 * p.unit, manager, sender=attacker)
    with boa.reverts("vault: receiver consent"):
        p.vault.mint(1, manager, sender=attacker)
    assert p.vault.lock_of(manager) == before
    assert p.vault.free_balance_of(manager) == p.vault.balanceOf(manager)


def test_claim__with_a_lock_ending_after_2106__reverts(protocol, depositor):
    """Unlock times are stored in 32 bits: a claim whose lock would end past 2**32 - 1 is refused."""
    p = protocol
    p.request_deposit(depositor, 10 * p.unit)
    boa.env.time_travel(seconds=2**32 - DAY - 3_600 - _now())
    assert p.settle()
    with boa.reverts("shares: lock too long"):
        p.vault.deposit(10 * p.unit, depositor, sender=depositor)
