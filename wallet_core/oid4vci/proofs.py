"""Key proofs for the credential request (OpenID4VCI 1.0 Appendix F.1, the ``jwt`` type).

One fresh holder key per credential instance; the proof names its public key in the header
(exactly one of ``kid``/``jwk``/``x5c``): as a ``jwk``, or, where the credential names its
holder by a DID (W3C VCs: ``credentialSubject.id``), as ``kid`` = the ``did:jwk`` of that key
with its one verification method ``#0``. ``aud`` is the Credential Issuer Identifier and
``iss`` is omitted for anonymous pre-authorized access.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wallet_core.crypto import Signer, did_jwk, public_only, sign_compact
from wallet_core.errors import IssuanceError
from wallet_core.formats.registry import rules_for
from wallet_core.models import KeyAlgorithm
from wallet_core.oid4vci.models import CredentialConfiguration

PROOF_TYP = "openid4vci-proof+jwt"
# Ed25519 is the RFC 9864 name for EdDSA over Ed25519; issuers advertise either.
_ACCEPTED = {KeyAlgorithm.ES256: ("ES256",), KeyAlgorithm.EDDSA: ("EdDSA", "Ed25519")}


def choose_algorithm(supported: Sequence[str]) -> KeyAlgorithm:
    """ES256 unless the issuer only takes Ed25519; ES256 too when it says nothing."""
    if not supported:
        return KeyAlgorithm.ES256
    for algorithm in (KeyAlgorithm.ES256, KeyAlgorithm.EDDSA):
        if any(name in supported for name in _ACCEPTED[algorithm]):
            return algorithm
    raise IssuanceError(
        f"the issuer accepts only proof algorithms this wallet lacks: {sorted(supported)}"
    )


def binds_by_did(configuration: CredentialConfiguration) -> bool:
    """Whether to name the holder key by its ``did:jwk``: the format names its holder by a
    DID and the issuer binds to DIDs (or says nothing), or the issuer binds to DIDs only
    (``cryptographic_binding_methods_supported``, OpenID4VCI 1.0 Appendix A.1)."""
    methods = configuration.cryptographic_binding_methods
    dids = any(method == "did" or method.startswith("did:") for method in methods)
    by_did = rules_for(configuration.format).holder_did
    if not methods:
        return by_did
    return dids and (by_did or "jwk" not in methods)


def proof_jwt(
    signer: Signer,
    *,
    audience: str,
    nonce: str | None,
    issued_at: int,
    client_id: str | None = None,
    by_did: bool = False,
    key_attestation: str | None = None,
) -> str:
    payload: dict[str, object] = {"aud": audience, "iat": issued_at}
    if nonce is not None:
        payload["nonce"] = nonce
    if client_id is not None:
        payload["iss"] = client_id
    header: dict[str, object] = {"typ": PROOF_TYP}
    if key_attestation is not None:
        header["key_attestation"] = key_attestation  # Appendix D, F.1
    if by_did:
        header["kid"] = did_jwk(signer.public_jwk) + "#0"
    else:
        header["jwk"] = public_only(signer.public_jwk)
    return sign_compact(header, payload, signer)


def request_body(
    configuration: CredentialConfiguration,
    proofs: Sequence[str],
    *,
    draft13: bool,
    credential_identifier: str | None,
) -> dict[str, Any]:
    """A Credential Request (1.0 §8.2: ``credential_identifier`` or
    ``credential_configuration_id``, ``proofs``; draft 13: ``format`` and the type, one
    ``proof``)."""
    if draft13:
        body: dict[str, Any] = {"format": configuration.format}
        if configuration.vct is not None:
            body["vct"] = configuration.vct
        if configuration.credential_definition is not None:
            # only the type identity; the metadata's display parts are not ours to send
            definition = configuration.credential_definition
            body["credential_definition"] = {
                k: definition[k] for k in ("type", "@context") if k in definition
            }
        if proofs:
            body["proof"] = {"proof_type": "jwt", "jwt": proofs[0]}
        return body
    body = (
        {"credential_identifier": credential_identifier}
        if credential_identifier is not None
        else {"credential_configuration_id": configuration.id}
    )
    if proofs:
        body["proofs"] = {"jwt": list(proofs)}
    return body
