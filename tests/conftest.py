"""Shared fixtures: fast wallets and credential factories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import PIN
from loopback import _loopback_server, cache, client, offline_client, resolver, server

from wallet_core import KdfParams, ManualClock, Wallet


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.fast_for_tests()


@pytest.fixture
def wallet_dir(tmp_path: Path) -> Path:
    return tmp_path / "wallet"


@pytest.fixture
def wallet(wallet_dir: Path, fast_kdf: KdfParams, clock: ManualClock) -> Iterator[Wallet]:
    with Wallet.create(wallet_dir, PIN, kdf=fast_kdf, clock=clock) as opened:
        yield opened


__all__ = ["_loopback_server", "cache", "client", "offline_client", "resolver", "server"]
