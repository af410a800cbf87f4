"""Stateful test of fee scheduling: random set_fees / warp / apply_due / cancel sequences.

Invariants checked after every step:
- the config in force (and any scheduled one) never exceeds the caps;
- no holder-unfavourable change is ever in force before `notice_delay` has passed since it was scheduled
  (checked from the emitted events, independently of the model);
- holder-favourable changes are in force immediately after `set_fees`;
- the contract's state equals a small Python model of the specification.
"""

from pathlib import Path

import boa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

HARNESS = Path(__file__).resolve().parents[2] / "contracts" / "mocks" / "FeesHarness.vy"

FIELDS = ("management_bps", "performance_bps", "hurdle_bps", "entry_bps", "exit_bps", "protocol_share_bps")
CAPS = (500, 5_000, 2_000, 200, 200, 3_000)
HURDLE = FIELDS.index("hurdle_bps")
NOTICE = 86_400 * 3
INITIAL = (200, 2_000, 500, 50, 50, 1_000)
NO_SCHEDULE = (0, 0, 0, 0, 0, 0)

_deployer = None


def _harness_deployer():
    global _deployer
    if _deployer is None:
        _deployer = boa.load_partial(str(HARNESS))
    return _deployer


def _now() -> int:
    return boa.env.evm.patch.timestamp


def _unfavourable(i: int, old: int, new: int) -> bool:
    """Whether moving component `i` from `old` to `new` costs holders more."""
    return new < old if i == HURDLE else new > old


def _favourable_side(i: int, old: int, new: int) -> int:
    return max(old, new) if i == HURDLE else min(old, new)


def _component(i: int) -> st.SearchStrategy[int]:
    cap = CAPS[i]
    return st.one_of(st.sampled_from([0, 1, cap - 1, cap]), st.integers(0, cap))


IN_CAP_CONFIGS = st.tuples(*(_component(i) for i in range(len(FIELDS))))


class FeeScheduleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.manager = boa.env.generate_address("manager")
        self.fees = _harness_deployer().deploy(INITIAL, NOTICE, sender=self.manager)
        # Python model of the specification.
        self.config = INITIAL
        self.pending = NO_SCHEDULE
        self.effective_at = 0
        # What the events have told us, used to check the notice rule independently of the model.
        self.observed = INITIAL
        self.live_schedule: tuple[tuple[int, ...], int] | None = None  # (config, scheduled_at)

    # ---------------------------------------------------------------- model
    def _model_apply_due(self) -> bool:
        if self.effective_at == 0 or _now() < self.effective_at:
            return False
        self.config, self.pending, self.effective_at = self.pending, NO_SCHEDULE, 0
        return True

    def _model_set_fees(self, new: tuple[int, ...]) -> None:
        self._model_apply_due()
        pairs = enumerate(zip(self.config, new, strict=True))
        immediate = tuple(_favourable_side(i, o, n) for i, (o, n) in pairs)
        self.config = immediate
        if immediate == new:
            self.pending, self.effective_at = NO_SCHEDULE, 0
        else:
            self.pending, self.effective_at = new, _now() + NOTICE

    # ---------------------------------------------------------------- event checks
    def _check_events(self) -> None:
        for log in self.fees.get_logs():
            name = type(log).__name__
            values = tuple(getattr(log, f, None) for f in FIELDS)
            if name == "FeesScheduled":
                assert log.effective_at == _now() + NOTICE
                self.live_schedule = (values, _now())
            elif name == "FeesScheduleCancelled":
                assert self.live_schedule is not None, "cancelled a schedule that did not exist"
                self.live_schedule = None
            elif name == "FeesUpdated":
                raised = [i for i in range(len(FIELDS)) if _unfavourable(i, self.observed[i], values[i])]
                if raised:
                    assert self.live_schedule is not None, f"{raised} raised without a schedule"
                    scheduled, scheduled_at = self.live_schedule
                    assert values == scheduled, "a raise put something other than the schedule in force"
                    assert _now() >= scheduled_at + NOTICE, "a raise took effect before the notice ran out"
                if self.live_schedule is not None and values == self.live_schedule[0]:
                    expired = _now() >= self.live_schedule[1] + NOTICE
                    self.live_schedule = None if expired else self.live_schedule
                self.observed = values
            else:
                raise AssertionError(f"unexpected event {name}")

    # ---------------------------------------------------------------- rules
    @rule(new=IN_CAP_CONFIGS)
    def set_fees(self, new):
        self._model_apply_due()
        before = self.config
        self.fees.set_fees(new, sender=self.manager)
        self._check_events()
        self._model_set_fees(new)
        after = self.fees.config()
        for i in range(len(FIELDS)):
            if not _unfavourable(i, before[i], new[i]):
                assert after[i] == new[i], f"{FIELDS[i]}: favourable change not immediate"

    @rule(field=st.integers(0, len(FIELDS) - 1), step=st.sampled_from([-1, 1]))
    def nudge_one_component(self, field, step):
        current = list(self.fees.config())
        current[field] = min(max(current[field] + step, 0), CAPS[field])
        self.set_fees(tuple(current))

    @rule(field=st.integers(0, len(FIELDS) - 1), excess=st.integers(1, 2**16 - 1))
    def set_fees_above_cap__reverts(self, field, excess):
        new = list(INITIAL)
        new[field] = min(CAPS[field] + excess, 2**16 - 1)
        with boa.reverts("fees: above cap"):
            self.fees.set_fees(tuple(new), sender=self.manager)

    @rule(seconds=st.one_of(
        st.sampled_from([0, 1, NOTICE - 1, NOTICE, NOTICE + 1]), st.integers(0, 3 * NOTICE)
    ))
    def warp(self, seconds):
        boa.env.evm.patch.timestamp += seconds

    @rule()
    def warp_to_exactly_effective_at(self):
        # lands on the boundary second when a schedule exists; otherwise leaves the clock alone
        boa.env.evm.patch.timestamp = max(_now(), self.effective_at)

    @rule()
    def warp_to_one_second_before_effective_at(self):
        # the last second at which a scheduled raise must still not apply
        boa.env.evm.patch.timestamp = max(_now(), self.effective_at - 1)

    @rule()
    def apply_due(self):
        applied = self.fees.apply_due(sender=self.manager)
        self._check_events()
        assert applied == self._model_apply_due()

    @rule()
    def cancel_schedule(self):
        self.fees.cancel_schedule(sender=self.manager)
        self._check_events()
        self.pending, self.effective_at = NO_SCHEDULE, 0

    # ---------------------------------------------------------------- invariants
    @invariant()
    def config_never_exceeds_caps(self):
        assert all(v <= cap for v, cap in zip(self.fees.config(), CAPS, strict=True))
        assert all(v <= cap for v, cap in zip(self.fees.pending(), CAPS, strict=True))

    @invariant()
    def state_matches_the_model(self):
        assert self.fees.config() == self.config
        assert self.fees.pending() == self.pending
        assert self.fees.pending_effective_at() == self.effective_at

    @invariant()
    def events_match_the_config_in_force(self):
        assert self.fees.config() == self.observed

    @invariant()
    def no_schedule_means_an_empty_pending_config(self):
        if self.fees.pending_effective_at() == 0:
            assert self.fees.pending() == NO_SCHEDULE


# Each example deploys a contract and runs ~30 steps (~0.1 s): bound the count whatever the profile says.
FeeScheduleMachine.TestCase.settings = settings(
    settings.default, max_examples=min(settings.default.max_examples, 100), stateful_step_count=30
)
TestFeeSchedule = FeeScheduleMachine.TestCase
