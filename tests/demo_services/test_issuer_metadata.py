"""The issuer's published documents: issuer, authorization server, keys, types, pages."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from wallet_core.formats import type_metadata

MICROCREDENTIALS = ("mc-circulair-ontwerpen", "mc-data-analyse-python", "mc-zorgtechnologie")
OPEN_BADGES = ("ob3-circulair-ontwerpen-jwt", "ob3-circulair-ontwerpen-ldp")  # test_issuer_ob3.py


def test_credential_issuer_metadata(issuer: DemoIssuerClient) -> None:
    base = issuer.base_url
    metadata = issuer.issuer_metadata()
    assert metadata["credential_issuer"] == base
    assert metadata["credential_endpoint"] == f"{base}/credential"
    assert metadata["nonce_endpoint"] == f"{base}/nonce"
    assert metadata["deferred_credential_endpoint"] == f"{base}/deferred_credential"
    assert metadata["notification_endpoint"] == f"{base}/notification"
    assert metadata["batch_credential_issuance"] == {"batch_size": 3}
    assert "authorization_servers" not in metadata  # the issuer is its own AS
    assert {d["locale"] for d in metadata["display"]} == {"nl", "en"}
    assert all(d["logo"]["uri"].startswith(base) for d in metadata["display"])

    configs = metadata["credential_configurations_supported"]
    assert {*MICROCREDENTIALS, "diploma-bachelor-bouwkunde", *OPEN_BADGES} == set(configs)
    for config_id, config in configs.items():
        if config_id in OPEN_BADGES:
            continue
        assert config["format"] == "dc+sd-jwt"
        assert config["vct"].startswith(f"{base}/types/")
        assert config["scope"] == config_id
        assert config["cryptographic_binding_methods_supported"] == ["jwk"]
        assert config["proof_types_supported"] == {
            "jwt": {"proof_signing_alg_values_supported": ["ES256", "EdDSA"]}
        }
        display = config["credential_metadata"]["display"]
        assert [d["locale"] for d in display] == ["nl", "en"]
        assert all(d["name"] and d["background_color"] and d["text_color"] for d in display)
        claims = config["credential_metadata"]["claims"]
        paths = [c["path"] for c in claims]
        assert ["title"] in paths and ["givenName"] in paths
        assert ["iss"] not in paths and ["cnf"] not in paths
        for claim in claims:
            assert {d["locale"] for d in claim["display"]} == {"nl", "en"}
        assert "display" not in config  # 1.0 puts it under credential_metadata
    for config_id in MICROCREDENTIALS:
        assert configs[config_id]["vct"] == f"{base}/types/microcredential"
        paths = [c["path"] for c in configs[config_id]["credential_metadata"]["claims"]]
        for name in ("learningOutcomes", "notionalWorkload", "typeOfAssessment", "level"):
            assert [name] in paths


def test_authorization_server_metadata(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    base = issuer.base_url
    metadata = http.get(issuer.url("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == base
    assert metadata["authorization_endpoint"] == f"{base}/authorize"
    assert metadata["token_endpoint"] == f"{base}/token"
    assert metadata["pushed_authorization_request_endpoint"] == f"{base}/par"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["pre-authorized_grant_anonymous_access_supported"] is True
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert set(metadata["grant_types_supported"]) == {
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:pre-authorized_code",
    }


def test_jwt_vc_issuer_metadata(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    metadata = http.get(issuer.url("/.well-known/jwt-vc-issuer")).json()
    assert metadata["issuer"] == issuer.base_url
    [key] = metadata["jwks"]["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["kid"]
    assert "d" not in key


def test_type_metadata_is_served_with_integrity(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    vct = issuer.url("/types/microcredential")
    response = http.get(vct)
    assert response.headers["content-type"] == "application/json"
    resolved = type_metadata.resolve(vct, lambda url: http.get(url).content)
    assert resolved.vct == vct
    assert {d.locale for d in resolved.display} == {"nl", "en"}
    rules = {claim.path: claim for claim in resolved.claims}
    assert rules[("title",)].sd == "always" and rules[("title",)].mandatory
    assert rules[("attestation_legal_category",)].sd == "never"
    assert rules[("level",)].sd == "allowed"
    labels = type_metadata.localize(resolved, "nl")
    assert labels.label(("learningOutcomes",)) == "Leeruitkomsten"
    assert type_metadata.localize(resolved, "en").label(("notionalWorkload",)) == (
        "Notional workload"
    )
    # same claim names and sd rules as the WE BUILD sample
    document = json.loads(response.content)
    assert len(document["claims"]) >= 45
    assert http.get(issuer.url("/types/nonexistent")).status_code == 404


def test_pages_and_logo(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    home = http.get(issuer.url("/"))
    assert home.status_code == 200
    assert "Hogeschool Demo — microcredentials" in home.text
    for name in ("Circulair ontwerpen in de bouw", "Data-analyse met Python", "Bachelor Bouwkunde"):
        assert name in home.text
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    logo = http.get(issuer.url("/static/logo.png"))
    assert logo.headers["content-type"] == "image/png"
    assert logo.content.startswith(b"\x89PNG")


def test_offer_page_shows_qr_link_and_code(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    page = http.get(issuer.url("/offer/mc-zorgtechnologie"))
    assert page.status_code == 200
    assert "data:image/png;base64," in page.text
    assert "openid-credential-offer://?credential_offer_uri=" in page.text
    assert "Transactiecode" in page.text
    assert page.headers["cache-control"] == "no-store"
    by_value = http.get(issuer.url("/offer/mc-zorgtechnologie?by_reference=0&tx_code=0"))
    assert "openid-credential-offer://?credential_offer=" in by_value.text
    assert "Transactiecode" not in by_value.text
    login = http.get(issuer.url("/offer/mc-zorgtechnologie?grant=authorization_code"))
    assert "inlogpagina" in login.text and "Transactiecode" not in login.text
    assert http.get(issuer.url("/offer/unknown")).status_code == 404


def test_hosts_other_than_loopback_are_refused(
    issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    # DNS rebinding: a foreign Host header must not reach the app
    response = http.get(issuer.url("/"), headers={"Host": "attacker.example"})
    assert response.status_code == 400


def test_offer_qr_decodes_to_the_offer_link(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    pyzbar = pytest.importorskip("pyzbar.pyzbar", reason="pyzbar (and libzbar0) not installed")
    from PIL import Image

    text = http.get(issuer.url("/offer/mc-circulair-ontwerpen")).text
    match = re.search(r"src='data:image/png;base64,([^']+)'", text)
    assert match is not None
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    [decoded] = pyzbar.decode(image)
    link = decoded.data.decode()
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    assert html.escape(link) in text
    uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    offer = http.get(uri).json()
    assert offer["credential_configuration_ids"] == ["mc-circulair-ontwerpen"]
