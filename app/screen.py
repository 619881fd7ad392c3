"""What the shell asks of a screen: its view and labels, and optionally whether it may be
left mid-step (Busy) and whether its work can wait out a lock (Resumable)."""

from __future__ import annotations

from typing import Protocol, TypeGuard

import flet as ft


class Screen(Protocol):
    view: ft.View

    def relabel(self) -> None: ...


class Busy(Screen, Protocol):
    """A screen with steps that run for a while (network, KDF, vault writes)."""

    def leave(self) -> bool:
        """Give up what can be given up (a login wait); True if the tab may move away now,
        False while a step must finish (it then moves on by itself)."""
        ...


class Resumable(Screen, Protocol):
    """A screen whose work in progress can wait out a lock (Receive, Share)."""

    def suspend(self) -> bool:
        """Drop what came from the vault; True if there is anything worth coming back to."""
        ...

    async def resume(self) -> None:
        """Read again from the (newly opened) wallet what ``suspend`` dropped."""
        ...


def can_be_busy(screen: Screen | None) -> TypeGuard[Busy]:
    return callable(getattr(screen, "leave", None))


def is_resumable(screen: Screen | None) -> TypeGuard[Resumable]:
    return callable(getattr(screen, "suspend", None)) and callable(getattr(screen, "resume", None))
