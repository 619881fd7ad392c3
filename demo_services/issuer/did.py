"""The issuer's DID for its Open Badges: a ``did:web`` of its own address.

``did:web:127.0.0.1%3A8600`` names ``http(s)://127.0.0.1:8600/.well-known/did.json`` (did:web
spec §3.2 "Read": a port's colon is percent-encoded; no path → ``/.well-known``). A real
did:web is https only; wallets and verifiers resolve this one over plain http because it is
on loopback and they run with the development flag ``allow_http_loopback``
(``wallet_core.trust.did``).

The document lists two assertion methods: ``#key-1`` the issuer's P-256 key (it signs the
SD-JWT VCs, the VC-JWT Open Badges and the Token Status List) and ``#key-2`` an Ed25519 key
for Data Integrity proofs (eddsa-rdfc-2022 needs Ed25519), as ``JsonWebKey`` and
``Multikey`` verification methods (DID Core §5.2, Controlled Identifiers 1.0 §2.2).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from wallet_core.crypto import Signer, public_only
from wallet_core.crypto.jwk import b64url_decode, base58btc_encode

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
MEDIA_TYPE = "application/did+json"
JWT_KEY = "#key-1"
DATA_INTEGRITY_KEY = "#key-2"
_ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub


def did_web(identifier: str) -> str:
    """``did:web`` of an issuer identifier without a path (``http://host:port``)."""
    parts = urlsplit(identifier)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return "did:web:" + quote(netloc, safe="")


def multibase_ed25519(signer: Signer) -> str:
    return "z" + base58btc_encode(_ED25519_PUB + b64url_decode(signer.public_jwk["x"]))


def did_document(did: str, jwt_signer: Signer, data_integrity_signer: Signer) -> dict[str, Any]:
    jwt_method = {
        "id": did + JWT_KEY,
        "type": "JsonWebKey",
        "controller": did,
        "publicKeyJwk": public_only(jwt_signer.public_jwk),
    }
    di_method = {
        "id": did + DATA_INTEGRITY_KEY,
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multibase_ed25519(data_integrity_signer),
    }
    return {
        "@context": [DID_CONTEXT, JWK_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [jwt_method, di_method],
        "assertionMethod": [jwt_method["id"], di_method["id"]],
    }
