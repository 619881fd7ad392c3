"""W3C Data Integrity proofs over JSON-LD credentials: one proof checked against a key.

Suites (VC Data Integrity 1.0 §4; vc-di-eddsa §3.2 and §3.3; vc-di-ecdsa §3.2):

- ``DataIntegrityProof`` with ``cryptosuite`` ``eddsa-rdfc-2022`` (Ed25519) or
  ``ecdsa-rdfc-2019`` (P-256);
- ``Ed25519Signature2020``, which the MIT Learner Credential Wallet and many Open Badges 3.0
  issuers use: the same transformation and hashing as eddsa-rdfc-2022 under its own type.

Each: the unsecured document and the proof configuration (the proof without
``proofValue``, with the document's ``@context``) are canonicalized with RDFC-1.0
(:mod:`~wallet_core.formats.jsonld`) and hashed with SHA-256; the signature in ``proofValue``
(multibase base58btc) covers ``hash(proof configuration) || hash(document)``.

No I/O: the caller resolves ``verificationMethod`` to a public key (and checks that the key is
an assertion method of the issuer) before calling :func:`verify_proof`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from wallet_core.crypto import Signer, verify_detached
from wallet_core.crypto.jwk import base58btc_decode, base58btc_encode
from wallet_core.errors import InvalidSignatureError, KeyStoreError, MalformedCredentialError
from wallet_core.formats import jsonld

# XML Schema dateTimeStamp as VC Data Integrity uses it for "created" (a zone is optional here).
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")
#: (proof type, cryptosuite or None) -> the key type it needs
SUITES: dict[tuple[str, str | None], tuple[str, str]] = {
    ("DataIntegrityProof", "eddsa-rdfc-2022"): ("OKP", "Ed25519"),
    ("DataIntegrityProof", "ecdsa-rdfc-2019"): ("EC", "P-256"),
    ("Ed25519Signature2020", None): ("OKP", "Ed25519"),
}


def suite_of(proof: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """The proof's suite when the wallet knows it; None for one it must skip."""
    kind = proof.get("type")
    cryptosuite = proof.get("cryptosuite") if kind == "DataIntegrityProof" else None
    if not isinstance(kind, str) or not isinstance(cryptosuite, str | None):
        return None  # a list or object here names no suite (and is not hashable)
    key = (kind, cryptosuite)
    return key if key in SUITES else None


def document_hash(document: Mapping[str, Any], *, deadline_at: float | None = None) -> bytes:
    """``SHA-256`` of the canonical unsecured document: the same for every proof on it."""
    if "@context" not in document:
        raise MalformedCredentialError("a Data Integrity document needs an @context")
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    return _sha256(jsonld.canonize(unsecured, deadline_at=deadline_at))


def hash_data(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    known_document_hash: bytes | None = None,
    deadline_at: float | None = None,
) -> bytes:
    """``SHA-256(canonical proof configuration) || SHA-256(canonical document)``.

    A proof with an ``@context`` of its own is accepted only when the document's
    ``@context`` starts with it (VC Data Integrity §4.3 "Verify Proof", step 2).
    """
    context = document.get("@context")
    if context is None:
        raise MalformedCredentialError("a Data Integrity document needs an @context")
    own = proof.get("@context")
    if own is not None and not _starts_with(context, own):
        raise MalformedCredentialError("the proof's @context is not where the document's starts")
    created = proof.get("created")
    if created is not None and (not isinstance(created, str) or not _DATETIME.fullmatch(created)):
        raise MalformedCredentialError("the proof's created is not a date and time")
    configuration = {name: value for name, value in proof.items() if name != "proofValue"}
    configuration["@context"] = context
    digest = known_document_hash or document_hash(document, deadline_at=deadline_at)
    return _sha256(jsonld.canonize(configuration, deadline_at=deadline_at)) + digest


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_jwk: Mapping[str, Any],
    *,
    known_document_hash: bytes | None = None,
    deadline_at: float | None = None,
) -> None:
    """Check one proof of ``document`` with the key its ``verificationMethod`` names;
    ``known_document_hash`` (:func:`document_hash`) saves hashing the document per proof.

    Raises ``MalformedCredentialError`` for an unknown suite or a malformed proof,
    ``InvalidSignatureError`` when the signature does not verify or the key is of the wrong
    type for the suite.
    """
    suite = suite_of(proof)
    if suite is None:
        raise MalformedCredentialError("the proof's suite is not one this wallet checks")
    if (public_jwk.get("kty"), public_jwk.get("crv")) != SUITES[suite]:
        raise InvalidSignatureError("the key is not of the type the proof's suite uses")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 400:
        raise MalformedCredentialError("proofValue must be a base58btc multibase string")
    try:
        signature = base58btc_decode(value[1:])
    except ValueError as exc:
        raise MalformedCredentialError("proofValue is not base58btc") from exc
    message = hash_data(
        document, proof, known_document_hash=known_document_hash, deadline_at=deadline_at
    )
    try:
        verify_detached(public_jwk, signature, message)
    except KeyStoreError as exc:
        raise InvalidSignatureError("the verification key is not usable") from exc


def add_proof(
    document: Mapping[str, Any],
    signer: Signer,
    *,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """``document`` with a ``DataIntegrityProof`` by ``signer``: eddsa-rdfc-2022 for an
    Ed25519 key, ecdsa-rdfc-2019 for P-256 (vc-di-eddsa §3.2.1, vc-di-ecdsa §3.2.1).
    ``challenge`` and ``domain`` bind a presentation to a verifier's nonce and identity."""
    crv = signer.public_jwk.get("crv")
    cryptosuite = {"Ed25519": "eddsa-rdfc-2022", "P-256": "ecdsa-rdfc-2019"}.get(str(crv))
    if cryptosuite is None:
        raise KeyStoreError(f"no Data Integrity cryptosuite for {crv!r} keys")
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": cryptosuite,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if challenge is not None:
        proof["challenge"] = challenge
    if domain is not None:
        proof["domain"] = domain
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof["proofValue"] = "z" + base58btc_encode(signer.sign(hash_data(unsecured, proof)))
    return {**unsecured, "proof": proof}


def _starts_with(context: Any, prefix: Any) -> bool:
    listed = context if isinstance(context, list) else [context]
    wanted = prefix if isinstance(prefix, list) else [prefix]
    return listed[: len(wanted)] == wanted


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()
