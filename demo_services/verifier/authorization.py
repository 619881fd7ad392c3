"""Authorization Requests (OpenID4VP 1.0 §5): transactions, Request Objects, links.

Every transaction gets fresh random values from ``secrets``: ``nonce`` (256 bits, binds the
KB-JWT to this transaction, §5.2), ``state`` (256 bits, must come back with the response),
the id in its URLs, a ``view_key`` for the result page and, with ``direct_post.jwt``, an
ephemeral P-256 ECDH-ES key (§5.1 ``client_metadata.jwks``: "ephemeral keys specific to this
Authorization Request").

How the request reaches the wallet depends on the prefix:

- ``redirect_uri``: unsigned, so by value: the ``openid4vp://`` link carries every
  parameter (``dcql_query`` and ``client_metadata`` as JSON strings, §5.1). A QR code of
  such a link is large (version ~20) but scans.
- ``x509_san_dns`` / ``x509_hash``: ``openid4vp://?client_id=..&request_uri=..`` (+
  ``request_uri_method=post``); the Request Object is signed at every fetch, ES256 with the
  leaf key, header ``typ: oauth-authz-req+jwt`` and ``x5c`` (§5, §5.9.3), ``aud``
  ``https://self-issued.me/v2`` (§5.8, static discovery), ``iat`` and a short ``exp``. A
  POST fetch's ``wallet_nonce`` is echoed (§5.10).

``response_uri`` is ``<public url>/response/<transaction id>``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Literal
from urllib.parse import quote

from joserfc.jwk import ECKey

from demo_services.verifier.context import Verifier
from demo_services.verifier.query import QUERY_KINDS, QueryKind, dcql_query
from demo_services.verifier.state import Transaction
from wallet_core.crypto import sign_compact

SCHEME = "openid4vp://"
REQUEST_TYP = "oauth-authz-req+jwt"
REQUEST_MEDIA_TYPE = "application/oauth-authz-req+jwt"
STATIC_AUDIENCE = "https://self-issued.me/v2"
ENCRYPTION_ENCS = ("A128GCM", "A256GCM")
VERIFIER_NAME = "Werkgever Demo"

RequestUriMethod = Literal["get", "post"]


class TransactionRequestError(ValueError):
    pass


def create_transaction(
    verifier: Verifier,
    *,
    same_device: bool,
    request_uri_method: RequestUriMethod = "get",
    query: QueryKind = "microcredential",
) -> Transaction:
    settings = verifier.settings
    if query not in QUERY_KINDS:
        raise TransactionRequestError(f"query must be one of {', '.join(QUERY_KINDS)}")
    if request_uri_method not in ("get", "post"):
        raise TransactionRequestError("request_uri_method must be get or post")
    if request_uri_method == "post" and not settings.signed:
        # §5.1: request_uri_method only goes with a request_uri, and a redirect_uri:
        # verifier sends no Request Object to fetch
        raise TransactionRequestError("a redirect_uri: verifier sends its request by value")
    transaction_id = secrets.token_urlsafe(16)
    response_uri = verifier.url(f"/response/{transaction_id}")
    key = None
    if settings.encrypted:
        key = ECKey.generate_key(
            "P-256",
            parameters={"kid": secrets.token_urlsafe(8), "use": "enc", "alg": "ECDH-ES"},
            private=True,
        )
    transaction = Transaction(
        id=transaction_id,
        client_id=client_id_for(verifier, response_uri),
        response_uri=response_uri,
        same_device=same_device,
        request_uri_method=request_uri_method,
        created_at=verifier.now(),
        nonce=secrets.token_urlsafe(32),
        state=secrets.token_urlsafe(32),
        view_key=secrets.token_urlsafe(24),
        encryption_key=key,
        query=query,
    )
    verifier.state.transactions.put(transaction.id, transaction, settings.transaction_lifetime)
    return transaction


def client_id_for(verifier: Verifier, response_uri: str) -> str:
    prefix = verifier.settings.client_id_prefix
    if prefix == "redirect_uri":
        return f"redirect_uri:{response_uri}"
    assert verifier.pki is not None
    if prefix == "x509_san_dns":
        return f"x509_san_dns:{verifier.settings.public_host}"
    return f"x509_hash:{verifier.pki.x509_hash}"


def client_metadata(verifier: Verifier, transaction: Transaction) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        # §11.1 and Appendix B (SD-JWT VC): what we verify; the demo issuer and
        # eduwallet use ES256.
        "vp_formats_supported": {
            "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
            # Appendix B.1.3.1.3 / B.1.3.2.3: what w3c_presentation checks
            "jwt_vc_json": {"alg_values": ["ES256", "EdDSA"]},
            "ldp_vc": {
                "proof_type_values": ["DataIntegrityProof"],
                "cryptosuite_values": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"],
            },
        },
        # RFC 7591; OpenID4VP wallets ignore it, a human reading the request does not
        "client_name": VERIFIER_NAME,
    }
    if transaction.encryption_key is not None:
        public = transaction.encryption_key.as_dict(private=False)
        metadata["jwks"] = {"keys": [public]}
        metadata["encrypted_response_enc_values_supported"] = list(ENCRYPTION_ENCS)
    return metadata


def request_parameters(verifier: Verifier, transaction: Transaction) -> dict[str, Any]:
    """The Authorization Request parameters (JSON values as objects)."""
    return {
        "response_type": "vp_token",
        "client_id": transaction.client_id,
        "response_mode": verifier.settings.response_mode,
        "response_uri": transaction.response_uri,
        "nonce": transaction.nonce,
        "state": transaction.state,
        "dcql_query": dcql_query(verifier.settings.vct_values, _kind(transaction.query)),
        "client_metadata": client_metadata(verifier, transaction),
    }


def _kind(query: str) -> QueryKind:
    return next((kind for kind in QUERY_KINDS if kind == query), "microcredential")


def request_object(
    verifier: Verifier, transaction: Transaction, wallet_nonce: str | None = None
) -> str:
    """The signed Request Object (x509 prefixes only)."""
    pki = verifier.pki
    if pki is None:
        raise TransactionRequestError("a redirect_uri: verifier cannot sign its requests")
    now = int(verifier.now())
    claims: dict[str, Any] = {
        **request_parameters(verifier, transaction),
        "aud": STATIC_AUDIENCE,
        "iat": now,
        "exp": now + verifier.settings.request_object_lifetime,
    }
    if wallet_nonce is not None:
        claims["wallet_nonce"] = wallet_nonce
    header = {"typ": REQUEST_TYP, "x5c": pki.x5c}
    return sign_compact(header, claims, pki.signer)


def request_uri(verifier: Verifier, transaction: Transaction) -> str | None:
    if not verifier.settings.signed:
        return None
    return verifier.url(f"/request/{transaction.id}")


def link(verifier: Verifier, transaction: Transaction) -> str:
    """The ``openid4vp://`` link (and QR text) for the transaction.

    Percent-encoded with ``quote`` (spaces as ``%20``), which every query parser reads back
    the same way.
    """
    uri = request_uri(verifier, transaction)
    if uri is None:
        parameters = {
            name: value if isinstance(value, str) else _json(value)
            for name, value in request_parameters(verifier, transaction).items()
        }
    else:
        parameters = {"client_id": transaction.client_id, "request_uri": uri}
        if transaction.request_uri_method == "post":
            parameters["request_uri_method"] = "post"
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in parameters.items())
    return f"{SCHEME}?{query}"


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
