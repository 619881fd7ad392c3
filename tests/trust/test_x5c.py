"""Issuer keys from x5c (SD-JWT VC §#key-stuff "Inline X.509 Certificates")."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID
from pki import NOW, Pki

from wallet_core.clock import ManualClock
from wallet_core.crypto import Signer, sign_compact, verify_compact
from wallet_core.errors import CertificateChainError, UntrustedIssuerError
from wallet_core.trust import IssuerKeyResolver, MemoryCache, key_from_x5c

ISS = "https://issuer.example/edu"


def verify(token: str, jwk: dict[str, Any]) -> None:
    """Check the signature with the resolved key, as the wallet does."""
    verify_compact(token, jwk)


def x5c(*certificates: x509.Certificate) -> list[str]:
    return [
        base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certificates
    ]


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


@pytest.fixture
def issuer_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def resolver_with(anchors: Sequence[x509.Certificate], clock: ManualClock) -> IssuerKeyResolver:
    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError("x5c resolution must not touch the network")

    from wallet_core import http

    client = http.HttpClient(http.HttpPolicy(), transport=httpx.MockTransport(no_network))
    return IssuerKeyResolver(client, MemoryCache(), clock, anchors)


def signed(
    key: ec.EllipticCurvePrivateKey, chain: list[str], iss: str | None = ISS
) -> tuple[str, dict[str, Any]]:
    header = {"typ": "dc+sd-jwt", "x5c": chain}
    payload = {"vct": "https://edu.example/mc", **({"iss": iss} if iss else {})}
    return sign_compact(header, payload, Signer(key)), {**header, "alg": "ES256"}


@pytest.mark.parametrize(
    "names",
    [
        [x509.UniformResourceIdentifier(ISS)],
        [x509.DNSName("issuer.example")],
        [x509.DNSName("other.example"), x509.DNSName("ISSUER.example")],
    ],
)
def test_chain_to_a_trusted_root(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock, names: list[Any]
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), names)
    token, header = signed(issuer_key, x5c(leaf, pki.inter))
    key = resolver_with([pki.root], clock).resolve(ISS, header)
    assert key["kty"] == "EC" and key["crv"] == "P-256" and "d" not in key
    verify(token, key)


def test_the_root_may_be_included_and_a_leaf_signed_by_the_root_works(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)])
    _, header = signed(issuer_key, x5c(leaf, pki.inter, pki.root))
    resolver_with([pki.root], clock).resolve(ISS, header)
    # Anchoring at the intermediate is a policy choice the wallet may make.
    _, header = signed(issuer_key, x5c(leaf))
    resolver_with([pki.inter], clock).resolve(ISS, header)


def test_chain_to_an_untrusted_root(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    stranger = Pki("Stranger")
    leaf = stranger.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)])
    _, header = signed(issuer_key, x5c(leaf, stranger.inter, stranger.root))
    with pytest.raises(CertificateChainError):
        resolver_with([pki.root], clock).resolve(ISS, header)


def test_missing_intermediate(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)])
    _, header = signed(issuer_key, x5c(leaf))
    with pytest.raises(CertificateChainError):
        resolver_with([pki.root], clock).resolve(ISS, header)


@pytest.mark.parametrize(
    "names",
    [
        [x509.UniformResourceIdentifier("https://issuer.example/other")],
        [x509.UniformResourceIdentifier("https://issuer.example")],
        [x509.DNSName("evil.example")],
        [x509.DNSName("*.example")],
        [x509.DNSName("example")],
        [x509.IPAddress(ipaddress.ip_address("192.0.2.1"))],
    ],
)
def test_san_must_name_the_issuer(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock, names: list[Any]
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), names)
    _, header = signed(issuer_key, x5c(leaf, pki.inter))
    with pytest.raises(CertificateChainError):
        resolver_with([pki.root], clock).resolve(ISS, header)


def test_did_issuer_needs_a_uri_san_with_the_did(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    did = "did:web:issuer.example"
    leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(did)])
    _, header = signed(issuer_key, x5c(leaf, pki.inter), iss=did)
    resolver_with([pki.root], clock).resolve(did, header)
    with pytest.raises(CertificateChainError):
        resolver_with([pki.root], clock).resolve("did:web:evil.example", header)


def test_without_iss_the_certificate_subject_is_the_issuer(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), [x509.DNSName("anything.example")])
    token, header = signed(issuer_key, x5c(leaf, pki.inter), iss=None)
    verify(token, resolver_with([pki.root], clock).resolve(None, header))


def test_no_trust_anchors_means_no_x5c(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)])
    _, header = signed(issuer_key, x5c(leaf, pki.inter))
    with pytest.raises(CertificateChainError):
        resolver_with([], clock).resolve(ISS, header)


def test_expired_certificate_by_the_injected_clock(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)], days=10)
    _, header = signed(issuer_key, x5c(leaf, pki.inter))
    resolver = resolver_with([pki.root], clock)
    resolver.resolve(ISS, header)
    clock.advance(11 * 86400)
    with pytest.raises(CertificateChainError):
        resolver.resolve(ISS, header)


def test_leaf_must_allow_digital_signatures(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    encipher_only = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=True,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    leaf = pki.leaf(
        issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)], usage=encipher_only
    )
    _, header = signed(issuer_key, x5c(leaf, pki.inter))
    with pytest.raises(CertificateChainError):
        resolver_with([pki.root], clock).resolve(ISS, header)


def test_any_extended_key_usage_is_accepted(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    mdl_document_signer = x509.ObjectIdentifier("1.0.18013.5.1.2")
    for eku in ([mdl_document_signer], [ExtendedKeyUsageOID.CODE_SIGNING]):
        leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)], eku=eku)
        _, header = signed(issuer_key, x5c(leaf, pki.inter))
        resolver_with([pki.root], clock).resolve(ISS, header)


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_ed25519_leaf(pki: Pki, clock: ManualClock) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    leaf = pki.leaf(key.public_key(), [x509.UniformResourceIdentifier(ISS)])
    header = {"typ": "dc+sd-jwt", "x5c": x5c(leaf, pki.inter)}
    token = sign_compact(header, {"iss": ISS}, Signer(key))
    jwk = resolver_with([pki.root], clock).resolve(ISS, {**header, "alg": "EdDSA"})
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    verify(token, jwk)


@pytest.mark.parametrize(
    "value",
    [
        [],
        "MIIB",
        [7],
        ["not base64!"],
        [base64.b64encode(b"not a certificate").decode()],
        ["A" * 8] * 11,
    ],
)
def test_malformed_x5c(pki: Pki, value: Any) -> None:
    with pytest.raises(CertificateChainError):
        key_from_x5c(value, ISS, [pki.root], NOW)


def test_x5c_is_base64_not_base64url(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)])
    urlsafe = [
        base64.urlsafe_b64encode(c.public_bytes(serialization.Encoding.DER)).decode().rstrip("=")
        for c in (leaf, pki.inter)
    ]
    if urlsafe == x5c(leaf, pki.inter):
        pytest.skip("this chain happens to encode identically")
    with pytest.raises(CertificateChainError):
        key_from_x5c(urlsafe, ISS, [pki.root], NOW)


def test_errors_are_untrusted_issuer_errors(pki: Pki) -> None:
    with pytest.raises(UntrustedIssuerError):
        key_from_x5c([], ISS, [pki.root], NOW)


def test_verify_compact_accepts_x5c_sized_headers(
    pki: Pki, issuer_key: ec.EllipticCurvePrivateKey, clock: ManualClock
) -> None:
    leaf = pki.leaf(issuer_key.public_key(), [x509.UniformResourceIdentifier(ISS)])
    token, header = signed(issuer_key, x5c(leaf, pki.inter))
    verify_compact(token, resolver_with([pki.root], clock).resolve(ISS, header))
