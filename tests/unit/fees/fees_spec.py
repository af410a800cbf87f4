"""The fee module's constants mirrored once in Python, plus a config builder (tests only).

Imported by the fee tests as `fees_spec` (pytest puts this folder on `sys.path`).
"""

BPS = 10_000
YEAR = 365 * 86_400
PPS_SCALE = 10**18
DAY = 86_400
MIN_NOTICE_DELAY = DAY
DEFAULT_NOTICE_DELAY = 7 * DAY

FIELDS = ("management_bps", "performance_bps", "hurdle_bps", "entry_bps", "exit_bps", "protocol_share_bps")
CAPS = {
    "management_bps": 500,
    "performance_bps": 5_000,
    "hurdle_bps": 2_000,
    "entry_bps": 200,
    "exit_bps": 200,
    "protocol_share_bps": 3_000,
}
# Components where a LOWER value costs holders more (so lowering it waits for notice).
HOLDER_FAVOURS_HIGHER = frozenset({"hurdle_bps"})
# Components where a HIGHER value costs holders more (or moves value to the protocol).
RATE_FIELDS = tuple(f for f in FIELDS if f not in HOLDER_FAVOURS_HIGHER)

# 2% mgmt, 20% perf, 5% hurdle, 0.5% entry/exit, 10% protocol share.
BASE = {
    "management_bps": 200,
    "performance_bps": 2_000,
    "hurdle_bps": 500,
    "entry_bps": 50,
    "exit_bps": 50,
    "protocol_share_bps": 1_000,
}


def config(**overrides: int) -> tuple[int, ...]:
    """The baseline config as the tuple the harness takes, with named components overridden."""
    unknown = set(overrides) - set(FIELDS)
    assert not unknown, f"unknown fee fields {unknown}"
    values = {**BASE, **overrides}
    return tuple(values[f] for f in FIELDS)


def as_dict(cfg) -> dict[str, int]:
    return dict(zip(FIELDS, tuple(cfg), strict=True))


def costlier(field: str, value: int) -> int:
    """A value of `field` one bps worse for holders than `value`."""
    return value - 1 if field in HOLDER_FAVOURS_HIGHER else value + 1


def cheaper(field: str, value: int) -> int:
    """A value of `field` one bps better for holders than `value`."""
    return value + 1 if field in HOLDER_FAVOURS_HIGHER else value - 1


def event_names(logs) -> list[str]:
    """The decoded events' names, in emission order."""
    return [type(log).__name__ for log in logs]


def event_config(log) -> tuple[int, ...]:
    """The six fee components a FeesUpdated or FeesScheduled event carries."""
    return tuple(getattr(log, f) for f in FIELDS)
