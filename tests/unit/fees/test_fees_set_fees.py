"""`_set_fees`: holder-favourable components apply now, holder-unfavourable ones wait for the notice."""

import boa
import pytest
from fees_spec import (
    CAPS,
    DEFAULT_NOTICE_DELAY,
    FIELDS,
    RATE_FIELDS,
    as_dict,
    cheaper,
    config,
    costlier,
    event_config,
    event_names,
)

NO_SCHEDULE = (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("field", FIELDS)
def test_set_fees__holder_favourable_change__takes_effect_immediately(fees, manager, field):
    new = config(**{field: cheaper(field, as_dict(config())[field])})

    fees.set_fees(new, sender=manager)

    assert fees.config() == new
    assert fees.pending() == NO_SCHEDULE
    assert fees.pending_effective_at() == 0


def test_set_fees__decrease__emits_only_fees_updated(fees, manager):
    new = config(management_bps=100, exit_bps=0)

    fees.set_fees(new, sender=manager)

    (log,) = fees.get_logs()
    assert type(log).__name__ == "FeesUpdated"
    assert event_config(log) == new


@pytest.mark.parametrize("field", FIELDS)
def test_set_fees__increase__waits_for_notice(fees, manager, now, field):
    before = fees.config()
    new = config(**{field: costlier(field, as_dict(config())[field])})

    fees.set_fees(new, sender=manager)

    assert fees.config() == before
    assert fees.pending() == new
    assert fees.pending_effective_at() == now() + DEFAULT_NOTICE_DELAY


def test_set_fees__increase__emits_fees_scheduled_with_effective_at(fees, manager, now):
    new = config(performance_bps=2_500)

    fees.set_fees(new, sender=manager)

    (log,) = fees.get_logs()
    assert type(log).__name__ == "FeesScheduled"
    assert event_config(log) == new
    assert log.effective_at == now() + DEFAULT_NOTICE_DELAY


def test_set_fees__hurdle_lowered__waits_because_it_raises_the_performance_fee(fees, manager):
    fees.set_fees(config(hurdle_bps=0), sender=manager)

    assert fees.config() == config()
    assert fees.pending() == config(hurdle_bps=0)


def test_set_fees__hurdle_raised__takes_effect_immediately(fees, manager):
    fees.set_fees(config(hurdle_bps=2_000), sender=manager)

    assert fees.config() == config(hurdle_bps=2_000)
    assert fees.pending_effective_at() == 0


def test_set_fees__unchanged_config__emits_nothing(fees, manager):
    fees.set_fees(config(), sender=manager)

    assert fees.get_logs() == []
    assert fees.config() == config()


def test_set_fees__mixed_change__applies_decreases_now_and_schedules_the_full_config(fees, manager, now):
    # management up (waits), performance down (now), hurdle up (now), entry up (waits), exit down (now)
    new = config(management_bps=300, performance_bps=1_500, hurdle_bps=800, entry_bps=100, exit_bps=10)

    fees.set_fees(new, sender=manager)

    assert fees.config() == config(performance_bps=1_500, hurdle_bps=800, exit_bps=10)
    assert fees.pending() == new
    assert fees.pending_effective_at() == now() + DEFAULT_NOTICE_DELAY


def test_set_fees__mixed_change__emits_fees_updated_then_fees_scheduled(fees, manager, now):
    new = config(management_bps=300, performance_bps=1_500)

    fees.set_fees(new, sender=manager)

    updated, scheduled = fees.get_logs()
    assert event_names([updated, scheduled]) == ["FeesUpdated", "FeesScheduled"]
    assert event_config(updated) == config(performance_bps=1_500)
    assert event_config(scheduled) == new
    assert scheduled.effective_at == now() + DEFAULT_NOTICE_DELAY


def test_set_fees__mixed_change__applies_the_full_config_after_notice(fees, manager, warp):
    new = config(management_bps=300, performance_bps=1_500)
    fees.set_fees(new, sender=manager)
    warp(DEFAULT_NOTICE_DELAY)

    assert fees.apply_due() is True

    assert fees.config() == new


def test_set_fees__second_increase__replaces_the_schedule_and_restarts_the_clock(fees, manager, now, warp):
    fees.set_fees(config(management_bps=250), sender=manager)
    warp(DEFAULT_NOTICE_DELAY - 1)

    fees.set_fees(config(management_bps=500), sender=manager)
    logs = fees.get_logs()

    assert event_names(logs) == ["FeesScheduled"]
    assert fees.pending() == config(management_bps=500)
    assert fees.pending_effective_at() == now() + DEFAULT_NOTICE_DELAY


def test_set_fees__swapping_a_small_increase_for_a_large_one__cannot_reuse_the_old_timer(
    fees, manager, warp
):
    fees.set_fees(config(management_bps=201), sender=manager)
    warp(DEFAULT_NOTICE_DELAY - 1)
    fees.set_fees(config(management_bps=500), sender=manager)
    warp(1)

    assert fees.apply_due() is False
    assert fees.config() == config()


def test_set_fees__decrease_only__clears_an_earlier_schedule(fees, manager):
    fees.set_fees(config(management_bps=400), sender=manager)

    fees.set_fees(config(management_bps=100), sender=manager)
    updated, cancelled = fees.get_logs()

    assert fees.config() == config(management_bps=100)
    assert fees.pending() == NO_SCHEDULE
    assert fees.pending_effective_at() == 0
    assert event_names([updated, cancelled]) == ["FeesUpdated", "FeesScheduleCancelled"]
    assert event_config(updated) == config(management_bps=100)


def test_set_fees__current_config_again__cancels_the_schedule_without_updating(fees, manager):
    fees.set_fees(config(entry_bps=200), sender=manager)

    fees.set_fees(config(), sender=manager)

    assert event_names(fees.get_logs()) == ["FeesScheduleCancelled"]
    assert fees.pending_effective_at() == 0
    assert fees.config() == config()


def test_set_fees__decrease_without_schedule__emits_no_cancellation(fees, manager):
    fees.set_fees(config(entry_bps=0), sender=manager)

    assert event_names(fees.get_logs()) == ["FeesUpdated"]


def test_set_fees__after_a_due_schedule__applies_it_before_comparing(fees, manager, warp):
    fees.set_fees(config(management_bps=400), sender=manager)
    warp(DEFAULT_NOTICE_DELAY)

    # 300 is a decrease from the 400 whose notice has run out, so it is immediate.
    fees.set_fees(config(management_bps=300), sender=manager)
    applied, lowered = fees.get_logs()

    assert fees.config() == config(management_bps=300)
    assert fees.pending_effective_at() == 0
    assert event_names([applied, lowered]) == ["FeesUpdated", "FeesUpdated"]
    assert event_config(applied) == config(management_bps=400)
    assert event_config(lowered) == config(management_bps=300)


def test_set_fees__before_a_schedule_is_due__compares_with_the_config_in_force(fees, manager, warp):
    fees.set_fees(config(management_bps=400), sender=manager)
    warp(DEFAULT_NOTICE_DELAY - 1)

    # 300 is below the scheduled 400 but above the 200 in force: still an increase.
    fees.set_fees(config(management_bps=300), sender=manager)

    assert fees.config() == config()
    assert fees.pending() == config(management_bps=300)


@pytest.mark.parametrize("field", FIELDS)
def test_set_fees__component_at_cap__is_accepted(fees, manager, warp, field):
    fees.set_fees(config(**{field: CAPS[field]}), sender=manager)
    warp(DEFAULT_NOTICE_DELAY)
    fees.apply_due()

    assert as_dict(fees.config())[field] == CAPS[field]


@pytest.mark.parametrize("field", FIELDS)
def test_set_fees__component_above_cap__reverts(fees, manager, field):
    with boa.reverts("fees: above cap"):
        fees.set_fees(config(**{field: CAPS[field] + 1}), sender=manager)


@pytest.mark.parametrize("field", RATE_FIELDS)
def test_set_fees__above_cap_with_a_favourable_change__changes_nothing(fees, manager, field):
    with boa.reverts("fees: above cap"):
        fees.set_fees(config(**{"hurdle_bps": 2_000, field: 2**16 - 1}), sender=manager)

    assert fees.config() == config()
    assert fees.pending_effective_at() == 0


def test_set_fees__notice_delay_is_the_one_chosen_at_deployment(create_fees, manager, now):
    fees = create_fees(notice_delay=2 * 86_400)

    fees.set_fees(config(management_bps=201), sender=manager)

    assert fees.pending_effective_at() == now() + 2 * 86_400
