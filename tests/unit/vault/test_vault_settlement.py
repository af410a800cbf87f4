"""Epoch settlement through the NAV oracle: one price per epoch, O(1) gas, shutdown behaviour."""

import boa

from tests.fixtures.boa_protocol import actor, mul_div, one_event, ref_pps


def test_settle__from_anyone_but_the_oracle__reverts(protocol, attacker, admin):
    p = protocol
    for caller in (attacker, admin, p.keeper):
        with boa.reverts("vault: not nav oracle"):
            p.vault.settle(1, 0, 0, 0, sender=caller)


def test_set_quarantined__from_anyone_but_the_oracle__reverts(protocol, guardian):
    with boa.reverts("vault: not nav oracle"):
        protocol.vault.set_quarantined(True, sender=guardian)


def test_set_fee_terms__from_anyone_but_the_oracle_or_wider_than_96_bits__reverts_and_changes_nothing(
    protocol, admin
):
    """The rates sit in the top 96 bits of the flags word: wider terms would shift out of it silently."""
    p = protocol
    flags = p.vault._storage._flags.get()
    with boa.reverts("vault: not nav oracle"):
        p.vault.set_fee_terms(0, sender=admin)
    with boa.reverts("vault: bad fee terms"):
        p.vault.set_fee_terms(2**96, sender=p.oracle.address)
    assert p.vault._storage._flags.get() == flags
    p.vault.set_fee_terms(2**96 - 1, sender=p.oracle.address)
    assert p.vault._storage._flags.get() == (flags & (2**160 - 1)) | ((2**96 - 1) << 160)


def test_settle__first_epoch__mints_one_share_per_asset_and_emits(any_protocol, depositor, second_depositor):
    p = any_protocol
    p.request_deposit(depositor, 300 * p.unit)
    p.request_deposit(second_depositor, 200 * p.unit + 1)

    assert p.settle(0)

    event = one_event(p.oracle, "EpochSettled")
    total = 500 * p.unit + 1
    assert (event.epoch, event.total_assets, event.total_supply, event.share_price) == (
        1,
        total,
        total,
        10**18,
    )
    assert (event.deposit_assets, event.deposit_shares) == (total, total)
    assert p.vault.epoch() == 2
    assert p.vault.idle_assets() == total
    assert p.vault.pending_deposit_assets() == 0
    assert p.vault.totalSupply() == total == p.vault.balanceOf(p.vault)
    assert p.vault.last_settled_at() == boa.env.evm.patch.timestamp
    assert p.vault.epoch_deposit(1) == (total, total)


def test_settle__deposits_and_redemptions_of_one_epoch__share_one_price(
    any_protocol, manager, depositor, second_depositor
):
    p = any_protocol
    p.onboard({manager: 1_000 * p.unit, depositor: 500 * p.unit})
    boa.env.time_travel(seconds=p.vault.lockup())
    p.vault.request_redeem(100 * p.unit, depositor, depositor, sender=depositor)
    p.request_deposit(second_depositor, 250 * p.unit)
    total, supply = p.vault.totalAssets(), p.vault.totalSupply()
    gain = total * 4 // 100

    assert p.settle(gain)

    price_total = total + gain
    dep_shares = mul_div(250 * p.unit, supply + 1, price_total + 1)
    assert p.vault.epoch_deposit(2) == (250 * p.unit, dep_shares)
    gross = mul_div(100 * p.unit, price_total + 250 * p.unit + 1, supply + dep_shares + 1)
    assert p.vault.epoch_redeem(1) == (100 * p.unit, gross)
    # both sides were priced at the same share price, up to one unit of rounding
    assert (
        abs(ref_pps(price_total, supply) - ref_pps(price_total + 250 * p.unit, supply + dep_shares))
        <= 10**18 // p.unit + 1
    )
    event = one_event(p.oracle, "EpochSettled")
    assert event.total_supply == supply + dep_shares - 100 * p.unit == p.vault.totalSupply()
    assert event.total_assets == price_total + 250 * p.unit - gross == p.vault.totalAssets()


def test_settle__empty_epoch__only_advances(protocol):
    p = protocol
    assert p.settle(0)
    event = one_event(p.oracle, "EpochSettled")
    assert (event.epoch, event.deposit_assets, event.deposit_shares, event.total_supply) == (1, 0, 0, 0)
    assert p.vault.epoch() == 2
    assert p.vault.epoch_deposit(1) == (0, 0)


def _settle_gas(p, depositors: int) -> int:
    for i in range(depositors):
        p.request_deposit(actor(f"crowd{i}"), (i + 1) * p.unit + i)
    boa.env.time_travel(seconds=3_600)
    report = p.report(0)
    assert p.oracle.post_report(report.as_tuple(), p.sign(report), sender=p.keeper)
    return p.oracle._computation.get_gas_used()


def test_settle__gas_does_not_grow_with_the_number_of_depositors(protocol, manager):
    p = protocol
    p.onboard({manager: 1_000 * p.unit})
    with boa.env.anchor():
        one = _settle_gas(p, 1)
    with boa.env.anchor():
        fifty = _settle_gas(p, 50)
    assert abs(fifty - one) * 100 <= one * 3, (one, fifty)


def test_settle__fifty_depositors__each_claims_pro_rata(protocol, manager):
    p = protocol
    p.onboard({manager: 1_000 * p.unit})
    p.settle(p.vault.totalAssets() * 3 // 100)  # price ~1.03, so the division is not exact
    crowd = {actor(f"crowd{i}"): (i + 1) * p.unit + i for i in range(50)}
    for account, assets in crowd.items():
        p.request_deposit(account, assets)
    p.settle()
    total, minted = p.vault.epoch_deposit(3)
    assert total == sum(crowd.values())

    got = {a: p.vault.deposit(assets, a, sender=a) for a, assets in crowd.items()}

    assert all(got[a] == mul_div(crowd[a], minted, total) for a in crowd)
    assert 0 <= minted - sum(got.values()) < len(crowd)
    assert p.vault.balanceOf(p.vault) == minted - sum(got.values())


def test_settle__while_paused__reverts(protocol, depositor, guardian):
    p = protocol
    p.request_deposit(depositor, p.unit)
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.settle(0)
    assert p.vault.epoch() == 1


def test_preview_settlement_price__matches_the_settled_price_without_fees(protocol, manager):
    p = protocol
    p.onboard({manager: 1_000 * p.unit})
    preview = p.vault.preview_settlement_price(37 * p.unit, 0, 0)
    assert preview == ref_pps(1_037 * p.unit, 1_000 * p.unit)
    p.settle(37 * p.unit)
    assert one_event(p.oracle, "EpochSettled").share_price == preview == p.vault.share_price()


# ---------------------------------------------------------------- shutdown


def test_settle__after_shutdown__does_not_settle_pending_deposits(protocol, manager, depositor, admin):
    p = protocol
    p.onboard({manager: 100 * p.unit})
    p.request_deposit(depositor, 50 * p.unit)
    p.vault.shutdown(sender=admin)

    assert p.settle()

    event = one_event(p.oracle, "EpochSettled")
    assert (event.deposit_assets, event.deposit_shares) == (0, 0)
    assert p.vault.totalSupply() == 100 * p.unit
    assert p.vault.idle_assets() == 100 * p.unit
    assert p.vault.epoch_deposit(2) == (0, 0)


def test_cancel_deposit_request__after_shutdown_before_a_report__returns_assets(protocol, depositor, admin):
    p = protocol
    p.request_deposit(depositor, 50 * p.unit)
    p.vault.shutdown(sender=admin)
    assert p.vault.cancel_deposit_request(depositor, depositor, sender=depositor) == 50 * p.unit
    assert p.token.balanceOf(depositor) == 50 * p.unit


def test_cancel_deposit_request__after_shutdown_and_a_report__returns_assets(
    protocol, manager, depositor, admin
):
    p = protocol
    p.onboard({manager: 100 * p.unit})
    p.request_deposit(depositor, 50 * p.unit)
    p.vault.shutdown(sender=admin)
    p.settle()
    assert p.vault.claimableDepositRequest(0, depositor) == 0
    assert p.vault.cancel_deposit_request(depositor, depositor, sender=depositor) == 50 * p.unit
    assert p.vault.pending_deposit_assets() == 0
