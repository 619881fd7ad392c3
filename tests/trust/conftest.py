"""Fixtures for tests/trust live in loopback.py so tests can import its helpers too."""

from trust.loopback import (
    _loopback_server,
    cache,
    client,
    offline_client,
    resolver,
    server,
)

__all__ = ["_loopback_server", "cache", "client", "offline_client", "resolver", "server"]
