"""NavOracle: signatures, bounds and quarantine; custody in-flight accounting."""

import boa

from tests.fixtures.boa_protocol import actor_key, deploy_protocol


def _seed(p, amount):
    p.fund(p.manager, amount)
    p.vault.request_deposit(amount, p.manager, p.manager, sender=p.manager)
    p.settle(0)
    p.vault.deposit(amount, p.manager, sender=p.manager)


def test_report__price_jump_beyond_bound__quarantined_and_requests_pause(protocol, depositor):
    p = protocol
    _seed(p, 1_000 * p.unit)
    p.vault.set_custody(p.manager, True, sender=p.admin)
    p.vault.send_to_custody(p.manager, 1_000 * p.unit, sender=p.manager)
    # Custody reports 20% more than was sent: beyond the 10% per-update bound.
    assert p.settle(1_200 * p.unit, custody_out=1_000 * p.unit) is False
    assert p.vault.quarantined()
    p.fund(depositor, p.unit)
    with boa.reverts("vault: report quarantined"):
        p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)
    report = p.report(1_200 * p.unit, custody_out=1_000 * p.unit)
    with boa.reverts("nav: quarantine pending"):
        p.post(report)


def test_quarantine__guardian_accepts__report_applied(protocol):
    p = protocol
    _seed(p, 1_000 * p.unit)
    boa.env.time_travel(seconds=3_600)
    report = p.report(0, holder_sum=p.vault.totalSupply())
    p.vault.set_custody(p.manager, True, sender=p.admin)
    p.vault.send_to_custody(p.manager, 1_000 * p.unit, sender=p.manager)
    report = p.report(1_500 * p.unit, custody_out=1_000 * p.unit)
    assert p.post(report) is False
    epoch = p.vault.epoch()
    with boa.reverts("nav: not guardian"):
        p.oracle.resolve_quarantine(report.as_tuple(), True, sender=p.manager)
    p.oracle.resolve_quarantine(report.as_tuple(), True, sender=p.guardian)
    assert not p.vault.quarantined()
    assert p.vault.epoch() == epoch + 1
    assert p.vault.totalAssets() == 1_500 * p.unit


def test_report__transfer_after_snapshot__neither_lost_nor_double_counted(protocol):
    p = protocol
    _seed(p, 1_000 * p.unit)
    p.vault.set_custody(p.manager, True, sender=p.admin)
    p.vault.send_to_custody(p.manager, 400 * p.unit, sender=p.manager)
    # The snapshot was taken before the transfer arrived at the venue: it reflects custody_out = 0.
    p.settle(0, custody_out=0)
    assert p.vault.totalAssets() == 1_000 * p.unit
    # Money comes back after a snapshot that still counts it at the venue.
    p.token.approve(p.vault.address, 400 * p.unit, sender=p.manager)
    p.vault.return_from_custody(p.manager, 400 * p.unit, sender=p.manager)
    p.settle(400 * p.unit, custody_out=400 * p.unit, custody_in=0)
    assert p.vault.totalAssets() == 1_000 * p.unit


def test_report__custody_out_beyond_sent__reverts(protocol):
    p = protocol
    _seed(p, 1_000 * p.unit)
    boa.env.time_travel(seconds=3_600)
    with boa.reverts("nav: bad custody_out"):
        p.post(p.report(0, custody_out=1))


def test_quorum_2_of_3__one_signature_or_unordered__refused():
    p = deploy_protocol(keepers=3, quorum=2)
    boa.env.time_travel(seconds=3_600)
    report = p.report(0)
    with boa.reverts("nav: below quorum"):
        p.post(report, keys=p.keeper_keys[:1])
    signatures = p.sign(report, keys=p.keeper_keys[:2])
    with boa.reverts("nav: signers not ascending"):
        p.oracle.post_report(report.as_tuple(), list(reversed(signatures)), sender=p.keeper)
    with boa.reverts("nav: signer not keeper"):
        p.post(report, keys=[p.keeper_keys[0], actor_key("attacker")])
    assert p.post(report, keys=p.keeper_keys[:2]) is True


def test_report__stale_or_too_soon__refused(protocol):
    p = protocol
    boa.env.time_travel(seconds=3_600)
    with boa.reverts("nav: stale report"):
        p.post(p.report(0, timestamp=boa.env.evm.patch.timestamp - 86_401))
    p.settle(0)
    with boa.reverts("nav: too soon"):
        p.post(p.report(0))


def test_pause__blocks_requests_and_settlement__admin_unpauses(protocol, depositor):
    p = protocol
    p.vault.pause(sender=p.guardian)
    p.fund(depositor, p.unit)
    with boa.reverts("vault: paused"):
        p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)
    boa.env.time_travel(seconds=3_600)
    with boa.reverts("vault: paused"):
        p.post(p.report(0))
    with boa.reverts("ownable: caller is not the owner"):
        p.vault.unpause(sender=p.guardian)
    p.vault.unpause(sender=p.admin)
    p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)


def test_send_to_custody__not_whitelisted_or_not_manager__reverts(protocol, attacker):
    p = protocol
    _seed(p, 10 * p.unit)
    with boa.reverts("vault: not custody"):
        p.vault.send_to_custody(attacker, p.unit, sender=p.manager)
    p.vault.set_custody(attacker, True, sender=p.admin)
    with boa.reverts("vault: not manager"):
        p.vault.send_to_custody(attacker, p.unit, sender=attacker)
