"""Demo issuers running under uvicorn on free 127.0.0.1 ports, one per configuration.

Each server is module-scoped and started once; tests talk to it over real HTTP with httpx.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from demo_services.issuer import create_app
from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer, start_in_thread


class ShiftableClock:
    """Wall-clock time plus an offset tests can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def _serve(**options: Any) -> Callable[[], Iterator[BackgroundServer]]:
    def fixture() -> Iterator[BackgroundServer]:
        with start_in_thread(lambda base: create_app(base, **options), name="issuer") as server:
            yield server

    return fixture


issuer_server = pytest.fixture(scope="session")(_serve())
deferred_server = pytest.fixture(scope="session")(_serve(deferred=True, deferred_delay=None))
draft13_server = pytest.fixture(scope="session")(_serve(mode="draft13"))
draft13_deferred_server = pytest.fixture(scope="session")(
    _serve(mode="draft13", deferred=True, deferred_delay=None)
)


@pytest.fixture(scope="session")
def shift_clock() -> ShiftableClock:
    return ShiftableClock()


@pytest.fixture(scope="session")
def clocked_server(shift_clock: ShiftableClock) -> Iterator[BackgroundServer]:
    factory = lambda base: create_app(base, clock=shift_clock)  # noqa: E731
    with start_in_thread(factory, name="issuer") as server:
        yield server


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0, follow_redirects=False) as client:
        yield client


def _client(server: BackgroundServer, http: httpx.Client) -> DemoIssuerClient:
    return DemoIssuerClient(server.base_url, http)


@pytest.fixture
def issuer(issuer_server: BackgroundServer, http: httpx.Client) -> DemoIssuerClient:
    return _client(issuer_server, http)


@pytest.fixture
def deferred_issuer(deferred_server: BackgroundServer, http: httpx.Client) -> DemoIssuerClient:
    return _client(deferred_server, http)


@pytest.fixture
def draft13_issuer(draft13_server: BackgroundServer, http: httpx.Client) -> DemoIssuerClient:
    return _client(draft13_server, http)


@pytest.fixture
def draft13_deferred_issuer(
    draft13_deferred_server: BackgroundServer, http: httpx.Client
) -> DemoIssuerClient:
    return _client(draft13_deferred_server, http)


@pytest.fixture
def clocked_issuer(
    clocked_server: BackgroundServer, http: httpx.Client, shift_clock: ShiftableClock
) -> Iterator[DemoIssuerClient]:
    shift_clock.offset = 0.0
    yield _client(clocked_server, http)
    shift_clock.offset = 0.0
