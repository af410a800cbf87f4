"""Capital movement to whitelisted custody, and in-flight accounting between a report's snapshot and post."""

import boa
import pytest

from tests.fixtures.boa_protocol import actor, one_event

ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def funded(any_protocol, manager):
    """1,000 units idle in the vault, a whitelisted custody account that approved the vault."""
    p = any_protocol
    p.onboard({manager: 1_000 * p.unit})
    p.custody = p.add_custody()
    return p


# ---------------------------------------------------------------- set_custody


def test_set_custody__by_admin__whitelists_and_emits(protocol, admin):
    p = protocol
    custody = actor("custody")
    p.vault.set_custody(custody, True, sender=admin)
    event = one_event(p.vault, "CustodySet")
    assert (event.custody, event.enabled) == (custody, True)
    assert p.vault.is_custody(custody)
    p.vault.set_custody(custody, False, sender=admin)
    assert one_event(p.vault, "CustodySet").enabled is False
    assert not p.vault.is_custody(custody)


@pytest.mark.parametrize("caller", ["manager", "guardian", "attacker"])
def test_set_custody__by_non_admin__reverts(protocol, caller):
    with boa.reverts("ownable: caller is not the owner"):
        protocol.vault.set_custody(actor("custody"), True, sender=actor(caller))


def test_set_custody__zero_address_or_the_vault__reverts(protocol, admin):
    p = protocol
    with boa.reverts("vault: bad custody"):
        p.vault.set_custody(ZERO, True, sender=admin)
    with boa.reverts("vault: bad custody"):
        p.vault.set_custody(p.vault.address, True, sender=admin)


# ---------------------------------------------------------------- send_to_custody


def test_send_to_custody__moves_idle_assets_and_keeps_total_assets(funded):
    p = funded
    total = p.vault.totalAssets()

    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)

    event = one_event(p.vault, "CapitalSent")
    assert (event.custody, event.assets, event.custody_out) == (p.custody, 400 * p.unit, 400 * p.unit)
    assert p.token.balanceOf(p.custody) == 400 * p.unit
    assert p.vault.idle_assets() == 600 * p.unit
    assert p.vault.custody_out() == 400 * p.unit
    assert p.vault.totalAssets() == total  # in flight, not lost


def test_send_to_custody__by_non_manager__reverts(funded, admin, attacker):
    for caller in (admin, attacker, funded.guardian):
        with boa.reverts("vault: not manager"):
            funded.vault.send_to_custody(funded.custody, 1, sender=caller)


def test_send_to_custody__to_an_account_not_whitelisted__reverts(funded, attacker):
    with boa.reverts("vault: not custody"):
        funded.vault.send_to_custody(attacker, 1, sender=funded.manager)


def test_send_to_custody__after_custody_removed__reverts(funded, admin):
    p = funded
    p.vault.set_custody(p.custody, False, sender=admin)
    with boa.reverts("vault: not custody"):
        p.vault.send_to_custody(p.custody, 1, sender=p.manager)


@pytest.mark.parametrize("amount", [0, 1_000 * 10**6 + 1])
def test_send_to_custody__zero_or_more_than_idle__reverts(protocol, manager, amount):
    p = protocol
    p.onboard({manager: 1_000 * p.unit})
    custody = p.add_custody()
    with boa.reverts("vault: idle too low"):
        p.vault.send_to_custody(custody, amount, sender=manager)


def test_send_to_custody__cannot_touch_pending_deposits_or_reserved_assets(funded, depositor):
    p = funded
    p.request_deposit(depositor, 500 * p.unit)
    with boa.reverts("vault: idle too low"):
        p.vault.send_to_custody(p.custody, 1_000 * p.unit + 1, sender=p.manager)


def test_send_to_custody__while_paused__reverts(funded, guardian):
    p = funded
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.send_to_custody(p.custody, 1, sender=p.manager)


def test_send_to_custody__after_shutdown__reverts(funded, admin):
    p = funded
    p.vault.shutdown(sender=admin)
    with boa.reverts("vault: shut down"):
        p.vault.send_to_custody(p.custody, 1, sender=p.manager)


# ---------------------------------------------------------------- return_from_custody


def test_return_from_custody__pulls_assets_back_and_emits(funded):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    total = p.vault.totalAssets()

    p.vault.return_from_custody(p.custody, 150 * p.unit, sender=p.manager)

    event = one_event(p.vault, "CapitalReturned")
    assert (event.custody, event.assets, event.custody_in) == (p.custody, 150 * p.unit, 150 * p.unit)
    assert p.token.balanceOf(p.custody) == 250 * p.unit
    assert p.vault.idle_assets() == 750 * p.unit
    assert p.vault.custody_in() == 150 * p.unit
    assert p.vault.totalAssets() == total


def test_return_from_custody__by_non_manager__reverts(funded, attacker):
    with boa.reverts("vault: not manager"):
        funded.vault.return_from_custody(funded.custody, 1, sender=attacker)


def test_return_from_custody__from_an_account_not_whitelisted__reverts(funded, attacker):
    with boa.reverts("vault: not custody"):
        funded.vault.return_from_custody(attacker, 1, sender=funded.manager)


def test_return_from_custody__zero_assets__reverts(funded):
    with boa.reverts("vault: zero assets"):
        funded.vault.return_from_custody(funded.custody, 0, sender=funded.manager)


def test_return_from_custody__while_paused_and_after_shutdown__is_allowed(funded, guardian, admin):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    p.vault.pause(sender=guardian)
    p.vault.return_from_custody(p.custody, 100 * p.unit, sender=p.manager)
    p.vault.shutdown(sender=admin)
    p.vault.return_from_custody(p.custody, 100 * p.unit, sender=p.manager)
    assert p.vault.idle_assets() == 800 * p.unit
    assert p.vault.custody_in() == 200 * p.unit


# ---------------------------------------------------------------- in-flight accounting


def test_report__send_after_snapshot__is_neither_lost_nor_double_counted(funded):
    p = funded
    boa.env.time_travel(seconds=3_600)
    snapshot = p.report(0)  # custody empty at the snapshot, custody_out = 0
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)

    assert p.post(snapshot)

    assert p.vault.totalAssets() == 1_000 * p.unit
    assert one_event(p.oracle, "EpochSettled").total_assets == 1_000 * p.unit
    assert (p.vault.external_assets(), p.vault.reported_custody_out()) == (0, 0)
    # the next report sees the transfer in both the valuation and the counter
    assert p.settle(400 * p.unit)
    assert p.vault.totalAssets() == 1_000 * p.unit
    assert p.vault.reported_custody_out() == 400 * p.unit


def test_report__return_after_snapshot__is_neither_lost_nor_double_counted(funded):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    assert p.settle(400 * p.unit)
    boa.env.time_travel(seconds=3_600)
    snapshot = p.report(400 * p.unit)  # custody still holds 400 at the snapshot
    p.vault.return_from_custody(p.custody, 100 * p.unit, sender=p.manager)

    assert p.post(snapshot)

    assert p.vault.totalAssets() == 1_000 * p.unit
    assert p.vault.idle_assets() == 700 * p.unit
    assert p.settle(300 * p.unit)
    assert p.vault.totalAssets() == 1_000 * p.unit
    assert p.vault.reported_custody_in() == 100 * p.unit


def test_report__sends_and_returns_after_snapshot__net_out(funded):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    assert p.settle(400 * p.unit)
    boa.env.time_travel(seconds=3_600)
    snapshot = p.report(420 * p.unit)  # a 20-unit gain at the snapshot
    p.vault.return_from_custody(p.custody, 50 * p.unit, sender=p.manager)
    p.vault.send_to_custody(p.custody, 200 * p.unit, sender=p.manager)

    assert p.post(snapshot)

    assert p.vault.totalAssets() == 1_020 * p.unit
    assert p.vault.idle_assets() == 450 * p.unit


def test_report__with_every_transfer_seen__records_nothing_and_the_next_transfer_still_counts(funded):
    """Settlement skips the current custody counters while the last report saw every transfer; the seen
    counters stay, and a transfer after that is counted until a report sees it."""
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    p.vault.return_from_custody(p.custody, 100 * p.unit, sender=p.manager)
    assert p.settle(300 * p.unit)  # sees both transfers
    total = p.vault.totalAssets()
    assert p.settle(300 * p.unit)  # nothing unseen
    seen = (p.vault.reported_custody_out(), p.vault.reported_custody_in())
    assert seen == (400 * p.unit, 100 * p.unit) and p.vault.totalAssets() == total
    p.vault.send_to_custody(p.custody, 50 * p.unit, sender=p.manager)
    assert p.vault.totalAssets() == total
    assert p.settle(300 * p.unit, custody_out=400 * p.unit)  # snapshot from before the send
    assert p.vault.totalAssets() == total and p.vault.reported_custody_out() == 400 * p.unit
    assert p.settle(350 * p.unit)  # now seen
    assert p.vault.totalAssets() == total and p.vault.reported_custody_out() == 450 * p.unit


def test_report__custody_out_beyond_the_vaults_counter__reverts(funded):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    with boa.reverts("nav: bad custody_out"):
        p.settle(400 * p.unit, custody_out=400 * p.unit + 1)


def test_report__custody_out_older_than_the_last_report__reverts(funded):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    assert p.settle(400 * p.unit)
    with boa.reverts("nav: bad custody_out"):
        p.settle(400 * p.unit, custody_out=0)


def test_report__custody_in_beyond_the_vaults_counter__reverts(funded):
    p = funded
    with boa.reverts("nav: bad custody_in"):
        p.settle(0, custody_in=1)


def test_report__custody_in_older_than_the_last_report__reverts(funded):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    p.vault.return_from_custody(p.custody, 100 * p.unit, sender=p.manager)
    assert p.settle(300 * p.unit)
    with boa.reverts("nav: bad custody_in"):
        p.settle(300 * p.unit, custody_in=0)


def test_report__returns_not_covered_by_the_valuation__reverts_custody_mismatch(funded):
    p = funded
    p.vault.send_to_custody(p.custody, 400 * p.unit, sender=p.manager)
    assert p.settle(400 * p.unit)
    p.vault.return_from_custody(p.custody, 400 * p.unit, sender=p.manager)
    # a valuation of 0 that claims not to have seen the 400 returned cannot be right
    with boa.reverts("nav: custody mismatch"):
        p.settle(0, custody_in=0)
    with boa.reverts("nav: custody mismatch"):
        p.vault.preview_settlement_price(0, 400 * p.unit, 0)
