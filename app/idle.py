"""Lock the wallet after a quiet spell, and as soon as the app is hidden.

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
CHECK_EVERY_SECONDS = 5.0
# Hidden tab, minimised or backgrounded app. Not INACTIVE: a file chooser or a
# download prompt makes the page inactive for a moment, and must not lock it.
HIDDEN_STATES = frozenset({ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE})


# Events the client or Flet itself sends, which say nothing about someone using the app.
NOT_THE_USER = frozenset({"app_lifecycle_state_change", "connect", "disconnect", "close"})


def idle_minutes(value: Any) -> int:
    """A stored choice, or the default for anything else (a damaged or foreign value)."""
    # type() rather than isinstance: True == 1 would otherwise pass as "1 minute".
    return value if type(value) is int and value in IDLE_CHOICES_MINUTES else DEFAULT_IDLE_MINUTES


class IdleLock:
    """Calls ``on_idle`` once ``timeout`` seconds pass without user events while armed."""

    def __init__(
        self, on_idle: Callable[[], None], *, clock: Callable[[], float] | None = None
    ) -> None:
        self._on_idle = on_idle
        self._clock = clock or time.monotonic
        self._last = self._clock()
        self.timeout: float | None = None  # None: disarmed (locked)
        self.stopped = False  # the session ended: the watch loop ends too

    def arm(self, minutes: int) -> None:
        self.timeout = minutes * 60.0
        self.touch()

    def disarm(self) -> None:
        self.timeout = None

    def touch(self) -> None:
        self._last = self._clock()

    def check(self) -> None:
        if self.timeout is not None and self._clock() - self._last >= self.timeout:
            self.timeout = None
            log.info("locking after %.0f idle seconds", self._clock() - self._last)
            self._on_idle()

    async def run(self, page: ft.Page) -> None:
        """The per-session watch loop (``page.run_task``); ends with the session."""
        while not self.stopped:
            await asyncio.sleep(CHECK_EVERY_SECONDS)
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
