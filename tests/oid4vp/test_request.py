"""OpenID4VP requests: links, Request Objects by value and by reference, client_id prefixes."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from loopback import LoopbackServer, Route
from pki import NOW, Pki

from wallet_core import PresentationRequestError, UntrustedVerifierError
from wallet_core.crypto import Signer, did_jwk, generate, sign_compact
from wallet_core.crypto.jwk import b64url
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vp import dcql
from wallet_core.oid4vp.query import DcqlRequestQuery
from wallet_core.oid4vp.request import REQUEST_TYP, parse_request
from wallet_core.trust import DidResolver, MemoryCache

DCQL = {"credentials": [{"id": "mc", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:mc"]}}]}


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki("Verifier")


def _signer_and_chain(
    pki: Pki, names: list[x509.GeneralName]
) -> tuple[Signer, list[str], x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = pki.leaf(key.public_key(), names, subject="Werkgever Demo")
    # x5c is standard base64 with padding (RFC 7515 §4.1.6)
    chain = [
        base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
        for c in (leaf, pki.inter)
    ]
    return Signer(key), chain, leaf


def _claims(client_id: str, response_uri: str, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": response_uri,
        "nonce": "n-0S6_WzA2Mj",
        "state": "st-1",
        "dcql_query": DCQL,
        **extra,
    }


def _parse(text: str, client: HttpClient, pki: Pki | None = None, **options: Any) -> Any:
    anchors = [pki.root] if pki is not None else []
    return parse_request(text, client, trust_anchors=anchors, now=NOW, **options)


@pytest.mark.parametrize("scheme", ["openid4vp", "haip-vp"])  # HAIP 1.0 §5.1
def test_redirect_uri_request_by_value(client: HttpClient, scheme: str) -> None:
    uri = "https://werkgever.example/post"
    link = f"{scheme}://?" + urlencode(
        {**_claims(f"redirect_uri:{uri}", uri), "dcql_query": json.dumps(DCQL)}
    )
    request = _parse(link, client)
    assert request.verifier.verified is False and request.verifier.method == "unsigned"
    assert request.verifier.name == "werkgever.example"
    assert request.client_id == f"redirect_uri:{uri}" and request.query == DcqlRequestQuery(
        dcql.parse_query(DCQL)
    )
    assert request.nonce == "n-0S6_WzA2Mj" and "n-0S6" not in repr(request)


def test_x509_san_dns_by_reference(client: HttpClient, server: LoopbackServer, pki: Pki) -> None:
    signer, chain, _ = _signer_and_chain(pki, [x509.DNSName("localhost")])
    response_uri = f"http://localhost:{server.port}/post"
    token = sign_compact(
        {"typ": REQUEST_TYP, "x5c": chain}, _claims("x509_san_dns:localhost", response_uri), signer
    )
    server.raw("/request/1", token.encode(), f"application/{REQUEST_TYP}")
    link = "openid4vp://?" + urlencode(
        {"client_id": "x509_san_dns:localhost", "request_uri": f"{server.base}/request/1"}
    )
    request = _parse(link, client, pki)
    assert request.verifier.verified and request.verifier.name == "Werkgever Demo"  # its O
    assert request.verifier.method == "x509_san_dns" and "Verifier" in (
        request.verifier.certificate_issuer or ""
    )
    assert request.response_uri == response_uri


def test_request_uri_post_with_wallet_nonce(
    client: HttpClient, server: LoopbackServer, pki: Pki
) -> None:
    signer, chain, leaf = _signer_and_chain(pki, [x509.DNSName("verifier.example")])
    client_id = "x509_hash:" + b64url(
        hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).digest()
    )
    seen: dict[str, Any] = {}

    def answer(body: bytes, echo: bool = True) -> Route:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        seen.update(form)
        claims = _claims(client_id, "https://verifier.example/post")
        if echo:
            claims["wallet_nonce"] = form["wallet_nonce"]
        token = sign_compact({"typ": REQUEST_TYP, "x5c": chain}, claims, signer)
        return Route(200, token.encode(), {"content-type": f"application/{REQUEST_TYP}"})

    server.post_handlers["/request/post"] = answer
    link = "openid4vp://?" + urlencode(
        {
            "client_id": client_id,
            "request_uri": f"{server.base}/request/post",
            "request_uri_method": "post",
        }
    )
    request = _parse(link, client, pki, wallet_metadata={"vp_formats_supported": {"dc+sd-jwt": {}}})
    assert request.verifier.method == "x509_hash" and request.verifier.name == "Werkgever Demo"
    assert seen["wallet_nonce"] and json.loads(seen["wallet_metadata"])["vp_formats_supported"]

    server.post_handlers["/request/post"] = lambda body: answer(body, echo=False)
    with pytest.raises(PresentationRequestError):
        _parse(link, client, pki)


def test_decentralized_identifier(client: HttpClient, clock: Any) -> None:
    signer = generate("ES256")
    did = did_jwk(signer.public_jwk)
    token = sign_compact(
        {"typ": REQUEST_TYP, "kid": f"{did}#0"},
        _claims(f"decentralized_identifier:{did}", "https://verifier.example/post"),
        signer,
    )
    resolver = DidResolver(client, MemoryCache(), clock)
    link = "openid4vp://?" + urlencode(
        {"client_id": f"decentralized_identifier:{did}", "request": token}
    )
    request = _parse(link, client, did_key=resolver.assertion_key)
    assert request.verifier.verified and request.verifier.name == did


def _signed_link(
    pki: Pki,
    claims: dict[str, Any],
    header: dict[str, Any] | None = None,
    signer: Signer | None = None,
) -> str:
    own, chain, _ = _signer_and_chain(pki, [x509.DNSName("verifier.example")])
    token = sign_compact(
        {"typ": REQUEST_TYP, "x5c": chain, **(header or {})}, claims, signer or own
    )
    return "openid4vp://?" + urlencode({"client_id": claims["client_id"], "request": token})


def test_wrong_typ(client: HttpClient, pki: Pki) -> None:
    claims = _claims("x509_san_dns:verifier.example", "https://verifier.example/post")
    with pytest.raises(PresentationRequestError):
        _parse(_signed_link(pki, claims, {"typ": "JWT"}), client, pki)


def test_client_id_mismatch(client: HttpClient, pki: Pki) -> None:
    claims = _claims("x509_san_dns:verifier.example", "https://verifier.example/post")
    link = _signed_link(pki, claims).replace(
        "x509_san_dns%3Averifier.example", "x509_san_dns%3Aother.example", 1
    )
    with pytest.raises(PresentationRequestError):
        _parse(link, client, pki)


def test_bad_signature(client: HttpClient, pki: Pki) -> None:
    claims = _claims("x509_san_dns:verifier.example", "https://verifier.example/post")
    with pytest.raises(UntrustedVerifierError):
        _parse(_signed_link(pki, claims, signer=generate("ES256")), client, pki)


def test_x509_san_dns_response_uri_on_another_host(client: HttpClient, pki: Pki) -> None:
    claims = _claims("x509_san_dns:verifier.example", "https://attacker.example/post")
    with pytest.raises(UntrustedVerifierError):
        _parse(_signed_link(pki, claims), client, pki)


def test_untrusted_root(client: HttpClient, pki: Pki) -> None:
    claims = _claims("x509_san_dns:verifier.example", "https://verifier.example/post")
    with pytest.raises(UntrustedVerifierError):
        _parse(_signed_link(pki, claims), client, Pki("Other"))


def test_redirect_uri_with_direct_post(client: HttpClient) -> None:
    uri = "https://werkgever.example/post"
    link = "openid4vp://?" + urlencode(
        {**_claims(f"redirect_uri:{uri}", uri), "redirect_uri": uri, "dcql_query": json.dumps(DCQL)}
    )
    with pytest.raises(PresentationRequestError):
        _parse(link, client)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"transaction_data": "eyJ0eXBlIjoieCJ9"}, PresentationRequestError),
        ({"response_type": "code"}, PresentationRequestError),
        ({"response_mode": "fragment"}, PresentationRequestError),
        ({"nonce": "not url safe!"}, PresentationRequestError),
        ({"dcql_query": "[1]"}, PresentationRequestError),
        ({"client_id": "x509_san_dns:werkgever.example"}, UntrustedVerifierError),  # must be signed
        ({"client_id": "some-registered-client"}, UntrustedVerifierError),
        (
            {
                "response_uri": "http://werkgever.example/post",
                "client_id": "redirect_uri:http://werkgever.example/post",
            },
            PresentationRequestError,
        ),
    ],
)
def test_unsigned_request_rules(change: dict[str, str], error: type) -> None:
    uri = "https://werkgever.example/post"
    parameters = {**_claims(f"redirect_uri:{uri}", uri), "dcql_query": json.dumps(DCQL), **change}
    with HttpClient(HttpPolicy()) as strict, pytest.raises(error):
        _parse("openid4vp://?" + urlencode(parameters), strict)


@pytest.mark.parametrize(
    "text", ["", "https://", "mailto:x@y", "openid4vp://", "openid4vp://?a=1&a=2"]
)
def test_not_a_request(client: HttpClient, text: str) -> None:
    with pytest.raises(PresentationRequestError):
        _parse(text, client)


def test_request_object_needs_the_link_client_id_and_must_not_be_expired(
    client: HttpClient, pki: Pki
) -> None:
    claims = _claims("x509_san_dns:verifier.example", "https://verifier.example/post")
    link = _signed_link(pki, claims)
    without_client_id = "openid4vp://?" + "&".join(
        p for p in link.split("?", 1)[1].split("&") if not p.startswith("client_id=")
    )
    with pytest.raises(PresentationRequestError):
        _parse(without_client_id, client, pki)
    with pytest.raises(PresentationRequestError):
        _parse(_signed_link(pki, {**claims, "exp": int(NOW) - 3600}), client, pki)


@pytest.mark.parametrize("prefix", ["x509_hash", "x509_san_dns"])
def test_a_pinned_self_signed_verifier_certificate_is_trusted_as_it_is(
    client: HttpClient, prefix: str
) -> None:
    """Issue #12 b: a certificate that is itself a trust anchor is trusted directly (by DER);
    another self-signed one, or the pinned one outside its validity, is not."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = Pki.self_signed(key, [x509.DNSName("verifier.example")])
    der = certificate.public_bytes(serialization.Encoding.DER)
    client_id = (
        "x509_hash:" + b64url(hashlib.sha256(der).digest())
        if prefix == "x509_hash"
        else "x509_san_dns:verifier.example"
    )
    claims = _claims(client_id, "https://verifier.example/post")
    chain = [base64.b64encode(der).decode()]
    token = sign_compact({"typ": REQUEST_TYP, "x5c": chain}, claims, Signer(key))
    link = "openid4vp://?" + urlencode({"client_id": client_id, "request": token})
    request = parse_request(link, client, trust_anchors=[certificate], now=NOW)
    assert request.verifier.verified and request.verifier.method == prefix
    other = Pki.self_signed(ec.generate_private_key(ec.SECP256R1()), [])
    with pytest.raises(UntrustedVerifierError):
        parse_request(link, client, trust_anchors=[other], now=NOW)
    with pytest.raises(UntrustedVerifierError):
        parse_request(link, client, trust_anchors=[certificate], now=NOW + 400 * 86400)
