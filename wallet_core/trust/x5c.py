"""Issuer keys from an ``x5c`` header: chain validation and name binding.

SD-JWT VC §"Issuer Verification Key Discovery and Validation" (#key-stuff), "Inline X.509
Certificates": the recipient uses the key of the end-entity certificate and validates the
chain; the issuer is then the subject of that certificate. We validate the chain with
``cryptography.x509.verification`` against the trust anchors the wallet is configured with;
with no anchors, ``x5c`` proves nothing and is refused.

Binding to ``iss``. The current draft makes ``iss`` optional next to ``x5c`` and no longer
spells out a SAN rule; earlier drafts (≤ -09) required the ``iss`` URL to appear as a
``uniformResourceIdentifier`` SAN (or its DNS name as ``dNSName``). We keep that rule because
§"Ecosystem-specific Public Key Verification Methods" requires that key resolution keep "the
integrity of the relationship between the ``iss`` value ... and the public keys of the
Issuer": a certificate any trusted CA gave to *another* institution must not sign
credentials that claim to come from this one. So, when ``iss`` is present:

* ``iss`` equals a URI SAN of the leaf, or
* ``iss`` is an http(s) URL and its host equals a ``dNSName`` SAN (exact, no wildcards) or,
  for an IP-literal host, an ``iPAddress`` SAN.

Otherwise :class:`CertificateChainError`. Chain policy: the Web PKI defaults of
``cryptography`` for CA certificates; for the leaf the Web PKI defaults except that any
Extended Key Usage is accepted (issuer signing certificates carry ecosystem-specific or no
EKUs, never TLS client/server ones), and a Key Usage, when present, must allow
``digitalSignature``. Certificates are checked at the time of the injected clock.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from wallet_core.errors import CertificateChainError
from wallet_core.trust.keys import public_key_jwk

MAX_CHAIN_LENGTH = 10  # certificates in one x5c; real chains have 2-4


def key_from_x5c(
    x5c: Any,
    iss: str | None,
    trust_anchors: Sequence[x509.Certificate],
    now: float,
    *,
    trust_pinned: bool = False,
) -> dict[str, Any]:
    """The leaf's public JWK, once the chain reaches an anchor and the leaf names ``iss``.

    ``trust_pinned``: a leaf that is itself one of the anchors is trusted as it is. For a
    verifier's request (OpenID4VP 1.0 §5.9.3: an ``x509_hash`` certificate may be
    self-signed); never for an issuer, whose signing certificate must not be self-signed
    and must chain to an anchor not in ``x5c`` (HAIP 1.0, "Issuer identification and key
    resolution")."""
    certificates = parse_x5c(x5c)
    if not trust_anchors:
        raise CertificateChainError("no trust anchors are configured for x5c certificates")
    leaf, intermediates = certificates[0], certificates[1:]
    if trust_pinned and _is_anchor(leaf, trust_anchors):
        _check_pinned(leaf, now)
    else:
        _check_chain(leaf, intermediates, trust_anchors, now)
    _check_key_usage(leaf)
    if iss is not None:
        _check_names(leaf, iss)
    return public_key_jwk(leaf.public_key(), CertificateChainError)


def _is_anchor(leaf: x509.Certificate, trust_anchors: Sequence[x509.Certificate]) -> bool:
    """A certificate configured as a trust anchor itself (a verifier's self-signed one,
    pinned) is trusted as it is: chain validation would refuse a CA certificate, or a
    self-signed one, as an end-entity. Compared by DER, so only exactly that certificate."""
    der = leaf.public_bytes(Encoding.DER)
    return any(anchor.public_bytes(Encoding.DER) == der for anchor in trust_anchors)


def _check_pinned(leaf: x509.Certificate, now: float) -> None:
    moment = datetime.fromtimestamp(now, UTC)
    if not leaf.not_valid_before_utc <= moment <= leaf.not_valid_after_utc:
        raise CertificateChainError("the pinned certificate is not valid at this time")


def _check_chain(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    trust_anchors: Sequence[x509.Certificate],
    now: float,
) -> None:
    builder = (
        PolicyBuilder()
        .store(Store(list(trust_anchors)))
        .time(datetime.fromtimestamp(now, UTC))
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=ExtensionPolicy.webpki_defaults_ee().may_be_present(
                x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None
            ),
        )
    )
    try:
        builder.build_client_verifier().verify(leaf, intermediates)
    except VerificationError as exc:
        raise CertificateChainError(
            "the x5c chain does not lead to a trusted certificate authority"
        ) from exc


def parse_x5c(x5c: Any) -> list[x509.Certificate]:
    """RFC 7515 §4.1.6: a non-empty array of base64 (not base64url) DER certificates."""
    if not isinstance(x5c, list) or not x5c:
        raise CertificateChainError("x5c must be a non-empty array")
    if len(x5c) > MAX_CHAIN_LENGTH:
        raise CertificateChainError("x5c has too many certificates")
    certificates = []
    for item in x5c:
        if not isinstance(item, str):
            raise CertificateChainError("x5c entries must be strings")
        try:
            certificates.append(
                x509.load_der_x509_certificate(base64.b64decode(item, validate=True))
            )
        except (binascii.Error, ValueError) as exc:
            raise CertificateChainError("an x5c entry is not a DER certificate") from exc
    return certificates


def _check_key_usage(leaf: x509.Certificate) -> None:
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.digital_signature:
        raise CertificateChainError("the issuer certificate is not for digital signatures")


def _check_names(leaf: x509.Certificate, iss: str) -> None:
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound as exc:
        raise CertificateChainError("the issuer certificate names no subject") from exc
    if iss in names.get_values_for_type(x509.UniformResourceIdentifier):
        return
    parts = urlsplit(iss)
    host = parts.hostname if parts.scheme in {"https", "http"} else None
    if host:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            dns_names = {name.lower() for name in names.get_values_for_type(x509.DNSName)}
            if host.lower() in dns_names:
                return
        else:
            if address in names.get_values_for_type(x509.IPAddress):
                return
    raise CertificateChainError("the issuer certificate does not name the credential's issuer")
