"""Holder keys: generation and signing. The private half stays inside ``Signer``.

``Signer`` is what protocols get: ``alg``, ``kid`` (RFC 7638 thumbprint), ``public_jwk``
and ``sign(data)``. It offers no way to read the private key; the only export is
``_vault_material`` for the storage layer, whose bytes are then encrypted by SQLCipher
(or by the backup cipher).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from wallet_core.crypto.jwk import b64url, b64url_decode, thumbprint
from wallet_core.errors import KeyStoreError, UnsupportedAlgorithmError
from wallet_core.models import KeyAlgorithm

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


class Signer:
    __slots__ = ("_key", "alg", "kid", "public_jwk")

    def __init__(self, private_key: PrivateKey) -> None:
        self._key = private_key
        if isinstance(private_key, ec.EllipticCurvePrivateKey):
            if not isinstance(private_key.curve, ec.SECP256R1):
                raise UnsupportedAlgorithmError("only the P-256 curve is supported")
            self.alg = KeyAlgorithm.ES256
            numbers = private_key.public_key().public_numbers()
            jwk = {
                "kty": "EC",
                "crv": "P-256",
                "x": b64url(numbers.x.to_bytes(32, "big")),
                "y": b64url(numbers.y.to_bytes(32, "big")),
            }
        else:
            self.alg = KeyAlgorithm.EDDSA
            raw = private_key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
        self.kid = thumbprint(jwk)
        self.public_jwk: Mapping[str, str] = {**jwk, "kid": self.kid}

    def __repr__(self) -> str:
        return f"Signer(alg={self.alg.value!r}, kid={self.kid!r})"

    def sign(self, data: bytes) -> bytes:
        """A JWS signature over ``data``: raw r||s for ES256, 64 bytes for EdDSA."""
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return self._key.sign(data)

    def _vault_material(self) -> bytes:
        """PKCS#8 DER, for the encrypted vault and encrypted backups only."""
        return self._key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def generate(alg: KeyAlgorithm | str = KeyAlgorithm.ES256) -> Signer:
    try:
        algorithm = KeyAlgorithm(alg)
    except ValueError as exc:
        raise UnsupportedAlgorithmError(f"cannot generate {alg!r} keys") from exc
    if algorithm is KeyAlgorithm.ES256:
        return Signer(ec.generate_private_key(ec.SECP256R1()))
    return Signer(ed25519.Ed25519PrivateKey.generate())


def signer_from_vault(material: bytes) -> Signer:
    try:
        key = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyStoreError("a stored key could not be loaded") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise UnsupportedAlgorithmError("a stored key has an unsupported type")
    return Signer(key)


def signer_from_jwk(jwk: Mapping[str, Any]) -> Signer:
    """A signer from a private JWK (issuer keys in the demo and tests)."""
    try:
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            private_value = int.from_bytes(b64url_decode(jwk["d"]), "big")
            return Signer(ec.derive_private_key(private_value, ec.SECP256R1()))
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return Signer(ed25519.Ed25519PrivateKey.from_private_bytes(b64url_decode(jwk["d"])))
    except (KeyError, ValueError, TypeError) as exc:
        raise KeyStoreError("the JWK is not a usable private key") from exc
    raise UnsupportedAlgorithmError(f"unsupported JWK {jwk.get('kty')!r}/{jwk.get('crv')!r}")
