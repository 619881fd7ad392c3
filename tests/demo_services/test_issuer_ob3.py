"""The demo institution's Open Badges 3.0: the jwt_vc_json configuration the way the
edubadges agent issues (draft-13 and 1.0 shapes), the ldp_vc one with eddsa-rdfc-2022 and a
revocable Bitstring Status List entry, the issuer's did:web, and holder DIDs from proofs."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from demo_services.issuer.did import did_web
from wallet_core.crypto import did_jwk, generate, verify_compact
from wallet_core.formats import status_bitstring, w3c_vc
from wallet_core.formats.json_text import jwt_parts
from wallet_core.models import StatusState

from .ob3_fixtures import (
    OB3_JWT,
    OB3_LDP,
    TYPES,
    assertion_keys,
    badge,
    did_document,
    needs_oracle,
    oracle_documents,
    oracle_verify,
)

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


# -- metadata and the DID ----------------------------------------------------------------


def test_the_1_0_metadata_describes_both_open_badge_configurations(
    issuer: DemoIssuerClient,
) -> None:
    configs = issuer.issuer_metadata()["credential_configurations_supported"]
    jwt, ldp = configs[OB3_JWT], configs[OB3_LDP]
    assert jwt["format"] == "jwt_vc_json" and ldp["format"] == "ldp_vc"
    assert jwt["credential_definition"] == {"type": TYPES}
    assert ldp["credential_definition"] == {"@context": [V2, OB303], "type": TYPES}
    for config, alg in ((jwt, "ES256"), (ldp, "eddsa-rdfc-2022")):
        assert "vct" not in config
        assert config["cryptographic_binding_methods_supported"] == ["did:jwk"]
        assert config["credential_signing_alg_values_supported"] == [alg]
        assert config["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
        block = config["credential_metadata"]
        assert [d["locale"] for d in block["display"]] == ["nl", "en"]
        paths = [c["path"] for c in block["claims"]]
        assert ["credentialSubject", "achievement", "name"] in paths
        assert "display" not in config


def test_the_draft13_metadata_puts_display_and_claims_where_draft_13_has_them(
    draft13_issuer: DemoIssuerClient,
) -> None:
    configs = draft13_issuer.issuer_metadata()["credential_configurations_supported"]
    for config_id in (OB3_JWT, OB3_LDP):
        config = configs[config_id]
        assert "credential_metadata" not in config
        assert [d["locale"] for d in config["display"]] == ["nl", "en"]
        definition = config["credential_definition"]
        assert definition["type"] == TYPES
        name = definition["credentialSubject"]["achievement"]["name"]
        assert name["display"][0] == {"name": "Titel", "locale": "nl"}
    # the SD-JWT configurations keep their draft-13 format
    assert configs["mc-circulair-ontwerpen"]["format"] == "vc+sd-jwt"


def test_the_did_web_document_lists_both_keys_as_assertion_methods(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    response = http.get(issuer.url("/.well-known/did.json"))
    assert response.headers["content-type"].startswith("application/did+json")
    document = response.json()
    did = did_web(issuer.base_url)
    host = urlsplit(issuer.base_url).netloc
    assert did == "did:web:" + host.replace(":", "%3A") and document["id"] == did
    methods = {m["id"]: m for m in document["verificationMethod"]}
    assert set(document["assertionMethod"]) == set(methods) == {f"{did}#key-1", f"{did}#key-2"}
    assert methods[f"{did}#key-1"]["publicKeyJwk"]["crv"] == "P-256"
    assert "d" not in methods[f"{did}#key-1"]["publicKeyJwk"]
    assert methods[f"{did}#key-2"]["publicKeyMultibase"].startswith("z6Mk")  # Ed25519
    assert assertion_keys()(did, f"{did}#key-1") == {
        k: v for k, v in issuer.issuer_jwk().items() if k not in ("alg", "use")
    }


def test_the_offer_page_offers_an_open_badge_the_way_edubadges_does(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    page = http.get(issuer.url(f"/offer/{OB3_JWT}")).text
    assert "Transactiecode" not in page
    match = re.search(r"openid-credential-offer://\?credential_offer=[^'<\s]+", page)
    assert match is not None  # by value
    query = parse_qs(urlsplit(html.unescape(match.group(0))).query)
    offer = json.loads(query["credential_offer"][0])
    assert offer["credential_configuration_ids"] == [OB3_JWT]
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert "tx_code" not in grant


# -- jwt_vc_json ---------------------------------------------------------------------------


def _check_edubadges_jwt(token: str, issuer: DemoIssuerClient, holder_did: str) -> None:
    header, payload = jwt_parts(token, "VC-JWT")
    did = did_web(issuer.base_url)
    assert header == {"typ": "JWT", "kid": f"{did}#key-1", "alg": "ES256"}
    assert payload["iss"] == did and payload["sub"] == holder_did
    assert payload["exp"] == 9999999999 and "nbf" not in payload and "jti" not in payload
    vc = payload["vc"]
    assert vc["@context"] == [V1, OB302] and vc["type"] == TYPES
    assert vc["issuer"] == did and vc["credentialSubject"]["id"] == holder_did
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["name"] == "Circulair ontwerpen in de bouw"
    assert achievement["ECTS"] == 5.0 and achievement["participationType"] == "onsite or blended"
    assert {"targetType": "ext:EQF", "targetCode": "6"}.items() <= achievement["alignment"][
        0
    ].items()
    verify_compact(token, issuer.issuer_jwk(), algorithms=["ES256"])
    checked = w3c_vc.verify(token, resolver=assertion_keys(), now=time.time())
    assert checked.format == "jwt_vc_json" and checked.subject == holder_did
    assert checked.issuer == did and "OpenBadgeCredential" in checked.types
    assert "the VC-JWT has no nbf" in checked.warnings  # the agent's gaps: warned, accepted


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_a_1_0_jwt_vc_json_badge_names_the_proofs_did_as_its_subject(
    issuer: DemoIssuerClient, alg: str
) -> None:
    token, _, holder_did = badge(issuer, OB3_JWT, alg)
    assert isinstance(token, str)
    _check_edubadges_jwt(token, issuer, holder_did)


def test_the_draft13_flow_is_the_edubadges_agents(draft13_issuer: DemoIssuerClient) -> None:
    """Offer by value without tx_code, c_nonce in the token response, one ``proof``,
    ``format`` + ``credential_definition``, and ``{"credential": "<JWT>"}`` back."""
    offer = draft13_issuer.create_offer([OB3_JWT])
    assert offer["tx_code"] is None and offer["offer_uri"] is None
    token = draft13_issuer.pre_authorized_token(offer["pre_authorized_code"])
    assert token["c_nonce"]
    holder = generate("ES256")
    body = {
        "format": "jwt_vc_json",
        "credential_definition": {"type": TYPES},
        "proof": {
            "proof_type": "jwt",
            "jwt": draft13_issuer.proof(holder, token["c_nonce"], by_did=True),
        },
    }
    response = draft13_issuer.credential_request(token["access_token"], body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert isinstance(answer["credential"], str) and answer["c_nonce"]
    _check_edubadges_jwt(answer["credential"], draft13_issuer, did_jwk(holder.public_jwk))


def test_draft13_requests_for_other_types_or_formats_are_refused(
    draft13_issuer: DemoIssuerClient,
) -> None:
    offer = draft13_issuer.create_offer([OB3_JWT])
    token = draft13_issuer.pre_authorized_token(offer["pre_authorized_code"])
    holder = generate("ES256")

    def request(**body: Any) -> httpx.Response:
        proof = draft13_issuer.proof(holder, token["c_nonce"], by_did=True)
        return draft13_issuer.credential_request(
            token["access_token"], {**body, "proof": {"proof_type": "jwt", "jwt": proof}}
        )

    other = request(format="jwt_vc_json", credential_definition={"type": ["DiplomaCredential"]})
    assert other.json()["error"] == "unsupported_credential_type"
    missing = request(format="jwt_vc_json")
    assert missing.json()["error"] == "invalid_credential_request"
    not_covered = request(format="ldp_vc", credential_definition={"type": TYPES})
    assert not_covered.status_code == 403


def test_a_proof_with_a_jwk_header_binds_the_did_jwk_of_that_key(
    issuer: DemoIssuerClient,
) -> None:
    holder = generate("ES256")
    [token] = issuer.issue(OB3_JWT, [holder])  # jwk in the proof header, no DID
    subject = jwt_parts(token, "VC-JWT")[1]["sub"]
    assert subject.startswith("did:jwk:")
    assert w3c_vc.verify(token, resolver=assertion_keys(), now=time.time()).subject == subject


def test_a_did_jwk_proof_with_another_fragment_is_refused(issuer: DemoIssuerClient) -> None:
    offer = issuer.create_offer([OB3_JWT])
    token = issuer.pre_authorized_token(offer["pre_authorized_code"])
    holder = generate("ES256")
    proof = issuer.proof(
        holder, issuer.nonce(), by_did=True, header={"kid": did_jwk(holder.public_jwk) + "#1"}
    )
    response = issuer.credential_request(
        token["access_token"],
        {"credential_configuration_id": OB3_JWT, "proofs": {"jwt": [proof]}},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_proof"


# -- ldp_vc --------------------------------------------------------------------------------


def test_a_1_0_ldp_vc_badge_is_an_ob3_credential_with_a_data_integrity_proof(
    issuer: DemoIssuerClient,
) -> None:
    document, _, holder_did = badge(issuer, OB3_LDP, "EdDSA")
    assert isinstance(document, dict)
    did = did_web(issuer.base_url)
    assert document["@context"] == [V2, OB303] and document["type"] == TYPES
    assert document["issuer"]["id"] == did and document["issuer"]["type"] == ["Profile"]
    assert document["credentialSubject"]["id"] == holder_did
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["creditsAvailable"] == 5.0 and "ECTS" not in achievement
    assert document["credentialSubject"]["result"][0]["value"] == "8,0"
    proof = document["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == f"{did}#key-2"
    assert proof["proofPurpose"] == "assertionMethod"
    checked = w3c_vc.verify(document, resolver=assertion_keys(), now=time.time())
    assert checked.format == "ldp_vc" and checked.subject == holder_did
    assert checked.warnings == ()
    assert checked.valid_until is not None


def test_the_draft13_ldp_vc_request_names_its_context(draft13_issuer: DemoIssuerClient) -> None:
    offer = draft13_issuer.create_offer([OB3_LDP])
    token = draft13_issuer.pre_authorized_token(offer["pre_authorized_code"])
    holder = generate("EdDSA")
    body = {
        "format": "ldp_vc",
        "credential_definition": {"@context": [V2, OB303], "type": TYPES},
        "proof": {
            "proof_type": "jwt",
            "jwt": draft13_issuer.proof(holder, token["c_nonce"], by_did=True),
        },
    }
    response = draft13_issuer.credential_request(token["access_token"], body)
    assert response.status_code == 200, response.text
    document = response.json()["credential"]
    checked = w3c_vc.verify(document, resolver=assertion_keys(), now=time.time())
    assert checked.subject == did_jwk(holder.public_jwk)


def _status(issuer: DemoIssuerClient, http: httpx.Client, document: dict[str, Any]) -> StatusState:
    [entry] = status_bitstring.parse_bitstring_entries(document)
    assert entry.list_credential == issuer.url("/status/bitstring/1")
    listed = http.get(entry.list_credential)
    assert listed.headers["content-type"].startswith("application/vc+ld+json")
    checked = w3c_vc.verify(listed.json(), resolver=assertion_keys(), now=time.time())
    assert checked.issuer == did_web(issuer.base_url)
    result = status_bitstring.check_bitstring_status(entry, checked.document, now=datetime.now(UTC))
    return result.state


def test_an_ldp_vc_badge_is_revocable_through_its_bitstring_status_list(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    document, _, _ = badge(issuer, OB3_LDP)
    other, _, _ = badge(issuer, OB3_LDP)
    assert _status(issuer, http, document) is StatusState.VALID
    index = int(document["credentialStatus"]["statusListIndex"])
    revoked = http.post(issuer.url(f"/admin/revoke/bitstring/{index}"), json={})
    assert revoked.status_code == 200 and revoked.json() == {"revoked": [index]}
    assert _status(issuer, http, document) is StatusState.INVALID
    assert _status(issuer, http, other) is StatusState.VALID
    issued = http.get(issuer.url("/admin/issued")).json()
    [record] = [i for i in issued if i["bitstring_indices"] == [index]]
    assert record["revoked"] is True and record["status_indices"] == []
    missing = http.post(issuer.url("/admin/revoke/bitstring/131071000"), json={})
    assert missing.status_code == 404


def test_the_issuer_page_lists_open_badges_and_revokes_only_what_can_be(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    badge(issuer, OB3_JWT)
    badge(issuer, OB3_LDP)
    page = http.get(issuer.url("/")).text
    assert "(Open Badge)" in page and "/admin/revoke/bitstring/" in page
    assert "niet intrekbaar / not revocable" in page  # the VC-JWT carries no status


@needs_oracle
def test_digitalbazaar_verifies_the_ldp_vc_badge_and_its_status_list(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    document, _, _ = badge(issuer, OB3_LDP)
    documents = oracle_documents(did_document(issuer, http))
    assert oracle_verify(document, documents) == {"verified": True, "error": None}
    listed = http.get(issuer.url("/status/bitstring/1")).json()
    assert oracle_verify(listed, documents) == {"verified": True, "error": None}
    changed = {**document, "name": "Iets anders"}
    assert oracle_verify(changed, documents)["verified"] is False


def test_the_offer_link_query_is_what_the_admin_api_returns(issuer: DemoIssuerClient) -> None:
    offer = issuer.create_offer([OB3_LDP])
    query = parse_qs(urlsplit(offer["offer_link"]).query)
    assert json.loads(query["credential_offer"][0]) == offer["offer"]
