"""Catch the institution's redirect after a login: a one-shot listener on loopback.

The authorization code flow ends with the institution sending the browser to our
``redirect_uri`` with a code. A wallet running in a browser tab cannot receive that by
itself, so for each login this opens ``http://127.0.0.1:<free port>/callback`` (the
loopback redirect of RFC 8252 §7.3, which needs no pre-registered port), answers the
browser with a short "go back to the wallet" page and hands the full redirect URL to the
waiting Receive screen. The code in it is useless without the PKCE verifier and the
``state`` the wallet checks, so another local process calling the port gains nothing; and
like the app's own server (``app.local_guard``) it answers only requests addressed to its
own loopback name, so a web page cannot reach it through a DNS-rebound name.

The redirect URL carries the authorization code: it is never logged.
"""

from __future__ import annotations

import asyncio
import html
import http.server
import threading
from typing import Any

from app.local_guard import own_hosts

CALLBACK_PATH = "/callback"


class LoginCancelledError(Exception):
    """The user stopped waiting for the login."""


class LoginCallback:
    def __init__(self, *, title: str, body: str) -> None:
        self._loop = asyncio.get_running_loop()
        self._redirect: asyncio.Future[str] = self._loop.create_future()
        page = (
            "<!doctype html><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title>"
            '<body style="font-family: sans-serif; max-width: 28rem; margin: 3rem auto; '
            'padding: 0 1rem">'
            f"<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>"
        ).encode()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler(page))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="login-callback", daemon=True
        )
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"

    async def wait(self, timeout: float) -> str:
        """The full redirect URL the browser was sent to; ``TimeoutError`` if none came."""
        return await asyncio.wait_for(asyncio.shield(self._redirect), timeout)

    def cancel(self) -> None:
        if not self._redirect.done():
            self._redirect.set_exception(LoginCancelledError())

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if not self._redirect.done():
            self._redirect.cancel()

    def _arrived(self, url: str) -> None:  # on the event loop
        if not self._redirect.done():
            self._redirect.set_result(url)

    def _handler(self, page: bytes) -> type[http.server.BaseHTTPRequestHandler]:
        callback = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").lower()
                if host not in own_hosts(callback._server.server_address[1]):
                    self.send_error(421)
                    return
                if self.path.split("?", 1)[0] != CALLBACK_PATH:
                    self.send_error(404)
                    return
                url = f"{callback.redirect_uri}{self.path[len(CALLBACK_PATH) :]}"
                callback._loop.call_soon_threadsafe(callback._arrived, url)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request line holds the authorization code

        return Handler
