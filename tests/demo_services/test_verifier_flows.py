"""The verifier's happy paths: requests per client_id prefix, responses per response mode,
request_uri GET and POST, same-device redirects and who may see a result."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from demo_services.verifier import root_certificate
from wallet_core.crypto import verify_compact
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vp.request import parse_request
from wallet_core.trust import key_from_x5c

from .verifier_fixtures import (
    MODES,
    PREFIXES,
    REQUIRED,
    WITH_GRADE_CLAIMS,
    WITHOUT_GRADE,
    Held,
    ScriptedHolder,
    VerifierHandle,
    held,
    holder,
    issue,
    verifiers,
)

__all__ = ["held", "holder", "issue", "verifiers"]  # fixtures, imported for pytest

Verifiers = Callable[..., VerifierHandle]


def _link_parameters(link: str) -> dict[str, str]:
    parts = urlsplit(link)
    assert parts.scheme == "openid4vp"
    return dict(parse_qsl(parts.query, strict_parsing=True))


def test_redirect_uri_request_is_unsigned_and_by_value(
    verifiers: Verifiers, http: httpx.Client
) -> None:
    verifier = verifiers("redirect_uri")
    tx = verifier.transaction()
    assert tx["request_uri"] is None and tx["request_uri_method"] is None
    params = _link_parameters(tx["link"])
    assert params["client_id"] == f"redirect_uri:{params['response_uri']}" == tx["client_id"]
    assert params["response_uri"] == f"{verifier.url}/response/{tx['transaction_id']}"
    assert params["response_type"] == "vp_token"
    assert params["response_mode"] == "direct_post"
    assert params["nonce"] == tx["nonce"] and params["state"] == tx["state"]
    assert "redirect_uri" not in params  # §8.2: never together with direct_post
    query = json.loads(params["dcql_query"])
    [credential] = query["credentials"]
    assert credential["id"] == "microcredential" and credential["format"] == "dc+sd-jwt"
    assert credential["meta"]["vct_values"][0].endswith("/types/microcredential")
    assert [c["path"] for c in credential["claims"]] == [
        ["title"],
        ["awardingBody"],
        ["notionalWorkload"],
        ["level"],
        ["grade"],
    ]
    assert credential["claim_sets"] == [
        ["title", "awardingBody", "notionalWorkload", "level", "grade"],
        ["title", "awardingBody", "notionalWorkload", "level"],
    ]
    metadata = json.loads(params["client_metadata"])
    assert metadata["vp_formats_supported"]["dc+sd-jwt"]["kb-jwt_alg_values"] == ["ES256"]
    assert "jwks" not in metadata
    # the unsigned verifier has no Request Object and no certificate to offer
    assert http.get(f"{verifier.url}/request/{tx['transaction_id']}").status_code == 400
    assert http.get(f"{verifier.url}/ca.pem").status_code == 404
    # post needs a request_uri (§5.1)
    refused = http.post(verifier.url + "/admin/transactions", json={"request_uri_method": "post"})
    assert refused.status_code == 400


@pytest.mark.parametrize("prefix", ["x509_san_dns", "x509_hash"])
def test_signed_request_object(prefix: str, verifiers: Verifiers, http: httpx.Client) -> None:
    verifier = verifiers(prefix, "direct_post.jwt")
    tx = verifier.transaction()
    assert _link_parameters(tx["link"]) == {
        "client_id": tx["client_id"],
        "request_uri": tx["request_uri"],
    }
    response = http.get(tx["request_uri"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/oauth-authz-req+jwt"
    root = x509.load_pem_x509_certificate(http.get(verifier.url + "/ca.pem").content)
    assert root == root_certificate(verifier.server.app)
    header = json.loads(base64.urlsafe_b64decode(response.text.split(".")[0] + "=="))
    assert header["typ"] == "oauth-authz-req+jwt" and header["alg"] == "ES256"
    assert len(header["x5c"]) == 1  # the leaf; the root is the wallet's trust anchor
    key = key_from_x5c(header["x5c"], None, [root], time.time())
    _, payload = verify_compact(response.text, key)
    claims = json.loads(payload)
    assert claims["client_id"] == tx["client_id"]
    assert claims["aud"] == "https://self-issued.me/v2"
    assert claims["response_mode"] == "direct_post.jwt"
    assert claims["nonce"] == tx["nonce"] and claims["state"] == tx["state"]
    assert "wallet_nonce" not in claims and claims["exp"] > claims["iat"]
    [jwk] = claims["client_metadata"]["jwks"]["keys"]
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and "d" not in jwk
    assert jwk["use"] == "enc" and jwk["alg"] == "ECDH-ES" and jwk["kid"]
    assert claims["client_metadata"]["encrypted_response_enc_values_supported"] == [
        "A128GCM",
        "A256GCM",
    ]
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    if prefix == "x509_san_dns":
        # the DNS name is "localhost", and the response goes to that very host
        assert tx["client_id"] == "x509_san_dns:localhost"
        assert urlsplit(claims["response_uri"]).hostname == "localhost"
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    else:
        digest = hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert tx["client_id"] == f"x509_hash:{expected}"


@pytest.mark.parametrize(
    ("prefix", "method"),
    [(p, "get") for p in PREFIXES] + [("x509_san_dns", "post"), ("x509_hash", "post")],
)
def test_wallet_core_accepts_the_request(
    prefix: str, method: str, verifiers: Verifiers, http: httpx.Client
) -> None:
    """The wallet's own request parser establishes the verifier as the prefix says."""
    verifier = verifiers(prefix)
    tx = verifier.transaction(request_uri_method=method)
    anchor = root_certificate(verifier.server.app)
    with HttpClient(HttpPolicy(allow_http_loopback=True, timeout=5.0)) as client:
        request = parse_request(
            tx["link"],
            client,
            trust_anchors=[anchor] if anchor else [],
            now=time.time(),
            wallet_metadata={"vp_formats_supported": {"dc+sd-jwt": {}}},
        )
    assert request.client_id == tx["client_id"]
    assert request.nonce == tx["nonce"] and request.state == tx["state"]
    assert request.verifier.verified is (prefix != "redirect_uri")
    assert request.verifier.method == ("unsigned" if prefix == "redirect_uri" else prefix)
    fetches = verifier.status(tx["transaction_id"])["request_fetches"]
    if prefix != "redirect_uri":
        assert [f["method"] for f in fetches] == [method.upper()]
        assert fetches[0]["wallet_nonce"] is (method == "post")


def test_request_uri_post_echoes_wallet_nonce(
    verifiers: Verifiers, holder: ScriptedHolder, http: httpx.Client
) -> None:
    verifier = verifiers("x509_hash")
    tx = verifier.transaction(request_uri_method="post")
    assert _link_parameters(tx["link"])["request_uri_method"] == "post"
    metadata = {"vp_formats_supported": {"dc+sd-jwt": {"kb-jwt_alg_values": ["ES256"]}}}
    claims = holder.request(
        tx,
        method="post",
        form={"wallet_nonce": "qPmxiNFCR3QTm19POc8u", "wallet_metadata": json.dumps(metadata)},
    )
    assert claims["wallet_nonce"] == "qPmxiNFCR3QTm19POc8u"
    # a wallet that cannot POST still gets the request with GET (§5.1 request_uri_method)
    assert "wallet_nonce" not in holder.request(tx)
    [post, get] = verifier.status(tx["transaction_id"])["request_fetches"]
    assert post["method"] == "POST" and post["wallet_nonce"] is True
    assert post["wallet_metadata"] == metadata
    assert get["method"] == "GET" and get["wallet_nonce"] is False
    assert verifier.status(tx["transaction_id"])["status"] == "request_fetched"
    for bad in ({"wallet_nonce": "has spaces"}, {"wallet_metadata": "[1]"}):
        assert http.post(tx["request_uri"], data=bad).status_code == 400


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_presentation_is_verified(
    prefix: str, mode: str, verifiers: Verifiers, holder: ScriptedHolder, held: Held
) -> None:
    verifier = verifiers(prefix, mode)
    tx = verifier.transaction()
    params = holder.request(tx)
    response = holder.answer(params, holder.present(held, params, WITH_GRADE_CLAIMS))
    assert response.status_code == 200, response.text
    assert response.json() == {}  # cross-device: nobody to redirect on the wallet's side
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified" and status["final"] is True
    result = status["result"]
    assert result["requested_claims"] == {
        "title": "Circulair ontwerpen in de bouw",
        "awardingBody": "Hogeschool Demo",
        "notionalWorkload": "5 ECTS",
        "level": "EQF 6",
        "grade": "8,0",
    }
    assert result["claim_set"] == 0
    assert result["unrequested_disclosures"] == []
    assert result["credential_status"] == "valid"
    assert result["issuer"] == result["vct"].removesuffix("/types/microcredential")
    assert status["errors"] == []


def test_a256gcm_is_accepted(verifiers: Verifiers, holder: ScriptedHolder, held: Held) -> None:
    verifier = verifiers("x509_hash", "direct_post.jwt")
    tx = verifier.transaction()
    params = holder.request(tx)
    response = holder.answer(params, holder.present(held, params), enc="A256GCM")
    assert response.status_code == 200, response.text
    assert verifier.status(tx["transaction_id"])["status"] == "verified"


def test_grade_is_optional(
    verifiers: Verifiers, holder: ScriptedHolder, held: Held, issue: Callable[[str], Held]
) -> None:
    verifier = verifiers("redirect_uri")
    # holder leaves the grade out; a credential without a grade cannot include it
    for credential in (held, issue(WITHOUT_GRADE)):
        tx = verifier.transaction()
        params = holder.request(tx)
        assert (
            holder.answer(params, holder.present(credential, params, REQUIRED)).status_code == 200
        )
        result = verifier.status(tx["transaction_id"])["result"]
        assert result["claim_set"] == 1 and "grade" not in result["requested_claims"]
    # over-sharing is accepted, and listed so wallet tests can see it
    tx = verifier.transaction()
    params = holder.request(tx)
    extra = holder.present(held, params, (*REQUIRED, ("givenName",)))
    assert holder.answer(params, extra).status_code == 200
    assert verifier.status(tx["transaction_id"])["result"]["unrequested_disclosures"] == [
        "givenName"
    ]


def test_same_device_redirect_and_result_access(
    verifiers: Verifiers, holder: ScriptedHolder, held: Held, http: httpx.Client
) -> None:
    verifier = verifiers("x509_san_dns")
    tx = verifier.transaction(same_device=True)
    result_url = tx["result_url"]
    # (httpx's params= would replace the URL's query, key and all)
    assert http.get(result_url + "&format=json").json()["status"] == "pending"
    pending = http.get(result_url)
    assert "http-equiv='refresh'" in pending.text  # polls until finished
    params = holder.request(tx)
    response = holder.answer(params, holder.present(held, params))
    assert response.status_code == 200
    redirect = response.json()["redirect_uri"]
    assert redirect.startswith(f"{verifier.url}/result/{tx['transaction_id']}?response_code=")

    page = http.get(redirect)
    assert page.status_code == 200
    assert "Geverifieerd" in page.text and "Circulair ontwerpen in de bouw" in page.text
    assert "http-equiv='refresh'" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    as_json = http.get(redirect, headers={"Accept": "application/json"}).json()
    assert as_json["result"]["requested_claims"]["level"] == "EQF 6"
    # the view key of whoever started the transaction shows the status, not the claims
    # (session fixation, §14.3: whoever relayed the request has the key but not the code)
    keyed = http.get(result_url + "&format=json").json()
    assert keyed["status"] == "verified" and keyed["result"] is None
    assert "Circulair" not in http.get(result_url).text
    base = f"{verifier.url}/result/{tx['transaction_id']}"
    for query in ({}, {"key": "wrong"}, {"response_code": "wrong"}):
        assert http.get(base, params=query).status_code == 403
    assert http.get(f"{verifier.url}/result/unknown").status_code == 404


def test_check_page(verifiers: Verifiers, http: httpx.Client) -> None:
    verifier = verifiers("x509_san_dns")
    page = http.get(verifier.url + "/")
    assert page.status_code == 200
    assert "data:image/png;base64," in page.text and "openid4vp://?client_id=" in page.text
    assert (
        "<iframe" in page.text
        and "frame-ancestors 'self'" in page.headers["content-security-policy"]
    )
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
    assert page.headers["cache-control"] == "no-store"
    assert "request_uri_method%3Dpost" not in page.text
    post = http.get(verifier.url + "/", params={"method": "post"})
    assert "request_uri_method=post" in post.text
    assert http.get(verifier.url + "/ca.pem").text.startswith("-----BEGIN CERTIFICATE-----")
    # another Host (DNS rebinding) is refused
    assert http.get(verifier.url + "/", headers={"Host": "evil.example"}).status_code == 400
    by_value = http.get(verifiers("redirect_uri").url + "/")
    assert "openid4vp://?response_type=vp_token" in by_value.text
