"""Key proofs for the credential request (OpenID4VCI 1.0 Appendix F.1, the ``jwt`` type).

One fresh holder key per credential instance; the proof carries its public JWK in the
header (exactly one of ``kid``/``jwk``/``x5c``), ``aud`` is the Credential Issuer
Identifier and ``iss`` is omitted for anonymous pre-authorized access.
"""

from __future__ import annotations

from collections.abc import Sequence

from wallet_core.crypto import Signer, public_only, sign_compact
from wallet_core.errors import IssuanceError
from wallet_core.models import KeyAlgorithm

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


def proof_jwt(
    signer: Signer,
    *,
    audience: str,
    nonce: str | None,
    issued_at: int,
    client_id: str | None = None,
) -> str:
    payload: dict[str, object] = {"aud": audience, "iat": issued_at}
    if nonce is not None:
        payload["nonce"] = nonce
    if client_id is not None:
        payload["iss"] = client_id
    header = {"typ": PROOF_TYP, "jwk": public_only(signer.public_jwk)}
    return sign_compact(header, payload, signer)
