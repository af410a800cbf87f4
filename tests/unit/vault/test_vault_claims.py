"""Claims of settled requests: deposit / mint (shares) and redeem / withdraw (assets), with their rounding."""

import boa
import pytest

from tests.fixtures.boa_protocol import actor, mul_div, one_event

ZERO = "0x0000000000000000000000000000000000000000"


def _price_up(p, bps: int) -> None:
    """Settle an empty epoch reporting external gains of `bps` of the current total assets."""
    total = p.vault.totalAssets()
    assert p.settle(p.vault.external_assets() + total * bps // 10_000)


@pytest.fixture
def odd_price_epoch(any_protocol, manager, depositor, second_depositor):
    """Epoch 3 settled at a price of ~1.0937 with two depositors of awkward sizes; nothing claimed yet."""
    p = any_protocol
    p.onboard({manager: 1_000 * p.unit + 3})
    _price_up(p, 937)
    p.request_deposit(depositor, 777 * p.unit + 11)
    p.request_deposit(second_depositor, 333 * p.unit + 5)
    assert p.vault.epoch() == 3
    assert p.settle()
    return p


# ---------------------------------------------------------------- deposit


def test_deposit__claims_pro_rata_shares_rounded_down(odd_price_epoch, depositor, second_depositor):
    p = odd_price_epoch
    total, minted = p.vault.epoch_deposit(3)
    assert total == 1_110 * p.unit + 16
    expected = {
        a: mul_div(p.vault.claimableDepositRequest(0, a), minted, total)
        for a in (depositor, second_depositor)
    }

    got = {a: p.vault.deposit(p.vault.claimableDepositRequest(0, a), a, sender=a) for a in expected}

    assert got == expected
    assert sum(got.values()) <= minted
    assert minted - sum(got.values()) <= 1  # at most one unit of dust per claimant stays in escrow
    assert p.vault.balanceOf(p.vault) == minted - sum(got.values())


def test_deposit__moves_escrowed_shares_locks_them_and_emits(any_protocol, depositor):
    p = any_protocol
    p.request_deposit(depositor, 100 * p.unit)
    p.settle(0)

    shares = p.vault.deposit(100 * p.unit, depositor, sender=depositor)

    event = one_event(p.vault, "Deposit")
    assert (event.sender, event.owner, event.assets, event.shares) == (
        depositor,
        depositor,
        100 * p.unit,
        shares,
    )
    locked = one_event(p.vault, "SharesLocked")
    assert (locked.account, locked.locked) == (depositor, shares)
    assert locked.unlock_at == boa.env.evm.patch.timestamp + p.vault.lockup()
    assert shares == 100 * p.unit
    assert p.vault.balanceOf(depositor) == shares
    assert p.vault.balanceOf(p.vault) == 0
    assert p.vault.claimableDepositRequest(0, depositor) == 0
    assert p.vault.maxMint(depositor) == 0


def test_deposit__in_parts__never_yields_more_than_one_claim(odd_price_epoch, depositor):
    p = odd_price_epoch
    claimable = p.vault.claimableDepositRequest(0, depositor)
    whole = p.vault.maxMint(depositor)
    first = p.vault.deposit(claimable // 3, depositor, sender=depositor)
    assert p.vault.claimableDepositRequest(0, depositor) == claimable - claimable // 3
    second = p.vault.deposit(claimable - claimable // 3, depositor, sender=depositor)
    assert first + second <= whole
    assert p.vault.claimableDepositRequest(0, depositor) == 0


def test_deposit__more_than_claimable__reverts(odd_price_epoch, depositor):
    p = odd_price_epoch
    claimable = p.vault.claimableDepositRequest(0, depositor)
    with boa.reverts("vault: claim exceeds settled"):
        p.vault.deposit(claimable + 1, depositor, sender=depositor)


def test_deposit__zero_assets__reverts(odd_price_epoch, depositor):
    with boa.reverts("vault: claim exceeds settled"):
        odd_price_epoch.vault.deposit(0, depositor, sender=depositor)


def test_deposit__before_settlement__reverts_nothing_claimable(protocol, depositor):
    p = protocol
    p.request_deposit(depositor, 10 * p.unit)
    with boa.reverts("vault: nothing claimable"):
        p.vault.deposit(10 * p.unit, depositor, sender=depositor)


def test_deposit__without_request__reverts_nothing_claimable(protocol, depositor):
    with boa.reverts("vault: nothing claimable"):
        protocol.vault.deposit(1, depositor, sender=depositor)


def test_deposit__of_someone_elses_request__reverts(odd_price_epoch, depositor, attacker):
    with boa.reverts("vault: not authorized"):
        odd_price_epoch.vault.deposit(1, attacker, depositor, sender=attacker)


def test_deposit__by_operator_for_the_controller__succeeds(odd_price_epoch, depositor, operator):
    p = odd_price_epoch
    p.vault.setOperator(operator, True, sender=depositor)
    expected = p.vault.maxMint(depositor)
    shares = p.vault.deposit(
        p.vault.claimableDepositRequest(0, depositor), depositor, depositor, sender=operator
    )
    assert shares == expected == p.vault.balanceOf(depositor)
    assert p.vault.balanceOf(operator) == 0


def test_deposit__into_a_receiver_that_did_not_consent__reverts(odd_price_epoch, depositor, receiver):
    """Claimed shares are locked in the receiver's account: only the receiver may cause that."""
    with boa.reverts("vault: receiver consent"):
        odd_price_epoch.vault.deposit(1, receiver, sender=depositor)


def test_deposit__into_a_receiver_whose_operator_is_the_caller__succeeds(
    odd_price_epoch, depositor, receiver
):
    p = odd_price_epoch
    p.vault.setOperator(depositor, True, sender=receiver)
    shares = p.vault.deposit(p.vault.claimableDepositRequest(0, depositor), receiver, sender=depositor)
    assert p.vault.balanceOf(receiver) == shares > 0
    assert p.vault.lock_of(receiver)[0] == shares


def test_deposit__while_paused__reverts(odd_price_epoch, depositor, guardian):
    p = odd_price_epoch
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.deposit(1, depositor, sender=depositor)


def test_deposit__of_an_epoch_that_minted_no_shares__gives_zero_shares(protocol, manager, depositor, admin):
    """Dust below one share's price buys nothing: rounding favours the vault, not the depositor."""
    p = protocol
    p.oracle.set_nav_guards(3_600, 86_400, 10_000, 7 * 86_400, 10_000, sender=admin)
    p.onboard({manager: 1})  # supply 1, total 1
    assert p.settle(1)  # total 2, supply 1
    p.request_deposit(depositor, 1)
    assert p.settle()
    assert p.vault.epoch_deposit(3) == (1, 0)
    with boa.reverts("vault: nothing claimable"):
        p.vault.mint(1, depositor, sender=depositor)
    assert p.vault.deposit(1, depositor, sender=depositor) == 0
    assert p.vault.claimableDepositRequest(0, depositor) == 0


# ---------------------------------------------------------------- mint


def test_mint__max_mint__consumes_at_most_the_claim(odd_price_epoch, depositor):
    p = odd_price_epoch
    claimable = p.vault.claimableDepositRequest(0, depositor)
    shares = p.vault.maxMint(depositor)
    total, minted = p.vault.epoch_deposit(3)

    assets = p.vault.mint(shares, depositor, sender=depositor)

    event = one_event(p.vault, "Deposit")
    assert (event.assets, event.shares) == (assets, shares)
    assert assets == mul_div(shares, total, minted, True) <= claimable
    assert p.vault.balanceOf(depositor) == shares
    assert p.vault.claimableDepositRequest(0, depositor) == claimable - assets


def test_mint__one_share__rounds_assets_up(odd_price_epoch, depositor):
    p = odd_price_epoch
    total, minted = p.vault.epoch_deposit(3)
    assert total * 1 % minted != 0  # the price is not a whole number of asset units per share
    assets = p.vault.mint(1, depositor, sender=depositor)
    assert assets == total // minted + 1


def test_mint__more_than_max_mint__reverts(odd_price_epoch, depositor):
    p = odd_price_epoch
    with boa.reverts("vault: claim exceeds settled"):
        p.vault.mint(p.vault.maxMint(depositor) + 1, depositor, sender=depositor)


def test_mint__zero_shares__reverts(odd_price_epoch, depositor):
    with boa.reverts("vault: claim exceeds settled"):
        odd_price_epoch.vault.mint(0, depositor, sender=depositor)


def test_mint__into_a_receiver_that_did_not_consent__reverts(odd_price_epoch, depositor, receiver):
    with boa.reverts("vault: receiver consent"):
        odd_price_epoch.vault.mint(1, receiver, sender=depositor)


def test_mint__while_paused__reverts(odd_price_epoch, depositor, admin):
    p = odd_price_epoch
    p.vault.pause(sender=admin)
    with boa.reverts("vault: paused"):
        p.vault.mint(1, depositor, sender=depositor)


# ---------------------------------------------------------------- redeem / withdraw


@pytest.fixture
def settled_redemption(any_protocol, manager, depositor, second_depositor):
    """Two holders redeemed part of their shares at a price of ~1.0937; nothing claimed yet."""
    p = any_protocol
    p.onboard({manager: 2_000 * p.unit, depositor: 777 * p.unit + 11, second_depositor: 333 * p.unit + 5})
    _price_up(p, 937)
    boa.env.time_travel(seconds=p.vault.lockup())
    for holder in (depositor, second_depositor):
        p.vault.request_redeem(p.vault.balanceOf(holder) // 2 + 1, holder, holder, sender=holder)
    # the report values the gain it reported last time; the vault's idle assets pay the redemptions
    assert p.settle()
    assert p.vault.redeem_epoch() == 2
    return p


def test_redeem__pays_pro_rata_assets_rounded_down_and_emits(settled_redemption, depositor, receiver):
    p = settled_redemption
    burned, paid = p.vault.epoch_redeem(1)
    claimable = p.vault.claimableRedeemRequest(0, depositor)
    expected = mul_div(claimable, paid, burned)
    reserved = p.vault.reserved_assets()
    max_withdraw = p.vault.maxWithdraw(depositor)

    assets = p.vault.redeem(claimable, receiver, sender=depositor)

    event = one_event(p.vault, "Withdraw")
    assert (event.sender, event.receiver, event.owner, event.assets, event.shares) == (
        depositor,
        receiver,
        depositor,
        expected,
        claimable,
    )
    assert assets == expected == max_withdraw
    assert p.token.balanceOf(receiver) == expected
    assert p.vault.reserved_assets() == reserved - expected
    assert p.vault.claimableRedeemRequest(0, depositor) == 0


def test_redeem__all_claimants__never_pay_more_than_reserved(settled_redemption, depositor, second_depositor):
    p = settled_redemption
    reserved = p.vault.reserved_assets()
    paid_out = sum(
        p.vault.redeem(p.vault.claimableRedeemRequest(0, a), a, sender=a)
        for a in (depositor, second_depositor)
    )
    assert paid_out <= reserved
    assert p.vault.reserved_assets() == reserved - paid_out
    assert p.vault.reserved_assets() <= 2  # at most one unit of dust per claimant


def test_withdraw__exact_assets__rounds_shares_up(settled_redemption, depositor):
    p = settled_redemption
    burned, paid = p.vault.epoch_redeem(1)
    claimable = p.vault.claimableRedeemRequest(0, depositor)
    wanted = p.unit + 1

    shares = p.vault.withdraw(wanted, depositor, sender=depositor)

    event = one_event(p.vault, "Withdraw")
    assert (event.assets, event.shares) == (wanted, shares)
    assert shares == mul_div(wanted, burned, paid, True)
    assert shares * paid >= wanted * burned  # the shares consumed are worth at least what was paid
    assert p.vault.claimableRedeemRequest(0, depositor) == claimable - shares


def test_withdraw__max_withdraw__fits_in_the_claim(settled_redemption, depositor):
    p = settled_redemption
    before = p.token.balanceOf(depositor)
    most = p.vault.maxWithdraw(depositor)
    p.vault.withdraw(most, depositor, sender=depositor)
    assert p.token.balanceOf(depositor) - before == most
    assert p.vault.claimableRedeemRequest(0, depositor) <= 1


def test_withdraw__more_than_max_withdraw__reverts(settled_redemption, depositor):
    p = settled_redemption
    with boa.reverts("vault: claim exceeds settled"):
        p.vault.withdraw(p.vault.maxWithdraw(depositor) + 2, depositor, sender=depositor)


def test_redeem__more_than_claimable__reverts(settled_redemption, depositor):
    p = settled_redemption
    with boa.reverts("vault: claim exceeds settled"):
        p.vault.redeem(p.vault.claimableRedeemRequest(0, depositor) + 1, depositor, sender=depositor)


def test_redeem__zero_shares__reverts(settled_redemption, depositor):
    with boa.reverts("vault: claim exceeds settled"):
        settled_redemption.vault.redeem(0, depositor, sender=depositor)


def test_redeem__to_zero_receiver__reverts(settled_redemption, depositor):
    with boa.reverts("vault: zero receiver"):
        settled_redemption.vault.redeem(1, ZERO, sender=depositor)


def test_redeem__before_settlement__reverts_nothing_claimable(settled_redemption, manager):
    p = settled_redemption
    p.vault.request_redeem(p.unit, manager, manager, sender=manager)
    assert p.vault.pendingRedeemRequest(0, manager) == p.unit
    with boa.reverts("vault: nothing claimable"):
        p.vault.redeem(1, manager, sender=manager)


def test_withdraw__without_request__reverts_nothing_claimable(settled_redemption, attacker):
    with boa.reverts("vault: nothing claimable"):
        settled_redemption.vault.withdraw(1, attacker, sender=attacker)


def test_redeem__of_someone_elses_request__reverts(settled_redemption, depositor, attacker):
    with boa.reverts("vault: not authorized"):
        settled_redemption.vault.redeem(1, attacker, depositor, sender=attacker)


def test_redeem__by_operator__pays_the_chosen_receiver(settled_redemption, depositor, operator):
    p = settled_redemption
    p.vault.setOperator(operator, True, sender=depositor)
    expected = p.vault.maxWithdraw(depositor)
    assert (
        p.vault.redeem(p.vault.claimableRedeemRequest(0, depositor), operator, depositor, sender=operator)
        == expected
    )
    assert p.token.balanceOf(operator) == expected
    event = one_event(p.vault, "Withdraw")
    assert (event.sender, event.owner) == (operator, depositor)


def test_redeem__while_paused__reverts(settled_redemption, depositor, guardian):
    p = settled_redemption
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.redeem(1, depositor, sender=depositor)
    with boa.reverts("vault: paused"):
        p.vault.withdraw(1, depositor, sender=depositor)


def test_request_redeem__with_settled_unclaimed_redemption__reverts_claim_first(
    settled_redemption, depositor
):
    p = settled_redemption
    with boa.reverts("vault: claim first"):
        p.vault.request_redeem(1, depositor, depositor, sender=depositor)
    p.vault.redeem(p.vault.claimableRedeemRequest(0, depositor), depositor, sender=depositor)
    assert p.vault.request_redeem(1, depositor, depositor, sender=depositor) == 2


def test_claims__for_many_depositors__are_each_pro_rata(protocol):
    p = protocol
    crowd = [actor(f"depositor{i}") for i in range(20)]
    amounts = {a: (i * 7_919 + 13) * p.unit // 100 + i for i, a in enumerate(crowd)}
    shares = p.onboard(amounts)
    total, minted = p.vault.epoch_deposit(1)
    assert total == sum(amounts.values())
    assert all(shares[a] == mul_div(amounts[a], minted, total) for a in crowd)
