"""Which PINs and passphrases are acceptable.

A PIN is all digits, at least 6 long, not one repeated digit and not a straight run
(123456, 987654, 890123). Anything else is a passphrase of at least 8 characters that is
not one repeated character.
"""

from __future__ import annotations

import itertools
import unicodedata

from wallet_core.errors import WeakPassphraseError, WeakPinError

MIN_PIN_DIGITS = 6
MIN_PASSPHRASE_CHARS = 8
MIN_BACKUP_PASSPHRASE_CHARS = 10


def check_pin(pin: str) -> None:
    """Raise ``WeakPinError`` (reason: empty, too_short, all_same, sequence) or return."""
    text = unicodedata.normalize("NFC", pin)
    if not text:
        raise WeakPinError("empty")
    if text.isascii() and text.isdigit():
        if len(text) < MIN_PIN_DIGITS:
            raise WeakPinError("too_short")
        if _is_straight_run(text):
            raise WeakPinError("sequence")
    elif len(text) < MIN_PASSPHRASE_CHARS:
        raise WeakPinError("too_short")
    if len(set(text)) == 1:
        raise WeakPinError("all_same")


def _is_straight_run(digits: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9})


def check_backup_passphrase(passphrase: str) -> None:
    """A backup file can be attacked offline without any lockout, so: 10+ characters."""
    text = unicodedata.normalize("NFC", passphrase)
    if len(text) < MIN_BACKUP_PASSPHRASE_CHARS:
        raise WeakPassphraseError("too_short")
    if len(set(text)) == 1:
        raise WeakPassphraseError("all_same")
