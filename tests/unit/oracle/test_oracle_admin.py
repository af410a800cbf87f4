"""NavOracle administration: keepers and quorum, set by the vault's admin (vault.owner())."""

import boa
import pytest
from eth_account import Account

from tests.fixtures.boa_protocol import actor, actor_key, one_event

ZERO = "0x0000000000000000000000000000000000000000"


def test_initial_keepers_and_quorum__match_the_deployment(nav):
    p = nav
    assert p.oracle.keeper_count() == 3
    assert p.oracle.quorum() == 2
    assert all(p.oracle.is_keeper(k) for k in p.keepers)
    assert not p.oracle.is_keeper(actor("attacker"))
    assert p.oracle.vault() == p.vault.address


def test_set_keeper__add__registers_and_emits(nav, admin):
    p = nav
    new_keeper = actor("keeper_new")
    p.oracle.set_keeper(new_keeper, True, sender=admin)
    event = one_event(p.oracle, "KeeperSet")
    assert (event.keeper, event.enabled, event.keeper_count) == (new_keeper, True, 4)
    assert p.oracle.is_keeper(new_keeper)
    assert p.oracle.keeper_count() == 4


def test_set_keeper__new_keeper__can_sign_and_submit(priced, admin):
    p = priced
    key = actor_key("keeper_new")
    p.oracle.set_keeper(Account.from_key(key).address, True, sender=admin)
    boa.env.time_travel(seconds=3_600)
    report = p.report()
    assert p.oracle.post_report(
        report.as_tuple(), p.sign(report, [key, p.keeper_keys[2]]), sender=Account.from_key(key).address
    )


def test_set_keeper__remove__unregisters_and_emits(nav, admin):
    p = nav
    p.oracle.set_keeper(p.keepers[2], False, sender=admin)
    event = one_event(p.oracle, "KeeperSet")
    assert (event.keeper, event.enabled, event.keeper_count) == (p.keepers[2], False, 2)
    assert not p.oracle.is_keeper(p.keepers[2])


def test_set_keeper__removal_below_quorum__reverts(nav, admin):
    p = nav
    p.oracle.set_keeper(p.keepers[2], False, sender=admin)
    with boa.reverts("nav: below quorum"):
        p.oracle.set_keeper(p.keepers[1], False, sender=admin)


@pytest.mark.parametrize("enabled", [True, False])
def test_set_keeper__unchanged__reverts(nav, admin, enabled):
    p = nav
    keeper = p.keepers[0] if enabled else actor("stranger")
    with boa.reverts("nav: keeper unchanged"):
        p.oracle.set_keeper(keeper, enabled, sender=admin)


def test_set_keeper__zero_address__reverts(nav, admin):
    with boa.reverts("nav: zero address"):
        nav.oracle.set_keeper(ZERO, True, sender=admin)


def test_set_keeper__beyond_sixteen__reverts(nav, admin):
    p = nav
    for i in range(13):
        p.oracle.set_keeper(actor(f"extra_keeper{i}"), True, sender=admin)
    assert p.oracle.keeper_count() == 16
    with boa.reverts("nav: too many keepers"):
        p.oracle.set_keeper(actor("extra_keeper13"), True, sender=admin)


@pytest.mark.parametrize("role", ["manager", "guardian", "keeper0", "attacker"])
def test_set_keeper__by_non_admin__reverts(nav, role):
    with boa.reverts("nav: not admin"):
        nav.oracle.set_keeper(actor("keeper_new"), True, sender=actor(role))


def test_set_quorum__by_admin__stores_and_emits(nav, admin):
    p = nav
    p.oracle.set_quorum(3, sender=admin)
    assert one_event(p.oracle, "QuorumSet").quorum == 3
    assert p.oracle.quorum() == 3


def test_set_quorum__raised__rejects_reports_with_fewer_signatures(priced, admin):
    p = priced
    p.oracle.set_quorum(3, sender=admin)
    boa.env.time_travel(seconds=3_600)
    report = p.report()
    with boa.reverts("nav: below quorum"):
        p.post(report, p.keeper_keys[:2])
    assert p.post(report, p.keeper_keys)


@pytest.mark.parametrize("quorum", [0, 4])
def test_set_quorum__zero_or_above_keeper_count__reverts(nav, admin, quorum):
    with boa.reverts("nav: bad quorum"):
        nav.oracle.set_quorum(quorum, sender=admin)


def test_set_quorum__by_non_admin__reverts(nav, guardian):
    with boa.reverts("nav: not admin"):
        nav.oracle.set_quorum(1, sender=guardian)


def test_oracle_admin__follows_the_vaults_owner(nav, admin):
    p = nav
    new_admin = actor("new_admin")
    p.vault.transfer_ownership(new_admin, sender=admin)
    p.oracle.set_quorum(1, sender=admin)  # not accepted yet: the old admin still rules
    p.vault.accept_ownership(sender=new_admin)
    with boa.reverts("nav: not admin"):
        p.oracle.set_quorum(2, sender=admin)
    p.oracle.set_quorum(2, sender=new_admin)
    assert p.oracle.quorum() == 2
