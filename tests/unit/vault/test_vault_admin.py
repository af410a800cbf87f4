"""Admin surface: roles, two-step ownership, limits, operators, whitelist writes, initial state."""

import boa
import pytest

from tests.fixtures.boa_protocol import actor, one_event
from vaultcraft.protocol import DEFAULT_LOCKUP, DEFAULT_MIN_MANAGER_BPS, Role

ZERO = "0x0000000000000000000000000000000000000000"
GETTER = {
    Role.MANAGER: "manager",
    Role.GUARDIAN: "guardian",
    Role.FEE_RECIPIENT: "fee_recipient",
    Role.PROTOCOL_FEE_RECIPIENT: "protocol_fee_recipient",
    Role.WHITELIST_MANAGER: "whitelist_manager",
}


def test_initial_state__matches_the_deployment(
    any_protocol, admin, manager, guardian, fee_recipient, protocol_recipient
):
    p = any_protocol
    v = p.vault
    assert (v.owner(), v.manager(), v.guardian(), v.fee_recipient()) == (
        admin,
        manager,
        guardian,
        fee_recipient,
    )
    assert v.protocol_fee_recipient() == protocol_recipient
    assert v.whitelist_manager() == manager
    assert v.asset() == p.token.address
    assert v.decimals() == p.token.decimals()
    assert (v.name(), v.symbol()) == ("VaultCraft Alpha", "vcALPHA")
    assert (v.lockup(), v.min_manager_bps(), v.sync_max_age()) == (DEFAULT_LOCKUP, DEFAULT_MIN_MANAGER_BPS, 0)
    assert (v.epoch(), v.redeem_epoch(), v.totalSupply(), v.totalAssets()) == (1, 1, 0, 0)
    assert v.share_price() == 10**18
    assert not (v.paused() or v.shut_down() or v.quarantined() or v.is_private())
    assert p.oracle.vault() == v.address


# ---------------------------------------------------------------- set_role


@pytest.mark.parametrize("role", list(GETTER), ids=[r.name for r in GETTER])
def test_set_role__by_admin__assigns_and_emits(protocol, admin, role):
    p = protocol
    new_holder = actor(f"new_{role.name.lower()}")
    previous = getattr(p.vault, GETTER[role])()

    p.vault.set_role(int(role), new_holder, sender=admin)

    event = one_event(p.vault, "RoleSet")
    assert (int(event.role), event.previous, event.current) == (int(role), previous, new_holder)
    assert getattr(p.vault, GETTER[role])() == new_holder


@pytest.mark.parametrize("role", list(GETTER), ids=[r.name for r in GETTER])
def test_set_role__by_non_admin__reverts(protocol, manager, role):
    with boa.reverts("ownable: caller is not the owner"):
        protocol.vault.set_role(int(role), manager, sender=manager)


def test_set_role__to_zero_address__reverts(protocol, admin):
    with boa.reverts("vault: zero address"):
        protocol.vault.set_role(int(Role.GUARDIAN), ZERO, sender=admin)


def test_set_role__with_two_flags__reverts(protocol, admin, attacker):
    with boa.reverts("vault: unknown role"):
        protocol.vault.set_role(int(Role.MANAGER | Role.GUARDIAN), attacker, sender=admin)


def test_set_role__new_manager__takes_over_capital_movement(protocol, admin, manager):
    p = protocol
    p.onboard({manager: 100 * p.unit})
    custody = p.add_custody()
    new_manager = actor("new_manager")
    p.vault.set_role(int(Role.MANAGER), new_manager, sender=admin)
    with boa.reverts("vault: not manager"):
        p.vault.send_to_custody(custody, p.unit, sender=manager)
    p.vault.send_to_custody(custody, p.unit, sender=new_manager)
    assert p.vault.custody_out() == p.unit


def test_set_role__new_guardian__can_pause_and_old_cannot(protocol, admin, guardian):
    p = protocol
    new_guardian = actor("new_guardian")
    p.vault.set_role(int(Role.GUARDIAN), new_guardian, sender=admin)
    with boa.reverts("vault: not guardian"):
        p.vault.pause(sender=guardian)
    p.vault.pause(sender=new_guardian)
    assert p.vault.paused()


# ---------------------------------------------------------------- two-step ownership


def test_transfer_ownership__takes_effect_only_when_accepted(protocol, admin):
    p = protocol
    new_admin = actor("new_admin")

    p.vault.transfer_ownership(new_admin, sender=admin)

    started = one_event(p.vault, "OwnershipTransferStarted")
    assert (started.previous_owner, started.new_owner) == (admin, new_admin)
    assert p.vault.owner() == admin
    assert p.vault.pending_owner() == new_admin

    p.vault.accept_ownership(sender=new_admin)

    done = one_event(p.vault, "OwnershipTransferred")
    assert (done.previous_owner, done.new_owner) == (admin, new_admin)
    assert p.vault.owner() == new_admin
    assert p.vault.pending_owner() == ZERO
    with boa.reverts("ownable: caller is not the owner"):
        p.vault.shutdown(sender=admin)
    p.vault.shutdown(sender=new_admin)


def test_transfer_ownership__by_non_admin__reverts(protocol, attacker):
    with boa.reverts("ownable: caller is not the owner"):
        protocol.vault.transfer_ownership(attacker, sender=attacker)


def test_accept_ownership__by_someone_else__reverts(protocol, admin, attacker):
    protocol.vault.transfer_ownership(actor("new_admin"), sender=admin)
    with boa.reverts("ownable_2step: caller is not the new owner"):
        protocol.vault.accept_ownership(sender=attacker)


# ---------------------------------------------------------------- set_limits


def test_set_limits__by_admin__stores_and_emits(protocol, admin):
    p = protocol
    p.vault.set_limits(5_000 * p.unit, 3 * 86_400, 1_000, 7_200, sender=admin)
    event = one_event(p.vault, "LimitsSet")
    assert (event.deposit_cap, event.lockup, event.min_manager_bps, event.sync_max_age) == (
        5_000 * p.unit,
        3 * 86_400,
        1_000,
        7_200,
    )
    assert (p.vault.deposit_cap(), p.vault.lockup(), p.vault.min_manager_bps(), p.vault.sync_max_age()) == (
        5_000 * p.unit,
        3 * 86_400,
        1_000,
        7_200,
    )


def test_set_limits__lockup_of_a_year__is_the_maximum(protocol, admin):
    p = protocol
    p.vault.set_limits(1, 365 * 86_400, 0, 0, sender=admin)
    assert p.vault.lockup() == 365 * 86_400
    with boa.reverts("vault: lockup too long"):
        p.vault.set_limits(1, 365 * 86_400 + 1, 0, 0, sender=admin)


def test_set_limits__manager_bps_above_100_percent__reverts(protocol, admin):
    p = protocol
    p.vault.set_limits(1, 0, 10_000, 0, sender=admin)
    with boa.reverts("vault: bps above 100%"):
        p.vault.set_limits(1, 0, 10_001, 0, sender=admin)


def test_set_limits__by_non_admin__reverts(protocol, manager):
    with boa.reverts("ownable: caller is not the owner"):
        protocol.vault.set_limits(1, 0, 0, 0, sender=manager)


# ---------------------------------------------------------------- setOperator


def test_set_operator__grants_and_revokes_with_events(protocol, depositor, operator):
    p = protocol
    assert p.vault.setOperator(operator, True, sender=depositor)
    event = one_event(p.vault, "OperatorSet")
    assert (event.controller, event.operator, event.approved) == (depositor, operator, True)
    assert p.vault.isOperator(depositor, operator)
    assert not p.vault.isOperator(operator, depositor)
    p.vault.setOperator(operator, False, sender=depositor)
    assert one_event(p.vault, "OperatorSet").approved is False
    assert not p.vault.isOperator(depositor, operator)


def test_set_operator__revoked_operator__can_no_longer_act(protocol, depositor, operator):
    p = protocol
    p.request_deposit(depositor, p.unit)
    p.vault.setOperator(operator, True, sender=depositor)
    p.vault.setOperator(operator, False, sender=depositor)
    with boa.reverts("vault: not authorized"):
        p.vault.cancel_deposit_request(depositor, operator, sender=operator)


def test_set_operator__self__reverts(protocol, depositor):
    with boa.reverts("vault: self operator"):
        protocol.vault.setOperator(depositor, True, sender=depositor)


# ---------------------------------------------------------------- set_whitelisted (public vault)


def test_set_whitelisted__by_whitelist_manager__stores_and_emits(protocol, manager, depositor):
    p = protocol
    p.vault.set_whitelisted(depositor, True, sender=manager)
    event = one_event(p.vault, "WhitelistSet")
    assert (event.account, event.allowed, event.by) == (depositor, True, manager)
    assert p.vault.whitelisted(depositor)


def test_set_whitelisted__by_anyone_else__reverts(protocol, admin, attacker):
    for caller in (admin, attacker):
        with boa.reverts("vault: not whitelister"):
            protocol.vault.set_whitelisted(attacker, True, sender=caller)
