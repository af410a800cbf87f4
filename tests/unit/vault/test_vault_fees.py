"""Fees at settlement (management, performance over the hurdle-raised high-water mark), entry/exit fees in
assets, fee claims and notice-delayed increases, checked against the Python integer reference."""

import boa
import pytest

from tests.fixtures.boa_protocol import (
    BPS,
    YEAR,
    actor,
    anchored,
    deploy_protocol,
    one_event,
    ref_fee_on_total,
    ref_split,
    reference_from_chain,
)
from vaultcraft.protocol import FeeConfig, Role

DAY = 86_400
FEES = FeeConfig(
    management_bps=200,
    performance_bps=2_000,
    hurdle_bps=500,
    entry_bps=50,
    exit_bps=30,
    protocol_share_bps=2_000,
)
ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture(scope="module")
def fee_base_6():
    return deploy_protocol(decimals=6, fees=FEES)


@pytest.fixture(scope="module")
def fee_base_18():
    return deploy_protocol(decimals=18, fees=FEES)


@pytest.fixture(params=[6, 18], ids=["6dec", "18dec"])
def fee_protocol(request, fee_base_6, fee_base_18):
    """A fresh vault charging 2% management, 20% performance over a 5% hurdle, 0.5% entry, 0.3% exit,
    20% of fees to the protocol."""
    yield from anchored(fee_base_6 if request.param == 6 else fee_base_18)


@pytest.fixture
def invested(fee_protocol, manager, depositor):
    """Manager and depositor hold shares after one settlement; the high-water mark is set."""
    p = fee_protocol
    p.onboard({manager: 400_000 * p.unit + 3, depositor: 600_000 * p.unit + 7})
    assert p.vault.high_water_mark() > 0
    return p


def _settle_checked(p, external_assets: int, elapsed: int, **overrides):
    """Warps so that exactly `elapsed` seconds passed since the last fee accrual, settles, and checks every
    fee figure against the reference; returns the reference."""
    boa.env.time_travel(seconds=p.vault.last_fee_at() + elapsed - boa.env.evm.patch.timestamp)
    ref = reference_from_chain(p, external_assets, elapsed)
    escrow_before = p.vault.balanceOf(p.vault)
    redeeming = p.vault.pending_redeem_shares()
    fee_shares_before = p.vault.accrued_fee_shares()

    assert p.settle(external_assets, wait=0, **overrides)

    charged = one_event(p.oracle, "FeesCharged")
    assert (charged.management_assets, charged.performance_assets) == (ref.management, ref.performance)
    assert (charged.manager_shares, charged.protocol_shares) == (ref.manager_shares, ref.protocol_shares)
    assert charged.high_water_mark == ref.high_water_mark == p.vault.high_water_mark()
    settled = one_event(p.oracle, "EpochSettled")
    assert (settled.total_assets, settled.total_supply, settled.share_price) == (
        ref.total_assets,
        ref.supply,
        ref.share_price,
    )
    assert settled.deposit_shares == ref.deposit_shares
    owed = p.vault.accrued_fee_shares()
    assert owed[0] - fee_shares_before[0] == ref.manager_shares
    assert owed[1] - fee_shares_before[1] == ref.protocol_shares
    # Fee shares wait in the vault's escrow beside the epoch's deposit shares; a paid batch leaves it.
    burned = 0 if ref.deferred or not redeeming else redeeming
    minted = ref.manager_shares + ref.protocol_shares + ref.deposit_shares
    assert p.vault.balanceOf(p.vault) - escrow_before == minted - burned
    assert p.vault.last_fee_at() == boa.env.evm.patch.timestamp
    return ref


# ---------------------------------------------------------------- management and performance fees


def test_settle__management_fee__accrues_per_second_on_aum(invested):
    p = invested
    ref = _settle_checked(p, 0, 30 * DAY)
    total = p.vault.totalAssets()
    assert ref.management == total * 200 * 30 * DAY // (BPS * YEAR) > 0
    assert ref.performance == 0


def test_settle__management_fee__is_minted_as_shares_worth_the_fee(invested):
    p = invested
    ref = _settle_checked(p, 0, 90 * DAY)
    fee_shares = ref.manager_shares + ref.protocol_shares
    worth = p.vault.convertToAssets(fee_shares)
    # rounded down twice: the recipients never get more than the fee
    assert ref.management - 2 * (p.unit // 10**6 + 1) <= worth <= ref.management
    assert ref.protocol_shares == fee_shares * 2_000 // BPS


def test_settle__gain_above_hurdle__charges_performance_fee(invested):
    p = invested
    gain = p.vault.totalAssets() * 6 // 100
    ref = _settle_checked(p, gain, DAY)
    assert ref.performance > 0
    # roughly 20% of the gain above the 1-day hurdle
    assert abs(ref.performance - gain * 2_000 // BPS) * 100 <= gain * 2_000 // BPS
    assert ref.high_water_mark > 10**18


def test_settle__gain_below_hurdle__charges_no_performance_fee(invested):
    p = invested
    # 5% a year over 30 days is ~0.41%: a 0.3% gain does not beat it
    gain = p.vault.totalAssets() * 3 // 1_000
    ref = _settle_checked(p, gain, 30 * DAY)
    assert ref.performance == 0
    assert ref.management > 0


def test_settle__recovery_below_high_water_mark__charges_no_performance_fee(invested):
    p = invested
    custody = p.add_custody()
    p.vault.send_to_custody(custody, 500_000 * p.unit, sender=p.manager)
    _settle_checked(p, 500_000 * p.unit, DAY)
    hwm = p.vault.high_water_mark()
    _settle_checked(p, 450_000 * p.unit, DAY)  # -5%
    ref = _settle_checked(p, 480_000 * p.unit, DAY)  # +3%, still below the mark
    assert ref.performance == 0
    assert p.vault.high_water_mark() == hwm


def test_settle__fees_with_deposits_and_redemptions__match_the_reference(
    invested, depositor, second_depositor
):
    p = invested
    boa.env.time_travel(seconds=p.vault.lockup())
    p.vault.request_redeem(100_000 * p.unit, depositor, depositor, sender=depositor)
    p.request_deposit(second_depositor, 55_555 * p.unit + 5)
    ref = _settle_checked(p, p.vault.totalAssets() * 4 // 100, 10 * DAY)
    assert ref.performance > 0 and ref.management > 0
    assert p.vault.epoch_redeem(1) == (100_000 * p.unit, ref.redeem_net)
    assert p.vault.epoch_deposit(2) == (55_555 * p.unit + 5, ref.deposit_shares)


# ---------------------------------------------------------------- entry / exit fees


def test_settle__entry_fee__is_taken_in_assets_and_split(fee_protocol, depositor):
    p = fee_protocol
    assets = 12_345 * p.unit + 1
    p.request_deposit(depositor, assets)

    assert p.settle(0)

    fee = ref_fee_on_total(assets, 50)
    manager_part, protocol_part = ref_split(fee, 2_000)
    event = one_event(p.oracle, "TransactionFeeCharged")
    assert (event.payer, event.is_exit, event.assets) == (ZERO, False, fee)
    assert (event.manager_part, event.protocol_part) == (manager_part, protocol_part)
    assert p.vault.accrued_manager_fees() == manager_part
    assert p.vault.accrued_protocol_fees() == protocol_part
    assert p.vault.epoch_deposit(1) == (assets, assets - fee)
    assert p.vault.idle_assets() == assets - fee
    assert p.token.balanceOf(p.vault) == assets


def test_settle__exit_fee__is_taken_from_the_redemption(invested, depositor):
    p = invested
    boa.env.time_travel(seconds=p.vault.lockup())
    accrued = p.vault.accrued_manager_fees() + p.vault.accrued_protocol_fees()
    shares = 123_456 * p.unit
    p.vault.request_redeem(shares, depositor, depositor, sender=depositor)
    ref = reference_from_chain(p, 0, boa.env.evm.patch.timestamp + 3_600 - p.vault.last_fee_at())

    assert p.settle(0)

    event = [e for e in p.oracle.get_logs() if type(e).__name__ == "TransactionFeeCharged"][0]
    assert event.is_exit is True
    assert event.assets == ref.exit_fee == ref_fee_on_total(ref.redeem_gross, 30)
    assert p.vault.epoch_redeem(1) == (shares, ref.redeem_gross - ref.exit_fee)
    assert p.vault.reserved_assets() == ref.redeem_net
    assert p.vault.accrued_manager_fees() + p.vault.accrued_protocol_fees() == accrued + ref.exit_fee


def test_claim_fee_assets__pays_each_recipient_its_part_once(invested, receiver):
    p = invested
    manager_part, protocol_part = p.vault.accrued_manager_fees(), p.vault.accrued_protocol_fees()
    assert manager_part > 0 and protocol_part > 0

    assert p.vault.claim_fee_assets(receiver, sender=p.fee_recipient) == manager_part

    event = one_event(p.vault, "FeeAssetsClaimed")
    assert (event.recipient, event.receiver, event.assets) == (p.fee_recipient, receiver, manager_part)
    assert p.token.balanceOf(receiver) == manager_part
    assert p.vault.accrued_manager_fees() == 0
    assert p.vault.accrued_protocol_fees() == protocol_part
    with boa.reverts("vault: no fees"):
        p.vault.claim_fee_assets(receiver, sender=p.fee_recipient)
    assert p.vault.claim_fee_assets(p.protocol_recipient, sender=p.protocol_recipient) == protocol_part
    assert p.vault.accrued_protocol_fees() == 0


@pytest.mark.parametrize("recipient", ["fee_recipient", "protocol_recipient"])
def test_claim_fee_assets__while_paused__reverts_until_unpaused(invested, recipient, guardian, admin):
    """The guardian's pause stops every asset outflow except capital returns; fee claims included."""
    p = invested
    caller = getattr(p, recipient)
    accrued = (p.vault.accrued_manager_fees(), p.vault.accrued_protocol_fees())
    owed = accrued[0] if recipient == "fee_recipient" else accrued[1]
    vault_balance = p.token.balanceOf(p.vault)
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.claim_fee_assets(caller, sender=caller)
    assert (p.vault.accrued_manager_fees(), p.vault.accrued_protocol_fees()) == accrued
    assert p.token.balanceOf(p.vault) == vault_balance
    p.vault.unpause(sender=admin)
    # the pause, and nothing else, was in the way
    assert p.vault.claim_fee_assets(caller, sender=caller) == owed


def test_claim_fee_assets__by_anyone_else__reverts(invested, attacker, manager):
    for caller in (attacker, manager):
        with boa.reverts("vault: not fee recipient"):
            invested.vault.claim_fee_assets(caller, sender=caller)


def test_claim_fee_shares__moves_each_recipients_escrowed_shares_once(invested):
    p = invested
    _settle_checked(p, 0, 30 * DAY)
    manager_part, protocol_part = p.vault.accrued_fee_shares()
    assert manager_part > 0 and protocol_part > 0
    escrow, supply = p.vault.balanceOf(p.vault), p.vault.totalSupply()
    before = p.vault.balanceOf(p.fee_recipient)

    assert p.vault.claim_fee_shares(sender=p.fee_recipient) == manager_part

    event = one_event(p.vault, "FeeSharesClaimed")
    assert (event.recipient, event.shares) == (p.fee_recipient, manager_part)
    assert p.vault.balanceOf(p.fee_recipient) == before + manager_part
    assert p.vault.free_balance_of(p.fee_recipient) == p.vault.balanceOf(p.fee_recipient)  # unlocked
    assert p.vault.balanceOf(p.vault) == escrow - manager_part
    assert p.vault.totalSupply() == supply
    assert p.vault.accrued_fee_shares() == (0, protocol_part)
    with boa.reverts("vault: no fee shares"):
        p.vault.claim_fee_shares(sender=p.fee_recipient)
    assert p.vault.claim_fee_shares(sender=p.protocol_recipient) == protocol_part
    assert p.vault.accrued_fee_shares() == (0, 0)
    # The next settlement accrues into the emptied word again.
    _settle_checked(p, 0, 30 * DAY)
    assert p.vault.accrued_fee_shares()[0] > 0


def test_claim_fee_shares__by_anyone_else_or_while_paused__reverts(
    invested, attacker, manager, guardian, admin
):
    p = invested
    _settle_checked(p, 0, 30 * DAY)
    owed = p.vault.accrued_fee_shares()
    for caller in (attacker, manager):
        with boa.reverts("vault: not fee recipient"):
            p.vault.claim_fee_shares(sender=caller)
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.vault.claim_fee_shares(sender=p.fee_recipient)
    assert p.vault.accrued_fee_shares() == owed
    p.vault.unpause(sender=admin)
    assert p.vault.claim_fee_shares(sender=p.fee_recipient) == owed[0]


@pytest.mark.parametrize("recipient", ["fee_recipient", "protocol_recipient"])
def test_set_role__new_fee_recipient__pays_the_previous_one_its_escrowed_shares(invested, recipient, admin):
    """Fee shares belong to who earned them: replacing a recipient hands it its escrowed part first."""
    p = invested
    _settle_checked(p, 0, 30 * DAY)
    previous, part = getattr(p, recipient), 0 if recipient == "fee_recipient" else 1
    owed = p.vault.accrued_fee_shares()
    assert owed[part] > 0
    before, successor = p.vault.balanceOf(previous), actor(f"next-{recipient}")
    role = Role.FEE_RECIPIENT if part == 0 else Role.PROTOCOL_FEE_RECIPIENT

    p.vault.set_role(int(role), successor, sender=admin)

    event = one_event(p.vault, "FeeSharesClaimed")
    assert (event.recipient, event.shares) == (previous, owed[part])
    assert p.vault.balanceOf(previous) == before + owed[part]
    assert p.vault.accrued_fee_shares() == tuple(0 if i == part else owed[i] for i in range(2))
    with boa.reverts("vault: no fee shares"):
        p.vault.claim_fee_shares(sender=successor)


def test_claim_fee_assets__does_not_touch_shareholder_assets(invested):
    p = invested
    total = p.vault.totalAssets()
    p.vault.claim_fee_assets(p.fee_recipient, sender=p.fee_recipient)
    assert p.vault.totalAssets() == total


# ---------------------------------------------------------------- set_fees


def test_set_fees__decrease__applies_now(fee_protocol, admin):
    p = fee_protocol
    lower = FeeConfig(100, 1_000, 500, 0, 0, 1_000)
    p.oracle.set_fees(lower.as_tuple(), sender=admin)
    event = one_event(p.oracle, "FeesUpdated")
    assert (event.management_bps, event.performance_bps, event.entry_bps) == (100, 1_000, 0)
    assert tuple(p.oracle.config()) == lower.as_tuple()
    assert p.oracle.pending_effective_at() == 0


def test_set_fees__with_deposits_pending__keeps_them_and_settles_at_the_new_entry_fee(
    fee_protocol, depositor, admin
):
    """The fee rates share the flags word (epoch, batch, lockup, fee clock, flags): a fee push leaves the
    pending assets and every other field alone, and requests, cancels and settlement leave the rates alone."""
    p = fee_protocol
    p.request_deposit(depositor, 1_000 * p.unit)
    lower = FeeConfig(100, 1_000, 500, 10, 0, 1_000)

    def fields():
        v = p.vault
        clock = (v.epoch(), v.redeem_epoch(), v.lockup(), v.last_fee_at())
        return clock + (v.paused(), v.shut_down(), v.quarantined())

    before = fields()
    p.oracle.set_fees(lower.as_tuple(), sender=admin)
    assert fields() == before
    assert p.vault.pending_deposit_assets() == 1_000 * p.unit
    p.request_deposit(depositor, 7)
    assert p.vault.pending_deposit_assets() == 1_000 * p.unit + 7
    assert p.settle()
    assert p.vault.pending_deposit_assets() == 0
    fee = ref_fee_on_total(1_000 * p.unit + 7, lower.entry_bps)
    event = [e for e in p.oracle.get_logs() if type(e).__name__ == "TransactionFeeCharged"][0]
    assert event.assets == fee
    assert p.vault.accrued_manager_fees() + p.vault.accrued_protocol_fees() == fee


def test_set_fees__push__leaves_pause_shutdown_and_unseen_custody_alone(invested, admin, manager):
    """The low flag bits share the word the rates are pushed into: a push keeps every one of them."""
    p = invested
    custody = p.add_custody()
    p.vault.send_to_custody(custody, p.vault.idle_assets() // 2, sender=manager)  # sets "custody unseen"
    total = p.vault.totalAssets()
    p.vault.pause(sender=p.guardian)
    p.vault.shutdown(sender=admin)
    p.oracle.set_fees(FeeConfig(100, 1_000, 500, 10, 0, 1_000).as_tuple(), sender=admin)
    assert (p.vault._storage._flags.get() >> 160) & 0xFFFF == 100  # the push happened
    assert p.vault.paused() and p.vault.shut_down()
    assert p.vault.totalAssets() == total  # the unseen transfer is still counted


def test_set_fees__increase__waits_for_the_notice_delay(invested, admin):
    p = invested
    higher = FeeConfig(400, 2_000, 500, 50, 30, 2_000)
    p.oracle.set_fees(higher.as_tuple(), sender=admin)
    scheduled = one_event(p.oracle, "FeesScheduled")
    effective_at = boa.env.evm.patch.timestamp + p.oracle.notice_delay()
    assert (scheduled.management_bps, scheduled.effective_at) == (400, effective_at)
    assert tuple(p.oracle.config()) == FEES.as_tuple()
    assert tuple(p.oracle.pending()) == higher.as_tuple()

    # a settlement before the notice ran out charges the old rate
    total = p.vault.totalAssets()
    ref = _settle_checked(p, 0, DAY)
    assert ref.management == total * 200 * DAY // (BPS * YEAR)
    assert tuple(p.oracle.config()) == FEES.as_tuple()

    # the first settlement after it applies the new rate
    boa.env.time_travel(seconds=effective_at - boa.env.evm.patch.timestamp)
    _settle_checked(p, 0, effective_at - p.vault.last_fee_at())
    assert tuple(p.oracle.config()) == higher.as_tuple()
    assert p.oracle.pending_effective_at() == 0


def test_set_fees__back_to_the_current_config__cancels_the_schedule(fee_protocol, admin):
    p = fee_protocol
    p.oracle.set_fees(FeeConfig(400, 2_000, 500, 50, 30, 2_000).as_tuple(), sender=admin)
    assert p.oracle.pending_effective_at() > 0
    p.oracle.set_fees(FEES.as_tuple(), sender=admin)
    assert [type(e).__name__ for e in p.oracle.get_logs()] == ["FeesScheduleCancelled"]
    assert p.oracle.pending_effective_at() == 0
    assert tuple(p.oracle.pending()) == (0,) * 6
    assert tuple(p.oracle.config()) == FEES.as_tuple()


def test_set_fees__above_caps__reverts(fee_protocol, admin):
    with boa.reverts("fees: above cap"):
        fee_protocol.oracle.set_fees((501, 0, 0, 0, 0, 0), sender=admin)


def test_set_fees__by_non_admin__reverts(fee_protocol, manager):
    with boa.reverts("nav: not admin"):
        fee_protocol.oracle.set_fees((0, 0, 0, 0, 0, 0), sender=manager)


def test_fee_recipients__are_the_configured_roles(fee_protocol):
    p = fee_protocol
    assert p.vault.fee_recipient() == actor("fee_recipient")
    assert (
        p.vault.protocol_fee_recipient() == actor("protocol_recipient") == p.factory.protocol_fee_recipient()
    )


# ---------------------------------------------------------------- timing of increases and the hurdle


def test_settle__fee_increase__never_charged_for_time_before_it_takes_effect(invested, admin):
    """The settlement that closes the period in which the notice ran out is charged at the old rate
    for the whole period (in the holders' favour); the new rate applies from that settlement on."""
    p = invested
    last = p.vault.last_fee_at()
    p.oracle.set_fees(FeeConfig(500, 2_000, 500, 50, 30, 2_000).as_tuple(), sender=admin)
    effective_at = p.oracle.pending_effective_at()
    boa.env.time_travel(seconds=effective_at + DAY - boa.env.evm.patch.timestamp)
    total = p.vault.totalAssets()
    p.settle(0, wait=0)
    now = boa.env.evm.patch.timestamp
    charged = one_event(p.oracle, "FeesCharged")
    assert charged.management_assets == total * 200 * (now - last) // (BPS * YEAR)
    assert tuple(p.oracle.config())[0] == 500
    # pushed to the vault after settling (the rates sit in the top 96 bits of the flags word)
    assert (p.vault._storage._flags.get() >> 160) & 0xFFFF == 500


def test_settle__hurdle__accrues_since_the_high_water_mark_was_set(manager):
    with boa.env.anchor():
        p = deploy_protocol(fees=FeeConfig(performance_bps=2_000, hurdle_bps=1_000))
        p.onboard({manager: 1_000 * p.unit})  # the mark is set here (price 1.0)
        custody = p.add_custody()
        p.vault.send_to_custody(custody, 500 * p.unit, sender=manager)
        assert p.settle(500 * p.unit)
        assert p.settle(450 * p.unit)  # -5%
        assert p.settle(500 * p.unit, wait=365 * DAY)  # back at the mark a year later
        assert p.settle(550 * p.unit)  # +5%: far below mark * (1 + 10% * 1 year)
        assert one_event(p.oracle, "FeesCharged").performance_assets == 0
