"""The network rules one wallet runs under, and the check every URL meets before it is
dereferenced (https only, no user information, no internal targets): DESIGN §6, SD-JWT VC
§"Retrieving Documents and Resources via HTTP" and §"Server-Side Request Forgery".

Parsers that run before any client exists (an offer, issuer metadata, a request's
parameters) check URLs here; :class:`wallet_core.http.HttpClient` applies the same rules to
every request and every redirect.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import httpx

from wallet_core.errors import InsecureUrlError

_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class HttpPolicy:
    """The network rules one wallet runs under.

    ``allow_http_loopback`` is the development switch of DESIGN §6 (tests and the demo);
    everything else has safe defaults that are generous for metadata documents.
    """

    allow_http_loopback: bool = False
    timeout: float = 10.0
    max_response_bytes: int = 1024 * 1024
    max_redirects: int = 3


def check_url(url: str | httpx.URL, policy: HttpPolicy) -> httpx.URL:
    """Return the parsed URL if the policy allows fetching it, else raise InsecureUrlError."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InsecureUrlError("not a valid URL") from exc
    shown = shown_url(parsed)
    if parsed.userinfo:
        raise InsecureUrlError(f"URLs with user information are refused: {shown}")
    host = parsed.host.rstrip(".").lower()
    if not host:
        raise InsecureUrlError(f"the URL has no host: {shown}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InsecureUrlError(f"the URL has an invalid port: {shown}")
    loopback = _is_loopback_host(host)
    if parsed.scheme == "https":
        pass
    elif parsed.scheme == "http":
        if not (policy.allow_http_loopback and loopback):
            raise InsecureUrlError(f"only https URLs are allowed: {shown}")
    else:
        raise InsecureUrlError(f"only https URLs are allowed: {shown}")
    if loopback:
        if not policy.allow_http_loopback:
            raise InsecureUrlError(f"loopback hosts are not allowed: {shown}")
        return parsed
    address = _ip_literal(host)
    if address is not None and not is_public(address):
        raise InsecureUrlError(f"the URL points into a private network: {shown}")
    return parsed


def _is_loopback_host(host: str) -> bool:
    # RFC 6761 §6.3: "localhost" and names under it are loopback by definition.
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = _ip_literal(host)
    return address is not None and unmapped(address).is_loopback


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


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


def shown_url(url: httpx.URL) -> str:
    """The URL for an error message: no query or fragment, which may carry tokens."""
    return str(url.copy_with(query=None, fragment=None))
