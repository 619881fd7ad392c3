"""The connection guard under the HTTP client: host names are resolved here and only
public addresses are connected to (SSRF at the DNS level, DESIGN §6), so a name that
resolves into a private network is refused even though its URL passed
:func:`wallet_core.http.check_url`.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from wallet_core.errors import InsecureUrlError


def unmapped(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    # ::ffff:10.0.0.1 reaches 10.0.0.1; judge the IPv4 address it stands for.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    address = unmapped(address)
    return address.is_global and not address.is_multicast


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves host names itself and connects only to public addresses (SSRF, DNS level).

    Checking the name in :func:`check_url` is not enough: ``issuer.example`` may resolve to
    10.0.0.5. Connecting to the very address that was checked also defeats DNS rebinding
    between check and use. TLS still verifies the certificate against the host name,
    because httpcore passes the origin's name as SNI/hostname, not the address we dial.
    """

    def __init__(self, allow_loopback: bool) -> None:
        self._allow_loopback = allow_loopback
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        for address in addresses:
            allowed = is_public(address) or (self._allow_loopback and unmapped(address).is_loopback)
            if not allowed:
                # A WalletError passes through httpx untouched, so the caller sees why.
                raise InsecureUrlError(f"{host} resolves to a non-public address")
        # every address was checked above; try them in order, as a resolver-aware client would
        # (localhost may resolve to ::1 first while a server listens on 127.0.0.1 only)
        failure: Exception | None = None
        for address in dict.fromkeys(addresses):
            try:
                return self._backend.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the wallet")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~0.1 s; one verifying context serves every client.
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.HTTPTransport):
    """``allow_loopback``: the policy's development switch (tests and the local demo)."""

    def __init__(self, allow_loopback: bool) -> None:
        super().__init__(verify=_tls_context(), trust_env=False)
        # The stock transport offers no hook for the network backend; swap the pool for an
        # identical one (same TLS context: certifi's CAs, nothing from the env) using ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_tls_context(),
            network_backend=_GuardedBackend(allow_loopback),
        )
