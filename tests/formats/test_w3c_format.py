"""W3C credentials on the format seam: read for the matchers with their types expanded
(OpenID4VP 1.0 B.1.1), matched by DCQL ``type_values`` and PE, presented whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import ob3_badge

from wallet_core.crypto import did_jwk, generate, sign_compact
from wallet_core.errors import MalformedCredentialError, UnexpectedCredentialTypeError
from wallet_core.formats import data_integrity, registry, w3c_format
from wallet_core.formats.seam import DisplaySource, IssuerKeys
from wallet_core.models import CredentialStatus, StoredCredential
from wallet_core.oid4vp import dcql, pex
from wallet_core.trust.did import assertion_key, did_jwk_document

ISSUER = generate("EdDSA")
ISSUER_DID = did_jwk(ISSUER.public_jwk)
OB_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
VC_IRI = "https://www.w3.org/2018/credentials#VerifiableCredential"
NOW = 1.8e9


def _keys() -> IssuerKeys:
    def for_jwt(header: Any, payload: Any) -> Any:
        raise AssertionError("W3C credentials use assertion methods")

    return IssuerKeys(for_jwt, lambda did, kid: assertion_key(did_jwk_document(did), did, kid))


def _ldp() -> dict[str, Any]:
    return data_integrity.add_proof(
        ob3_badge(ISSUER_DID),
        ISSUER,
        verification_method=f"{ISSUER_DID}#0",
        created="2026-09-01T00:00:00Z",
    )


def _jwt() -> str:
    payload = {**ob3_badge(ISSUER_DID), "iss": ISSUER_DID, "sub": "did:example:student"}
    return sign_compact({"typ": "vc+jwt", "kid": f"{ISSUER_DID}#0"}, payload, ISSUER)


def _stored(fmt: w3c_format.W3cFormat, raw: str, *, key_id: str | None = "k1") -> StoredCredential:
    checked = fmt.verify_issued(raw, _keys(), expected_types=(), now=NOW)
    return StoredCredential(
        id="b1",
        format=fmt.name,
        claims=checked.claims,
        issuer=checked.issuer or "",
        display={},
        status=CredentialStatus(),
        issued_at=checked.issued_at,
        expires_at=checked.expires_at,
        raw=checked.raw,
        key_id=key_id,
    )


def test_a_badge_is_read_with_its_compact_and_expanded_types() -> None:
    held = registry.read(_stored(w3c_format.LDP_VC, json.dumps(_ldp())))
    assert held.types[:2] == ("VerifiableCredential", "OpenBadgeCredential")
    assert OB_IRI in held.types and VC_IRI in held.types
    assert held.alg == "eddsa-rdfc-2022" and held.issuer == ISSUER_DID and held.holder_binding
    source = registry.format_for("ldp_vc").display_source(held)
    assert source == DisplaySource(name="Circulair ontwerpen in de bouw")


def test_verify_issued_checks_the_format_and_every_expected_type() -> None:
    token = _jwt()
    checked = w3c_format.JWT_VC_JSON.verify_issued(
        token, _keys(), expected_types=("VerifiableCredential", "OpenBadgeCredential"), now=NOW
    )
    assert checked.claims["credentialSubject"]["id"] == "did:example:student"
    with pytest.raises(UnexpectedCredentialTypeError):
        w3c_format.JWT_VC_JSON.verify_issued(
            token, _keys(), expected_types=("EndorsementCredential",), now=NOW
        )
    with pytest.raises(MalformedCredentialError):  # a VC-JWT is not an ldp_vc
        w3c_format.LDP_VC.verify_issued(token, _keys(), expected_types=(), now=NOW)
    assert w3c_format.for_text(token) is w3c_format.JWT_VC_JSON
    assert w3c_format.for_text(' {"a": 1}') is w3c_format.LDP_VC


@pytest.mark.parametrize("type_values", [[[OB_IRI]], [["OpenBadgeCredential"]], [[VC_IRI, OB_IRI]]])
def test_dcql_type_values_match_the_iri_and_the_compact_term(type_values: list[Any]) -> None:
    held = registry.read(_stored(w3c_format.JWT_VC_JSON, _jwt()))
    query = dcql.parse_query(
        {
            "credentials": [
                {
                    "id": "badge",
                    "format": "jwt_vc_json",
                    "meta": {"type_values": type_values},
                    "claims": [{"path": ["credentialSubject", "achievement", "name"]}],
                }
            ]
        }
    )
    found = dcql.match(query, [held])
    assert found.satisfiable
    [candidate] = found.candidates("badge")
    assert candidate.required_claims == (("credentialSubject", "achievement", "name"),)


def test_dcql_refuses_another_type_and_another_format() -> None:
    held = registry.read(_stored(w3c_format.JWT_VC_JSON, _jwt()))

    def query(fmt: str, types: list[list[str]]) -> Any:
        return dcql.parse_query(
            {"credentials": [{"id": "q", "format": fmt, "meta": {"type_values": types}}]}
        )

    assert not dcql.match(query("jwt_vc_json", [["EndorsementCredential"]]), [held]).satisfiable
    assert not dcql.match(query("ldp_vc", [["OpenBadgeCredential"]]), [held]).satisfiable


def test_pe_matches_paths_rooted_at_the_credential() -> None:
    held = registry.read(_stored(w3c_format.LDP_VC, json.dumps(_ldp())))
    definition = pex.parse_definition(
        {
            "id": "pd",
            "input_descriptors": [
                {
                    "id": "badge",
                    "format": {"ldp_vc": {"proof_type": ["DataIntegrityProof"]}},
                    "constraints": {
                        "fields": [
                            {
                                "path": ["$.type"],
                                "filter": {
                                    "type": "array",
                                    "contains": {"const": "OpenBadgeCredential"},
                                },
                            },
                            {"path": ["$.credentialSubject.achievement.name"]},
                        ]
                    },
                }
            ],
        }
    )
    assert pex.match(definition, [held]).satisfiable


def test_an_unbound_badge_is_presented_as_it_is() -> None:
    token = _jwt()
    fmt = registry.format_for("jwt_vc_json")
    held = fmt.read(_stored(w3c_format.JWT_VC_JSON, token, key_id=None))
    assert not held.holder_binding
    assert fmt.present(held, [], None, aud="x509_san_dns:v.example", nonce="n", iat=1) == token
    document = _ldp()
    ldp = registry.format_for("ldp_vc")
    held = ldp.read(_stored(w3c_format.LDP_VC, json.dumps(document), key_id=None))
    assert ldp.present(held, [], None, aud="a", nonce="n", iat=1) == document


def test_pe_paths_into_the_jwt_payload_are_rooted_at_the_credential() -> None:
    """Draft-era verifiers write ``$.vc.…`` for a VCDM 1.1 JWT; the wallet holds the VC."""
    held = registry.read(_stored(w3c_format.JWT_VC_JSON, _jwt()))
    contains = {"type": "array", "contains": {"const": "OpenBadgeCredential"}}
    definition = pex.parse_definition(
        {
            "id": "pd",
            "input_descriptors": [
                {
                    "id": "badge",
                    "format": {"jwt_vc_json": {"alg": ["EdDSA"]}},
                    "constraints": {
                        "fields": [
                            {"path": ["$.vc.type"], "filter": contains},
                            {"path": ["$.vc.credentialSubject.achievement.name"]},
                        ]
                    },
                }
            ],
        }
    )
    found = pex.match(definition, [held])
    [candidate] = found.candidates("badge")
    assert candidate.required_claims == (("credentialSubject", "achievement", "name"),)
    assert registry.rules_for("jwt_vc_json").payload_wrapper == "vc"
    assert registry.rules_for("dc+sd-jwt").payload_wrapper is None
