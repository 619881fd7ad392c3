"""The employer asking for an Open Badge (OpenID4VP 1.0 Appendix B.1): the DCQL query, and
answers built with ``w3c_presentation.present_jwt`` / ``present_ldp`` from badges of the
demo institution, verified, refused, and revoked."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer
from wallet_core.crypto import Signer, did_jwk, generate
from wallet_core.formats import w3c_presentation

from .ob3_fixtures import OB3_JWT, OB3_LDP, badge
from .verifier_fixtures import ScriptedHolder, VerifierHandle, holder, verifiers

__all__ = ["holder", "verifiers"]  # fixtures, imported for pytest

Verifiers = Callable[..., VerifierHandle]
TYPE_VALUES = [
    ["OpenBadgeCredential"],
    ["https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"],
]


@pytest.fixture(scope="module")
def demo_issuer(issuer_server: BackgroundServer, http: httpx.Client) -> DemoIssuerClient:
    return DemoIssuerClient(issuer_server.base_url, http)


def _present(
    credential: Any, signer: Signer, params: dict[str, Any], **changes: Any
) -> str | dict[str, Any]:
    holder_did = changes.pop("holder", did_jwk(signer.public_jwk))
    aud = changes.pop("aud", params["client_id"])
    nonce = changes.pop("nonce", params["nonce"])
    if isinstance(credential, str):
        return w3c_presentation.present_jwt(
            credential, signer, holder=holder_did, aud=aud, nonce=nonce, iat=int(time.time())
        )
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return w3c_presentation.present_ldp(
        credential, signer, holder=holder_did, domain=aud, challenge=nonce, created=created
    )


def _answer(
    holder: ScriptedHolder, params: dict[str, Any], query_id: str, vp: Any
) -> httpx.Response:
    return holder.post(params, {"vp_token": {query_id: [vp]}, "state": params["state"]})


def test_the_open_badge_query_offers_both_formats_as_credential_set_options(
    verifiers: Verifiers, holder: ScriptedHolder
) -> None:
    verifier = verifiers("x509_hash")
    tx = verifier.transaction(query="openbadge")
    assert tx["query"] == "openbadge"
    params = holder.request(tx)
    query = params["dcql_query"]
    assert [(c["id"], c["format"]) for c in query["credentials"]] == [
        ("openbadge_jwt", "jwt_vc_json"),
        ("openbadge_ldp", "ldp_vc"),
    ]
    for credential in query["credentials"]:
        assert credential["meta"] == {"type_values": TYPE_VALUES}
        assert credential["claims"] == [
            {"id": "achievement", "path": ["credentialSubject", "achievement", "name"]}
        ]
    assert query["credential_sets"] == [
        {"options": [["openbadge_jwt"], ["openbadge_ldp"]], "required": True}
    ]
    formats = params["client_metadata"]["vp_formats_supported"]
    assert formats["jwt_vc_json"] == {"alg_values": ["ES256", "EdDSA"]}
    assert formats["ldp_vc"]["cryptosuite_values"] == ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]
    single = holder.request(verifier.transaction(query="openbadge_ldp"))["dcql_query"]
    assert [c["id"] for c in single["credentials"]] == ["openbadge_ldp"]
    assert "credential_sets" not in single
    refused = verifier.http.post(verifier.url + "/admin/transactions", json={"query": "x"})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("configuration_id", "query_id", "prefix", "mode"),
    [
        (OB3_JWT, "openbadge_jwt", "redirect_uri", "direct_post"),
        (OB3_LDP, "openbadge_ldp", "x509_hash", "direct_post.jwt"),
        (OB3_JWT, "openbadge_jwt", "x509_san_dns", "direct_post.jwt"),
    ],
)
def test_a_badge_presented_by_its_holder_is_verified(
    verifiers: Verifiers,
    holder: ScriptedHolder,
    demo_issuer: DemoIssuerClient,
    configuration_id: str,
    query_id: str,
    prefix: str,
    mode: str,
) -> None:
    verifier = verifiers(prefix, mode)
    credential, signer, _ = badge(demo_issuer, configuration_id, "EdDSA")
    tx = verifier.transaction(query="openbadge")
    params = holder.request(tx)
    response = _answer(holder, params, query_id, _present(credential, signer, params))
    assert response.status_code == 200, response.text
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified", status
    result = status["result"]
    assert result["vct"] == "OpenBadgeCredential"
    assert result["issuer"].startswith("did:web:127.0.0.1%3A")
    assert result["claims"]["title"] == "Circulair ontwerpen in de bouw"
    assert result["claims"]["notionalWorkload"] == "5 ECTS"
    assert result["claims"]["level"] == "EQF 6"
    expected_status = "valid" if configuration_id == OB3_LDP else "none"
    assert result["credential_status"] == expected_status
    # one answer per transaction
    again = _answer(holder, params, query_id, _present(credential, signer, params))
    assert again.status_code == 400


def test_a_revoked_ldp_badge_is_shown_as_revoked(
    verifiers: Verifiers, holder: ScriptedHolder, demo_issuer: DemoIssuerClient
) -> None:
    verifier = verifiers()
    credential, signer, _ = badge(demo_issuer, OB3_LDP)
    index = credential["credentialStatus"]["statusListIndex"]
    revoked = demo_issuer.http.post(demo_issuer.url(f"/admin/revoke/bitstring/{index}"), json={})
    assert revoked.status_code == 200
    tx = verifier.transaction(query="openbadge_ldp")
    params = holder.request(tx)
    response = _answer(holder, params, "openbadge_ldp", _present(credential, signer, params))
    assert response.status_code == 200, response.text
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "revoked"
    assert status["result"]["credential_status"] == "invalid"


@pytest.mark.parametrize("configuration_id", [OB3_JWT, OB3_LDP])
def test_presentations_for_another_transaction_or_holder_are_refused(
    verifiers: Verifiers,
    holder: ScriptedHolder,
    demo_issuer: DemoIssuerClient,
    configuration_id: str,
) -> None:
    verifier = verifiers()
    credential, signer, _ = badge(demo_issuer, configuration_id)
    query_id = "openbadge_jwt" if configuration_id == OB3_JWT else "openbadge_ldp"
    other_query = "openbadge_ldp" if query_id == "openbadge_jwt" else "openbadge_jwt"
    thief = generate("ES256")
    tx = verifier.transaction(query="openbadge")
    params = holder.request(tx)
    cases: list[tuple[str, Any, str]] = [
        (query_id, _present(credential, signer, params, nonce="another"), "key_binding_nonce"),
        (query_id, _present(credential, signer, params, aud="x509_hash:x"), "key_binding_audience"),
        (query_id, _present(credential, thief, params), "holder_key_mismatch"),
        (other_query, _present(credential, signer, params), "is a"),  # wrong format for the id
        ("microcredential", _present(credential, signer, params), "not asked"),
    ]
    for answered, vp, why in cases:
        response = _answer(holder, params, answered, vp)
        assert response.status_code == 400, (why, response.text)
        assert why in response.json()["error_description"], response.text
    both = holder.post(
        params,
        {
            "vp_token": {
                "openbadge_jwt": [_present(credential, signer, params)],
                "openbadge_ldp": [_present(credential, signer, params)],
            },
            "state": params["state"],
        },
    )
    assert both.status_code == 400
    assert verifier.status(tx["transaction_id"])["status"] == "failed"  # five refusals
    assert len(verifier.status(tx["transaction_id"])["errors"]) >= 5


def test_a_badge_of_an_untrusted_issuer_is_refused_before_its_did_is_resolved(
    verifiers: Verifiers, holder: ScriptedHolder, demo_issuer: DemoIssuerClient
) -> None:
    verifier = verifiers(trusted_issuers=["https://other.example"])
    credential, signer, _ = badge(demo_issuer, OB3_JWT)
    tx = verifier.transaction(query="openbadge_jwt")
    params = holder.request(tx)
    response = _answer(holder, params, "openbadge_jwt", _present(credential, signer, params))
    assert response.status_code == 400
    assert "untrusted_issuer" in response.json()["error_description"]


def test_a_microcredential_transaction_does_not_take_a_badge(
    verifiers: Verifiers, holder: ScriptedHolder, demo_issuer: DemoIssuerClient
) -> None:
    verifier = verifiers()
    credential, signer, _ = badge(demo_issuer, OB3_JWT)
    tx = verifier.transaction()
    assert tx["query"] == "microcredential"
    params = holder.request(tx)
    response = _answer(holder, params, "microcredential", _present(credential, signer, params))
    assert response.status_code == 400


def test_the_check_page_offers_the_open_badge_checks(
    verifiers: Verifiers, http: httpx.Client
) -> None:
    verifier = verifiers()
    page = http.get(verifier.url + "/?query=openbadge").text
    assert "Controleer een Open Badge" in page and "jwt_vc_json / ldp_vc" in page
    assert "/?query=openbadge_ldp" in http.get(verifier.url + "/").text
