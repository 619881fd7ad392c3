"""The verifier's settings and the one object every endpoint works with (``Verifier``).

Identity per Client Identifier Prefix (OpenID4VP 1.0 §5.9.3):

==================  ======================================================================
``redirect_uri``    ``redirect_uri:<response_uri>``; the request is unsigned and travels by
                    value in the link. The response URI is per transaction, so the
                    ``client_id`` (and the KB-JWT ``aud``) differs per transaction too.
``x509_san_dns``    ``x509_san_dns:<dns name>``; signed Request Object by reference, the
                    leaf certificate names the DNS name, and the wallet checks that the
                    ``response_uri`` host equals it.
``x509_hash``       ``x509_hash:<base64url sha256 of the leaf DER>``; signed, by reference.
==================  ======================================================================

DNS name on loopback: a ``dNSName`` SAN cannot hold an IP address, and the wallet compares
the ``response_uri`` host with the DNS name literally. So when the base URL's host is an IP
literal (``127.0.0.1``), the x509_san_dns verifier names itself ``localhost`` and hands out
``http://localhost:<port>/...`` URLs (``public_url``); it still listens on 127.0.0.1 only.
Wallets and tests must talk to it at ``http://localhost:<port>`` in that mode.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
from starlette.requests import Request

from demo_services.issuer.did import did_web
from demo_services.issuer.tokens import random_token
from demo_services.verifier.pki import VerifierPki, create_pki
from demo_services.verifier.state import Clock, VerifierState
from wallet_core import http
from wallet_core.errors import UntrustedIssuerError
from wallet_core.trust import (
    AssertionKeys,
    ControllerResolver,
    DidResolver,
    IssuerKeyResolver,
    MemoryCache,
)

ClientIdPrefix = Literal["redirect_uri", "x509_san_dns", "x509_hash"]
ResponseMode = Literal["direct_post", "direct_post.jwt"]
CLIENT_ID_PREFIXES: tuple[ClientIdPrefix, ...] = ("redirect_uri", "x509_san_dns", "x509_hash")
RESPONSE_MODES: tuple[ResponseMode, ...] = ("direct_post", "direct_post.jwt")
DEFAULT_VCT = "VerifiableMicroCredential"
WALLET_OFFLINE_AUDIENCE = "eduwallet:offline"  # what eduwallet uses when told no audience

# (protected header, unverified payload) -> the public JWK that must have signed the
# Issuer-signed JWT; the same shape ``wallet_core.formats.sd_jwt`` takes as a resolver.
IssuerKeySource = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class VerifierSettings:
    """Protocol choices, trust and lifetimes (seconds). Defaults suit the demo."""

    base_url: str
    client_id_prefix: ClientIdPrefix = "redirect_uri"
    response_mode: ResponseMode = "direct_post"
    vct_values: tuple[str, ...] = (DEFAULT_VCT,)
    # None: any issuer whose key resolves (jwt-vc-issuer metadata) is accepted and shown
    trusted_issuers: tuple[str, ...] | None = None
    # None: (public_url, "eduwallet:offline"), see offline.py
    offline_audiences: tuple[str, ...] | None = None
    transaction_lifetime: float = 600.0
    result_lifetime: float = 1800.0  # how long a finished transaction stays viewable
    request_object_lifetime: int = 300
    max_failed_responses: int = 5
    kb_max_age: float = 300.0  # online and offline: how old a KB-JWT may be
    # x509_san_dns: the DNS name; None derives it from base_url (see module docstring)
    dns_name: str | None = None
    # the wallet app's address (``scripts/run --demo``): "Open in wallet" goes there
    wallet_url: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("base_url must be an absolute http(s) URL")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("base_url must have no path, query or fragment")
        if self.client_id_prefix not in CLIENT_ID_PREFIXES:
            raise ValueError(f"client_id_prefix must be one of {CLIENT_ID_PREFIXES}")
        if self.response_mode not in RESPONSE_MODES:
            raise ValueError(f"response_mode must be one of {RESPONSE_MODES}")
        if not self.vct_values or not all(isinstance(v, str) and v for v in self.vct_values):
            raise ValueError("vct_values must be a non-empty list of strings")
        if self.max_failed_responses < 1:
            raise ValueError("max_failed_responses must be at least 1")

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "127.0.0.1"

    @property
    def public_host(self) -> str:
        """The host in every URL the verifier hands out (see the module docstring)."""
        if self.client_id_prefix != "x509_san_dns":
            return self.host
        return self.dns_name or ("localhost" if _is_ip(self.host) else self.host)

    @property
    def public_url(self) -> str:
        parts = urlsplit(self.base_url)
        host = self.public_host
        shown = f"[{host}]" if ":" in host else host
        netloc = f"{shown}:{parts.port}" if parts.port else shown
        return urlunsplit((parts.scheme, netloc, "", "", "")).rstrip("/")

    @property
    def signed(self) -> bool:
        return self.client_id_prefix != "redirect_uri"

    @property
    def encrypted(self) -> bool:
        return self.response_mode == "direct_post.jwt"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Verifier:
    """Settings, certificate, state, HTTP client and issuer trust of one running verifier."""

    def __init__(
        self,
        settings: VerifierSettings,
        clock: Clock,
        issuer_keys: IssuerKeySource | None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.pki: VerifierPki | None = (
            create_pki(settings.public_host, clock()) if settings.signed else None
        )
        self.state = VerifierState(clock)
        # Issuers, status lists: fetched under the wallet's own network rules, with plain
        # http allowed for loopback only (the demo issuer).
        self.http = http.HttpClient(
            http.HttpPolicy(allow_http_loopback=True, timeout=5.0), transport
        )
        self._resolver = IssuerKeyResolver(self.http, MemoryCache(), _Clock(clock))
        # W3C credentials (Open Badges): DID documents and controller documents
        self._assertion_keys = AssertionKeys(
            DidResolver(self.http, MemoryCache(), _Clock(clock)),
            ControllerResolver(self.http, MemoryCache(), _Clock(clock)),
        )
        self._issuer_keys = issuer_keys
        # Guards the demo page's upload form against cross-site posts.
        self.page_csrf = random_token(16)

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    def url(self, path: str) -> str:
        return self.settings.public_url + path

    def now(self) -> float:
        return self.clock()

    @property
    def offline_audiences(self) -> tuple[str, ...]:
        configured = self.settings.offline_audiences
        return configured if configured is not None else (self.public_url, WALLET_OFFLINE_AUDIENCE)

    def issuer_key(
        self, header: Mapping[str, Any], payload: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """The key for an Issuer-signed JWT; the issuer allow-list is checked *before* any
        metadata is fetched, so an untrusted ``iss`` never makes us dereference its URL."""
        iss = payload.get("iss")
        trusted = self.settings.trusted_issuers
        if trusted is not None and iss not in trusted:
            raise UntrustedIssuerError("the credential's issuer is not on this verifier's list")
        if self._issuer_keys is not None:
            return self._issuer_keys(header, payload)
        return self._resolver.resolve(iss if isinstance(iss, str) else None, header)

    def w3c_issuer_key(self, issuer: str, kid: str | None) -> Mapping[str, Any]:
        """The key for a W3C credential (``w3c_vc``'s resolver); the allow-list is checked
        first, so an untrusted issuer's DID or URL is never dereferenced. A trusted issuer
        URL also trusts its did:web (the demo issuer signs its Open Badges as one)."""
        trusted = self.settings.trusted_issuers
        if trusted is not None and issuer not in {*trusted, *(did_web(url) for url in trusted)}:
            raise UntrustedIssuerError("the credential's issuer is not on this verifier's list")
        return self._assertion_keys(issuer, kid)

    def close(self) -> None:
        self.http.close()


class _Clock:
    """``wallet_core.clock.Clock`` over the demo's plain ``() -> float`` clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock()


def verifier_of(request: Request) -> Verifier:
    verifier = request.app.state.verifier
    assert isinstance(verifier, Verifier)
    return verifier
