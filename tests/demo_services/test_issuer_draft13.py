"""Draft-13 compatibility mode: metadata layout, c_nonce in responses, single proof."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from demo_services.issuer.client import DemoIssuerClient
from demo_services.issuer.tokens import s256
from wallet_core.crypto import generate
from wallet_core.formats import sd_jwt_vc

DATA = "mc-data-analyse-python"
ZORG = "mc-zorgtechnologie"


def _token(issuer: DemoIssuerClient, *config_ids: str) -> dict[str, Any]:
    offer = issuer.create_offer(list(config_ids or (DATA,)), tx_code=True)
    return issuer.pre_authorized_token(offer["pre_authorized_code"], offer["tx_code"])


def _request(issuer: DemoIssuerClient, token: str, body: dict[str, Any]) -> httpx.Response:
    return issuer.credential_request(token, body)


def test_draft13_metadata(draft13_issuer: DemoIssuerClient) -> None:
    metadata = draft13_issuer.issuer_metadata()
    assert metadata["credential_issuer"] == draft13_issuer.base_url
    assert "nonce_endpoint" not in metadata
    assert "batch_credential_issuance" not in metadata
    config = metadata["credential_configurations_supported"][DATA]
    assert config["format"] == "vc+sd-jwt"
    assert config["vct"] == draft13_issuer.url("/types/microcredential")
    assert [d["locale"] for d in config["display"]] == ["nl", "en"]
    assert "credential_metadata" not in config
    assert config["claims"]["title"]["display"][0] == {"name": "Titel", "locale": "nl"}
    assert config["order"][0] == "title"
    assert config["order"][-1] == "attestation_legal_category"


def test_draft13_round_trip(draft13_issuer: DemoIssuerClient) -> None:
    token = _token(draft13_issuer)
    assert token["c_nonce"] and token["c_nonce_expires_in"] > 0
    vct = draft13_issuer.url("/types/microcredential")
    holder = generate("ES256")
    proof = {"proof_type": "jwt", "jwt": draft13_issuer.proof(holder, token["c_nonce"])}
    response = _request(
        draft13_issuer,
        token["access_token"],
        {"format": "vc+sd-jwt", "vct": vct, "proof": proof},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"credential", "c_nonce", "c_nonce_expires_in", "notification_id"}
    assert body["c_nonce"] != token["c_nonce"]
    credential = sd_jwt_vc.verify_issued(
        body["credential"],
        draft13_issuer.issuer_jwk(),
        holder_jwk=holder.public_jwk,
        expected_vct=vct,
    )
    assert credential.sd_jwt.header["typ"] == "vc+sd-jwt"
    assert credential.claims["title"] == "Data-analyse met Python"

    # the nonce from the credential response is good for the next request; the old one is not
    reused = _request(
        draft13_issuer,
        token["access_token"],
        {"format": "vc+sd-jwt", "vct": vct, "proof": proof},
    )
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_proof"
    assert reused.json()["c_nonce"]  # draft 13 §7.3.2: a fresh nonce with invalid_proof
    second = {"proof_type": "jwt", "jwt": draft13_issuer.proof(generate(), body["c_nonce"])}
    again = _request(
        draft13_issuer,
        token["access_token"],
        {"format": "vc+sd-jwt", "vct": vct, "proof": second},
    )
    assert again.status_code == 200, again.text


def test_draft13_picks_offered_configurations_in_order(draft13_issuer: DemoIssuerClient) -> None:
    token = _token(draft13_issuer, DATA, ZORG)
    vct = draft13_issuer.url("/types/microcredential")
    nonce = token["c_nonce"]
    titles = []
    for _ in range(2):
        proof = {"proof_type": "jwt", "jwt": draft13_issuer.proof(generate(), nonce)}
        response = _request(
            draft13_issuer,
            token["access_token"],
            {"format": "vc+sd-jwt", "vct": vct, "proof": proof},
        )
        assert response.status_code == 200, response.text
        nonce = response.json()["c_nonce"]
        titles.append(
            sd_jwt_vc.verify_issued(
                response.json()["credential"], draft13_issuer.issuer_jwk()
            ).claims["title"]
        )
    assert titles == ["Data-analyse met Python", "Zorgtechnologie in de praktijk"]


def test_draft13_errors(draft13_issuer: DemoIssuerClient) -> None:
    token = _token(draft13_issuer)
    vct = draft13_issuer.url("/types/microcredential")
    cases = [
        ({"format": "dc+sd-jwt", "vct": vct}, "unsupported_credential_format"),
        (
            {"format": "vc+sd-jwt", "vct": "https://other.example/type"},
            "unsupported_credential_type",
        ),
        ({"vct": vct}, "invalid_credential_request"),
        ({"format": "vc+sd-jwt", "vct": vct}, "invalid_proof"),
    ]
    for body, error in cases:
        response = _request(draft13_issuer, token["access_token"], body)
        assert response.status_code == 400
        assert response.json()["error"] == error, body
    missing = _request(draft13_issuer, token["access_token"], {"format": "vc+sd-jwt", "vct": vct})
    assert missing.json()["c_nonce"]
    diploma = _request(
        draft13_issuer,
        token["access_token"],
        {"format": "vc+sd-jwt", "vct": draft13_issuer.url("/types/diploma")},
    )
    assert diploma.status_code == 403


def test_draft13_deferred_is_issuance_pending(
    draft13_deferred_issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    issuer = draft13_deferred_issuer
    token = _token(issuer)
    vct = issuer.url("/types/microcredential")
    holder = generate("ES256")
    proof = {"proof_type": "jwt", "jwt": issuer.proof(holder, token["c_nonce"])}
    accepted = _request(
        issuer, token["access_token"], {"format": "vc+sd-jwt", "vct": vct, "proof": proof}
    )
    assert accepted.status_code == 202
    transaction_id = accepted.json()["transaction_id"]
    assert accepted.json()["c_nonce"]
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    url = issuer.url("/deferred_credential")
    pending = http.post(url, json={"transaction_id": transaction_id}, headers=headers)
    assert pending.status_code == 400
    assert pending.json()["error"] == "issuance_pending"
    assert pending.json()["interval"] > 0
    http.post(issuer.url(f"/admin/deferred/{transaction_id}/ready"), json={})
    done = http.post(url, json={"transaction_id": transaction_id}, headers=headers)
    assert done.status_code == 200
    sd_jwt_vc.verify_issued(
        done.json()["credential"], issuer.issuer_jwk(), holder_jwk=holder.public_jwk
    )


def test_draft13_authorization_details_by_format(
    draft13_issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    issuer = draft13_issuer
    verifier = secrets.token_urlsafe(48)
    details = [
        {"type": "openid_credential", "format": "vc+sd-jwt", "vct": issuer.url("/types/diploma")}
    ]
    pushed = http.post(
        issuer.url("/par"),
        data={
            "response_type": "code",
            "client_id": "w",
            "redirect_uri": "https://wallet.example/cb",
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
            "authorization_details": json.dumps(details),
        },
    ).json()
    page = http.get(issuer.url("/authorize"), params={"client_id": "w", **pushed})
    session = re.search(r"name='session' value='([^']+)'", page.text)
    assert session is not None
    login = http.post(
        issuer.url("/login"),
        data={"session": session.group(1), "student_number": "s1234567", "password": "demo"},
    )
    code = parse_qs(urlsplit(login.headers["location"]).query)["code"][0]
    token = issuer.token_request(
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": "https://wallet.example/cb",
            "client_id": "w",
        }
    ).json()
    [entry] = token["authorization_details"]
    assert entry["credential_configuration_id"] == "diploma-bachelor-bouwkunde"
    [identifier] = entry["credential_identifiers"]
    proof = {
        "proof_type": "jwt",
        "jwt": issuer.proof(generate(), token["c_nonce"], claims={"iss": "w"}),
    }
    response = _request(
        issuer, token["access_token"], {"credential_identifier": identifier, "proof": proof}
    )
    assert response.status_code == 200, response.text
