"""The synchronous path: off by default, open only while the last NAV is younger than `sync_max_age`."""

import boa
import pytest

from tests.fixtures.boa_protocol import (
    anchored,
    deploy_protocol,
    mul_div,
    one_event,
    ref_fee_on_total,
    ref_split,
)
from vaultcraft.protocol import FeeConfig

MAX_AGE = 6 * 3_600


def _enable_sync(p, max_age=MAX_AGE, lockup=None):
    lockup = p.vault.lockup() if lockup is None else lockup
    p.vault.set_limits(p.vault.deposit_cap(), lockup, p.vault.min_manager_bps(), max_age, sender=p.admin)


@pytest.fixture
def fresh(any_protocol, manager):
    """Sync path on (6 h), a settlement just happened at a price of ~1.05, manager holds free shares."""
    p = any_protocol
    _enable_sync(p)
    p.onboard({manager: 1_000 * p.unit})
    boa.env.time_travel(seconds=p.vault.lockup())
    assert p.settle(p.vault.totalAssets() * 5 // 100)
    return p


def test_sync_deposit__by_default__reverts_sync_path_off(protocol, depositor):
    p = protocol
    p.onboard({depositor: 10 * p.unit})
    with boa.reverts("vault: sync path off"):
        p.vault.sync_deposit(p.unit, depositor, sender=depositor)
    with boa.reverts("vault: sync path off"):
        p.vault.sync_redeem(1, depositor, depositor, sender=depositor)


def test_sync_deposit__before_any_settlement__reverts_nav_too_old(protocol, depositor):
    p = protocol
    _enable_sync(p)
    p.fund(depositor, p.unit)
    with boa.reverts("vault: NAV too old"):
        p.vault.sync_deposit(p.unit, depositor, sender=depositor)


def test_sync_deposit__at_the_current_price__mints_locked_shares_and_emits(fresh, depositor):
    p = fresh
    assets = 77 * p.unit + 3
    p.fund(depositor, assets)
    total, supply, idle = p.vault.totalAssets(), p.vault.totalSupply(), p.vault.idle_assets()
    expected = mul_div(assets, supply + 1, total + 1)

    shares = p.vault.sync_deposit(assets, depositor, sender=depositor)

    event = one_event(p.vault, "Deposit")
    assert (event.sender, event.owner, event.assets, event.shares) == (depositor, depositor, assets, expected)
    assert shares == expected == p.vault.balanceOf(depositor)
    assert p.vault.lock_of(depositor) == (shares, boa.env.evm.patch.timestamp + p.vault.lockup())
    assert p.vault.totalSupply() == supply + shares
    assert p.vault.idle_assets() == idle + assets
    assert p.token.balanceOf(depositor) == 0


def test_sync_deposit__at_max_age__works_and_one_second_later__reverts(fresh, depositor):
    p = fresh
    p.fund(depositor, 2 * p.unit)
    boa.env.time_travel(seconds=p.vault.last_settled_at() + MAX_AGE - boa.env.evm.patch.timestamp)
    assert p.vault.sync_deposit(p.unit, depositor, sender=depositor) > 0
    boa.env.time_travel(seconds=1)
    with boa.reverts("vault: NAV too old"):
        p.vault.sync_deposit(p.unit, depositor, sender=depositor)


def test_sync_deposit__into_a_receiver_that_did_not_consent__reverts(fresh, depositor, receiver):
    p = fresh
    p.fund(depositor, p.unit)
    with boa.reverts("vault: receiver consent"):
        p.vault.sync_deposit(p.unit, receiver, sender=depositor)


def test_sync_deposit__zero_assets__reverts(fresh, depositor):
    with boa.reverts("vault: zero assets"):
        fresh.vault.sync_deposit(0, depositor, sender=depositor)


def test_sync_deposit__above_the_cap__reverts(fresh, depositor, admin):
    p = fresh
    p.vault.set_limits(p.vault.totalAssets() + p.unit, p.vault.lockup(), 500, MAX_AGE, sender=admin)
    p.fund(depositor, 2 * p.unit)
    with boa.reverts("vault: deposit cap"):
        p.vault.sync_deposit(p.unit + 1, depositor, sender=depositor)
    assert p.vault.sync_deposit(p.unit, depositor, sender=depositor) > 0


def test_deposits__unbounded_cap__stop_at_the_2_112_unit_ceiling_before_pulling_anything(
    fresh, depositor, admin
):
    """The cap in force is min(deposit_cap, 2**112 - 1), so the pending-deposit field (112 bits) cannot
    overflow: a request or sync deposit past the ceiling reverts with the cap error before any transfer,
    and one unit below it passes the cap check (then fails only for want of tokens)."""
    p = fresh
    p.vault.set_limits(2**256 - 1, p.vault.lockup(), 500, MAX_AGE, sender=admin)
    headroom = 2**112 - 1 - p.vault.totalAssets() - p.vault.pending_deposit_assets()
    balance = p.token.balanceOf(depositor)
    for deposit in (
        lambda a: p.vault.request_deposit(a, depositor, depositor, sender=depositor),
        lambda a: p.vault.sync_deposit(a, depositor, sender=depositor),
    ):
        with boa.reverts("vault: deposit cap"):
            deposit(headroom + 1)
        with boa.reverts("erc20: insufficient allowance"):
            deposit(headroom)  # the token refuses: the cap check let it through
    assert p.vault.pending_deposit_assets() == 0 and p.token.balanceOf(depositor) == balance


def test_set_limits__with_deposits_pending__keeps_them(fresh, depositor, admin):
    """Pending deposits share the limits word: changing the limits never loses or invents one."""
    p = fresh
    p.request_deposit(depositor, 3 * p.unit)
    p.vault.set_limits(10**40, 0, 0, 0, sender=admin)
    assert p.vault.pending_deposit_assets() == 3 * p.unit
    p.vault.cancel_deposit_request(depositor, depositor, sender=depositor)
    p.vault.set_limits(p.vault.totalAssets() + p.unit, p.vault.lockup(), 500, MAX_AGE, sender=admin)
    assert p.vault.pending_deposit_assets() == 0


def test_cancel_deposit_request__keeps_the_cap_and_the_sync_age(fresh, depositor, admin):
    """Pending deposits share the limits word with the cap and the NAV age: a cancel touches neither."""
    p = fresh
    p.vault.set_limits(p.vault.totalAssets() + 5 * p.unit, p.vault.lockup(), 500, MAX_AGE, sender=admin)
    p.request_deposit(depositor, 3 * p.unit)
    p.vault.cancel_deposit_request(depositor, depositor, sender=depositor)
    p.fund(depositor, 6 * p.unit)
    with boa.reverts("vault: deposit cap"):
        p.vault.sync_deposit(5 * p.unit + 1, depositor, sender=depositor)
    assert p.vault.sync_deposit(5 * p.unit, depositor, sender=depositor) > 0
    boa.env.time_travel(seconds=MAX_AGE + 1)
    with boa.reverts("vault: NAV too old"):
        p.vault.sync_deposit(1, depositor, sender=depositor)


def test_sync_deposit__custody_transfer_not_yet_reported__is_priced_with_it(fresh, depositor, manager, admin):
    """Assets sent to custody after the last report still count in the price the sync path uses."""
    p = fresh
    p.vault.set_limits(p.vault.deposit_cap(), p.vault.lockup(), 0, MAX_AGE, sender=admin)
    custody = p.add_custody()
    before = p.vault.totalAssets()
    p.vault.send_to_custody(custody, p.vault.idle_assets() // 2, sender=manager)
    total, supply = p.vault.totalAssets(), p.vault.totalSupply()
    assert total == before > p.vault.idle_assets() + p.vault.external_assets()  # the unseen half still counts
    p.fund(depositor, 7 * p.unit)
    shares = p.vault.sync_deposit(7 * p.unit, depositor, sender=depositor)
    assert shares == mul_div(7 * p.unit, supply + 1, total + 1)


def test_set_limits__unbounded_cap_and_age__read_back_exactly_and_leave_the_sync_path_open(
    fresh, depositor, admin
):
    """The deposit paths read a saturated copy of cap and age (one storage word); the public values stay
    exactly what the admin set, and "no limit" still means no limit (no overflow on the age check)."""
    p = fresh
    unbounded = 2**256 - 1
    p.vault.set_limits(unbounded, p.vault.lockup(), 500, unbounded, sender=admin)
    assert (p.vault.deposit_cap(), p.vault.sync_max_age()) == (unbounded, unbounded)
    boa.env.time_travel(seconds=10 * 365 * 86_400)
    p.fund(depositor, 2 * p.unit)
    assert p.vault.sync_deposit(p.unit, depositor, sender=depositor) > 0
    assert p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor) == p.vault.epoch()


def test_settlement__restarts_the_sync_clock(fresh, depositor):
    """`last_fee_at` shares a word with the epoch counters: each settlement moves both."""
    p = fresh
    epoch = p.vault.epoch()
    boa.env.time_travel(seconds=MAX_AGE + 1)
    p.fund(depositor, 2 * p.unit)
    with boa.reverts("vault: NAV too old"):
        p.vault.sync_deposit(p.unit, depositor, sender=depositor)
    assert p.settle()
    now = boa.env.evm.patch.timestamp
    assert p.vault.last_fee_at() == p.vault.last_settled_at() == now
    assert p.vault.epoch() == epoch + 1
    assert p.vault.sync_deposit(p.unit, depositor, sender=depositor) > 0


def test_sync_deposit__worth_less_than_a_share__reverts_zero_shares(protocol, manager, depositor, admin):
    p = protocol
    p.oracle.set_nav_guards(3_600, 86_400, 10_000, 7 * 86_400, 10_000, sender=admin)
    _enable_sync(p)
    p.onboard({manager: 1})
    assert p.settle(1)  # total 2, supply 1: one asset unit buys 2/3 of a share
    p.fund(depositor, 1)
    with boa.reverts("vault: zero shares"):
        p.vault.sync_deposit(1, depositor, sender=depositor)


def test_sync_deposit__while_quarantined__reverts(fresh, depositor):
    p = fresh
    assert not p.settle(p.vault.totalAssets())  # +100%: quarantined
    p.fund(depositor, p.unit)
    with boa.reverts("vault: report quarantined"):
        p.vault.sync_deposit(p.unit, depositor, sender=depositor)


# ---------------------------------------------------------------- sync_redeem


def test_sync_redeem__burns_shares_and_pays_the_current_price(fresh, manager, receiver):
    p = fresh
    total, supply, idle = p.vault.totalAssets(), p.vault.totalSupply(), p.vault.idle_assets()
    shares = 10 * p.unit
    expected = mul_div(shares, total + 1, supply + 1)

    paid = p.vault.sync_redeem(shares, receiver, manager, sender=manager)

    event = one_event(p.vault, "Withdraw")
    assert (event.sender, event.receiver, event.owner, event.assets, event.shares) == (
        manager,
        receiver,
        manager,
        expected,
        shares,
    )
    assert paid == expected == p.token.balanceOf(receiver)
    assert p.vault.totalSupply() == supply - shares
    assert p.vault.idle_assets() == idle - expected


def test_sync_redeem__more_than_idle__reverts(fresh, manager, admin):
    p = fresh
    p.vault.set_limits(p.vault.deposit_cap(), p.vault.lockup(), 0, MAX_AGE, sender=admin)
    custody = p.add_custody()
    p.vault.send_to_custody(custody, p.vault.idle_assets() - p.unit, sender=manager)
    with boa.reverts("vault: idle too low"):
        p.vault.sync_redeem(2 * p.unit, manager, manager, sender=manager)


def test_sync_redeem__of_locked_shares__reverts(fresh, depositor):
    p = fresh
    p.fund(depositor, 10 * p.unit)
    p.vault.sync_deposit(10 * p.unit, depositor, sender=depositor)
    with boa.reverts("shares: locked or insufficient"):
        p.vault.sync_redeem(1, depositor, depositor, sender=depositor)


def test_sync_redeem__of_someone_elses_shares__reverts(fresh, manager, attacker):
    with boa.reverts("vault: not authorized"):
        fresh.vault.sync_redeem(1, attacker, manager, sender=attacker)


def test_sync_redeem__zero_shares__reverts(fresh, manager):
    with boa.reverts("vault: zero shares"):
        fresh.vault.sync_redeem(0, manager, manager, sender=manager)


def test_sync_redeem__after_nav_expired__reverts(fresh, manager):
    p = fresh
    boa.env.time_travel(seconds=MAX_AGE + 1)
    with boa.reverts("vault: NAV too old"):
        p.vault.sync_redeem(1, manager, manager, sender=manager)


def test_sync_redeem__after_shutdown__still_works(fresh, manager, admin):
    p = fresh
    p.vault.shutdown(sender=admin)
    assert p.vault.sync_redeem(p.unit, manager, manager, sender=manager) > 0


def test_sync_round_trip__never_returns_more_than_paid(fresh, depositor, admin):
    p = fresh
    _enable_sync(p, lockup=0)
    for assets in (2, 3, p.unit - 1, 123 * p.unit + 7):
        p.fund(depositor, assets)
        before = p.token.balanceOf(depositor)
        shares = p.vault.sync_deposit(assets, depositor, sender=depositor)
        assert shares > 0
        back = p.vault.sync_redeem(shares, depositor, depositor, sender=depositor)
        assert back <= assets
        assert p.token.balanceOf(depositor) == before - assets + back


# ---------------------------------------------------------------- entry / exit fees on the sync path

FEES = FeeConfig(entry_bps=100, exit_bps=150, protocol_share_bps=2_500)


@pytest.fixture(scope="module")
def sync_fee_base():
    return deploy_protocol(decimals=18, fees=FEES)


@pytest.fixture
def fee_fresh(sync_fee_base, manager):
    for p in anchored(sync_fee_base):
        _enable_sync(p)
        p.onboard({manager: 1_000 * p.unit})
        boa.env.time_travel(seconds=p.vault.lockup())
        assert p.settle()
        yield p


def test_sync_deposit__entry_fee__accrues_to_the_recipients(fee_fresh, depositor):
    p = fee_fresh
    assets = 10 * p.unit + 1
    p.fund(depositor, assets)
    accrued = p.vault.accrued_manager_fees(), p.vault.accrued_protocol_fees()
    total, supply = p.vault.totalAssets(), p.vault.totalSupply()

    shares = p.vault.sync_deposit(assets, depositor, sender=depositor)

    fee = ref_fee_on_total(assets, 100)
    event = one_event(p.vault, "TransactionFeeCharged")
    assert (event.payer, event.is_exit, event.assets) == (depositor, False, fee)
    manager_part, protocol_part = ref_split(fee, 2_500)
    assert (p.vault.accrued_manager_fees(), p.vault.accrued_protocol_fees()) == (
        accrued[0] + manager_part,
        accrued[1] + protocol_part,
    )
    assert shares == mul_div(assets - fee, supply + 1, total + 1)


def test_sync_redeem__exit_fee__is_withheld(fee_fresh, manager):
    p = fee_fresh
    total, supply = p.vault.totalAssets(), p.vault.totalSupply()
    gross = mul_div(5 * p.unit, total + 1, supply + 1)
    paid = p.vault.sync_redeem(5 * p.unit, manager, manager, sender=manager)
    event = [e for e in p.vault.get_logs() if type(e).__name__ == "TransactionFeeCharged"][0]
    assert (event.payer, event.is_exit, event.assets) == (manager, True, ref_fee_on_total(gross, 150))
    assert paid == gross - ref_fee_on_total(gross, 150)


def test_sync_deposit__fee_vault__nav_still_expires(fee_fresh, depositor):
    """Non-zero fee rates sit above the fee clock in the flags word: the NAV age must not see them."""
    p = fee_fresh
    p.fund(depositor, p.unit)
    boa.env.time_travel(seconds=MAX_AGE + 1)
    with boa.reverts("vault: NAV too old"):
        p.vault.sync_deposit(p.unit, depositor, sender=depositor)
