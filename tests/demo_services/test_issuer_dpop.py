"""The demo issuer's DPoP (RFC 9449) in its HAIP mode, driven by an independent DPoP
implementation (pydpop makes every proof here): nonces of each server, tokens bound to the
key, and a refusal for each way a proof can be wrong."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydpop import generate_key, generate_proof

from demo_services.issuer import create_app
from demo_services.issuer.client import DemoIssuerClient, make_proof
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core.crypto import generate, sign_compact

CONFIG = "mc-data-analyse-python"
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture(scope="module")
def haip_server() -> Iterator[BackgroundServer]:
    with start_in_thread(lambda base: create_app(base, dpop=True), name="issuer") as server:
        yield server


@pytest.fixture
def issuer(haip_server: BackgroundServer, http: httpx.Client) -> DemoIssuerClient:
    return DemoIssuerClient(haip_server.base_url, http)


def _token_form(issuer: DemoIssuerClient) -> dict[str, str]:
    offer = issuer.create_offer([CONFIG])
    return {"grant_type": PRE_AUTH, "pre-authorized_code": offer["pre_authorized_code"]}


def _post_token(
    issuer: DemoIssuerClient, form: dict[str, str], proof: str | None
) -> httpx.Response:
    headers = {"DPoP": proof} if proof is not None else {}
    return issuer.http.post(issuer.url("/token"), data=form, headers=headers)


def _bound_token(issuer: DemoIssuerClient, key: Any) -> tuple[str, str]:
    """A DPoP-bound access token, after the nonce the authorization server asks for."""
    form = _token_form(issuer)
    htu = issuer.url("/token")
    asked = _post_token(issuer, form, generate_proof(private_key=key, htm="POST", htu=htu))
    assert asked.status_code == 400 and asked.json()["error"] == "use_dpop_nonce"
    nonce = asked.headers["DPoP-Nonce"]
    answer = _post_token(
        issuer, form, generate_proof(private_key=key, htm="POST", htu=htu, nonce=nonce)
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "DPoP"
    return body["access_token"], nonce


def _credential(
    issuer: DemoIssuerClient, token: str, proof: str | None, scheme: str = "DPoP"
) -> httpx.Response:
    holder = generate("ES256")
    nonce = issuer.nonce()
    body = {
        "credential_configuration_id": CONFIG,
        "proofs": {"jwt": [make_proof(holder, audience=issuer.base_url, nonce=nonce)]},
    }
    headers = {"Authorization": f"{scheme} {token}"}
    if proof is not None:
        headers["DPoP"] = proof
    return issuer.http.post(issuer.url("/credential"), json=body, headers=headers)


def _resource_nonce(issuer: DemoIssuerClient) -> str:
    response = issuer.http.post(issuer.url("/nonce"))
    return str(response.headers["DPoP-Nonce"])


def test_the_metadata_offers_dpop(issuer: DemoIssuerClient) -> None:
    metadata = issuer.http.get(issuer.url("/.well-known/oauth-authorization-server")).json()
    assert "ES256" in metadata["dpop_signing_alg_values_supported"]


def test_an_independent_client_gets_a_credential_with_a_bound_token(
    issuer: DemoIssuerClient,
) -> None:
    key = generate_key()
    token, as_nonce = _bound_token(issuer, key)
    htu = issuer.url("/credential")
    # the authorization server's nonce is not the resource server's: a 401 challenge
    asked = _credential(
        issuer,
        token,
        generate_proof(private_key=key, htm="POST", htu=htu, access_token=token, nonce=as_nonce),
    )
    assert asked.status_code == 401
    assert 'error="use_dpop_nonce"' in asked.headers["WWW-Authenticate"]
    rs_nonce = asked.headers["DPoP-Nonce"]
    answer = _credential(
        issuer,
        token,
        generate_proof(private_key=key, htm="POST", htu=htu, access_token=token, nonce=rs_nonce),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["credentials"]


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _refusals(issuer: DemoIssuerClient, key: Any, token: str, nonce: str) -> dict[str, str]:
    htu = issuer.url("/credential")

    def proof(**changes: Any) -> str:
        options: dict[str, Any] = {
            "private_key": key,
            "htm": "POST",
            "htu": htu,
            "access_token": token,
            "nonce": nonce,
            **changes,
        }
        return generate_proof(**options)

    signer = generate("ES256")
    with_private = sign_compact(
        {"typ": "dpop+jwt", "jwk": {**signer.public_jwk, "d": "AAAA"}},
        {"jti": "x" * 16, "htm": "POST", "htu": htu, "iat": int(time.time()), "nonce": nonce},
        signer,
    )
    header, body, _ = proof().split(".")
    return {
        "another key": proof(private_key=generate_key()),
        "another method": proof(htm="GET"),
        "another address": proof(htu=issuer.url("/deferred_credential")),
        "another token": proof(access_token="someone-elses"),
        "no ath": proof(access_token=None),
        "an old proof": proof(iat=int(time.time()) - 3600),
        "no nonce": proof(nonce=None),
        "a private key in the header": with_private,
        "a broken signature": f"{header}.{body}.{_b64({'x': 1})}",
        "not a JWS": "not-a-proof",
    }


@pytest.mark.parametrize(
    "case",
    [
        "another key",
        "another method",
        "another address",
        "another token",
        "no ath",
        "an old proof",
        "no nonce",
        "a private key in the header",
        "a broken signature",
        "not a JWS",
    ],
)
def test_a_wrong_proof_at_the_credential_endpoint_is_refused(
    issuer: DemoIssuerClient, case: str
) -> None:
    key = generate_key()
    token, _ = _bound_token(issuer, key)
    nonce = _resource_nonce(issuer)
    answer = _credential(issuer, token, _refusals(issuer, key, token, nonce)[case])
    assert answer.status_code == 401, answer.text
    expected = "use_dpop_nonce" if case == "no nonce" else "invalid_dpop_proof"
    assert answer.json()["error"] == expected
    assert f'error="{expected}"' in answer.headers["WWW-Authenticate"]


def test_a_replayed_proof_and_a_bearer_token_are_refused(issuer: DemoIssuerClient) -> None:
    key = generate_key()
    token, _ = _bound_token(issuer, key)
    nonce = _resource_nonce(issuer)
    htu = issuer.url("/credential")
    proof = generate_proof(private_key=key, htm="POST", htu=htu, access_token=token, nonce=nonce)
    assert _credential(issuer, token, proof).status_code == 200
    replayed = _credential(issuer, token, proof)
    assert replayed.status_code == 401 and replayed.json()["error"] == "invalid_dpop_proof"
    as_bearer = _credential(issuer, token, None, scheme="Bearer")
    assert as_bearer.status_code == 401 and as_bearer.json()["error"] == "invalid_dpop_proof"


def test_the_token_endpoint_requires_a_proof_and_spends_no_code_on_a_nonce(
    issuer: DemoIssuerClient,
) -> None:
    form = _token_form(issuer)
    missing = _post_token(issuer, form, None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_dpop_proof"
    key = generate_key()
    htu = issuer.url("/token")
    asked = _post_token(issuer, form, generate_proof(private_key=key, htm="POST", htu=htu))
    nonce = asked.headers["DPoP-Nonce"]
    # the same pre-authorized code still works after both refusals
    proof = generate_proof(private_key=key, htm="POST", htu=htu, nonce=nonce)
    assert _post_token(issuer, form, proof).status_code == 200
