"""Only the app's own page may reach the app's server: forged Host and Origin are refused.

Against the real server (uvicorn + Flet behind ``app.local_guard``) on a free loopback
port, with raw requests a hostile page (or a DNS-rebound name) would make.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from app import main as cli_main
from app.config import AppConfig
from app.local_guard import own_hosts, own_origins


@pytest.fixture(scope="module")
def app_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = cli_main.make_server(AppConfig(tmp_path_factory.mktemp("guarded")), port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = server.force_exit = True
        thread.join(timeout=30)


def get(port: int, host: str) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}/", headers={"Host": host}, timeout=30)


def test_the_own_address_is_served_without_a_blanket_cors_header(app_port: int) -> None:
    for host in (f"127.0.0.1:{app_port}", f"localhost:{app_port}"):
        response = get(app_port, host)
        assert response.status_code == 200 and "<html" in response.text.lower()
        assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1", "127.0.0.1:1", "", "[::1]:{port}"]
)
def test_any_other_host_is_refused(app_port: int, host: str) -> None:
    response = get(app_port, host.format(port=app_port))
    assert response.status_code == 421
    assert "<html" not in response.text.lower()


def connect(port: int, origin: str | None, host: str | None = None) -> None:
    async def attempt() -> None:
        headers = {"Host": host} if host else {}
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws",
            origin=origin,  # type: ignore[arg-type]
            additional_headers=headers,
            open_timeout=30,
        ):
            pass

    asyncio.run(attempt())


def test_a_websocket_from_the_own_origin_is_accepted(app_port: int) -> None:
    connect(app_port, f"http://127.0.0.1:{app_port}")
    connect(app_port, f"http://localhost:{app_port}", host=f"localhost:{app_port}")


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://evil.example", None),
        ("http://127.0.0.1:1", None),
        ("null", None),
        (None, None),
        ("http://evil.example:{port}", "evil.example:{port}"),  # DNS rebinding
    ],
)
def test_a_websocket_from_another_origin_is_refused(
    app_port: int, origin: str | None, host: str | None
) -> None:
    fill = lambda v: v.format(port=app_port) if v else v  # noqa: E731
    with pytest.raises(InvalidStatus) as refused:  # closed before the handshake: 403
        connect(app_port, fill(origin), fill(host))
    assert refused.value.response.status_code == 403


def test_on_the_default_port_the_bare_name_is_the_own_host() -> None:
    # Browsers leave ":80" out of Host and Origin, so a bare name is the app's own there.
    assert "127.0.0.1" in own_hosts(80) and "http://localhost" in own_origins(80)
    assert "127.0.0.1" not in own_hosts(8080) and "127.0.0.1:80" not in own_hosts(8080)
