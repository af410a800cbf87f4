"""Deployment of the fee module: stored state, constants, event and constructor reverts."""

import boa
import pytest
from fees_spec import (
    BPS,
    CAPS,
    DEFAULT_NOTICE_DELAY,
    FIELDS,
    MIN_NOTICE_DELAY,
    PPS_SCALE,
    YEAR,
    as_dict,
    config,
)


def test_init__stores_config_and_notice_delay(create_fees):
    fees = create_fees(config(management_bps=150), notice_delay=3 * MIN_NOTICE_DELAY)

    assert fees.config() == config(management_bps=150)
    assert fees.notice_delay() == 3 * MIN_NOTICE_DELAY


def test_init__starts_without_a_schedule(fees):
    assert fees.pending() == (0, 0, 0, 0, 0, 0)
    assert fees.pending_effective_at() == 0


def test_init__emits_fees_updated_with_the_initial_config(create_fees):
    fees = create_fees(config(entry_bps=7))

    (log,) = fees.get_logs()
    assert type(log).__name__ == "FeesUpdated"
    assert {f: getattr(log, f) for f in FIELDS} == as_dict(config(entry_bps=7))


def test_init__notice_at_minimum__is_accepted(create_fees):
    assert create_fees(notice_delay=MIN_NOTICE_DELAY).notice_delay() == MIN_NOTICE_DELAY


def test_init__notice_below_minimum__reverts(create_fees):
    with boa.reverts("fees: notice too short"):
        create_fees(notice_delay=MIN_NOTICE_DELAY - 1)


def test_init__zero_notice__reverts(create_fees):
    with boa.reverts("fees: notice too short"):
        create_fees(notice_delay=0)


@pytest.mark.parametrize("field", FIELDS)
def test_init__component_at_cap__is_accepted(create_fees, field):
    fees = create_fees(config(**{field: CAPS[field]}))

    assert as_dict(fees.config())[field] == CAPS[field]


@pytest.mark.parametrize("field", FIELDS)
def test_init__component_above_cap__reverts(create_fees, field):
    with boa.reverts("fees: above cap"):
        create_fees(config(**{field: CAPS[field] + 1}))


def test_init__all_zero_config__is_accepted(create_fees):
    assert create_fees((0, 0, 0, 0, 0, 0)).config() == (0, 0, 0, 0, 0, 0)


def test_constants__match_the_specification(fees):
    assert fees.BPS() == BPS == 10_000
    assert fees.YEAR() == YEAR == 31_536_000
    assert fees.PPS_SCALE() == PPS_SCALE
    assert fees.MAX_MANAGEMENT_BPS() == CAPS["management_bps"] == 500
    assert fees.MAX_PERFORMANCE_BPS() == CAPS["performance_bps"] == 5_000
    assert fees.MAX_HURDLE_BPS() == CAPS["hurdle_bps"] == 2_000
    assert fees.MAX_ENTRY_BPS() == CAPS["entry_bps"] == 200
    assert fees.MAX_EXIT_BPS() == CAPS["exit_bps"] == 200
    assert fees.MAX_PROTOCOL_SHARE_BPS() == CAPS["protocol_share_bps"] == 3_000
    assert fees.MIN_NOTICE_DELAY() == MIN_NOTICE_DELAY == 86_400
    assert fees.DEFAULT_NOTICE_DELAY() == DEFAULT_NOTICE_DELAY == 604_800
