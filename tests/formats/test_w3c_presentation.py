"""Verifiable Presentations of W3C credentials (OpenID4VP 1.0 Appendix B.1): VP JWTs and
Data Integrity VPs we build, verified the way a verifier does, and refused for every part
that is wrong."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from helpers import ob3_badge

from wallet_core.crypto import Signer, did_jwk, generate, sign_compact
from wallet_core.crypto.jwk import b64url, b64url_decode, base58btc_encode
from wallet_core.errors import (
    ExpiredCredentialError,
    InvalidSignatureError,
    KeyBindingAudienceError,
    KeyBindingNonceError,
    KeyBindingTimeError,
    KeyStoreError,
    MalformedCredentialError,
    MissingHolderKeyError,
    MissingKeyBindingError,
    UnexpectedTypeError,
    UnknownKeyIdError,
    WalletError,
    WrongHolderKeyError,
)
from wallet_core.formats import data_integrity, w3c_presentation
from wallet_core.formats.json_text import jwt_parts
from wallet_core.trust.did import assertion_key, did_jwk_document, did_key_document

NOW = int(time.time())
CREATED = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW))
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
CLIENT_ID = "redirect_uri:http://127.0.0.1:8700/response/abc"
NONCE = "n-0S6_WzA2Mj"
ISSUER = generate("EdDSA")
ISSUER_DID = did_jwk(ISSUER.public_jwk)


def resolver(issuer: str, kid: str | None) -> Mapping[str, Any]:
    if issuer.startswith("did:jwk:"):
        return assertion_key(did_jwk_document(issuer), issuer, kid)
    if issuer.startswith("did:key:"):
        return assertion_key(did_key_document(issuer), issuer, kid)
    raise UnknownKeyIdError("not an issuer of these tests")


def _jwt_vc(holder: str, *, v2: bool = False, exp: int = 9999999999) -> str:
    """A VC-JWT as the edubadges agent signs it (VCDM 1.1 ``vc``), or a VCDM 2.0 one."""
    credential = ob3_badge(ISSUER_DID)
    credential["issuer"] = {**credential["issuer"], "id": ISSUER_DID}
    credential["credentialSubject"]["id"] = holder
    if not v2:
        credential["@context"] = [V1, OB302]
        credential["issuanceDate"] = credential.pop("validFrom")
        payload: dict[str, Any] = {"iss": ISSUER_DID, "sub": holder, "exp": exp, "vc": credential}
    else:
        payload = {**credential, "iss": ISSUER_DID, "sub": holder, "exp": exp}
    return sign_compact({"typ": "JWT", "kid": f"{ISSUER_DID}#0"}, payload, ISSUER)


def _ldp_vc(holder: str, **changes: Any) -> dict[str, Any]:
    credential = ob3_badge(ISSUER_DID, **changes)
    credential["credentialSubject"]["id"] = holder
    return data_integrity.add_proof(
        credential, ISSUER, verification_method=f"{ISSUER_DID}#0", created=CREATED
    )


def _holder(alg: str = "ES256") -> tuple[Signer, str]:
    signer = generate(alg)
    return signer, did_jwk(signer.public_jwk)


def _verify(vp: str | Mapping[str, Any], **changes: Any) -> w3c_presentation.VerifiedPresentation:
    options: dict[str, Any] = {"resolver": resolver, "aud": CLIENT_ID, "nonce": NONCE, "now": NOW}
    options.update(changes)
    return w3c_presentation.verify_presentation(vp, **options)


# -- VP JWT ------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
@pytest.mark.parametrize("v2", [False, True])
def test_a_vp_jwt_round_trips_with_the_shape_b_1_3_1_asks_for(alg: str, v2: bool) -> None:
    signer, holder = _holder(alg)
    credential = _jwt_vc(holder, v2=v2)
    vp = w3c_presentation.present_jwt(
        credential, signer, holder=holder, aud=CLIENT_ID, nonce=NONCE, iat=NOW
    )
    header, payload = jwt_parts(vp, "VP")
    assert header == {"typ": "JWT", "kid": f"{holder}#0", "alg": alg}
    assert payload["iss"] == holder and payload["aud"] == CLIENT_ID
    assert payload["nonce"] == NONCE and payload["iat"] == NOW
    assert 0 < payload["exp"] - NOW <= 600 and payload["jti"].startswith("urn:uuid:")
    assert payload["vp"] == {
        "@context": [V2 if v2 else V1],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [credential],
    }
    result = _verify(vp)
    assert result.format == "jwt_vc_json" and result.holder == holder
    assert [c.raw for c in result.credentials] == [credential]
    assert result.credentials[0].subject == holder
    assert "OpenBadgeCredential" in result.credentials[0].types


def test_a_vp_jwt_for_another_verifier_or_nonce_or_too_old_is_refused() -> None:
    signer, holder = _holder()
    vp = w3c_presentation.present_jwt(
        _jwt_vc(holder), signer, holder=holder, aud=CLIENT_ID, nonce=NONCE, iat=NOW
    )
    with pytest.raises(KeyBindingAudienceError):
        _verify(vp, aud="redirect_uri:http://127.0.0.1:8700/response/other")
    with pytest.raises(KeyBindingNonceError):
        _verify(vp, nonce="another nonce")
    with pytest.raises(KeyBindingTimeError):
        _verify(vp, now=NOW + 400)  # older than max_age (and past its exp)
    with pytest.raises(KeyBindingTimeError):
        _verify(vp, now=NOW - 400)  # made in the future
    assert _verify(vp, now=NOW + 200).holder == holder


def _signed(signer: Signer, header: dict[str, Any], payload: dict[str, Any]) -> str:
    return sign_compact(header, payload, signer)


def test_a_vp_jwt_is_refused_for_each_thing_that_is_wrong() -> None:
    signer, holder = _holder()
    credential = _jwt_vc(holder)
    good = w3c_presentation.present_jwt(
        credential, signer, holder=holder, aud=CLIENT_ID, nonce=NONCE, iat=NOW
    )
    header, payload = jwt_parts(good, "VP")
    del header["alg"]
    other, other_holder = _holder()

    def changed(**members: Any) -> dict[str, Any]:
        return {**payload, **members}

    cases: list[tuple[str, type[WalletError]]] = [
        (good[:-6] + ("A" if good[-6] != "A" else "B") + good[-5:], InvalidSignatureError),
        # signed by someone else's key, in the holder's name
        (_signed(other, header, payload), InvalidSignatureError),
        # the other key's VP for our holder's credential: not the subject
        (
            _signed(
                other,
                {**header, "kid": f"{other_holder}#0"},
                changed(iss=other_holder, vp={**payload["vp"], "holder": other_holder}),
            ),
            WrongHolderKeyError,
        ),
        (_signed(signer, {**header, "kid": "did:example:x#0"}, payload), WrongHolderKeyError),
        (_signed(signer, {**header, "kid": f"{holder}#1"}, payload), MissingHolderKeyError),
        (_signed(signer, {**header, "typ": "kb+jwt"}, payload), UnexpectedTypeError),
        (_signed(signer, header, changed(aud=[CLIENT_ID, "other"])), KeyBindingAudienceError),
        (_signed(signer, header, changed(nonce=None)), KeyBindingNonceError),
        (_signed(signer, header, changed(iat="now")), KeyBindingTimeError),
        (_signed(signer, header, changed(exp=NOW - 120)), KeyBindingTimeError),
        (_signed(signer, header, changed(nbf=NOW + 120)), KeyBindingTimeError),
        (
            _signed(signer, header, changed(vp={**payload["vp"], "type": ["X"]})),
            UnexpectedTypeError,
        ),
        (
            _signed(signer, header, changed(vp={**payload["vp"], "holder": other_holder})),
            WrongHolderKeyError,
        ),
        (
            _signed(signer, header, changed(vp={**payload["vp"], "verifiableCredential": []})),
            MalformedCredentialError,
        ),
        (
            _signed(signer, header, changed(vp={**payload["vp"], "verifiableCredential": [42]})),
            MalformedCredentialError,
        ),
        ("not.a.jwt.at.all", MalformedCredentialError),
    ]
    for vp, error in cases:
        with pytest.raises(error):
            _verify(vp)
    with pytest.raises(MissingHolderKeyError):  # a holder DID that needs the network
        _verify(
            _signed(
                signer,
                {**header, "kid": "did:web:holder.example#0"},
                changed(iss="did:web:holder.example", vp={**payload["vp"], "holder": None}),
            )
        )
    assert _verify(good).holder == holder


def test_a_vp_jwt_of_an_expired_or_tampered_credential_is_refused() -> None:
    signer, holder = _holder()

    def vp_of(credential: str) -> str:
        return w3c_presentation.present_jwt(
            credential, signer, holder=holder, aud=CLIENT_ID, nonce=NONCE, iat=NOW
        )

    with pytest.raises(ExpiredCredentialError):
        _verify(vp_of(_jwt_vc(holder, exp=NOW - 3600)))
    head, _, signature = _jwt_vc(holder).split(".")
    _, claims = jwt_parts(_jwt_vc(holder), "VC")
    claims["vc"]["name"] = "Something else"
    forged = f"{head}.{b64url(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(InvalidSignatureError):
        _verify(vp_of(forged))


def test_a_holder_who_is_not_the_subject_is_refused() -> None:
    """Someone with a copy of another student's credential cannot present it as theirs."""
    _, student = _holder()
    thief, thief_did = _holder()
    vp = w3c_presentation.present_jwt(
        _jwt_vc(student), thief, holder=thief_did, aud=CLIENT_ID, nonce=NONCE, iat=NOW
    )
    with pytest.raises(WrongHolderKeyError):
        _verify(vp)
    ldp = w3c_presentation.present_ldp(
        _ldp_vc(student),
        thief,
        holder=thief_did,
        domain=CLIENT_ID,
        challenge=NONCE,
        created=CREATED,
    )
    with pytest.raises(WrongHolderKeyError):
        _verify(ldp)


def test_building_refuses_a_holder_did_that_is_not_the_signers_key() -> None:
    signer, holder = _holder()
    _, other = _holder()
    with pytest.raises(KeyStoreError):
        w3c_presentation.present_jwt(
            _jwt_vc(holder), signer, holder=other, aud=CLIENT_ID, nonce=NONCE, iat=NOW
        )
    with pytest.raises(KeyStoreError):
        w3c_presentation.present_ldp(
            _ldp_vc(holder),
            signer,
            holder=other,
            domain=CLIENT_ID,
            challenge=NONCE,
            created=CREATED,
        )


def test_a_did_key_holder_is_resolved_offline_for_both_key_types() -> None:
    for alg in ("EdDSA", "ES256"):
        signer = generate(alg)
        if alg == "EdDSA":
            raw = b"\xed\x01" + b64url_decode(signer.public_jwk["x"])
        else:
            y = int.from_bytes(b64url_decode(signer.public_jwk["y"]), "big")
            raw = b"\x80\x24" + bytes([2 + (y & 1)]) + b64url_decode(signer.public_jwk["x"])
        holder = "did:key:z" + base58btc_encode(raw)
        vp = w3c_presentation.present_jwt(
            _jwt_vc(holder), signer, holder=holder, aud=CLIENT_ID, nonce=NONCE, iat=NOW
        )
        assert jwt_parts(vp, "VP")[0]["kid"] == f"{holder}#{holder.removeprefix('did:key:')}"
        assert _verify(vp).holder == holder


# -- Data Integrity VP ---------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_a_data_integrity_vp_round_trips_with_the_shape_b_1_3_2_asks_for(alg: str) -> None:
    signer, holder = _holder(alg)
    credential = _ldp_vc(holder)
    vp = w3c_presentation.present_ldp(
        credential, signer, holder=holder, domain=CLIENT_ID, challenge=NONCE, created=CREATED
    )
    assert vp["@context"] == [V2] and vp["type"] == ["VerifiablePresentation"]
    assert vp["holder"] == holder and vp["verifiableCredential"] == [credential]
    proof = vp["proof"]
    suite = "eddsa-rdfc-2022" if alg == "EdDSA" else "ecdsa-rdfc-2019"
    assert {k: v for k, v in proof.items() if k != "proofValue"} == {
        "type": "DataIntegrityProof",
        "cryptosuite": suite,
        "created": CREATED,
        "verificationMethod": f"{holder}#0",
        "proofPurpose": "authentication",
        "challenge": NONCE,
        "domain": CLIENT_ID,
    }
    result = _verify(vp)
    assert result.format == "ldp_vc" and result.holder == holder
    assert result.credentials[0].document == credential
    assert result.created is not None and int(result.created.timestamp()) == NOW


def test_a_vcdm_1_1_credential_gets_a_vcdm_1_1_presentation() -> None:
    signer, holder = _holder("EdDSA")
    credential = ob3_badge(ISSUER_DID)
    credential["@context"] = [V1, OB302, "https://w3id.org/security/data-integrity/v2"]
    credential["issuanceDate"] = credential.pop("validFrom")
    credential["credentialSubject"]["id"] = holder
    signed = data_integrity.add_proof(
        credential, ISSUER, verification_method=f"{ISSUER_DID}#0", created=CREATED
    )
    vp = w3c_presentation.present_ldp(
        signed, signer, holder=holder, domain=CLIENT_ID, challenge=NONCE, created=CREATED
    )
    assert vp["@context"] == [V1, "https://w3id.org/security/data-integrity/v2"]
    assert _verify(vp).credentials[0].subject == holder


def _present(
    signer: Signer, holder: str, **changes: Any
) -> tuple[dict[str, Any], Callable[..., dict[str, Any]]]:
    options: dict[str, Any] = {"domain": CLIENT_ID, "challenge": NONCE, "created": CREATED}
    options.update(changes)
    credential = _ldp_vc(holder)
    vp = w3c_presentation.present_ldp(credential, signer, holder=holder, **options)

    def resigned(**proof_options: Any) -> dict[str, Any]:
        merged = {**options, **proof_options}
        return data_integrity.add_proof(
            {k: v for k, v in vp.items() if k != "proof"},
            signer,
            verification_method=merged.pop("verification_method", f"{holder}#0"),
            proof_purpose=merged.pop("proof_purpose", "authentication"),
            **merged,
        )

    return vp, resigned


def test_a_data_integrity_vp_for_another_domain_challenge_or_time_is_refused() -> None:
    signer, holder = _holder("EdDSA")
    vp, resigned = _present(signer, holder)
    with pytest.raises(KeyBindingAudienceError):
        _verify(vp, aud="x509_san_dns:other.example")
    with pytest.raises(KeyBindingNonceError):
        _verify(vp, nonce="replayed")
    with pytest.raises(KeyBindingTimeError):
        _verify(vp, now=NOW + 400)
    old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - 3600))
    with pytest.raises(KeyBindingTimeError):
        _verify(resigned(created=old))
    with pytest.raises(KeyBindingAudienceError):
        _verify(resigned(domain=None))
    with pytest.raises(KeyBindingNonceError):
        _verify(resigned(challenge=None))


def test_a_data_integrity_vp_with_the_wrong_proof_purpose_is_refused() -> None:
    """An issuer-style assertionMethod proof is not the holder authenticating."""
    signer, holder = _holder("EdDSA")
    _, resigned = _present(signer, holder)
    with pytest.raises(InvalidSignatureError):
        _verify(resigned(proof_purpose="assertionMethod"))


def _with_proof(vp: Mapping[str, Any], signer: Signer, **members: Any) -> dict[str, Any]:
    """``vp`` re-signed with proof members ``add_proof`` does not set."""
    unsecured = {k: v for k, v in vp.items() if k != "proof"}
    proof = {k: v for k, v in vp["proof"].items() if k != "proofValue"} | members
    signature = signer.sign(data_integrity.hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": "z" + base58btc_encode(signature)}}


def _empty(signer: Signer, holder: str) -> dict[str, Any]:
    """A validly signed presentation of nothing."""
    unsigned = {"@context": [V2], "type": ["VerifiablePresentation"], "holder": holder}
    return data_integrity.add_proof(
        unsigned,
        signer,
        verification_method=f"{holder}#0",
        created=CREATED,
        proof_purpose="authentication",
        challenge=NONCE,
        domain=CLIENT_ID,
    )


def test_a_data_integrity_vp_is_refused_for_each_thing_that_is_wrong() -> None:
    signer, holder = _holder("EdDSA")
    vp, resigned = _present(signer, holder)
    other, other_holder = _holder("EdDSA")

    def edited(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        copied = copy.deepcopy(vp)
        change(copied)
        return copied

    def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
        def change(document: dict[str, Any]) -> None:
            target: Any = document
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value

        return change

    cases: list[tuple[Any, type[WalletError]]] = [
        (edited(_set(("verifiableCredential", 0, "name"), "Forged")), InvalidSignatureError),
        (edited(_set(("holder",), other_holder)), WrongHolderKeyError),
        (edited(_set(("type",), ["VerifiableCredential"])), UnexpectedTypeError),
        (edited(_set(("proof", "proofValue"), "z" + "1" * 80)), InvalidSignatureError),
        (edited(lambda d: d.pop("proof")), MissingKeyBindingError),
        (edited(_set(("proof",), [vp["proof"], vp["proof"]])), MalformedCredentialError),
        (edited(_set(("proof", "type"), "Ed25519Signature2020")), InvalidSignatureError),
        (edited(_set(("proof", "created"), "yesterday")), KeyBindingTimeError),
        (edited(_set(("verifiableCredential",), [])), InvalidSignatureError),
        (_empty(signer, holder), MalformedCredentialError),
        (resigned(verification_method=f"{other_holder}#0"), WrongHolderKeyError),
        (_with_proof(vp, signer, expires="2000-01-01T00:00:00Z"), KeyBindingTimeError),
        ("[1, 2]", MalformedCredentialError),
        ("{not json", MalformedCredentialError),
    ]
    for document, error in cases:
        with pytest.raises(error):
            _verify(document)
    # signed by another key in the holder's name
    forged = w3c_presentation.present_ldp(
        _ldp_vc(other_holder),
        other,
        holder=other_holder,
        domain=CLIENT_ID,
        challenge=NONCE,
        created=CREATED,
    )
    forged["proof"]["verificationMethod"] = f"{holder}#0"
    forged["holder"] = holder
    with pytest.raises(InvalidSignatureError):
        _verify(forged)
    assert _verify(vp).holder == holder


def test_a_data_integrity_vp_of_an_expired_credential_is_refused() -> None:
    signer, holder = _holder("EdDSA")
    credential = _ldp_vc(
        holder, validUntil="2020-01-01T00:00:00Z", validFrom="2019-01-01T00:00:00Z"
    )
    vp = w3c_presentation.present_ldp(
        credential, signer, holder=holder, domain=CLIENT_ID, challenge=NONCE, created=CREATED
    )
    with pytest.raises(ExpiredCredentialError):
        _verify(vp)


def test_odd_values_give_wallet_errors_never_crashes() -> None:
    signer, holder = _holder("EdDSA")
    vp, _ = _present(signer, holder)
    odd: list[Any] = [None, 0, True, "", [], {}, "x" * 100, {"id": 5}, [None]]
    for member in ("holder", "type", "verifiableCredential", "proof", "@context"):
        for value in odd:
            changed = {**vp, member: value}
            with pytest.raises(WalletError):
                _verify(changed)
    for member in ("challenge", "domain", "created", "verificationMethod", "proofPurpose"):
        for value in odd:
            changed = {**vp, "proof": {**vp["proof"], member: value}}
            with pytest.raises(WalletError):
                _verify(changed)
