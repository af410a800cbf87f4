"""NavOracle report checks: epoch, timing, staleness, equity/debt, holder sum (trade claims:
test_oracle_trade_log.py)."""

import boa
import pytest

HOUR = 3_600
DAY = 86_400


def _now() -> int:
    return boa.env.evm.patch.timestamp


@pytest.mark.parametrize("delta", [-1, 1])
def test_post_report__for_another_epoch__reverts(priced, delta):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: wrong epoch"):
        p.post(p.report(epoch=p.vault.epoch() + delta))


def test_post_report__before_min_delay__reverts_and_at_min_delay__is_accepted(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR - 1)
    with boa.reverts("nav: too soon"):
        p.post(p.report(timestamp=_now() - 1))
    boa.env.time_travel(seconds=1)
    assert p.post(p.report(timestamp=_now() - 1))


def test_post_report__snapshot_in_the_future__reverts(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: snapshot in the future"):
        p.post(p.report(timestamp=_now() + 1))
    assert p.post(p.report(timestamp=_now()))


def test_post_report__snapshot_not_newer_than_the_last__reverts(priced):
    p = priced
    first_snapshot = _now() - p.snapshot_offset  # what onboard's settlement reported
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: snapshot not newer"):
        p.post(p.report(timestamp=first_snapshot))
    assert p.post(p.report(timestamp=first_snapshot + 1))


def test_post_report__older_than_max_staleness__reverts(priced):
    p = priced
    boa.env.time_travel(seconds=2 * DAY)
    with boa.reverts("nav: stale report"):
        p.post(p.report(timestamp=_now() - DAY - 1))
    assert p.post(p.report(timestamp=_now() - DAY))


def test_post_report__external_not_equity_minus_debt__reverts(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: external != equity - debt"):
        p.post(p.report(0, equity=10, debt=0))
    with boa.reverts("nav: external != equity - debt"):
        p.post(p.report(0, equity=10, debt=11))


def test_post_report__with_debt__is_accepted_when_consistent(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    gain = 5 * p.unit
    assert p.post(p.report(gain, equity=gain + 700 * p.unit, debt=700 * p.unit))
    assert p.vault.external_assets() == gain


@pytest.mark.parametrize("delta", [-1, 1])
def test_post_report__holder_sum_not_total_supply__reverts(priced, delta):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: holder sum != supply"):
        p.post(p.report(holder_sum=p.vault.totalSupply() + delta))


def test_post_report__records_the_accepted_report_per_epoch(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    report = p.report()
    assert p.post(report)
    assert p.oracle.report_of(report.epoch) == p.oracle.report_struct_hash(report.as_tuple())
    assert p.oracle.is_accepted(report.as_tuple())
    assert not p.oracle.is_accepted(p.report(epoch=report.epoch, trade_count=1).as_tuple())
