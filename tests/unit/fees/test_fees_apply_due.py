"""`_apply_due` and `_cancel_schedule`: a schedule applies exactly at `effective_at`, never before."""

import pytest
from fees_spec import DEFAULT_NOTICE_DELAY, config, event_config, event_names

NO_SCHEDULE = (0, 0, 0, 0, 0, 0)
RAISED = config(management_bps=300, performance_bps=3_000)


@pytest.fixture
def scheduled(fees, manager):
    """`fees` with RAISED scheduled now, due DEFAULT_NOTICE_DELAY seconds later."""
    fees.set_fees(RAISED, sender=manager)
    return fees


def test_apply_due__without_schedule__returns_false_and_emits_nothing(fees, manager):
    assert fees.apply_due(sender=manager) is False
    assert fees.get_logs() == []
    assert fees.config() == config()


def test_apply_due__one_second_early__returns_false_and_keeps_the_schedule(scheduled, manager, warp):
    effective_at = scheduled.pending_effective_at()
    warp(DEFAULT_NOTICE_DELAY - 1)

    assert scheduled.apply_due(sender=manager) is False
    assert scheduled.get_logs() == []
    assert scheduled.config() == config()
    assert scheduled.pending() == RAISED
    assert scheduled.pending_effective_at() == effective_at


def test_apply_due__exactly_at_effective_at__applies_the_schedule(scheduled, manager, now, warp):
    warp(DEFAULT_NOTICE_DELAY)
    assert now() == scheduled.pending_effective_at()

    assert scheduled.apply_due(sender=manager) is True

    assert scheduled.config() == RAISED
    assert scheduled.pending() == NO_SCHEDULE
    assert scheduled.pending_effective_at() == 0


def test_apply_due__when_applied__emits_fees_updated_with_the_new_config(scheduled, manager, warp):
    warp(DEFAULT_NOTICE_DELAY)

    scheduled.apply_due(sender=manager)

    (log,) = scheduled.get_logs()
    assert event_names([log]) == ["FeesUpdated"]
    assert event_config(log) == RAISED


def test_apply_due__long_after_effective_at__still_applies(scheduled, manager, warp):
    warp(10 * 365 * 86_400)

    assert scheduled.apply_due(sender=manager) is True
    assert scheduled.config() == RAISED


def test_apply_due__called_twice__applies_only_once(scheduled, manager, warp):
    warp(DEFAULT_NOTICE_DELAY)
    scheduled.apply_due(sender=manager)

    assert scheduled.apply_due(sender=manager) is False
    assert scheduled.get_logs() == []


def test_apply_due__by_an_attacker_before_notice__changes_nothing(scheduled, attacker, warp):
    warp(DEFAULT_NOTICE_DELAY // 2)

    assert scheduled.apply_due(sender=attacker) is False
    assert scheduled.config() == config()


def test_cancel_schedule__clears_the_schedule_and_emits_cancelled(scheduled, manager):
    scheduled.cancel_schedule(sender=manager)
    (log,) = scheduled.get_logs()

    assert event_names([log]) == ["FeesScheduleCancelled"]
    assert scheduled.pending() == NO_SCHEDULE
    assert scheduled.pending_effective_at() == 0
    assert scheduled.config() == config()


def test_cancel_schedule__without_schedule__does_nothing_silently(fees, manager):
    fees.cancel_schedule(sender=manager)

    assert fees.get_logs() == []
    assert fees.config() == config()


def test_cancel_schedule__then_notice_passes__nothing_is_applied(scheduled, manager, warp):
    scheduled.cancel_schedule(sender=manager)
    warp(DEFAULT_NOTICE_DELAY)

    assert scheduled.apply_due(sender=manager) is False
    assert scheduled.config() == config()


def test_cancel_schedule__keeps_immediate_decreases_of_a_mixed_change(fees, manager):
    fees.set_fees(config(management_bps=300, exit_bps=0), sender=manager)

    fees.cancel_schedule(sender=manager)

    assert fees.config() == config(exit_bps=0)
