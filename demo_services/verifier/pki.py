"""A throwaway X.509 PKI for the x509 Client Identifier Prefixes (OpenID4VP 1.0 §5.9.3).

At start the verifier makes a root CA and one leaf certificate under it, both P-256:

- root: ``CN=Werkgever Demo Root CA``, CA, ten years. Its private key is used once, to sign
  the leaf, and then dropped: nothing can ever issue a second certificate under it.
- leaf: ``CN=Werkgever Demo``, ``digitalSignature`` only, SAN ``dNSName`` = the verifier's
  DNS name (``localhost`` on loopback), one year. Its key signs the Request Objects.

The Request Object's ``x5c`` carries the leaf only: the root is the trust anchor, which the
wallet must already have (RFC 5280 path validation starts from it; HAIP forbids sending
it). The root is served as PEM at ``/ca.pem`` so a demo wallet can be configured with it.

Extensions follow what ``cryptography``'s Web PKI verifier (the one ``wallet_core.trust``
uses) demands: basic constraints and key usage critical, subject and authority key
identifiers, a SAN on the leaf.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from wallet_core.crypto import Signer
from wallet_core.crypto.jwk import b64url

ORGANISATION = "Werkgever Demo"


@dataclass(frozen=True)
class VerifierPki:
    root: x509.Certificate
    leaf: x509.Certificate
    signer: Signer = field(repr=False)  # the leaf's key

    @property
    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    @property
    def x5c(self) -> list[str]:
        """RFC 7515 §4.1.6: standard base64 (with padding) of the DER, leaf first."""
        return [base64.b64encode(self.leaf.public_bytes(serialization.Encoding.DER)).decode()]

    @property
    def x509_hash(self) -> str:
        """OpenID4VP §5.9.3 ``x509_hash``: base64url SHA-256 of the leaf's DER."""
        der = self.leaf.public_bytes(serialization.Encoding.DER)
        return b64url(hashlib.sha256(der).digest())


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def create_pki(dns_name: str, now: float, organisation: str = ORGANISATION) -> VerifierPki:
    """A root and a leaf for ``dns_name``, valid from a day before ``now`` (the demo wallet
    provider makes its own the same way, under its own name)."""
    start = dt.datetime.fromtimestamp(now, dt.UTC) - dt.timedelta(days=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{organisation} Root CA", organisation)
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation, organisation))
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    del root_key  # see the module docstring: the root signs exactly one certificate
    return VerifierPki(root=root, leaf=leaf, signer=Signer(leaf_key))
