"""Pre-authorized code flow, nonce and credential endpoint (OpenID4VCI 1.0 mode)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient, make_proof
from wallet_core.crypto import did_jwk, generate, public_only, sign_compact
from wallet_core.formats import sd_jwt_vc, type_metadata

DATA = "mc-data-analyse-python"
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def _token(issuer: DemoIssuerClient, config_id: str = DATA) -> str:
    offer = issuer.create_offer([config_id])
    token: str = issuer.pre_authorized_token(offer["pre_authorized_code"])["access_token"]
    return token


def _error(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    code: str = response.json()["error"]
    return code


# -- offers and tokens -------------------------------------------------------------------


def test_offer_by_value_and_by_reference(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    offer = issuer.create_offer([DATA], tx_code=True)
    link = urlsplit(offer["offer_link"])
    assert link.scheme == "openid-credential-offer"
    document = json.loads(parse_qs(link.query)["credential_offer"][0])
    assert document == offer["offer"]
    assert document["credential_issuer"] == issuer.base_url
    assert document["credential_configuration_ids"] == [DATA]
    grant = document["grants"][PRE_AUTH]
    assert grant["tx_code"]["length"] == 6 and grant["tx_code"]["input_mode"] == "numeric"
    assert len(offer["tx_code"]) == 6 and offer["tx_code"].isdigit()

    by_reference = issuer.create_offer([DATA], by_reference=True)
    uri = parse_qs(urlsplit(by_reference["offer_link"]).query)["credential_offer_uri"][0]
    assert uri == by_reference["offer_uri"]
    fetched = http.get(uri)
    assert fetched.headers["content-type"] == "application/json"
    assert fetched.json() == by_reference["offer"]
    assert "tx_code" not in fetched.json()["grants"][PRE_AUTH]


def test_token_without_tx_code(issuer: DemoIssuerClient) -> None:
    offer = issuer.create_offer([DATA])
    token = issuer.pre_authorized_token(offer["pre_authorized_code"])
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] > 0
    assert "c_nonce" not in token  # 1.0: only from the nonce endpoint
    # single use
    again = issuer.token_request(
        {"grant_type": PRE_AUTH, "pre-authorized_code": offer["pre_authorized_code"]}
    )
    assert _error(again) == "invalid_grant"


def test_token_with_tx_code(issuer: DemoIssuerClient) -> None:
    offer = issuer.create_offer([DATA], tx_code=True)
    code = offer["pre_authorized_code"]
    missing = issuer.token_request({"grant_type": PRE_AUTH, "pre-authorized_code": code})
    assert _error(missing) == "invalid_request"
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    bad = issuer.token_request(
        {"grant_type": PRE_AUTH, "pre-authorized_code": code, "tx_code": wrong}
    )
    assert _error(bad) == "invalid_grant"
    assert issuer.pre_authorized_token(code, offer["tx_code"])["access_token"]


def test_tx_code_when_none_was_asked_is_invalid_request(issuer: DemoIssuerClient) -> None:
    offer = issuer.create_offer([DATA])
    response = issuer.token_request(
        {
            "grant_type": PRE_AUTH,
            "pre-authorized_code": offer["pre_authorized_code"],
            "tx_code": "1",
        }
    )
    assert _error(response) == "invalid_request"


def test_wrong_tx_codes_burn_the_pre_authorized_code(issuer: DemoIssuerClient) -> None:
    offer = issuer.create_offer([DATA], tx_code=True)
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": offer["pre_authorized_code"]}
    wrong = "999999" if offer["tx_code"] != "999999" else "888888"
    for _ in range(5):
        assert _error(issuer.token_request({**form, "tx_code": wrong})) == "invalid_grant"
    right = issuer.token_request({**form, "tx_code": offer["tx_code"]})
    assert _error(right) == "invalid_grant"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": PRE_AUTH, "pre-authorized_code": "nope"}, "invalid_grant"),
        ({"grant_type": PRE_AUTH}, "invalid_request"),
        ({"pre-authorized_code": "x"}, "invalid_request"),
        ({"grant_type": "password", "username": "a"}, "unsupported_grant_type"),
    ],
)
def test_token_errors(issuer: DemoIssuerClient, form: dict[str, str], error: str) -> None:
    assert _error(issuer.token_request(form)) == error


def test_token_request_must_be_a_form(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    response = http.post(issuer.url("/token"), json={"grant_type": PRE_AUTH})
    assert _error(response) == "invalid_request"


# -- credential --------------------------------------------------------------------------


def test_nonce_endpoint(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    response = http.post(issuer.url("/nonce"))
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    first = response.json()["c_nonce"]
    assert len(first) >= 32 and first != issuer.nonce()


def test_issue_and_verify_a_microcredential(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    holder = generate("ES256")
    token = _token(issuer)
    nonce = issuer.nonce()
    response = issuer.credential_request(
        token,
        {"credential_configuration_id": DATA, "proofs": {"jwt": [issuer.proof(holder, nonce)]}},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"credentials", "notification_id"}
    [entry] = body["credentials"]
    vct = issuer.url("/types/microcredential")
    credential = sd_jwt_vc.verify_issued(
        entry["credential"], issuer.issuer_jwk(), holder_jwk=holder.public_jwk, expected_vct=vct
    )
    claims = credential.claims
    assert credential.sd_jwt.header["typ"] == "dc+sd-jwt"
    assert credential.sd_jwt.header["kid"] == issuer.issuer_jwk()["kid"]
    assert claims["iss"] == issuer.base_url
    assert claims["title"] == "Data-analyse met Python"
    assert claims["givenName"] == "Sanne" and claims["familyName"] == "de Vries"
    assert claims["issuerCountry"] == "NL"
    assert claims["awardingBody"] == "Hogeschool Demo"
    assert claims["notionalWorkload"] == "3 ECTS" and claims["level"] == "EQF 5"
    assert isinstance(claims["learningOutcomes"], list) and claims["learningOutcomes"]
    assert claims["attestation_legal_category"] == "non-qualified-EAA"
    assert claims["identifier"].startswith("urn:uuid:")
    assert claims["exp"] - claims["iat"] >= 4 * 365 * 86400
    assert claims["status"]["status_list"]["uri"] == issuer.url("/status/1")
    assert isinstance(claims["status"]["status_list"]["idx"], int)

    # selective disclosure follows the type metadata: never -> clear, always -> disclosable
    disclosable = {claim.path for claim in credential.sd_jwt.disclosable}
    assert ("title",) in disclosable and ("givenName",) in disclosable
    assert ("level",) in disclosable
    assert ("attestation_legal_category",) not in disclosable
    assert "attestation_legal_category" in credential.sd_jwt.payload
    for name in ("iss", "vct", "status", "cnf", "exp", "iat", "vct#integrity"):
        assert name in credential.sd_jwt.payload
    metadata = type_metadata.resolve(
        vct, lambda url: http.get(url).content, integrity=claims["vct#integrity"]
    )
    type_metadata.validate(metadata, claims, disclosable)


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_issue_the_diploma_with_an_eddsa_key(issuer: DemoIssuerClient) -> None:
    holder = generate("EdDSA")
    [text] = issuer.issue("diploma-bachelor-bouwkunde", [holder])
    credential = sd_jwt_vc.verify_issued(
        text,
        issuer.issuer_jwk(),
        holder_jwk=holder.public_jwk,
        expected_vct=issuer.url("/types/diploma"),
    )
    assert credential.claims["title"] == "Bouwkunde"
    assert credential.claims["notionalWorkload"] == "240 ECTS"
    assert ("dateOfBirth",) in {c.path for c in credential.sd_jwt.disclosable}


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_batch_of_three_binds_each_credential_to_its_key(issuer: DemoIssuerClient) -> None:
    holders = [generate("ES256"), generate("ES256"), generate("EdDSA")]
    credentials = issuer.issue("mc-circulair-ontwerpen", holders)
    assert len(credentials) == 3
    issuer_jwk = issuer.issuer_jwk()
    verified = [
        sd_jwt_vc.verify_issued(text, issuer_jwk, holder_jwk=holder.public_jwk)
        for text, holder in zip(credentials, holders, strict=True)
    ]
    # one dataset, three unlinkable copies: same identifier, separate status indices
    assert len({v.claims["identifier"] for v in verified}) == 1
    assert len({v.claims["status"]["status_list"]["idx"] for v in verified}) == 3
    with pytest.raises(Exception, match="key"):
        sd_jwt_vc.verify_issued(credentials[0], issuer_jwk, holder_jwk=holders[1].public_jwk)


def test_more_proofs_than_the_batch_size_are_refused(issuer: DemoIssuerClient) -> None:
    token = _token(issuer)
    nonce = issuer.nonce()
    proofs = [issuer.proof(generate("ES256"), nonce) for _ in range(4)]
    response = issuer.credential_request(
        token, {"credential_configuration_id": DATA, "proofs": {"jwt": proofs}}
    )
    assert _error(response) == "invalid_credential_request"


def test_the_same_key_twice_in_a_batch_is_refused(issuer: DemoIssuerClient) -> None:
    holder = generate("ES256")
    token = _token(issuer)
    nonce = issuer.nonce()
    proofs = [issuer.proof(holder, nonce), issuer.proof(holder, nonce)]
    response = issuer.credential_request(
        token, {"credential_configuration_id": DATA, "proofs": {"jwt": proofs}}
    )
    assert _error(response) == "invalid_proof"


def test_a_reused_nonce_is_invalid_nonce(issuer: DemoIssuerClient) -> None:
    nonce = issuer.nonce()
    first = issuer.credential_request(
        _token(issuer),
        {"credential_configuration_id": DATA, "proofs": {"jwt": [issuer.proof(generate(), nonce)]}},
    )
    assert first.status_code == 200
    second = issuer.credential_request(
        _token(issuer),
        {"credential_configuration_id": DATA, "proofs": {"jwt": [issuer.proof(generate(), nonce)]}},
    )
    assert _error(second) == "invalid_nonce"
    made_up = issuer.credential_request(
        _token(issuer),
        {
            "credential_configuration_id": DATA,
            "proofs": {"jwt": [issuer.proof(generate(), "not-a-nonce-we-issued")]},
        },
    )
    assert _error(made_up) == "invalid_nonce"


def _bad_proofs(issuer: DemoIssuerClient, nonce: str) -> dict[str, str]:
    holder = generate("ES256")
    other = generate("ES256")
    private = dict(holder.public_jwk)
    private["d"] = "AAAA"
    unsigned_header = {"typ": "openid4vci-proof+jwt", "alg": "none", "jwk": holder.public_jwk}

    def b64(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    none_alg = f"{b64(unsigned_header)}.{b64({'aud': issuer.base_url, 'nonce': nonce})}."
    return {
        "wrong typ": issuer.proof(holder, nonce, header={"typ": "JWT"}),
        "wrong aud": make_proof(holder, audience="https://other.example", nonce=nonce),
        "old iat": issuer.proof(holder, nonce, iat=time.time() - 3600),
        "future iat": issuer.proof(holder, nonce, iat=time.time() + 3600),
        "no iat": issuer.proof(holder, nonce, claims={"iat": None}),
        "no nonce": issuer.proof(holder, None),
        "no key": issuer.proof(holder, nonce, header={"jwk": None}),
        "kid and jwk": issuer.proof(holder, nonce, header={"kid": "k1"}),
        "other key": issuer.proof(holder, nonce, header={"jwk": public_only(other.public_jwk)}),
        "private key": issuer.proof(holder, nonce, header={"jwk": private}),
        "alg none": none_alg,
        "not a jwt": "definitely-not-a-jwt",
        "iss anonymous": issuer.proof(holder, nonce, claims={"iss": "wallet"}),
    }


def test_bad_proofs_are_invalid_proof(issuer: DemoIssuerClient) -> None:
    nonce = issuer.nonce()
    for reason, proof in _bad_proofs(issuer, nonce).items():
        response = issuer.credential_request(
            _token(issuer), {"credential_configuration_id": DATA, "proofs": {"jwt": [proof]}}
        )
        assert _error(response) == "invalid_proof", reason
    # none of the failures consumed the nonce
    ok = issuer.credential_request(
        _token(issuer),
        {"credential_configuration_id": DATA, "proofs": {"jwt": [issuer.proof(generate(), nonce)]}},
    )
    assert ok.status_code == 200


def test_a_did_jwk_kid_is_accepted(issuer: DemoIssuerClient) -> None:
    holder = generate("ES256")
    nonce = issuer.nonce()
    header = {"typ": "openid4vci-proof+jwt", "kid": did_jwk(holder.public_jwk) + "#0"}
    proof = sign_compact(
        header, {"aud": issuer.base_url, "iat": int(time.time()), "nonce": nonce}, holder
    )
    response = issuer.credential_request(
        _token(issuer), {"credential_configuration_id": DATA, "proofs": {"jwt": [proof]}}
    )
    assert response.status_code == 200, response.text
    text = response.json()["credentials"][0]["credential"]
    sd_jwt_vc.verify_issued(text, issuer.issuer_jwk(), holder_jwk=holder.public_jwk)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"proofs": {"jwt": []}}, 400, "invalid_credential_request"),
        (
            {"credential_configuration_id": DATA, "credential_identifier": "x", "proofs": {}},
            400,
            "invalid_credential_request",
        ),
        ({"credential_identifier": "x"}, 400, "invalid_credential_request"),
        ({"credential_configuration_id": "nope"}, 400, "unknown_credential_configuration"),
        ({"credential_configuration_id": "mc-zorgtechnologie"}, 403, "insufficient_scope"),
        ({"credential_configuration_id": DATA}, 400, "invalid_proof"),
        ({"credential_configuration_id": DATA, "proof": {}}, 400, "invalid_proof"),
        ({"credential_configuration_id": DATA, "proofs": {"di_vp": [{}]}}, 400, "invalid_proof"),
        ({"credential_configuration_id": DATA, "proofs": {"jwt": []}}, 400, "invalid_proof"),
    ],
)
def test_credential_request_errors(
    issuer: DemoIssuerClient, body: dict[str, Any], status: int, error: str
) -> None:
    assert _error(issuer.credential_request(_token(issuer), body), status) == error


def test_access_token_is_required(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    body = {"credential_configuration_id": DATA}
    missing = http.post(issuer.url("/credential"), json=body)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    unknown = issuer.credential_request("made-up-token", body)
    assert _error(unknown, 401) == "invalid_token"


def test_notification(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    token = _token(issuer)
    nonce = issuer.nonce()
    response = issuer.credential_request(
        token,
        {"credential_configuration_id": DATA, "proofs": {"jwt": [issuer.proof(generate(), nonce)]}},
    )
    notification_id = response.json()["notification_id"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"notification_id": notification_id, "event": "credential_accepted"}
    for _ in range(2):  # idempotent
        sent = http.post(issuer.url("/notification"), json=body, headers=headers)
        assert sent.status_code == 204
    recorded = http.get(issuer.url("/admin/notifications")).json()
    assert {"notification_id": notification_id, "event": "credential_accepted"}.items() <= next(
        n for n in recorded if n["notification_id"] == notification_id
    ).items()
    issued = http.get(issuer.url("/admin/issued")).json()
    assert (
        "credential_accepted"
        in next(i for i in issued if i["notification_id"] == notification_id)["events"]
    )

    unknown = http.post(
        issuer.url("/notification"),
        json={"notification_id": "nope", "event": "credential_deleted"},
        headers=headers,
    )
    assert _error(unknown) == "invalid_notification_id"
    bad_event = http.post(
        issuer.url("/notification"),
        json={"notification_id": notification_id, "event": "credential_loved"},
        headers=headers,
    )
    assert _error(bad_event) == "invalid_notification_request"
    other_token = http.post(
        issuer.url("/notification"),
        json=body,
        headers={"Authorization": f"Bearer {_token(issuer)}"},
    )
    assert _error(other_token) == "invalid_notification_id"
