"""Turn wallet_core errors into translatable messages; never into tracebacks.

A message is kept as (key, count, fields) rather than as a rendered string so a screen can
re-render it when the user switches language while the message is showing.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.i18n import has_key, t, tn
from wallet_core import (
    LockedOutError,
    PartialIssuanceError,
    WalletError,
    WeakPassphraseError,
    WeakPinError,
    WrongPinError,
)

GENERIC_ERROR_KEY = "error.generic"
WEAK_PIN_REASONS = frozenset({"empty", "too_short", "all_same", "sequence"})


@dataclass(frozen=True)
class Message:
    key: str
    count: int | None = None  # set: ``key`` is a plural stem (``<key>.one`` / ``<key>.other``)
    fields: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        # A field may itself be a message (a reason inside a sentence): same language.
        fields = {
            k: v.render(lang) if isinstance(v, Message) else v for k, v in self.fields.items()
        }
        if self.count is not None:
            return tn(self.key, self.count, lang, **fields)
        return t(self.key, lang, **fields)


def weak_pin_message(reason: str) -> Message:
    return Message(f"pin.weak.{reason}" if reason in WEAK_PIN_REASONS else "pin.weak.other")


WEAK_PASSPHRASE_REASONS = frozenset({"too_short", "all_same"})


def passphrase_message(exc: WeakPinError) -> Message:
    """A backup passphrase has its own rule (10+ characters), so its own words."""
    reason = exc.reason if exc.reason in WEAK_PASSPHRASE_REASONS else "too_short"
    return Message(f"settings.backup.weak.{reason}")


def lockout_message(seconds_left: float) -> Message:
    # Lockouts grow to a day; "86400 seconds" would be useless, so pick a readable unit.
    seconds = max(1, math.ceil(seconds_left))
    if seconds < 120:
        return Message("error.locked_out.seconds", count=seconds)
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return Message("error.locked_out.minutes", count=minutes)
    return Message("error.locked_out.hours", count=math.ceil(minutes / 60))


def error_message(exc: BaseException) -> Message:
    """The message for any exception a wallet call can raise.

    Subclasses without their own string inherit the nearest ancestor's (``error.<code>``
    up the class tree), then the generic text. Non-wallet exceptions get the generic text.
    """
    if isinstance(exc, WrongPinError):
        return Message("error.wrong_pin", count=max(0, int(exc.attempts_left)))
    if isinstance(exc, LockedOutError):
        return lockout_message(exc.seconds_left)
    if isinstance(exc, WeakPassphraseError):
        return passphrase_message(exc)
    if isinstance(exc, WeakPinError):
        return weak_pin_message(exc.reason)
    if isinstance(exc, PartialIssuanceError):
        first = next(iter(exc.failures.values()), None)
        return Message(
            "error.partial_issuance",
            fields={
                "added": len(exc.received),
                "offered": exc.offered,
                "reason": error_message(first) if first else Message(GENERIC_ERROR_KEY),
            },
        )
    if isinstance(exc, WalletError):
        for cls in type(exc).__mro__:
            code = getattr(cls, "code", None)
            if isinstance(code, str) and has_key(f"error.{code}"):
                return Message(f"error.{code}")
    return Message(GENERIC_ERROR_KEY)


def log_failure(logger: logging.Logger, action: str, exc: BaseException) -> None:
    """Log a failed wallet call without secrets.

    wallet_core errors are expected outcomes (wrong PIN, lockout): their class is enough.
    Anything else is a bug, so keep the traceback (tracebacks hold no local variables, and
    wallet_core messages never contain the PIN).
    """
    if isinstance(exc, WalletError):
        logger.info("%s failed: %s", action, exc.code)
    else:
        logger.error("%s failed unexpectedly", action, exc_info=exc)
