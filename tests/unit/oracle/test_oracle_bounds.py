"""Price-per-share bounds (per update and over a rolling window), quarantine and the guardian's decision."""

import boa
import pytest

from tests.fixtures.boa_protocol import one_event, ref_pps

HOUR = 3_600
DAY = 86_400


def _max_ext_within(p, bps: int) -> int:
    """Largest external valuation whose preview price moves at most `bps` above the oracle's last price:
    (pps - last) * 10_000 <= last * bps, the oracle's own (division-free) test."""
    v = p.vault
    last = p.oracle.last_pps()
    idle, supply = v.idle_assets(), v.totalSupply()
    ext = max(0, (last * (10_000 + bps) // 10_000) * (supply + 1) // 10**18 - idle - 1)
    while (ref_pps(idle + ext + 1, supply) - last) * 10_000 <= last * bps:
        ext += 1
    while (ref_pps(idle + ext, supply) - last) * 10_000 > last * bps:
        ext -= 1
    return ext


def test_post_report__first_report__is_never_bounded(nav, manager):
    p = nav
    p.request_deposit(manager, 1_000 * p.unit)
    assert p.oracle.last_pps() == 0
    assert p.settle(5_000 * p.unit)  # supply 0: any price is the first price
    settled = one_event(p.oracle, "EpochSettled")
    assert settled.share_price == p.oracle.last_pps() > 5 * 10**18


def test_post_report__move_of_exactly_the_bound__is_accepted_and_one_unit_more_is_not(nav, manager):
    p = nav
    p.onboard({manager: 10**9 - 1})  # supply + 1 = 1e9: prices are exact
    assert p.oracle.last_pps() == 10**18
    assert p.vault.preview_settlement_price(10**8, 0, 0) == 11 * 10**17  # +10.000%
    assert p.vault.preview_settlement_price(10**8 + 1, 0, 0) > 11 * 10**17
    with boa.env.anchor():
        assert p.settle(10**8 + 1) is False
    assert p.settle(10**8)
    assert p.oracle.last_pps() == 11 * 10**17


def test_post_report__move_beyond_the_bound__is_quarantined(priced):
    p = priced
    ext = _max_ext_within(p, 1_000) + 1
    boa.env.time_travel(seconds=HOUR)
    report = p.report(ext)
    epoch, supply = p.vault.epoch(), p.vault.totalSupply()

    assert p.post(report) is False

    event = one_event(p.oracle, "ReportQuarantined")
    struct_hash = p.oracle.report_struct_hash(report.as_tuple())
    assert (event.epoch, event.struct_hash, event.last_share_price) == (epoch, struct_hash, 10**18)
    assert event.share_price == p.vault.preview_settlement_price(ext, 0, 0)
    assert tuple(event.report) == report.as_tuple()
    assert p.oracle.quarantined() == struct_hash
    assert p.vault.quarantined()
    # nothing was applied
    assert (p.vault.epoch(), p.vault.totalSupply(), p.vault.external_assets()) == (epoch, supply, 0)
    assert p.oracle.report_of(epoch) == b"\x00" * 32
    assert p.oracle.last_pps() == 10**18


def test_post_report__drop_beyond_the_bound__is_quarantined(priced, manager):
    p = priced
    custody = p.add_custody()
    p.vault.send_to_custody(custody, 500 * p.unit, sender=manager)
    assert p.settle(500 * p.unit)
    assert p.settle(400 * p.unit)  # -10%: within the bound
    last = p.oracle.last_pps()
    assert not p.settle(308 * p.unit)  # 0.9 -> 0.808: -10.2%
    assert (last - one_event(p.oracle, "ReportQuarantined").share_price) * 10_000 > last * 1_000


@pytest.fixture
def quarantined(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    p.bad_report = p.report(300 * p.unit)  # +30%
    assert p.post(p.bad_report) is False
    return p


def test_quarantine__blocks_new_requests(quarantined, manager, depositor, admin):
    p = quarantined
    p.fund(depositor, p.unit)
    with boa.reverts("vault: report quarantined"):
        p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)
    boa.env.time_travel(seconds=p.vault.lockup())
    with boa.reverts("vault: report quarantined"):
        p.vault.request_redeem(p.unit, manager, manager, sender=manager)
    p.vault.set_limits(p.vault.deposit_cap(), p.vault.lockup(), 0, 10**9, sender=admin)
    with boa.reverts("vault: report quarantined"):
        p.vault.sync_deposit(p.unit, depositor, sender=depositor)
    with boa.reverts("vault: report quarantined"):
        p.vault.sync_redeem(p.unit, manager, manager, sender=manager)


def test_quarantine__blocks_further_reports(quarantined):
    p = quarantined
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: quarantine pending"):
        p.post(p.report(0))


def test_quarantine__lets_open_requests_be_cancelled(priced, depositor):
    p = priced
    p.request_deposit(depositor, 5 * p.unit)
    assert not p.settle(300 * p.unit)
    assert p.vault.cancel_deposit_request(depositor, depositor, sender=depositor) == 5 * p.unit


def test_resolve_quarantine__accept__applies_the_report_as_posted(quarantined, guardian):
    p = quarantined
    report = p.bad_report
    struct_hash = p.oracle.report_struct_hash(report.as_tuple())

    p.oracle.resolve_quarantine(report.as_tuple(), True, sender=guardian)

    resolved = one_event(p.oracle, "QuarantineResolved")
    assert (resolved.epoch, resolved.struct_hash, resolved.accepted) == (report.epoch, struct_hash, True)
    accepted = one_event(p.oracle, "ReportAccepted")
    assert accepted.struct_hash == struct_hash
    assert not p.vault.quarantined()
    assert p.oracle.quarantined() == b"\x00" * 32
    assert p.vault.epoch() == report.epoch + 1
    assert p.vault.totalAssets() == 1_300 * p.unit
    assert p.oracle.report_of(report.epoch) == struct_hash
    assert p.oracle.last_pps() == accepted.share_price


def test_resolve_quarantine__reject__discards_the_report(quarantined, guardian, depositor):
    p = quarantined
    report = p.bad_report

    p.oracle.resolve_quarantine(report.as_tuple(), False, sender=guardian)

    resolved = one_event(p.oracle, "QuarantineResolved")
    assert resolved.accepted is False
    assert not [e for e in p.oracle.get_logs() if type(e).__name__ == "ReportAccepted"]
    assert not p.vault.quarantined()
    assert p.vault.epoch() == report.epoch
    assert p.vault.external_assets() == 0
    assert p.oracle.report_of(report.epoch) == b"\x00" * 32
    # requests reopen, and keepers post a corrected report for the same epoch
    p.fund(depositor, p.unit)
    p.vault.request_deposit(p.unit, depositor, depositor, sender=depositor)
    assert p.post(p.report(20 * p.unit))
    assert p.vault.epoch() == report.epoch + 1


def test_resolve_quarantine__by_non_guardian__reverts(quarantined, admin, keeper):
    for caller in (admin, keeper):
        with boa.reverts("nav: not guardian"):
            quarantined.oracle.resolve_quarantine(quarantined.bad_report.as_tuple(), True, sender=caller)


def test_resolve_quarantine__with_another_report__reverts(quarantined, guardian):
    p = quarantined
    other = p.report(299 * p.unit)
    with boa.reverts("nav: not the quarantined report"):
        p.oracle.resolve_quarantine(other.as_tuple(), True, sender=guardian)


def test_resolve_quarantine__with_nothing_quarantined__reverts(priced, guardian):
    p = priced
    with boa.reverts("nav: nothing quarantined"):
        p.oracle.resolve_quarantine(p.report().as_tuple(), True, sender=guardian)


def test_resolve_quarantine__accept_while_paused__reverts_and_stays_quarantined(quarantined, guardian):
    p = quarantined
    p.vault.pause(sender=guardian)
    with boa.reverts("vault: paused"):
        p.oracle.resolve_quarantine(p.bad_report.as_tuple(), True, sender=guardian)
    assert p.vault.quarantined()


# ---------------------------------------------------------------- windowed bound


def test_window_bound__small_steps_adding_up_beyond_it__are_quarantined(priced):
    """10% per update, 30% per 7 days: three +9% steps pass (+29.5%), the fourth (+41%) does not."""
    p = priced
    for _ in range(3):
        assert p.settle(_max_ext_within(p, 900))
    assert p.oracle.last_pps() < 13 * 10**17
    assert p.settle(_max_ext_within(p, 900)) is False
    assert one_event(p.oracle, "ReportQuarantined").last_share_price == p.oracle.last_pps()


def test_window_bound__after_the_window__restarts_from_the_last_price(priced):
    p = priced
    for _ in range(3):
        assert p.settle(_max_ext_within(p, 900))
    assert p.settle(_max_ext_within(p, 900), wait=7 * DAY)


# ---------------------------------------------------------------- set_nav_guards


def test_set_nav_guards__tightened_bound__quarantines_smaller_moves(priced, admin):
    p = priced
    p.oracle.set_nav_guards(HOUR, DAY, 100, 7 * DAY, 3_000, sender=admin)
    event = one_event(p.oracle, "NavGuardsSet")
    assert (
        event.min_report_delay,
        event.max_report_staleness,
        event.max_pps_change_bps,
        event.pps_window,
        event.max_pps_window_change_bps,
    ) == (HOUR, DAY, 100, 7 * DAY, 3_000)
    assert p.oracle.min_report_delay() == HOUR
    with boa.env.anchor():
        assert p.settle(_max_ext_within(p, 100) + 1) is False
    assert p.settle(_max_ext_within(p, 100))


def test_set_nav_guards__longer_min_delay__applies(priced, admin):
    p = priced
    p.oracle.set_nav_guards(2 * HOUR, DAY, 1_000, 7 * DAY, 3_000, sender=admin)
    with boa.reverts("nav: too soon"):
        p.settle()
    assert p.settle(wait=HOUR)


@pytest.mark.parametrize(
    "guards",
    [
        (HOUR, 0, 1_000, 7 * DAY, 3_000),
        (HOUR, DAY, 1_000, 0, 3_000),
    ],
    ids=["zero_staleness", "zero_window"],
)
def test_set_nav_guards__zero_staleness_or_window__reverts(priced, admin, guards):
    with boa.reverts("nav: zero guard"):
        priced.oracle.set_nav_guards(*guards, sender=admin)


@pytest.mark.parametrize(
    "guards",
    [
        (HOUR, DAY, 0, 7 * DAY, 3_000),
        (HOUR, DAY, 10_001, 7 * DAY, 3_000),
        (HOUR, DAY, 1_000, 7 * DAY, 0),
        (HOUR, DAY, 1_000, 7 * DAY, 10_001),
    ],
    ids=["zero_update", "update_above_100", "zero_window_bps", "window_above_100"],
)
def test_set_nav_guards__bps_bound_out_of_range__reverts(priced, admin, guards):
    with boa.reverts("nav: bad bps bound"):
        priced.oracle.set_nav_guards(*guards, sender=admin)


def test_set_nav_guards__by_non_admin__reverts(priced, guardian, manager):
    for caller in (guardian, manager):
        with boa.reverts("nav: not admin"):
            priced.oracle.set_nav_guards(HOUR, DAY, 1_000, 7 * DAY, 3_000, sender=caller)
