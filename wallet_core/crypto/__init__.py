"""Holder keys and the JOSE adapter. No I/O; private keys never leave ``Signer``."""

from wallet_core.crypto.detached import verify_detached
from wallet_core.crypto.jose import ALLOWED_ALGORITHMS, sign_compact, verify_compact
from wallet_core.crypto.jwk import did_jwk, public_only, thumbprint
from wallet_core.crypto.keys import Signer, generate, signer_from_jwk

__all__ = [
    "ALLOWED_ALGORITHMS",
    "Signer",
    "did_jwk",
    "generate",
    "public_only",
    "sign_compact",
    "signer_from_jwk",
    "thumbprint",
    "verify_compact",
    "verify_detached",
]
