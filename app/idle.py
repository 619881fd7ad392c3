"""Lock the wallet after a quiet spell, and soon after the app is hidden.

Hidden means another tab, a minimised window or a backgrounded app. A student switches to
the institution's tab to copy a link or read a transaction code, so a hidden app locks
only after a grace period (chosen in Settings, one minute by default; "at once" is a
choice too). Coming back within it keeps the wallet open.

Flet 1.0.5 has no "any user event" hook, so every event the browser sends for this
session is noticed where the session dispatches it (``watch_events``); that is the one
place the app relies on Flet's session internals outside the test harness.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import flet as ft

log = logging.getLogger(__name__)

IDLE_CHOICES_MINUTES = (1, 2, 5, 10, 15)
DEFAULT_IDLE_MINUTES = 5
IDLE_SETTING = "auto_lock_minutes"
HIDDEN_CHOICES_SECONDS = (0, 30, 60, 300)
DEFAULT_HIDDEN_SECONDS = 60
HIDDEN_SETTING = "hidden_lock_seconds"
CHECK_EVERY_SECONDS = 5.0
# While hidden the grace period is short, so the check runs more often.
HIDDEN_CHECK_SECONDS = 1.0
# Hidden tab, minimised or backgrounded app. Not INACTIVE: a file chooser or a
# download prompt makes the page inactive for a moment, and must not lock it.
HIDDEN_STATES = frozenset({ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE})


# Events the client or Flet itself sends, which say nothing about someone using the app.
NOT_THE_USER = frozenset({"app_lifecycle_state_change", "connect", "disconnect", "close"})


def idle_minutes(value: Any) -> int:
    """A stored choice, or the default for anything else (a damaged or foreign value)."""
    # type() rather than isinstance: True == 1 would otherwise pass as "1 minute".
    return value if type(value) is int and value in IDLE_CHOICES_MINUTES else DEFAULT_IDLE_MINUTES


def hidden_seconds(value: Any) -> int:
    """A stored grace period, or the default for anything else."""
    return (
        value if type(value) is int and value in HIDDEN_CHOICES_SECONDS else DEFAULT_HIDDEN_SECONDS
    )


def lock_times(wallet: Any) -> tuple[int, int]:
    """Blocking: the wallet's idle minutes and hidden grace seconds (defaults if unset)."""
    return idle_minutes(wallet.setting(IDLE_SETTING)), hidden_seconds(
        wallet.setting(HIDDEN_SETTING)
    )


class IdleLock:
    """Calls ``on_idle`` once ``timeout`` seconds pass without user events while armed, or
    once the app has been hidden for ``hidden_grace`` seconds."""

    def __init__(
        self, on_idle: Callable[[], None], *, clock: Callable[[], float] | None = None
    ) -> None:
        self._on_idle = on_idle
        self._clock = clock or time.monotonic
        self._last = self._clock()
        self.timeout: float | None = None  # None: disarmed (locked)
        self.hidden_grace = float(DEFAULT_HIDDEN_SECONDS)
        self._hidden_since: float | None = None
        self.stopped = False  # the session ended: the watch loop ends too

    def arm(self, minutes: int, hidden_grace_seconds: int | None = None) -> None:
        self.timeout = minutes * 60.0
        if hidden_grace_seconds is not None:
            self.hidden_grace = float(hidden_grace_seconds)
        self.touch()

    def disarm(self) -> None:
        self.timeout = None
        self._hidden_since = None

    def hidden(self) -> None:
        """The app was hidden: lock now if there is no grace, else once it has passed."""
        if self.timeout is None:
            return
        if self._hidden_since is None:  # a PAUSE after a HIDE must not restart it
            self._hidden_since = self._clock()
        self.check()

    def shown(self) -> None:
        self._hidden_since = None

    def touch(self) -> None:
        self._last = self._clock()

    def check(self) -> None:
        if self.timeout is None:
            return
        now = self._clock()
        hidden = self._hidden_since is not None and now - self._hidden_since >= self.hidden_grace
        if hidden or now - self._last >= self.timeout:
            log.info("locking: %s", "hidden" if hidden else f"{now - self._last:.0f} s idle")
            self.disarm()
            self._on_idle()

    async def run(self, page: ft.Page) -> None:
        """The per-session watch loop (``page.run_task``); ends with the session."""
        while not self.stopped:
            hidden = self._hidden_since is not None
            await asyncio.sleep(HIDDEN_CHECK_SECONDS if hidden else CHECK_EVERY_SECONDS)
            was_armed = self.timeout is not None
            self.check()
            if was_armed and self.timeout is None:
                page.update()


def watch_events(page: ft.Page, on_event: Callable[[], None]) -> None:
    """Call ``on_event`` before every event the browser sends for this page's session."""
    session = page.session
    dispatch = session.dispatch_event

    async def noticed(control_id: int, event_name: str, event_data: Any) -> None:
        if event_name not in NOT_THE_USER:
            on_event()
        await dispatch(control_id, event_name, event_data)

    session.dispatch_event = noticed  # type: ignore[method-assign]
