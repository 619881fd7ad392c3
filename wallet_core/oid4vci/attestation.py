"""Wallet and key attestations (OpenID4VCI 1.0 Appendix D and E; HAIP 1.0 §4.4.1, §4.5.1).

A wallet provider vouches for this wallet instance: it signs a **wallet attestation** (a
Client Attestation JWT of Attestation-Based Client Authentication, draft 07 §5.1) over a key
the instance holds, and **key attestations** (``key-attestation+jwt``) over the keys a
credential will be bound to. The wallet then

- authenticates to an authorization server with ``OAuth-Client-Attestation`` and a fresh
  ``OAuth-Client-Attestation-PoP`` (§5.2: ``iss`` the attestation's ``sub``, ``aud`` the
  server, ``jti``, ``iat``) at PAR and the token endpoint. Each issuance session has a key
  of its own, made for it and attested for it, so nothing in what an issuer sees (not the
  attestation, not its ``cnf.jwk``) is the same for two sessions of one instance (HAIP
  §4.4.1: no identifier unique to a wallet instance; ``sub`` is shared by all instances);
- puts a key attestation of all the session's keys, with the issuer's ``c_nonce``, in the
  ``key_attestation`` header of its proofs when the configuration asks for one (Appendix
  F.1, ``key_attestations_required``).

The provider is asked with a request JWT signed by the session's key (``jwk`` in its header),
so nothing the provider signs can be had for a key the asker does not hold. Only public
keys go to the provider. The session key lives in memory only: client authentication
happens at PAR and the token endpoint, both within the session (a deferred poll uses the
access token).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from wallet_core.clock import Clock
from wallet_core.crypto import Signer, generate, public_only, sign_compact
from wallet_core.errors import IssuanceError, MalformedResponseError, WalletError
from wallet_core.formats.json_text import jwt_parts
from wallet_core.http import HttpClient

ATTESTATION_HEADER = "OAuth-Client-Attestation"
POP_HEADER = "OAuth-Client-Attestation-PoP"
POP_TYPE = "oauth-client-attestation-pop+jwt"
REQUEST_TYPE = "wallet-provider-request+jwt"
MAX_ATTESTATION_LENGTH = 16 * 1024
EXPIRY_MARGIN = 60.0  # seconds: an attestation this close to its exp is asked for again


class WalletProvider:
    """The wallet provider's service; each request is signed by the key it is about."""

    def __init__(self, url: str, http: HttpClient, clock: Clock) -> None:
        self.url = url.rstrip("/")
        self._http = http
        self._clock = clock

    def wallet_attestation(self, instance: Signer) -> str:
        return self._ask(instance, "/wallet-attestations", {}, "wallet_attestation")

    def key_attestation(
        self, instance: Signer, keys: Sequence[Mapping[str, Any]], nonce: str | None
    ) -> str:
        claims: dict[str, Any] = {"attested_keys": [public_only(k) for k in keys]}
        if nonce is not None:
            claims["nonce"] = nonce
        return self._ask(instance, "/key-attestations", claims, "key_attestation")

    def _ask(self, instance: Signer, path: str, claims: Mapping[str, Any], member: str) -> str:
        request = sign_compact(
            {"typ": REQUEST_TYPE, "jwk": public_only(instance.public_jwk)},
            {
                "aud": self.url,
                "iat": int(self._clock.now()),
                "jti": secrets.token_urlsafe(18),
                **claims,
            },
            instance,
        )
        try:
            answer = self._http.post_json(self.url + path, {"request": request}).json()
        except WalletError as exc:
            raise IssuanceError("the wallet provider could not vouch for this wallet") from exc
        value = answer.get(member) if isinstance(answer, Mapping) else None
        if not isinstance(value, str) or not 0 < len(value) <= MAX_ATTESTATION_LENGTH:
            raise MalformedResponseError(f"the wallet provider sent no {member}")
        return value


class ClientAttestation:
    """One issuance session's wallet attestation over the session's own key, asked for at
    its first use."""

    def __init__(self, provider: WalletProvider, clock: Clock) -> None:
        self._provider = provider
        self._clock = clock
        self._key = generate("ES256")
        self._attestation: str | None = None
        self._client_id: str | None = None
        self._expires = 0.0

    @property
    def client_id(self) -> str:
        """The attestation's ``sub``: the client_id this wallet uses (HAIP §4.4.1)."""
        self._fetch()
        assert self._client_id is not None
        return self._client_id

    def headers(self, audience: str) -> dict[str, str]:
        attestation = self._fetch()
        pop = sign_compact(
            {"typ": POP_TYPE},
            {
                "iss": self.client_id,
                "aud": audience,
                "jti": secrets.token_urlsafe(18),
                "iat": int(self._clock.now()),
            },
            self._key,
        )
        return {ATTESTATION_HEADER: attestation, POP_HEADER: pop}

    def key_attestation(self, keys: Sequence[Mapping[str, Any]], nonce: str | None) -> str:
        self._fetch()  # the provider attests keys only for a key it attested
        return self._provider.key_attestation(self._key, keys, nonce)

    def _fetch(self) -> str:
        """The attestation, asked for again (for the same key) when it is about to expire:
        a login at the institution may take longer than the provider's attestation lasts."""
        if self._attestation is None or self._clock.now() > self._expires - EXPIRY_MARGIN:
            attestation = self._provider.wallet_attestation(self._key)
            _, payload = jwt_parts(attestation, "wallet attestation")
            subject, expires = payload.get("sub"), payload.get("exp")
            if not isinstance(subject, str) or not subject:
                raise MalformedResponseError("the wallet attestation names no client (sub)")
            if not isinstance(expires, int | float) or isinstance(expires, bool):
                raise MalformedResponseError("the wallet attestation has no expiry (exp)")
            self._attestation, self._client_id = attestation, subject
            self._expires = float(expires)
        return self._attestation
