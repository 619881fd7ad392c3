"""Keys of an issuer that is a URL: the controller document it publishes there.

Open Badges 3.0 issuers are often https URLs, their proofs naming
``verificationMethod: https://issuer.example/issuers/1#key-1``. The key counts only when the
document served at the issuer's URL (W3C Controlled Identifiers 1.0: a controller document)
has that issuer as its ``id`` and lists the key under ``assertionMethod``: a key the issuer
does not list is not the issuer's, however valid its signature. Fetched under the wallet's
HTTP policy and kept in the vault cache with the trust-cache freshness rules, so a known
issuer is checked offline too.

:class:`AssertionKeys` answers for any issuer, a DID or a URL.
"""

from __future__ import annotations

import functools
from typing import Any

from wallet_core.errors import (
    DidResolutionError,
    IssuerMismatchError,
    MalformedResponseError,
    UntrustedIssuerError,
)
from wallet_core.trust.cache import Fetched
from wallet_core.trust.did import DidResolver, assertion_key
from wallet_core.trust.published import PublishedDocuments

CONTROLLER_NAMESPACE = "controller-document"
_ACCEPT = "application/ld+json, application/json"


class ControllerResolver(PublishedDocuments):
    def assertion_key(self, issuer: str, kid: str | None) -> dict[str, Any]:
        """The public JWK of ``kid`` (``<issuer>#fragment`` or ``#fragment``) among the
        assertion methods of the controller document at ``issuer``."""
        if kid is not None and not kid.startswith("#") and kid.partition("#")[0] != issuer:
            raise IssuerMismatchError("the key belongs to another controller than the issuer")
        refused = UntrustedIssuerError("the issuer's address may not be contacted")
        fetch = functools.partial(self._fetch, issuer)
        document = self._published(CONTROLLER_NAMESPACE, issuer, issuer, fetch, refused)
        return assertion_key(document, issuer, kid)

    def _fetch(self, issuer: str) -> Fetched:
        response = self._client.get(issuer, accept=_ACCEPT)
        try:
            document = response.json()
        except MalformedResponseError as exc:
            raise DidResolutionError("the issuer's controller document is not JSON") from exc
        if not isinstance(document, dict) or document.get("id") != issuer:
            raise IssuerMismatchError("the document at the issuer's address is not its own")
        return Fetched(document, response.max_age())


class AssertionKeys:
    """``(issuer, kid) -> public JWK`` for W3C credentials: DIDs through their documents,
    URLs through the controller documents they publish."""

    def __init__(self, dids: DidResolver, controllers: ControllerResolver) -> None:
        self._dids = dids
        self._controllers = controllers

    def __call__(self, issuer: str, kid: str | None) -> dict[str, Any]:
        if issuer.startswith("did:"):
            return self._dids.assertion_key(issuer, kid)
        if issuer.startswith(("https://", "http://")):
            return self._controllers.assertion_key(issuer, kid)
        raise UntrustedIssuerError("the issuer is neither a DID nor a URL")
