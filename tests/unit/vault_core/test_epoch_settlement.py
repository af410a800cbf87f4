"""Async epochs: O(1) settlement, pro-rata claims rounded for the vault, lockup and consent."""

import boa

from tests.fixtures.boa_protocol import actor


def _request(p, who, amount):
    p.fund(who, amount)
    p.vault.request_deposit(amount, who, who, sender=who)


def test_settle__gas_same_for_1_and_50_requests(protocol):
    p = protocol
    _request(p, p.manager, 1_000 * p.unit)
    p.settle(0)
    _request(p, actor("depositor0"), 1_000 * p.unit)
    boa.env.time_travel(seconds=3_600)
    report = p.report(0)
    p.oracle.post_report(report.as_tuple(), p.sign(report), sender=p.keeper)
    one = p.oracle._computation.get_gas_used()
    for i in range(50):
        _request(p, actor(f"crowd{i}"), (i + 1) * p.unit)
    boa.env.time_travel(seconds=3_600)
    report = p.report(0)
    p.oracle.post_report(report.as_tuple(), p.sign(report), sender=p.keeper)
    fifty = p.oracle._computation.get_gas_used()
    assert abs(fifty - one) * 100 <= one * 5, (one, fifty)


def test_claim__pro_rata_rounded_down_never_exceeds_minted(protocol):
    p = protocol
    amounts = [7 * p.unit + 1, 3 * p.unit, 11]
    people = [actor(f"holder{i}") for i in range(3)]
    _request(p, p.manager, 100 * p.unit)
    for who, amount in zip(people, amounts, strict=True):
        _request(p, who, amount)
    # A profitable-looking state: the manager sent nothing out, so price stays 1; then settle.
    p.settle(0)
    total, minted = p.vault.epoch_deposit(1)
    claimed = 0
    for who, amount in zip(people, amounts, strict=True):
        expected = amount * minted // total
        assert p.vault.maxMint(who) == expected
        assert p.vault.deposit(amount, who, sender=who) == expected
        claimed += expected
    assert claimed <= minted - (100 * p.unit * minted // total)


def test_mint__rounds_assets_up_for_the_vault(protocol):
    p = protocol
    who = actor("minter")
    _request(p, who, 10 * p.unit + 7)
    p.settle(0)
    total, minted = p.vault.epoch_deposit(1)
    shares = minted // 3
    assets = p.vault.mint(shares, who, sender=who)
    assert assets == -(-shares * total // minted)
    assert p.vault.claimableDepositRequest(0, who) == 10 * p.unit + 7 - assets


def test_claim__unsettled_request__reverts(protocol, depositor):
    _request(protocol, depositor, protocol.unit)
    with boa.reverts("vault: nothing claimable"):
        protocol.vault.deposit(protocol.unit, depositor, sender=depositor)


def test_new_request__with_unclaimed_settled_one__reverts(protocol, depositor):
    p = protocol
    _request(p, depositor, p.unit)
    p.settle(0)
    p.fund(depositor, p.unit)
    with boa.reverts("vault: claim first"):
        p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)


def test_cancel__while_open__refunds_and_clears(protocol, depositor):
    p = protocol
    _request(p, depositor, 5 * p.unit)
    before = p.token.balanceOf(depositor)
    p.vault.cancel_deposit_request(depositor, depositor, sender=depositor)
    assert p.token.balanceOf(depositor) == before + 5 * p.unit
    assert p.vault.pending_deposit_assets() == 0
    assert p.vault.pendingDepositRequest(0, depositor) == 0


def test_locked_shares__transfer_reverts_until_lockup_ends(protocol, depositor):
    p = protocol
    _request(p, depositor, 5 * p.unit)
    p.settle(0)
    shares = p.vault.deposit(5 * p.unit, depositor, sender=depositor)
    receiver = actor("receiver")
    with boa.reverts("shares: locked or insufficient"):
        p.vault.transfer(receiver, 1, sender=depositor)
    with boa.reverts("shares: locked or insufficient"):
        p.vault.request_redeem(1, depositor, depositor, sender=depositor)
    boa.env.time_travel(seconds=p.vault.lockup())
    p.vault.transfer(receiver, shares, sender=depositor)
    assert p.vault.balanceOf(receiver) == shares
    assert p.vault.lock_of(receiver)[0] == 0  # the lock does not travel with the shares


def test_claim_to_another_receiver__without_consent__reverts(protocol, depositor, attacker):
    p = protocol
    victim = actor("victim")
    _request(p, attacker, p.unit)
    p.settle(0)
    # Shares would land locked in the victim's account, extending its lock: refused.
    with boa.reverts("vault: receiver consent"):
        p.vault.deposit(p.unit, victim, sender=attacker)
