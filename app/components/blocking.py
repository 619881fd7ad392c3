"""Wallet work off the event loop, with one way to fail.

Every screen calls the wallet through :func:`run_blocking`: the call runs on a thread (the
PIN KDF, the vault and the network block), and whatever it raises comes back as a
:class:`Failed` holding the translated message, logged without secrets
(:func:`~app.messages.log_failure`). Nothing a wallet call raises reaches Flet, which would
paint it as a red error bar.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from app.messages import Message, error_message, log_failure

T = TypeVar("T")


@dataclass(frozen=True)
class Failed:
    """How a wallet call ended when it raised: the exception (for the few screens that
    treat one specially, a wrong transaction code say) and the message to show."""

    error: BaseException
    message: Message


async def run_blocking(
    logger: logging.Logger,
    what: str,
    work: Callable[..., T],
    *args: Any,
    expected: tuple[type[Exception], ...] = (),
) -> T | Failed:
    """``work(*args)`` on a thread; ``what`` names it in the log ("accept offer").
    ``expected`` are the app's own outcomes (a file that exists): not logged."""
    try:
        return await asyncio.to_thread(work, *args)
    except Exception as exc:
        if not isinstance(exc, expected):
            log_failure(logger, what, exc)
        return Failed(exc, error_message(exc))
