"""W3C VCs as issued: VC-JWT (VCDM 1.1 and 2.0) and Data Integrity, with keys the issuer
controls; the shapes real issuers send (edubadges, 1EdTech)."""

from __future__ import annotations

import contextlib
import copy
import json
import time
from collections.abc import Mapping
from typing import Any

import pytest
from helpers import SHARED, achievement, ob3_badge

from wallet_core.crypto import Signer, did_jwk, generate, sign_compact
from wallet_core.crypto.jwk import b64url, b64url_decode, base58btc_encode
from wallet_core.errors import (
    ExpiredCredentialError,
    InvalidBadgeError,
    InvalidSignatureError,
    JsonLdLimitError,
    MalformedCredentialError,
    NotYetValidError,
    ProofPurposeError,
    UnexpectedTypeError,
    UnknownKeyIdError,
    UnsupportedProofError,
    UntrustedIssuerError,
    WalletError,
)
from wallet_core.formats import data_integrity, jsonld, w3c_vc
from wallet_core.trust.did import assertion_key, did_jwk_document, did_key_document
from wallet_core.trust.keys import multikey_jwk

NOW = time.time()
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
HTTPS_ISSUER = "https://issuer.example/issuer"
ACHIEVEMENT = achievement(HTTPS_ISSUER)
HTTPS_KEY = generate("EdDSA")
HTTPS_MULTIKEY = "z" + base58btc_encode(b"\xed\x01" + b64url_decode(HTTPS_KEY.public_jwk["x"]))


def resolver(issuer: str, kid: str | None) -> Mapping[str, Any]:
    """DIDs resolved offline; one https issuer that controls one key (as its controller
    document would say)."""
    if issuer.startswith("did:jwk:"):
        return assertion_key(did_jwk_document(issuer), issuer, kid)
    if issuer.startswith("did:key:"):
        return assertion_key(did_key_document(issuer), issuer, kid)
    if issuer == HTTPS_ISSUER and kid == f"{HTTPS_ISSUER}#key-1":
        return HTTPS_KEY.public_jwk
    if issuer == "https://example.edu/issuers/565049" and kid and kid.startswith(issuer + "#"):
        return multikey_jwk(kid.rsplit("#", 1)[1], UntrustedIssuerError)
    raise UnknownKeyIdError("the issuer does not control that key")


def _edubadges_jwt(signer: Signer, **changes: Any) -> tuple[str, str]:
    """What the edubadges agent issues: VCDM 1.1 under vc, issuer a DID string, no nbf/jti,
    exp 9999999999 (OB3_NOTES.md §1)."""
    issuer = did_jwk(signer.public_jwk)
    holder = did_jwk(generate("ES256").public_jwk)
    payload: dict[str, Any] = {
        "iss": issuer,
        "sub": holder,
        "iat": int(NOW),
        "exp": 9999999999,
        "vc": {
            "@context": [V1, OB302],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "id": "http://example.com/credentials/3527",
            "name": "Circulair ontwerpen",
            "issuanceDate": "2026-09-01T00:00:00Z",
            "issuer": issuer,
            "credentialSubject": {"type": ["AchievementSubject"], "achievement": ACHIEVEMENT},
        },
    }
    payload.update(changes)
    header = {"typ": "JWT", "kid": f"{issuer}#0"}
    return sign_compact(header, payload, signer), holder


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_the_edubadges_jwt_shape_verifies_with_warnings_not_refusals(alg: str) -> None:
    token, holder = _edubadges_jwt(generate(alg))
    checked = w3c_vc.verify(token, resolver=resolver, now=NOW)
    assert checked.format == "jwt_vc_json" and checked.raw == token
    assert checked.issuer.startswith("did:jwk:") and checked.subject == holder
    assert checked.types == ("VerifiableCredential", "OpenBadgeCredential")
    assert checked.document["credentialSubject"]["id"] == holder  # sub mapped in
    assert set(checked.warnings) == {
        "the VC-JWT has no nbf",
        "the VC-JWT has no jti",
        "a VCDM 1.1 badge (credentials/v1): OB 3.0 specifies VCDM 2.0",
        "issuer is a bare identifier, not a Profile",
    }
    assert checked.valid_until is not None and checked.valid_until.year >= 2286


def test_a_vcdm_2_jwt_with_its_claims_at_the_top_and_a_did_key_issuer() -> None:
    signer = generate("EdDSA")
    multikey = "z" + base58btc_encode(b"\xed\x01" + b64url_decode(signer.public_jwk["x"]))
    issuer = f"did:key:{multikey}"
    payload = {
        "@context": [V2, OB303],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Hogeschool Demo"},
        "validFrom": "2026-09-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:student",
            "type": ["AchievementSubject"],
            "achievement": ACHIEVEMENT,
        },
        "iss": issuer,
        "jti": "urn:uuid:1",
        "sub": "did:example:student",
    }
    token = sign_compact({"kid": f"{issuer}#{multikey}", "typ": "vc+jwt"}, payload, signer)
    checked = w3c_vc.verify(token, resolver=resolver, now=NOW)
    assert checked.issuer == issuer and checked.warnings == ()
    assert checked.valid_from is not None and checked.valid_from.year == 2026


def test_a_jwt_is_refused_for_each_thing_that_is_wrong() -> None:
    signer = generate("ES256")
    token, _ = _edubadges_jwt(signer)
    head, body, signature = token.split(".")
    forged = json.loads(b64url_decode(body))
    forged["vc"]["name"] = "Forged"
    cases: list[tuple[str, type[Exception]]] = [
        (f"{head}.{b64url(json.dumps(forged).encode())}.{signature}", InvalidSignatureError),
        (_edubadges_jwt(signer, exp=int(NOW) - 3600)[0], ExpiredCredentialError),
        (_edubadges_jwt(signer, nbf=int(NOW) + 3600)[0], NotYetValidError),
        (_edubadges_jwt(signer, iss="did:example:someone-else")[0], MalformedCredentialError),
        ("not.a.jwt", MalformedCredentialError),
    ]
    for text, error in cases:
        with pytest.raises(error):
            w3c_vc.verify(text, resolver=resolver, now=NOW)
    payload = json.loads(b64url_decode(body))
    for header, error in (
        ({"alg": "none"}, MalformedCredentialError),
        ({"typ": "dc+sd-jwt", "kid": payload["iss"] + "#0"}, UnexpectedTypeError),
        ({"jwk": {**signer.public_jwk, "d": "x"}}, MalformedCredentialError),
        ({"jwk": generate("ES256").public_jwk}, UntrustedIssuerError),  # not the DID's key
    ):
        other = sign_compact(header, payload, signer)
        if header.get("alg") == "none":
            other = f"{b64url(json.dumps(header).encode())}.{body}."
        with pytest.raises(error):
            w3c_vc.verify(other, resolver=resolver, now=NOW)
    # signed by a key the issuer does not control: a did:jwk kid of another key
    intruder = generate("ES256")
    stolen = sign_compact({"kid": did_jwk(intruder.public_jwk) + "#0"}, payload, intruder)
    with pytest.raises(UntrustedIssuerError):
        w3c_vc.verify(stolen, resolver=resolver, now=NOW)


def _ldp(**changes: Any) -> dict[str, Any]:
    document = ob3_badge(HTTPS_ISSUER, **changes)
    return data_integrity.add_proof(
        document,
        HTTPS_KEY,
        verification_method=f"{HTTPS_ISSUER}#key-1",
        created="2026-09-01T00:00:00Z",
    )


def test_any_one_valid_proof_of_a_known_suite_suffices_and_unknown_ones_are_said() -> None:
    signed = _ldp()
    checked = w3c_vc.verify(signed, resolver=resolver, now=NOW)
    assert checked.format == "ldp_vc" and checked.issuer == HTTPS_ISSUER and checked.warnings == ()
    assert w3c_vc.verify(json.dumps(signed), resolver=resolver, now=NOW).raw == json.dumps(signed)
    unknown = {"type": "BbsBlsSignature2020", "proofValue": "x"}
    broken = {**signed["proof"], "proofValue": "z" + "2" * 80}
    for proofs in ([unknown, signed["proof"]], [broken, signed["proof"]]):
        checked = w3c_vc.verify({**signed, "proof": proofs}, resolver=resolver, now=NOW)
        assert checked.format == "ldp_vc"
    assert any(
        "unknown suite" in w
        for w in w3c_vc.verify(
            {**signed, "proof": [unknown, signed["proof"]]}, resolver=resolver, now=NOW
        ).warnings
    )


def test_a_json_ld_credential_is_refused_for_each_thing_that_is_wrong() -> None:
    signed = _ldp()
    forged = copy.deepcopy(signed)
    forged["name"] = "Forged"
    purpose = copy.deepcopy(signed)
    purpose["proof"]["proofPurpose"] = "authentication"
    foreign = copy.deepcopy(signed)
    foreign["proof"]["verificationMethod"] = "https://evil.example/keys#1"
    cases: list[tuple[Any, type[Exception]]] = [
        (forged, InvalidSignatureError),
        (purpose, ProofPurposeError),
        (foreign, UntrustedIssuerError),  # a key the issuer does not control
        ({**signed, "proof": {"type": "BbsBlsSignature2020"}}, UnsupportedProofError),
        ({k: v for k, v in signed.items() if k != "proof"}, UnsupportedProofError),
        (_ldp(validUntil="2020-01-01T00:00:00Z"), ExpiredCredentialError),
        (_ldp(validFrom="2999-01-01T00:00:00Z"), NotYetValidError),
        ("[1, 2]", MalformedCredentialError),
    ]
    for credential, error in cases:
        with pytest.raises(error):
            w3c_vc.verify(credential, resolver=resolver, now=NOW)


@pytest.mark.skipif(not (SHARED / "samples").is_dir(), reason="../shared/samples is not here")
def test_the_1edtech_signed_sample_verifies_with_its_issuers_key() -> None:
    sample = json.loads(
        (SHARED / "samples" / "01-ob3-1edtech-signed-eddsa-rdfc-2022.json").read_text()
    )
    checked = w3c_vc.verify(sample, resolver=resolver, now=NOW)
    assert checked.issuer == "https://example.edu/issuers/565049"
    assert "OpenBadgeCredential" in checked.types


def test_an_expiry_moved_under_an_iri_or_an_added_claim_is_refused_not_read_past() -> None:
    expired = _ldp(validUntil="2020-01-01T00:00:00Z")
    hidden = {k: v for k, v in expired.items() if k != "validUntil"}
    hidden["https://www.w3.org/ns/credentials#validUntil"] = {
        "@value": "2020-01-01T00:00:00Z",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    added = copy.deepcopy(_ldp())
    added["credentialSubject"]["ECTS"] = 60  # not in any context: unsigned
    for credential in (hidden, added):
        with pytest.raises(MalformedCredentialError):
            w3c_vc.verify(credential, resolver=resolver, now=NOW)


def test_the_jwts_own_exp_binds_when_the_credential_inside_claims_longer() -> None:
    signer = generate("ES256")
    token, _ = _edubadges_jwt(signer, exp=int(NOW) + 3600)
    payload = json.loads(b64url_decode(token.split(".")[1]))
    payload["vc"]["expirationDate"] = "2999-01-01T00:00:00Z"
    longer = sign_compact({"kid": payload["iss"] + "#0"}, payload, signer)
    checked = w3c_vc.verify(longer, resolver=resolver, now=NOW)
    assert checked.valid_until is not None and checked.valid_until.timestamp() <= NOW + 3600


def test_odd_values_in_any_field_give_a_wallet_error_or_a_result_never_a_crash() -> None:
    odd: list[Any] = [None, True, [], {}, [1], {"a": 1}, -1, 2**70, 1e308, "", "x" * 5000]
    odd += [float("nan"), float("inf"), -1e300]
    signer = generate("ES256")
    token, _ = _edubadges_jwt(signer)
    header = json.loads(b64url_decode(token.split(".")[0]))
    payload = json.loads(b64url_decode(token.split(".")[1]))
    signed = _ldp()
    for value in odd:
        for name in (*payload, *payload["vc"]):
            changed = copy.deepcopy(payload)
            (changed if name in payload else changed["vc"])[name] = value
            _must_not_crash(sign_compact({"kid": header["kid"]}, changed, signer))
        for name in ("alg", "typ", "kid", "jwk"):
            protected = b64url(json.dumps({**header, name: value}).encode())
            _must_not_crash(".".join([protected, *token.split(".")[1:]]))
        for name in (*signed, *signed["proof"]):
            document = copy.deepcopy(signed)
            (document if name in signed else document["proof"])[name] = value
            _must_not_crash(document)


def _must_not_crash(credential: Any) -> None:
    with contextlib.suppress(WalletError):
        w3c_vc.verify(credential, resolver=resolver, now=NOW)


def test_a_huge_text_and_proof_details_that_do_not_fit_are_refused() -> None:
    with pytest.raises(JsonLdLimitError):
        w3c_vc.verify("{" + " " * (jsonld.MAX_JSON_BYTES + 1) + "}", resolver=resolver, now=NOW)
    signed = _ldp()
    for change in (
        {"@context": ["https://w3id.org/security/data-integrity/v2"]},
        {"created": "soon"},
    ):
        proof = {**signed["proof"], **change}
        with pytest.raises(MalformedCredentialError):
            w3c_vc.verify({**signed, "proof": proof}, resolver=resolver, now=NOW)
    with pytest.raises(MalformedCredentialError):
        w3c_vc.verify(_ldp(validFrom="2026-01-01"), resolver=resolver, now=NOW)  # no time
    broken = {**signed["proof"], "proofValue": "z" + "2" * 80}
    checked = w3c_vc.verify(
        {**signed, "proof": [broken, signed["proof"]]}, resolver=resolver, now=NOW
    )
    assert any("did not verify" in warning for warning in checked.warnings)


def test_a_signed_badge_without_the_open_badges_structure_is_refused() -> None:
    signer = generate("ES256")
    token, _ = _edubadges_jwt(signer)
    payload = json.loads(b64url_decode(token.split(".")[1]))
    del payload["vc"]["credentialSubject"]["achievement"]["criteria"]
    broken = sign_compact({"kid": payload["iss"] + "#0"}, payload, signer)
    with pytest.raises(InvalidBadgeError) as refused:
        w3c_vc.verify(broken, resolver=resolver, now=NOW)
    assert refused.value.code == "invalid_badge"


def test_an_rs256_vc_jwt_signed_by_an_independent_library_verifies() -> None:
    """RS256 (VCDM 1.1 §6.3.1 names it), signed by jwcrypto with a 2048-bit key the issuer
    publishes; the same token re-signed by another RSA key is refused."""
    from jwcrypto import jwk as jw_jwk
    from jwcrypto import jws as jw_jws

    issuer = "https://rsa-issuer.example/issuer"
    key = jw_jwk.JWK.generate(kty="RSA", size=2048)
    public = json.loads(key.export_public())

    def rsa_resolver(name: str, kid: str | None) -> Mapping[str, Any]:
        if name == issuer and kid == f"{issuer}#rsa":
            return public
        return resolver(name, kid)

    def signed(by: Any) -> str:
        payload = {
            "iss": issuer,
            "nbf": int(NOW) - 60,
            "jti": ob3_badge(issuer)["id"],
            "vc": {**ob3_badge(issuer), "@context": [V1, OB302]},
        }
        payload["vc"].pop("validFrom")
        token = jw_jws.JWS(json.dumps(payload).encode())
        token.add_signature(by, alg="RS256", protected={"alg": "RS256", "kid": f"{issuer}#rsa"})
        return str(token.serialize(compact=True))

    checked = w3c_vc.verify(signed(key), resolver=rsa_resolver, now=NOW)
    assert checked.format == "jwt_vc_json" and checked.issuer == issuer
    with pytest.raises(InvalidSignatureError):
        w3c_vc.verify(
            signed(jw_jwk.JWK.generate(kty="RSA", size=2048)), resolver=rsa_resolver, now=NOW
        )
