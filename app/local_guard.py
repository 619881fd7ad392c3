"""Only the app's own page may talk to the app's server.

The UI is served on a loopback port, and a browser lets any web page the student visits
send requests there: directly to ``http://127.0.0.1:<port>``, or to the page's own name
after its DNS has been rebound to 127.0.0.1. Such a page must not be able to open a wallet
session and drive it (guess PINs, act on the welcome screen, erase a wallet). So:

- every HTTP request and websocket upgrade must name the app's own address in ``Host``
  (a rebound name arrives with the attacker's host name there), and
- every websocket upgrade must come from the app's own origin (``Origin`` is set by the
  browser and cannot be forged by a page; a missing one is refused too, since every
  browser sends it on a websocket).

Refused HTTP requests get 421 (RFC 9110 §15.5.20: not the server for that name) or 403,
refused upgrades are closed before the handshake with 403. Flet's blanket
``Access-Control-Allow-Origin: *`` is dropped: the app never needs another origin to read
its responses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def own_hosts(port: int) -> frozenset[str]:
    """The ``Host`` values a browser sends for the app at ``http://127.0.0.1:<port>/``.

    A browser leaves out the scheme's default port (RFC 9110 section 7.2), so on port 80
    the bare name is what arrives.
    """
    names = frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)
    return names | frozenset(LOOPBACK_NAMES) if port == 80 else names


def own_origins(port: int) -> frozenset[str]:
    return frozenset(f"http://{host}" for host in own_hosts(port))


def header(scope: Scope, name: bytes) -> str | None:
    """One request header's value (latin-1, as HTTP defines), or None when absent."""
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def refusal(scope: Scope, hosts: frozenset[str], origins: frozenset[str]) -> int | None:
    """The status to refuse this request with, or None when it may pass."""
    host = (header(scope, b"host") or "").lower()
    if host not in hosts:
        return 421
    if scope["type"] == "websocket":
        origin = (header(scope, b"origin") or "").lower()
        if origin not in origins:
            return 403
    return None


class LocalOnly:
    """ASGI middleware in front of the Flet app: see the module docstring."""

    def __init__(self, app: ASGIApp, *, port: int) -> None:
        self.app = app
        self.hosts = own_hosts(port)
        self.origins = own_origins(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        status = refusal(scope, self.hosts, self.origins)
        if status is not None:
            await _refuse(scope, send, status)
            return
        if scope["type"] == "websocket":

            async def while_open(message: Message) -> None:
                # Flet's send loop raises when a tab went away mid-message (a reload):
                # there is nobody left to tell, and its receive loop ends the session.
                try:
                    await send(message)
                except OSError:  # uvicorn's ClientDisconnected
                    log.debug("dropped a message for a closed tab")

            await self.app(scope, receive, while_open)
            return

        async def without_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _drop(message.get("headers", ()), b"access-control-")
            await send(message)

        await self.app(scope, receive, without_cors)


async def _refuse(scope: Scope, send: Send, status: int) -> None:
    if scope["type"] == "websocket":
        # Before "websocket.accept", a close makes the server answer the handshake with 403.
        await send({"type": "websocket.close", "code": 1008})
        return
    body = b"Not this server.\n" if status == 421 else b"Forbidden.\n"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _drop(headers: Iterable[tuple[bytes, bytes]], prefix: bytes) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if not bytes(k).lower().startswith(prefix)]
