"""The wallet against the real demo issuer on loopback: servers, wallets, offers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_admin import ISSUER_KEY, Admin
from helpers import PIN

from demo_services.issuer import create_app
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import KdfParams, ManualClock, Wallet


def _serve(**options: Any) -> Callable[[], Iterator[BackgroundServer]]:
    def fixture() -> Iterator[BackgroundServer]:
        factory = lambda base: create_app(base, issuer_key=ISSUER_KEY, **options)  # noqa: E731
        with start_in_thread(factory, name="issuer") as server:
            yield server

    return fixture


issuer = pytest.fixture(scope="session")(_serve())
deferred_issuer = pytest.fixture(scope="session")(_serve(deferred=True, deferred_delay=None))
draft13_issuer = pytest.fixture(scope="session")(_serve(mode="draft13"))
# HAIP: DPoP required, with a nonce of each server's own
dpop_issuer = pytest.fixture(scope="session")(_serve(dpop=True))
dpop_deferred_issuer = pytest.fixture(scope="session")(
    _serve(dpop=True, deferred=True, deferred_delay=None)
)
stale_nonce_issuer = pytest.fixture(scope="session")(_serve(dpop=True, dpop_nonce_lifetime=0))


@pytest.fixture
def admin(issuer: BackgroundServer) -> Iterator[Admin]:
    made = Admin(issuer)
    yield made
    made.http.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(time.time())


@pytest.fixture
def open_wallet(tmp_path: Path, clock: ManualClock) -> Iterator[Callable[..., Wallet]]:
    """Create (or reopen) the test's wallet with loopback HTTP allowed."""
    opened: list[Wallet] = []
    directory = tmp_path / "wallet"

    def make(**options: Any) -> Wallet:
        options = {"clock": clock, "allow_http_loopback": True, **options}
        if Wallet.exists(directory):
            wallet = Wallet.open(directory, PIN, **options)
        else:
            wallet = Wallet.create(directory, PIN, kdf=KdfParams.fast_for_tests(), **options)
        opened.append(wallet)
        return wallet

    yield make
    for wallet in opened:
        wallet.close()
