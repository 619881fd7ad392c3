"""The three metadata documents: credential issuer, authorization server, JWT VC issuer.

OpenID4VCI 1.0 layout by default (§12.2): per configuration ``format: dc+sd-jwt``, ``vct``,
and ``display``/``claims`` under ``credential_metadata`` (claims as an array of
``{path, mandatory, display[{name, locale}]}``), plus ``nonce_endpoint`` and
``batch_credential_issuance``. Draft 13 layout (§11.2.3 of that draft): ``format: vc+sd-jwt``,
``display`` at configuration level, ``claims`` as an object keyed by claim name with an
``order`` array, no nonce endpoint (the c_nonce comes with token and credential responses)
and no batch (draft 13 had a separate batch endpoint, which this demo does not offer).
The Open Badge configurations (``jwt_vc_json``, ``ldp_vc``) are described by
:func:`demo_services.issuer.open_badges.configuration`.
"""

from __future__ import annotations

from typing import Any

from demo_services.issuer import dpop, encryption, open_badges
from demo_services.issuer.attestation import auth_methods, proof_types
from demo_services.issuer.catalog import INSTITUTION_EN, INSTITUTION_NL, Offering
from demo_services.issuer.context import PRE_AUTHORIZED_GRANT, Issuer

# Bookkeeping claims are never listed for display: the wallet shows them its own way.
_NOT_DISPLAYED = frozenset({"iss", "iat", "nbf", "exp", "jti", "cnf", "status", "vct"})


def credential_issuer_metadata(issuer: Issuer) -> dict[str, Any]:
    draft13 = issuer.settings.draft13
    metadata: dict[str, Any] = {
        "credential_issuer": issuer.identifier,
        "credential_endpoint": issuer.url("/credential"),
    }
    if not draft13:
        metadata["nonce_endpoint"] = issuer.url("/nonce")
    metadata["deferred_credential_endpoint"] = issuer.url("/deferred_credential")
    metadata["notification_endpoint"] = issuer.url("/notification")
    if not draft13:
        metadata["batch_credential_issuance"] = {"batch_size": issuer.settings.batch_size}
        metadata.update(encryption.metadata(issuer))
    else:
        metadata["credential_identifiers_supported"] = True
    metadata["display"] = issuer_display(issuer)
    metadata["credential_configurations_supported"] = {
        offering.id: _configuration(issuer, offering) for offering in issuer.catalog.values()
    }
    return metadata


def issuer_display(issuer: Issuer) -> list[dict[str, Any]]:
    logo = issuer.url("/static/logo.png")
    return [
        {
            "name": INSTITUTION_NL,
            "locale": "nl",
            "logo": {"uri": logo, "alt_text": "Logo van Hogeschool Demo"},
        },
        {
            "name": INSTITUTION_EN,
            "locale": "en",
            "logo": {"uri": logo, "alt_text": "Hogeschool Demo logo"},
        },
    ]


def _configuration(issuer: Issuer, offering: Offering) -> dict[str, Any]:
    if offering.is_open_badge:
        return open_badges.configuration(issuer, offering, credential_display(issuer, offering))
    ctype = issuer.type_of(offering)
    config: dict[str, Any] = {
        "format": issuer.credential_format(),
        "vct": ctype.vct,
        "scope": offering.scope,
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": [issuer.signer.alg.value],
        "proof_types_supported": proof_types(issuer),
    }
    display = credential_display(issuer, offering)
    names = _claim_names(issuer, offering)
    if issuer.settings.draft13:
        config["display"] = display
        config["claims"] = {name: _draft13_claim(issuer, offering, name) for name in names}
        config["order"] = names
    else:
        config["credential_metadata"] = {
            "display": display,
            "claims": [_claim(issuer, offering, name) for name in names],
        }
    return config


def credential_display(issuer: Issuer, offering: Offering) -> list[dict[str, Any]]:
    logo = {"uri": issuer.url("/static/logo.png"), "alt_text": "Hogeschool Demo"}
    return [
        {
            "name": name,
            "locale": locale,
            "description": description,
            "logo": logo,
            "background_color": offering.background_color,
            "text_color": offering.text_color,
        }
        for locale, name, description in (
            ("nl", offering.name_nl, offering.description_nl),
            ("en", offering.name_en, offering.description_en),
        )
    ]


# The claims array order is the wallet's display order (OpenID4VCI 1.0, "Processing Rules
# for Claims Description Objects"): what the credential is and who holds it first, the EU
# elements next, technical claims last.
_DISPLAY_FIRST = (
    "title",
    "degree",
    "givenName",
    "familyName",
    "dateOfBirth",
    "awardingBody",
    "issuerCountry",
    "issuanceDate",
    "graduationDate",
    "notionalWorkload",
    "level",
    "nationalQualificationsFrameworkLevel",
    "learningOutcomes",
    "typeOfAssessment",
    "formOfParticipation",
    "qualityAssurance",
)
_DISPLAY_LAST = ("identifier", "attestation_legal_category")


def _claim_names(issuer: Issuer, offering: Offering) -> list[str]:
    """The claims this configuration's credentials carry, in display order."""
    present = {"identifier", "issuanceDate", *offering.facts, "givenName", "familyName"}
    if offering.type_key == "diploma":
        present.add("dateOfBirth")
    described = [spec.name for spec in issuer.type_of(offering).claims if spec.name in present]
    middle = [n for n in described if n not in _DISPLAY_FIRST and n not in _DISPLAY_LAST]
    ordered = [
        *(n for n in _DISPLAY_FIRST if n in described),
        *middle,
        *(n for n in _DISPLAY_LAST if n in described),
    ]
    return [name for name in ordered if name not in _NOT_DISPLAYED]


def _claim(issuer: Issuer, offering: Offering, name: str) -> dict[str, Any]:
    spec = issuer.type_of(offering).claim(name)
    entry: dict[str, Any] = {"path": [name], "mandatory": bool(spec and spec.mandatory)}
    if spec and spec.nl and spec.en:
        entry["display"] = [{"name": spec.nl, "locale": "nl"}, {"name": spec.en, "locale": "en"}]
    return entry


def _draft13_claim(issuer: Issuer, offering: Offering, name: str) -> dict[str, Any]:
    entry = _claim(issuer, offering, name)
    del entry["path"]
    return entry


def authorization_server_metadata(issuer: Issuer) -> dict[str, Any]:
    """RFC 8414; the credential issuer is its own authorization server."""
    return {
        "issuer": issuer.identifier,
        "authorization_endpoint": issuer.url("/authorize"),
        "token_endpoint": issuer.url("/token"),
        "pushed_authorization_request_endpoint": issuer.url("/par"),
        "require_pushed_authorization_requests": False,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", PRE_AUTHORIZED_GRANT],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods(issuer),
        "pre-authorized_grant_anonymous_access_supported": True,
        "authorization_response_iss_parameter_supported": True,
        "authorization_details_types_supported": ["openid_credential"],
        "scopes_supported": [offering.scope for offering in issuer.catalog.values()],
        **dpop.metadata(issuer),
    }


def jwt_vc_issuer_metadata(issuer: Issuer) -> dict[str, Any]:
    """SD-JWT VC §5: ``issuer`` equals the credentials' ``iss``; keys inline."""
    key = {**issuer.signer.public_jwk, "alg": issuer.signer.alg.value, "use": "sig"}
    return {"issuer": issuer.identifier, "jwks": {"keys": [key]}}
