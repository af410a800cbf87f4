"""A full epoch cycle over real RPC on Anvil: request, keeper-signed report, settle, claim, redeem."""

import ape

from vaultcraft.ape_ops import advance, post_nav

UNIT = 10**6


def _deposit(token, vault, who, amount):
    token.faucet(who, amount, sender=who)
    token.approve(vault.address, amount, sender=who)
    vault.request_deposit(amount, who, who, sender=who)


def test_cycle__deposit_settle_claim_redeem(chain, public_vault, token, roles):
    vault, oracle = public_vault
    manager, depositor, keeper = roles["manager"], roles["depositor"], roles["keeper"]
    _deposit(token, vault, manager, 10_000 * UNIT)
    _deposit(token, vault, depositor, 90_000 * UNIT)
    receipt = post_nav(chain, vault, oracle, keeper, [keeper.private_key])
    assert vault.epoch() == 2
    settled = receipt.events.filter(vault.EpochSettled)[0]
    assert settled.deposit_assets == 100_000 * UNIT
    assert oracle.report_of(1) != b"\x00" * 32

    vault.deposit(90_000 * UNIT, depositor, sender=depositor)
    vault.deposit(10_000 * UNIT, manager, sender=manager)
    assert vault.balanceOf(depositor) == settled.deposit_shares * 9 // 10

    with ape.reverts("shares: locked or insufficient"):
        vault.request_redeem(1, depositor, depositor, sender=depositor)
    advance(chain, vault.lockup() + 1)
    shares = vault.balanceOf(depositor)
    vault.request_redeem(shares, depositor, depositor, sender=depositor)
    receipt = post_nav(chain, vault, oracle, keeper, [keeper.private_key])
    batch = receipt.events.filter(vault.RedemptionsSettled)[0]
    charged = receipt.events.filter(vault.FeesCharged)[0]
    before = token.balanceOf(depositor)
    vault.redeem(shares, depositor, sender=depositor)
    received = token.balanceOf(depositor) - before
    assert received == batch.assets
    # Nothing was traded: the only loss is the depositor's 90% of the management fee, plus rounding.
    assert charged.management_assets > 0 and charged.performance_assets == 0
    expected_loss = charged.management_assets * 9 // 10
    assert abs((90_000 * UNIT - received) - expected_loss) <= 2


def test_cycle__unsigned_report_from_attacker__refused(chain, public_vault, roles):
    vault, oracle = public_vault
    attacker = roles["attacker"]
    with ape.reverts("nav: not keeper"):
        post_nav(chain, vault, oracle, attacker, [attacker.private_key])
    keeper = roles["keeper"]
    with ape.reverts("nav: signer not keeper"):
        post_nav(chain, vault, oracle, keeper, [attacker.private_key])
