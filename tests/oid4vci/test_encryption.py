"""Encrypted credential requests and responses (OpenID4VCI 1.0 §10), checked against an
independent JOSE implementation (jwcrypto) in both directions: it decrypts what the wallet
sends, and the wallet decrypts what it encrypts; and the metadata as the spec's example
sends it."""

from __future__ import annotations

import json

import httpx
import pytest
from helpers import SHARED
from jwcrypto import jwe as jw_jwe
from jwcrypto import jwk as jw_jwk

from wallet_core.errors import IssuanceError, IssuerMetadataError, MalformedResponseError
from wallet_core.http import HttpResponse
from wallet_core.oid4vci.encryption import Exchange, parse_encryption

EXAMPLE = SHARED / "vectors/oid4vci-1.0-final/examples/credential_issuer_metadata_sd_jwt_long.json"


def _issuer_key() -> jw_jwk.JWK:
    return jw_jwk.JWK.generate(kty="EC", crv="P-256", kid="issuer-enc", alg="ECDH-ES", use="enc")


def _metadata(key: jw_jwk.JWK, **changes: object) -> dict[str, object]:
    return {
        "credential_request_encryption": {
            "jwks": {"keys": [json.loads(key.export_public())]},
            "enc_values_supported": ["A128GCM", "A256GCM"],
            "encryption_required": True,
        },
        "credential_response_encryption": {
            "alg_values_supported": ["ECDH-ES"],
            "enc_values_supported": ["A128GCM", "A256GCM"],
            "encryption_required": True,
        },
        **changes,
    }


def test_a_request_decrypts_with_jwcrypto_and_its_answer_key_works_back() -> None:
    key = _issuer_key()
    exchange = Exchange(parse_encryption(_metadata(key)))
    content, media_type = exchange.content({"credential_configuration_id": "x"})
    assert media_type == "application/jwt"
    token = jw_jwe.JWE()
    token.deserialize(content.decode(), key=key)
    header = json.loads(token.objects["protected"])
    assert (header["alg"], header["enc"], header["kid"]) == ("ECDH-ES", "A256GCM", "issuer-enc")
    claims = json.loads(token.payload)
    assert claims["credential_configuration_id"] == "x"
    asked = claims["credential_response_encryption"]
    assert asked["enc"] == "A256GCM" and asked["jwk"]["alg"] == "ECDH-ES"
    assert "d" not in asked["jwk"]
    # the issuer's answer, made by jwcrypto to the key the request named
    answer = jw_jwe.JWE(
        json.dumps({"credentials": [{"credential": "eyJ.a.b"}]}).encode(),
        json.dumps({"alg": "ECDH-ES", "enc": "A256GCM"}),
    )
    answer.add_recipient(jw_jwk.JWK(**asked["jwk"]))
    response = HttpResponse(
        "https://issuer.example/credential",
        200,
        httpx.Headers({"content-type": "application/jwt"}),
        answer.serialize(compact=True).encode(),
    )
    assert exchange.answer(response) == {"credentials": [{"credential": "eyJ.a.b"}]}
    # the same answer unencrypted is refused; an error stays readable
    plain = HttpResponse(
        response.url, 200, httpx.Headers({"content-type": "application/json"}), b"{}"
    )
    with pytest.raises(MalformedResponseError):
        exchange.answer(plain)
    error = HttpResponse(response.url, 400, plain.headers, b'{"error":"invalid_proof"}')
    assert exchange.answer(error) == {"error": "invalid_proof"}


def test_without_a_usable_request_key_the_wallet_refuses_required_encryption() -> None:
    key = _issuer_key()
    no_request = _metadata(key)
    del no_request["credential_request_encryption"]
    with pytest.raises(IssuanceError):
        Exchange(parse_encryption(no_request)).content({})
    rsa = json.loads(
        jw_jwk.JWK.generate(kty="RSA", size=2048, kid="r", alg="RSA-OAEP").export_public()
    )
    only_rsa = _metadata(key)
    only_rsa["credential_request_encryption"]["jwks"] = {"keys": [rsa]}  # type: ignore[index]
    with pytest.raises(IssuanceError):
        Exchange(parse_encryption(only_rsa)).content({})
    assert Exchange(None).content({"a": 1}) == (b'{"a":1}', "application/json")


@pytest.mark.parametrize(
    "member, value",
    [
        ("credential_request_encryption", []),
        (
            "credential_request_encryption",
            {
                "jwks": {"keys": []},
                "enc_values_supported": ["A128GCM"],
                "encryption_required": True,
            },
        ),
        (
            "credential_response_encryption",
            {
                "alg_values_supported": ["ECDH-ES"],
                "enc_values_supported": [],
                "encryption_required": True,
            },
        ),
        (
            "credential_response_encryption",
            {
                "alg_values_supported": ["ECDH-ES"],
                "enc_values_supported": ["A128GCM"],
                "encryption_required": "yes",
            },
        ),
    ],
)
def test_malformed_encryption_metadata_is_refused(member: str, value: object) -> None:
    with pytest.raises(IssuerMetadataError):
        parse_encryption(_metadata(_issuer_key(), **{member: value}))


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="../shared/vectors is not on this machine")
def test_the_spec_example_parses_with_its_bare_key_array() -> None:
    found = parse_encryption(json.loads(EXAMPLE.read_text()))
    assert found is not None and found.request_required and found.response_required
    assert [k["kid"] for k in found.request_keys] == ["ac"]
    assert found.response_algs == ("ECDH-ES",) and found.request_encs == ("A128GCM",)
