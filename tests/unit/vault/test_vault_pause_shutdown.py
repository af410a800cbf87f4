"""Pause (guardian or admin pauses, admin unpauses) and irreversible shutdown: what stops, what continues."""

import boa
import pytest

from tests.fixtures.boa_protocol import actor, one_event

YEAR = 365 * 86_400


@pytest.fixture
def busy(protocol, manager, depositor, second_depositor, receiver, admin):
    """A vault where every kind of operation is possible right now:
    - depositor has a settled, unclaimed deposit; second_depositor a settled, unclaimed redemption;
    - receiver has an open deposit request, manager an open redemption request;
    - idle assets and a custody account; the synchronous path is on; a newcomer holds assets."""
    p = protocol
    p.vault.set_limits(p.vault.deposit_cap(), p.vault.lockup(), 500, YEAR, sender=admin)
    p.onboard({manager: 1_000 * p.unit, second_depositor: 200 * p.unit})
    boa.env.time_travel(seconds=p.vault.lockup())
    p.request_deposit(depositor, 100 * p.unit)
    p.vault.request_redeem(50 * p.unit, second_depositor, second_depositor, sender=second_depositor)
    assert p.settle()
    p.request_deposit(receiver, 10 * p.unit)
    p.vault.request_redeem(5 * p.unit, manager, manager, sender=manager)
    p.custody = p.add_custody()
    p.newcomer = actor("newcomer")
    p.fund(p.newcomer, 10 * p.unit)
    return p


OPERATIONS = {
    "request_deposit": lambda p, a: p.vault.request_deposit(
        p.unit, p.newcomer, p.newcomer, sender=p.newcomer
    ),
    "request_redeem": lambda p, a: p.vault.request_redeem(
        p.unit, a["manager"], a["manager"], sender=a["manager"]
    ),
    "cancel_deposit_request": lambda p, a: p.vault.cancel_deposit_request(
        a["receiver"], a["receiver"], sender=a["receiver"]
    ),
    "cancel_redeem_request": lambda p, a: p.vault.cancel_redeem_request(
        a["manager"], a["manager"], sender=a["manager"]
    ),
    "deposit": lambda p, a: p.vault.deposit(100 * p.unit, a["depositor"], sender=a["depositor"]),
    "mint": lambda p, a: p.vault.mint(p.unit, a["depositor"], sender=a["depositor"]),
    "redeem": lambda p, a: p.vault.redeem(50 * p.unit, a["second_depositor"], sender=a["second_depositor"]),
    "withdraw": lambda p, a: p.vault.withdraw(p.unit, a["second_depositor"], sender=a["second_depositor"]),
    "sync_deposit": lambda p, a: p.vault.sync_deposit(p.unit, p.newcomer, sender=p.newcomer),
    "sync_redeem": lambda p, a: p.vault.sync_redeem(p.unit, a["manager"], a["manager"], sender=a["manager"]),
    "send_to_custody": lambda p, a: p.vault.send_to_custody(p.custody, p.unit, sender=a["manager"]),
    "settlement": lambda p, a: p.settle(),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_paused_vault__blocks_the_operation_until_unpaused(
    busy, operation, manager, depositor, second_depositor, receiver, guardian, admin
):
    p = busy
    who = {
        "manager": manager,
        "depositor": depositor,
        "second_depositor": second_depositor,
        "receiver": receiver,
    }
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        OPERATIONS[operation](p, who)
    p.vault.unpause(sender=admin)
    OPERATIONS[operation](p, who)  # the pause, and nothing else, was in the way


def test_paused_vault__still_lets_capital_come_back_and_operators_change(
    busy, guardian, manager, depositor, operator
):
    p = busy
    p.vault.send_to_custody(p.custody, 100 * p.unit, sender=manager)
    p.vault.pause(sender=guardian)
    p.vault.return_from_custody(p.custody, 100 * p.unit, sender=manager)
    assert p.vault.custody_in() == 100 * p.unit
    p.vault.setOperator(operator, True, sender=depositor)
    assert p.vault.isOperator(depositor, operator)


# ---------------------------------------------------------------- pause / unpause


@pytest.mark.parametrize("role", ["guardian", "admin"])
def test_pause__by_guardian_or_admin__pauses_and_emits(protocol, role):
    p = protocol
    caller = actor(role)
    p.vault.pause(sender=caller)
    assert one_event(p.vault, "Paused").by == caller
    assert p.vault.paused()


@pytest.mark.parametrize("role", ["manager", "keeper0", "attacker"])
def test_pause__by_anyone_else__reverts(protocol, role):
    with boa.reverts("vault: not guardian"):
        protocol.vault.pause(sender=actor(role))


def test_pause__twice__reverts(protocol, guardian):
    protocol.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        protocol.vault.pause(sender=guardian)


def test_unpause__by_admin__resumes_and_emits(protocol, guardian, admin):
    p = protocol
    p.vault.pause(sender=guardian)
    p.vault.unpause(sender=admin)
    assert one_event(p.vault, "Unpaused").by == admin
    assert not p.vault.paused()


def test_unpause__by_guardian__reverts(protocol, guardian):
    protocol.vault.pause(sender=guardian)
    with boa.reverts("ownable: caller is not the owner"):
        protocol.vault.unpause(sender=guardian)


def test_unpause__when_not_paused__reverts(protocol, admin):
    with boa.reverts("vault: not paused"):
        protocol.vault.unpause(sender=admin)


# ---------------------------------------------------------------- shutdown


def test_shutdown__by_admin__is_recorded_and_emitted(protocol, admin):
    p = protocol
    p.vault.shutdown(sender=admin)
    assert one_event(p.vault, "ShutDown").by == admin
    assert p.vault.shut_down()


@pytest.mark.parametrize("role", ["guardian", "manager", "attacker"])
def test_shutdown__by_non_admin__reverts(protocol, role):
    with boa.reverts("ownable: caller is not the owner"):
        protocol.vault.shutdown(sender=actor(role))


def test_shutdown__twice__reverts(protocol, admin):
    protocol.vault.shutdown(sender=admin)
    with boa.reverts("vault: shut down"):
        protocol.vault.shutdown(sender=admin)


def test_shutdown__survives_pause_and_unpause(protocol, admin, guardian):
    p = protocol
    p.vault.shutdown(sender=admin)
    p.vault.pause(sender=guardian)
    p.vault.unpause(sender=admin)
    assert p.vault.shut_down()


SHUT_OPERATIONS = {
    "request_deposit": lambda p, a: p.vault.request_deposit(
        p.unit, p.newcomer, p.newcomer, sender=p.newcomer
    ),
    "sync_deposit": lambda p, a: p.vault.sync_deposit(p.unit, p.newcomer, sender=p.newcomer),
    "send_to_custody": lambda p, a: p.vault.send_to_custody(p.custody, p.unit, sender=a["manager"]),
}


@pytest.mark.parametrize("operation", list(SHUT_OPERATIONS))
def test_shut_down_vault__refuses_new_capital_and_capital_out(busy, operation, admin, manager):
    p = busy
    p.vault.shutdown(sender=admin)
    with boa.reverts("vault: shut down"):
        SHUT_OPERATIONS[operation](p, {"manager": manager})


CONTINUING = [
    "request_redeem",
    "cancel_deposit_request",
    "cancel_redeem_request",
    "deposit",
    "mint",
    "redeem",
    "withdraw",
    "sync_redeem",
    "settlement",
]


@pytest.mark.parametrize("operation", CONTINUING)
def test_shut_down_vault__lets_redemptions_cancellations_claims_and_reports_continue(
    busy, operation, admin, manager, depositor, second_depositor, receiver
):
    p = busy
    p.vault.shutdown(sender=admin)
    who = {
        "manager": manager,
        "depositor": depositor,
        "second_depositor": second_depositor,
        "receiver": receiver,
    }
    OPERATIONS[operation](p, who)
    assert p.vault.shut_down()


def test_shut_down_vault__settles_redemptions_with_the_report(busy, admin, manager):
    p = busy
    p.vault.shutdown(sender=admin)
    p.vault.cancel_deposit_request(actor("receiver"), actor("receiver"), sender=actor("receiver"))
    assert p.settle()
    assert p.vault.claimableRedeemRequest(0, manager) == 5 * p.unit
    assert p.vault.redeem_epoch() == 3
