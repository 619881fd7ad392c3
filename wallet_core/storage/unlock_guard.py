"""Counts wrong PINs across restarts and enforces a growing lockout.

The counter is stored next to the key file, outside the encrypted database (which cannot
be read before the PIN is right). An attempt is counted *before* the KDF runs and cleared
only after success, so killing the app mid-check does not yield a free guess. Someone who
can edit the files can reset the counter; against them the Argon2id cost is the defence
(docs/threat-model.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallet_core.clock import Clock
from wallet_core.errors import LockedOutError, VaultCorruptError
from wallet_core.storage.files import write_atomic

FREE_ATTEMPTS = 5
FIRST_LOCKOUT_SECONDS = 30.0
MAX_LOCKOUT_SECONDS = 24 * 3600.0


def lockout_seconds(failures: int) -> float:
    """0 below the free attempts; then 30 s, doubling with every further failure, up to a day."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(FIRST_LOCKOUT_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCKOUT_SECONDS))


@dataclass(frozen=True)
class UnlockState:
    failures: int = 0
    last_failure_at: float = 0.0

    def seconds_left(self, now: float) -> float:
        wait = lockout_seconds(self.failures)
        # Clamped by ``wait`` so turning the clock back cannot lengthen the lockout.
        return max(0.0, min(wait, self.last_failure_at + wait - now))


class UnlockGuard:
    def __init__(self, path: Path, clock: Clock) -> None:
        self._path = path
        self._clock = clock

    def read(self) -> UnlockState:
        try:
            document: Any = json.loads(self._path.read_bytes())
            return UnlockState(int(document["failures"]), float(document["last_failure_at"]))
        except FileNotFoundError:
            return UnlockState()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VaultCorruptError("the unlock state file is unreadable") from exc

    def begin_attempt(self) -> UnlockState:
        """Refuse while locked out; otherwise record a failure in advance and return it."""
        state = self.read()
        left = state.seconds_left(self._clock.now())
        if left > 0:
            raise LockedOutError(left)
        pending = UnlockState(state.failures + 1, self._clock.now())
        self._write(pending)
        return pending

    def succeeded(self) -> None:
        self._write(UnlockState())

    def _write(self, state: UnlockState) -> None:
        document = {"failures": state.failures, "last_failure_at": state.last_failure_at}
        write_atomic(self._path, json.dumps(document).encode())
