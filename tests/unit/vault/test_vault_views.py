"""Views: conversions with one virtual share and asset, total assets as internal accounting, request views."""

import boa

from tests.fixtures.boa_protocol import mul_div, ref_pps


def test_conversions__after_a_gain__use_virtual_share_and_asset_and_round_down(any_protocol, manager):
    p = any_protocol
    p.onboard({manager: 1_000 * p.unit + 1})
    p.settle(p.vault.totalAssets() * 7 // 100)
    total, supply = p.vault.totalAssets(), p.vault.totalSupply()
    for amount in (1, 3, p.unit, 12_345 * p.unit + 6):
        assert p.vault.convertToShares(amount) == mul_div(amount, supply + 1, total + 1)
        assert p.vault.convertToAssets(amount) == mul_div(amount, total + 1, supply + 1)
        # a round trip never creates value
        assert p.vault.convertToAssets(p.vault.convertToShares(amount)) <= amount
    assert p.vault.share_price() == ref_pps(total, supply)


def test_total_assets__is_internal_accounting__donations_do_not_move_the_price(
    any_protocol, manager, attacker
):
    p = any_protocol
    p.onboard({manager: 10 * p.unit})
    price, total = p.vault.share_price(), p.vault.totalAssets()
    p.token.faucet(p.vault.address, 1_000_000 * p.unit, sender=attacker)
    assert (p.vault.share_price(), p.vault.totalAssets()) == (price, total)
    assert p.vault.convertToShares(p.unit) == mul_div(p.unit, 10 * p.unit + 1, total + 1)


def test_total_assets__counts_idle_reported_and_in_flight_custody(protocol, manager):
    p = protocol
    p.onboard({manager: 1_000 * p.unit})
    custody = p.add_custody()
    p.vault.send_to_custody(custody, 600 * p.unit, sender=manager)
    p.settle(650 * p.unit)  # the venue made 50
    p.vault.send_to_custody(custody, 100 * p.unit, sender=manager)
    p.vault.return_from_custody(custody, 30 * p.unit, sender=manager)
    v = p.vault
    expected = (
        v.idle_assets()
        + v.external_assets()
        + v.custody_out()
        - v.reported_custody_out()
        - (v.custody_in() - v.reported_custody_in())
    )
    assert v.totalAssets() == expected == 1_050 * p.unit


def test_request_views__without_requests__are_zero(protocol, depositor):
    v = protocol.vault
    assert (v.pendingDepositRequest(0, depositor), v.claimableDepositRequest(0, depositor)) == (0, 0)
    assert (v.pendingRedeemRequest(0, depositor), v.claimableRedeemRequest(0, depositor)) == (0, 0)
    assert (v.maxMint(depositor), v.maxWithdraw(depositor)) == (0, 0)
    assert v.epoch_deposit(1) == (0, 0) and v.epoch_redeem(1) == (0, 0)


def test_request_views__ignore_the_request_id(protocol, depositor):
    p = protocol
    p.request_deposit(depositor, 5 * p.unit)
    assert (
        p.vault.pendingDepositRequest(0, depositor)
        == p.vault.pendingDepositRequest(12345, depositor)
        == 5 * p.unit
    )
    boa.env.time_travel(seconds=1)
    p.settle()
    assert p.vault.claimableDepositRequest(7, depositor) == 5 * p.unit
