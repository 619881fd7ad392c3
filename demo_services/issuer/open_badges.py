"""Open Badges 3.0 credentials and their OpenID4VCI configurations (the W3C formats).

Two shapes of the same microcredential, the educredentials microcredential being the
target (``../shared/samples/educredentials``: ECTS, EQF as an ``Alignment``,
``participationType``, ``assessmentType``, ``supervisionType``, ``identityChecked``, the
grade as ``resultDescription`` + ``result``):

- ``jwt_vc_json``, **as the edubadges agent signs it** (OB3_NOTES.md §1.3): VCDM 1.1 under
  ``vc`` with ``@context`` ``credentials/v1`` + OB ``context-3.0.2.json``, ``issuer`` the
  DID string, ``issuanceDate`` now, ``credentialSubject.id`` the holder DID; JWT ``iss`` =
  the issuer DID, ``sub`` = the holder DID, ``iat``, ``exp`` 9999999999 ("never"), no
  ``nbf``/``jti`` (the agent's gaps, which a wallet should warn about, not refuse); header
  ``kid`` = ``<did>#key-1`` (ES256), ``typ`` JWT. A VC-JWT is not JSON-LD processed
  (OpenID4VCI 1.0 Appendix A.1.1), so it carries the educredential fields as edubadges does
  (``ECTS``, ``participationType``, ``educationProgramIdentifier``, ...).
- ``ldp_vc``: VCDM 2.0 + OB ``context-3.0.3.json``, ``issuer`` a ``Profile``, ``validFrom``/
  ``validUntil``, a ``credentialStatus`` ``BitstringStatusListEntry``
  (:mod:`~demo_services.issuer.bitstring`) and a ``DataIntegrityProof`` (eddsa-rdfc-2022,
  ``#key-2``). Only OB 3.0 terms: the educredential context is not valid JSON-LD
  (``samples/educredentials/README.md``), and in a Data Integrity credential a member no
  context defines is unsigned content, so ECTS becomes ``creditsAvailable``, EQF an
  ``Alignment``, the grade a ``Result``; the other extension fields are left out.

Configurations: ``credential_definition.type`` ``["VerifiableCredential",
"OpenBadgeCredential"]`` (plus ``@context`` for ``ldp_vc``), binding
``cryptographic_binding_methods_supported: ["did:jwk"]`` (the holder's DID becomes the
subject); 1.0 puts ``display``/``claims`` (paths rooted at the credential, 1.0 Appendix
A.1.1.2) under ``credential_metadata``, draft 13 puts ``display`` on the configuration and
the claims in ``credential_definition.credentialSubject`` (draft 13 Appendix A.1.1.2).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from demo_services.issuer.attestation import proof_types
from demo_services.issuer.catalog import (
    INSTITUTION_HOMEPAGE,
    INSTITUTION_ID,
    INSTITUTION_NL,
    QUALITY_FRAMEWORK,
    Offering,
    Student,
)
from demo_services.issuer.context import Issuer
from demo_services.issuer.did import DATA_INTEGRITY_KEY, JWT_KEY
from wallet_core.crypto import sign_compact
from wallet_core.formats import data_integrity

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"  # the agent's
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
NEVER = 9_999_999_999  # the agent's exp for "does not expire"
EQF_URL = "https://europa.eu/europass/en/description-eight-eqf-levels"

# (path under credentialSubject.achievement, nl, en): what a wallet lists first
_CLAIMS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("name",), "Titel", "Title"),
    (("description",), "Omschrijving", "Description"),
    (("criteria", "narrative"), "Toetsing", "Assessment"),
)


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def _alignments(offering: Offering) -> list[dict[str, Any]]:
    eqf = offering.extension.get("EQF")
    return [
        {
            "type": ["Alignment"],
            "targetType": "ext:EQF",
            "targetName": f"EQF level {eqf}",
            "targetCode": str(eqf),
            "targetUrl": EQF_URL,
        },
        {
            "type": ["Alignment"],
            "targetType": "ext:QualityAssurance",
            "targetName": "Kwaliteitskader Microcredentials",
            "targetDescription": QUALITY_FRAMEWORK,
            "targetUrl": INSTITUTION_HOMEPAGE + "/kwaliteit",
        },
    ]


def _achievement(issuer: Issuer, offering: Offering) -> dict[str, Any]:
    facts = offering.facts
    return {
        "id": issuer.url(f"/achievements/{offering.id}"),
        "type": ["Achievement"],
        "name": facts["title"],
        "description": offering.description_nl,
        "criteria": {"narrative": facts["typeOfAssessment"]},
        "image": {"id": issuer.url("/static/logo.png"), "type": "Image"},
        "inLanguage": facts.get("languageOfAssessment", "nl"),
        "alignment": _alignments(offering),
    }


# -- jwt_vc_json -------------------------------------------------------------------------


def sign_jwt(issuer: Issuer, offering: Offering, holder_did: str) -> str:
    """The VC-JWT the edubadges agent would sign (see the module docstring)."""
    now = int(issuer.now())
    extension = offering.extension
    achievement = {
        **_achievement(issuer, offering),
        "ECTS": extension["ECTS"],
        "educationProgramIdentifier": extension["educationProgramIdentifier"],
        "participationType": extension["participationType"],
        "assessmentType": extension["assessmentType"],
        "identityChecked": extension["identityChecked"],
        "supervisionType": extension["supervisionType"],
    }
    credential = {
        "@context": [VC_V1, OB_302],
        "type": list(TYPES),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "name": offering.name_nl,
        "issuanceDate": _iso(now),
        "issuer": issuer.did,
        "credentialSubject": {
            "id": holder_did,
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    }
    payload = {"iss": issuer.did, "sub": holder_did, "iat": now, "exp": NEVER, "vc": credential}
    return sign_compact({"typ": "JWT", "kid": issuer.did + JWT_KEY}, payload, issuer.signer)


# -- ldp_vc ------------------------------------------------------------------------------


def sign_ldp(
    issuer: Issuer, offering: Offering, holder_did: str, status_index: int
) -> dict[str, Any]:
    """A VCDM 2.0 Open Badge with only OB 3.0 terms, a status entry and a DI proof."""
    now = issuer.now()
    extension = offering.extension
    grade_id = issuer.url(f"/achievements/{offering.id}#grade")
    achievement = {
        **_achievement(issuer, offering),
        "achievementType": "MicroCredential",
        "creditsAvailable": _json_ld_number(extension["ECTS"]),
        "fieldOfStudy": offering.facts.get("fieldOfEducation", ""),
        "resultDescription": [
            {
                "id": grade_id,
                "type": ["ResultDescription"],
                "name": "Eindcijfer",
                "resultType": "ext:ECTSGradeScore",
                "valueMin": "1",
                "valueMax": "10",
                "requiredValue": "5,5",
            }
        ],
    }
    credential = {
        "@context": [VC_V2, OB_303],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": list(TYPES),
        "name": offering.name_nl,
        "issuer": {
            "id": issuer.did,
            "type": ["Profile"],
            "name": INSTITUTION_NL,
            "url": INSTITUTION_HOMEPAGE,
            "otherIdentifier": [
                {
                    "type": "IdentifierEntry",
                    "identifier": INSTITUTION_ID,
                    "identifierType": "ext:BRIN",
                }
            ],
        },
        "validFrom": _iso(now),
        "validUntil": _iso(now + issuer.settings.credential_validity_days * 86_400),
        "credentialSubject": {
            "id": holder_did,
            "type": ["AchievementSubject"],
            "achievement": achievement,
            "result": [
                {"type": ["Result"], "resultDescription": grade_id, "value": extension["grade"]}
            ],
        },
        "credentialStatus": _status_entry(issuer, status_index),
    }
    return data_integrity.add_proof(
        credential,
        issuer.data_integrity_signer,
        verification_method=issuer.did + DATA_INTEGRITY_KEY,
        created=_iso(now),
    )


def _status_entry(issuer: Issuer, number: int) -> dict[str, Any]:
    listed, index = issuer.bitstrings.locate(number)
    return listed.entry(index)


def _json_ld_number(value: float) -> float | int:
    """5.0 as 5: JSON-LD 1.1 "Object to RDF Conversion" makes a number without a fraction an
    xsd:integer, and a JavaScript reader sees 5 anyway, but pyld (which the wallet's
    canonicalization uses) makes a Python float an xsd:double; a whole number signs the
    same statements everywhere."""
    return int(value) if float(value).is_integer() else value


def issue(
    issuer: Issuer, offering: Offering, student: Student, holder_dids: list[str]
) -> tuple[list[Any], list[int]]:
    """One credential per holder DID, and the bitstring indices they got (ldp_vc only)."""
    del student  # an Open Badge names its holder by DID only, as edubadges' do
    if offering.kind == "jwt_vc_json":
        return [sign_jwt(issuer, offering, did) for did in holder_dids], []
    indices = [issuer.bitstrings.allocate() for _ in holder_dids]
    credentials = [
        sign_ldp(issuer, offering, did, index)
        for did, index in zip(holder_dids, indices, strict=True)
    ]
    return credentials, indices


# -- metadata ----------------------------------------------------------------------------


def definition(offering: Offering) -> dict[str, Any]:
    """``credential_definition``: the types, and for ``ldp_vc`` the ``@context``."""
    if offering.kind == "ldp_vc":
        return {"@context": [VC_V2, OB_303], "type": list(TYPES)}
    return {"type": list(TYPES)}


def configuration(
    issuer: Issuer, offering: Offering, display: list[dict[str, Any]]
) -> dict[str, Any]:
    signing = ["ES256"] if offering.kind == "jwt_vc_json" else ["eddsa-rdfc-2022"]
    config: dict[str, Any] = {
        "format": offering.kind,
        "scope": offering.scope,
        "cryptographic_binding_methods_supported": ["did:jwk"],
        "credential_signing_alg_values_supported": signing,
        "proof_types_supported": proof_types(issuer),
        "credential_definition": definition(offering),
    }
    if issuer.settings.draft13:
        config["display"] = display
        config["credential_definition"]["credentialSubject"] = _draft13_subject()
        return config
    config["credential_metadata"] = {
        "display": display,
        "claims": [
            {
                "path": ["credentialSubject", "achievement", *path],
                "display": [{"name": nl, "locale": "nl"}, {"name": en, "locale": "en"}],
            }
            for path, nl, en in _CLAIMS
        ],
    }
    return config


def _draft13_subject() -> dict[str, Any]:
    achievement: dict[str, Any] = {}
    for path, nl, en in _CLAIMS:
        target = achievement
        for step in path[:-1]:
            target = target.setdefault(step, {})
        target[path[-1]] = {"display": [{"name": nl, "locale": "nl"}, {"name": en, "locale": "en"}]}
    return {"achievement": achievement}


def matches(offering: Offering, credential_format: Any, requested: Any) -> bool:
    """Whether a draft-13 request's ``format`` + ``credential_definition`` asks for this
    configuration: the same format, and every requested type one the credential has."""
    if credential_format != offering.kind or not isinstance(requested, dict):
        return False
    types = requested.get("type")
    return isinstance(types, list) and bool(types) and set(types) <= set(TYPES)


def configurations_like(
    offerings: Iterable[Offering], detail: Mapping[str, Any]
) -> list[str] | None:
    """Draft-13 ``authorization_details`` by ``format`` + ``credential_definition``: the
    configuration ids it asks for, or None when its format is no W3C one."""
    credential_format = detail.get("format")
    if credential_format not in ("jwt_vc_json", "ldp_vc"):
        return None
    requested = detail.get("credential_definition")
    return [o.id for o in offerings if matches(o, credential_format, requested)]


__all__ = [
    "NEVER",
    "TYPES",
    "configuration",
    "configurations_like",
    "definition",
    "issue",
    "matches",
]
