"""Shared by tests: a real HTTP server on loopback (issuer metadata, JWK Sets,
did:web documents) and fixtures around it. conftest.py re-exports the fixtures."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from wallet_core.clock import ManualClock
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.trust import IssuerKeyResolver, MemoryCache

DEV = HttpPolicy(allow_http_loopback=True, timeout=5.0)


@dataclass
class Route:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class LoopbackServer:
    """Serves whatever a test put in ``routes``; records the paths it was asked for."""

    base: str = ""
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    # POST handlers get the raw body and answer with a Route
    post_handlers: dict[str, Callable[[bytes], Route]] = field(default_factory=dict)

    def json(self, path: str, value: Any, status: int = 200, **headers: str) -> str:
        self.routes[path] = Route(
            status,
            json.dumps(value).encode(),
            {"content-type": "application/json", **headers},
        )
        return self.base + path

    def raw(self, path: str, body: bytes, content_type: str, status: int = 200) -> str:
        self.routes[path] = Route(status, body, {"content-type": content_type})
        return self.base + path

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()
        self.post_handlers.clear()


def _handler_for(state: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.requests.append(self.path)
            route = state.routes.get(self.path)
            if route is None:
                route = Route(404, b"{}", {"content-type": "application/json"})
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def do_POST(self) -> None:
            state.requests.append(self.path)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            handler = state.post_handlers.get(self.path)
            route = (
                handler(body)
                if handler
                else Route(404, b"{}", {"content-type": "application/json"})
            )
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

    return Handler


@pytest.fixture(scope="session")
def _loopback_server() -> Iterator[LoopbackServer]:
    state = LoopbackServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    state.base = f"http://127.0.0.1:{state.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def server(_loopback_server: LoopbackServer) -> Iterator[LoopbackServer]:
    _loopback_server.reset()
    yield _loopback_server
    _loopback_server.reset()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(DEV) as made:
        yield made


@pytest.fixture
def cache() -> MemoryCache:
    return MemoryCache()


@pytest.fixture
def resolver(client: HttpClient, cache: MemoryCache, clock: ManualClock) -> IssuerKeyResolver:
    return IssuerKeyResolver(client, cache, clock)


@pytest.fixture
def offline_client() -> Iterator[HttpClient]:
    """A client whose every request fails as if the network were down."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("network is unreachable", request=request)

    with HttpClient(DEV, transport=httpx.MockTransport(handler)) as made:
        yield made
