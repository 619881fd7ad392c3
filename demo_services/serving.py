"""Run demo services on loopback with uvicorn: in a background thread (tests, the CLI).

The services are reachable from this machine only (DESIGN §7): every helper here refuses a
host that is not a loopback address. The listening socket is bound *before* the app is
built, so the app can be told its own base URL (issuer identifier, ``aud`` of proofs) even
when the port was chosen by the kernel (``port=0``), without a bind/close/re-bind race.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

AppFactory = Callable[[str], ASGIApp]


def check_loopback(host: str) -> None:
    """Raise ``ValueError`` unless ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host)
    except ValueError as exc:
        raise ValueError(f"{host!r} is not an IP address; the demo binds to loopback only") from exc
    if not address.is_loopback:
        raise ValueError(f"{host} is not a loopback address; the demo binds to loopback only")


def base_url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound (not yet listening) TCP socket; uvicorn starts listening on it."""
    check_loopback(host)
    resolved = "127.0.0.1" if host == "localhost" else host
    family = socket.AF_INET6 if ":" in resolved else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((resolved, port))
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class BackgroundServer:
    """A uvicorn server running in a daemon thread; ``stop()`` (or ``with``) ends it."""

    name: str
    base_url: str
    app: ASGIApp
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket = field(repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        self.sock.close()

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_in_thread(
    factory: AppFactory,
    *,
    name: str = "demo",
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    access_log: bool = False,
    startup_timeout: float = 10.0,
) -> BackgroundServer:
    """Bind ``host:port`` (0 = any free port), build the app for its URL, serve it.

    Returns once uvicorn accepts connections. uvicorn installs no signal handlers outside
    the main thread, so this is safe inside pytest and next to other servers.
    """
    sock = bind_loopback(host, port)
    base_url = base_url_for(host, sock.getsockname()[1])
    try:
        app = factory(base_url)
        config = uvicorn.Config(
            app, log_level=log_level, access_log=access_log, lifespan="off", proxy_headers=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"{name}-server", daemon=True
        )
        thread.start()
    except BaseException:
        sock.close()
        raise
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the {name} server did not start on {base_url}")
        time.sleep(0.01)
    return BackgroundServer(name, base_url, app, server, thread, sock)
