"""structlog JSON logging with a redaction processor: secrets never reach a log line.

Two rules: any field whose name looks secret (private, secret, password, token, api_key, ...) is blanked,
and every registered secret value (the venue key, with and without 0x) is cut out of every string, so a key
formatted into a message or an exception text is redacted as well. Hashes stay readable for debugging.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = re.compile(r"(private|secret|password|passwd|token|api_?key|mnemonic|seed_phrase)", re.I)
REDACTED = "[REDACTED]"


class Redactor:
    """structlog processor; holds the secret values to cut out (no module-level state)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values: set[str] = set()
        for secret in secrets:
            if secret:
                values.add(secret)
                values.add(secret.removeprefix("0x"))
        # Longest first so "0xabc.." is replaced before its "abc.." suffix.
        self._values = sorted((v for v in values if len(v) >= 8), key=len, reverse=True)

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._values:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {
                k: (REDACTED if _SECRET_KEYS.search(str(k)) else self._scrub(v)) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self._scrub(v) for v in value]
        if isinstance(value, BaseException):
            return self._scrub(repr(value))
        return value

    def __call__(self, _: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key in list(event_dict):
            event_dict[key] = REDACTED if _SECRET_KEYS.search(key) else self._scrub(event_dict[key])
        return event_dict


def processors(secrets: Iterable[str] = ()) -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        Redactor(secrets),  # after format_exc_info so tracebacks are scrubbed too
        structlog.processors.JSONRenderer(),
    ]


def configure(level: str = "info", secrets: Iterable[str] = ()) -> None:
    structlog.configure(
        processors=processors(secrets),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
