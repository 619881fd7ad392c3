"""Authorization code flow: PAR, login page driven with httpx, PKCE, RFC 9207 iss."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from demo_services.issuer.tokens import s256
from wallet_core.crypto import generate
from wallet_core.formats import sd_jwt_vc

REDIRECT = "https://wallet.example/callback"
CLIENT = "eduwallet-test"
ZORG = "mc-zorgtechnologie"


@dataclass
class Pkce:
    verifier: str
    challenge: str


def _pkce() -> Pkce:
    verifier = secrets.token_urlsafe(48)
    return Pkce(verifier, s256(verifier))


def _request(pkce: Pkce, **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        "state": "st-" + secrets.token_hex(4),
        **extra,
    }


def _details(*config_ids: str) -> str:
    return json.dumps(
        [{"type": "openid_credential", "credential_configuration_id": c} for c in config_ids]
    )


def _login(
    issuer: DemoIssuerClient,
    http: httpx.Client,
    authorize: httpx.Response,
    *,
    student: str = "s1234567",
    password: str = "demo",
) -> httpx.Response:
    assert authorize.status_code == 200, authorize.text
    assert "Inloggen" in authorize.text
    match = re.search(r"name='session' value='([^']+)'", authorize.text)
    assert match is not None
    return http.post(
        issuer.url("/login"),
        data={"session": match.group(1), "student_number": student, "password": password},
    )


def _callback(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _code_via_par(
    issuer: DemoIssuerClient, http: httpx.Client, pkce: Pkce, **extra: str
) -> tuple[dict[str, str], dict[str, str]]:
    request = _request(pkce, **extra)
    pushed = http.post(issuer.url("/par"), data=request)
    assert pushed.status_code == 201, pushed.text
    body = pushed.json()
    assert body["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert body["expires_in"] > 0
    authorize = http.get(
        issuer.url("/authorize"), params={"client_id": CLIENT, "request_uri": body["request_uri"]}
    )
    return request, _callback(_login(issuer, http, authorize))


def _exchange(
    issuer: DemoIssuerClient, auth_code: str, verifier: str, **overrides: str
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": auth_code,
        "code_verifier": verifier,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT,
        **overrides,
    }
    return issuer.token_request(form)


def test_par_login_and_token_with_authorization_details(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    pkce = _pkce()
    request, callback = _code_via_par(issuer, http, pkce, authorization_details=_details(ZORG))
    assert callback["iss"] == issuer.base_url  # RFC 9207
    assert callback["state"] == request["state"]
    token = _exchange(issuer, callback["code"], pkce.verifier)
    assert token.status_code == 200, token.text
    body = token.json()
    [details] = body["authorization_details"]
    assert details["type"] == "openid_credential"
    assert details["credential_configuration_id"] == ZORG
    [identifier] = details["credential_identifiers"]

    holder = generate("ES256")
    nonce = issuer.nonce()
    proof = issuer.proof(holder, nonce, claims={"iss": CLIENT})
    by_config = issuer.credential_request(
        body["access_token"], {"credential_configuration_id": ZORG, "proofs": {"jwt": [proof]}}
    )
    assert by_config.json()["error"] == "invalid_credential_request"
    response = issuer.credential_request(
        body["access_token"], {"credential_identifier": identifier, "proofs": {"jwt": [proof]}}
    )
    assert response.status_code == 200, response.text
    [entry] = response.json()["credentials"]
    credential = sd_jwt_vc.verify_issued(
        entry["credential"], issuer.issuer_jwk(), holder_jwk=holder.public_jwk
    )
    assert credential.claims["title"] == "Zorgtechnologie in de praktijk"


def test_scope_and_plain_query_authorization(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    pkce = _pkce()
    request = _request(pkce, scope="mc-circulair-ontwerpen some-unknown-scope")
    authorize = http.get(issuer.url("/authorize"), params=request)
    callback = _callback(_login(issuer, http, authorize))
    body = _exchange(issuer, callback["code"], pkce.verifier).json()
    assert "authorization_details" not in body
    [credential] = _credential(issuer, body["access_token"], "mc-circulair-ontwerpen")
    assert credential["title"] == "Circulair ontwerpen in de bouw"


def test_issuer_state_from_an_offer(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    offer = issuer.create_offer(["diploma-bachelor-bouwkunde"], grant="authorization_code")
    assert "urn:ietf:params:oauth:grant-type:pre-authorized_code" not in offer["offer"]["grants"]
    issuer_state = offer["offer"]["grants"]["authorization_code"]["issuer_state"]
    pkce = _pkce()
    authorize = http.get(issuer.url("/authorize"), params=_request(pkce, issuer_state=issuer_state))
    assert "Bachelor Bouwkunde" in authorize.text
    callback = _callback(_login(issuer, http, authorize))
    body = _exchange(issuer, callback["code"], pkce.verifier).json()
    [credential] = _credential(issuer, body["access_token"], "diploma-bachelor-bouwkunde")
    assert credential["degree"] == "Bachelor of Science"


def _credential(issuer: DemoIssuerClient, token: str, config_id: str) -> list[dict[str, Any]]:
    holder = generate("ES256")
    proof = issuer.proof(holder, issuer.nonce(), claims={"iss": CLIENT})
    response = issuer.credential_request(
        token, {"credential_configuration_id": config_id, "proofs": {"jwt": [proof]}}
    )
    assert response.status_code == 200, response.text
    jwk = issuer.issuer_jwk()
    return [
        sd_jwt_vc.verify_issued(e["credential"], jwk, holder_jwk=holder.public_jwk).claims
        for e in response.json()["credentials"]
    ]


def test_wrong_code_verifier_is_refused_and_burns_the_code(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    pkce = _pkce()
    _, callback = _code_via_par(issuer, http, pkce, scope=ZORG)
    wrong = _exchange(issuer, callback["code"], _pkce().verifier)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    right = _exchange(issuer, callback["code"], pkce.verifier)
    assert right.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "override",
    [
        {"redirect_uri": "https://wallet.example/other"},
        {"client_id": "another-client"},
        {"code": "made-up"},
    ],
)
def test_token_request_must_match_the_authorization(
    issuer: DemoIssuerClient, http: httpx.Client, override: dict[str, str]
) -> None:
    pkce = _pkce()
    _, callback = _code_via_par(issuer, http, pkce, scope=ZORG)
    response = _exchange(issuer, callback["code"], pkce.verifier, **override)
    assert response.json()["error"] == "invalid_grant"


def test_code_replay_revokes_the_access_token(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    pkce = _pkce()
    _, callback = _code_via_par(issuer, http, pkce, scope=ZORG)
    token = _exchange(issuer, callback["code"], pkce.verifier).json()["access_token"]
    replay = _exchange(issuer, callback["code"], pkce.verifier)
    assert replay.json()["error"] == "invalid_grant"
    refused = issuer.credential_request(token, {"credential_configuration_id": ZORG})
    assert refused.status_code == 401


def test_request_uri_is_single_use_and_bound_to_the_client(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    pushed = http.post(issuer.url("/par"), data=_request(_pkce(), scope=ZORG)).json()
    foreign = http.get(
        issuer.url("/authorize"),
        params={"client_id": "someone-else", "request_uri": pushed["request_uri"]},
    )
    assert foreign.status_code == 400
    again = http.get(
        issuer.url("/authorize"), params={"client_id": CLIENT, "request_uri": pushed["request_uri"]}
    )
    assert again.status_code == 400  # the failed attempt consumed it


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "nothing-we-know"}, "invalid_scope"),
        (
            {"authorization_details": '[{"type": "openid_credential"}]'},
            "invalid_authorization_details",
        ),
        ({"request_uri": "urn:ietf:params:oauth:request_uri:x"}, "invalid_request"),
    ],
)
def test_par_errors(
    issuer: DemoIssuerClient, http: httpx.Client, change: dict[str, str], error: str
) -> None:
    request = {**_request(_pkce(), scope=ZORG), **change}
    response = http.post(issuer.url("/par"), data=request)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_authorize_errors_redirect_with_iss_and_state(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    request = _request(_pkce(), scope=ZORG, code_challenge_method="plain")
    callback = _callback(http.get(issuer.url("/authorize"), params=request))
    assert callback["error"] == "invalid_request"
    assert callback["state"] == request["state"] and callback["iss"] == issuer.base_url


@pytest.mark.parametrize(
    "redirect_uri", ["javascript:alert(1)", "http://evil.example/cb", "https://w.example/cb#frag"]
)
def test_unusable_redirect_uris_are_never_redirected_to(
    issuer: DemoIssuerClient, http: httpx.Client, redirect_uri: str
) -> None:
    request = _request(_pkce(), scope=ZORG, redirect_uri=redirect_uri)
    response = http.get(issuer.url("/authorize"), params=request)
    assert response.status_code == 400
    assert "location" not in response.headers


def test_wrong_password_then_deny(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    request = _request(_pkce(), scope=ZORG)
    authorize = http.get(issuer.url("/authorize"), params=request)
    failed = _login(issuer, http, authorize, password="wrong")
    assert failed.status_code == 401
    assert "verkeerd wachtwoord" in failed.text
    session = re.search(r"name='session' value='([^']+)'", failed.text)
    assert session is not None
    denied = http.post(issuer.url("/login"), data={"session": session.group(1), "action": "deny"})
    callback = _callback(denied)
    assert callback["error"] == "access_denied" and callback["state"] == request["state"]
    gone = http.post(
        issuer.url("/login"),
        data={"session": session.group(1), "student_number": "s1234567", "password": "demo"},
    )
    assert gone.status_code == 400


def test_loopback_and_private_scheme_redirect_uris_are_fine(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    for redirect_uri in ("http://127.0.0.1:5555/cb", "eduwallet://callback"):
        pkce = _pkce()
        request = _request(pkce, scope=ZORG, redirect_uri=redirect_uri)
        response = _login(issuer, http, http.get(issuer.url("/authorize"), params=request))
        assert response.status_code == 303
        assert response.headers["location"].startswith(redirect_uri + "?code=")
