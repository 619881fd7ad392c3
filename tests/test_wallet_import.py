"""Importing Open Badges 3.0 from files: JSON with a Data Integrity proof, a VC-JWT, either
baked into a PNG or SVG; each verified before it is stored, and every refusal stores nothing."""

from __future__ import annotations

import base64
import copy
import io
import json
import os
from typing import Any

import pytest
from helpers import ob3_badge, ob3_endorsement
from PIL import Image

from wallet_core import (
    DuplicateCredentialError,
    KdfParams,
    TooLargeForQrError,
    Wallet,
    WalletError,
)
from wallet_core.crypto import did_jwk, generate, sign_compact
from wallet_core.formats import baked, data_integrity

ISSUER = generate("EdDSA")
ISSUER_DID = did_jwk(ISSUER.public_jwk)
CREATED = "2026-09-01T00:00:00Z"
NAME = "Circulair ontwerpen in de bouw"


def _ldp(**changes: Any) -> dict[str, Any]:
    return data_integrity.add_proof(
        ob3_badge(ISSUER_DID, **changes),
        ISSUER,
        verification_method=f"{ISSUER_DID}#0",
        created=CREATED,
    )


def _jwt() -> str:
    credential = ob3_badge(ISSUER_DID)
    payload = {**credential, "iss": ISSUER_DID, "sub": "did:example:student"}
    return sign_compact({"typ": "vc+jwt", "kid": f"{ISSUER_DID}#0"}, payload, ISSUER)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, "PNG")
    return out.getvalue()


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect/></svg>'


def test_a_json_badge_is_verified_stored_and_logged(wallet: Wallet) -> None:
    document = _ldp()
    stored = wallet.import_credential(json.dumps(document).encode(), "badge.json")
    assert stored.format == "ldp_vc" and stored.claims == document
    assert (stored.title, stored.issuer, stored.issuer_name) == (
        NAME,
        ISSUER_DID,
        "Hogeschool Demo",
    )
    assert stored.display.get("imported") is True
    [summary] = wallet.credentials()
    assert summary.id == stored.id
    assert wallet.activity()[0].kind == "credential_imported"
    held = wallet.held(stored.id)
    assert "OpenBadgeCredential" in held.types and not held.holder_binding


def test_a_vc_jwt_is_stored_with_the_credential_as_its_claims(wallet: Wallet) -> None:
    token = _jwt()
    stored = wallet.import_credential(token + "\n", "badge.jwt")
    assert stored.format == "jwt_vc_json" and stored.raw == token
    assert stored.claims["credentialSubject"]["achievement"]["name"] == NAME


@pytest.mark.parametrize(
    "image",
    [
        lambda: baked.bake_png(_png(), json.dumps(_ldp())),
        lambda: baked.bake_png(_png(), _jwt()),
        lambda: baked.bake_svg(SVG, _jwt()).encode(),
        lambda: baked.bake_svg(SVG, json.dumps(_ldp())).encode(),
    ],
    ids=["png-json", "png-jwt", "svg-jwt", "svg-json"],
)
def test_a_baked_badge_is_taken_out_of_its_image(wallet: Wallet, image: Any) -> None:
    stored = wallet.import_credential(image(), "badge")
    assert stored.title == NAME and stored.format in {"ldp_vc", "jwt_vc_json"}


def test_the_same_badge_twice_is_recognised(wallet: Wallet) -> None:
    text = json.dumps(_ldp())
    first = wallet.import_credential(text)
    with pytest.raises(DuplicateCredentialError) as raised:
        wallet.import_credential(baked.bake_png(_png(), text))
    assert raised.value.code == "duplicate_credential" and raised.value.existing_id == first.id
    assert len(wallet.credentials()) == 1


def test_the_same_badge_issued_again_is_recognised_and_a_renewal_is_kept(wallet: Wallet) -> None:
    """Another id, holder DID and proof, a validity a day longer: the same badge. One that
    runs a year longer, or says something else, is kept."""
    held = wallet.import_credential(json.dumps(_ldp(validUntil="2030-09-01T00:00:00Z")))
    subject = ob3_badge(ISSUER_DID)["credentialSubject"]
    again = _ldp(
        id="urn:uuid:5a1b0c2e-0d5e-4bb4-9c6f-0b8d5e1f3a77",
        validUntil="2030-09-02T00:00:00Z",
        credentialSubject={**subject, "id": "did:example:another-key-of-the-student"},
    )
    with pytest.raises(DuplicateCredentialError) as raised:
        wallet.import_credential(json.dumps(again))
    assert raised.value.existing_id == held.id
    renewal = wallet.import_credential(json.dumps(_ldp(validUntil="2031-09-01T00:00:00Z")))
    other = wallet.import_credential(json.dumps(_ldp(name="Circulair ontwerpen, deel 2")))
    assert {c.id for c in wallet.credentials()} == {held.id, renewal.id, other.id}


def _tampered() -> bytes:
    document = _ldp()
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    return json.dumps(changed).encode()


def _other_key() -> bytes:
    forger = generate("EdDSA")
    document = data_integrity.add_proof(
        ob3_badge(ISSUER_DID), forger, verification_method=f"{ISSUER_DID}#0", created=CREATED
    )
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_tampered, "invalid_signature"),
        (_other_key, "invalid_signature"),
        (lambda: b"\x00\x01 not a badge", "malformed_credential"),
        (lambda: "not.a.jwt", "malformed_credential"),
        (lambda: _png(), "malformed_credential"),
        (lambda: b"{" * (11 * 1024 * 1024), "malformed_credential"),
        (lambda: "http://badges.example/assertions/1", "insecure_url"),
        (
            lambda: baked.bake_png(_png(), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", baked.OB2),
            "unsupported_format",
        ),
    ],
    ids=[
        "tampered",
        "wrong-key",
        "binary",
        "bad-jwt",
        "plain-png",
        "too-large",
        "ob2-url-not-https",
        "ob2-signed-baked",
    ],
)
def test_refused_input_says_why_and_stores_nothing(wallet: Wallet, data: Any, code: str) -> None:
    with pytest.raises(WalletError) as raised:
        wallet.import_credential(data())
    assert raised.value.code == code
    assert wallet.credentials() == [] and all(
        entry.kind != "credential_imported" for entry in wallet.activity()
    )


def test_unknown_context_has_its_own_code(wallet: Wallet) -> None:
    document = _ldp()
    document["@context"] = [*document["@context"], "https://evil.example/ctx"]
    with pytest.raises(WalletError) as raised:
        wallet.import_credential(json.dumps(document))
    assert raised.value.code == "unknown_context"


def test_an_imported_badge_survives_backup_and_restore_and_can_be_deleted(
    wallet: Wallet, tmp_path: Any
) -> None:
    stored = wallet.import_credential(_jwt())
    backup = tmp_path / "wallet.backup"
    wallet.export_backup(backup, "correct horse battery staple")
    with Wallet.restore_backup(
        backup,
        "correct horse battery staple",
        tmp_path / "restored",
        "246813",
        kdf=KdfParams.fast_for_tests(),
    ) as restored:
        again = restored.credential(stored.id)
        assert (again.format, again.raw, again.title) == ("jwt_vc_json", stored.raw, NAME)
        assert "OpenBadgeCredential" in restored.held(stored.id).types
    wallet.delete_credential(stored.id)
    assert wallet.credentials() == []
    assert wallet.import_credential(_jwt()).id != stored.id  # no longer a duplicate


def test_offline_a_badge_goes_whole_and_one_too_large_for_a_qr_code_is_refused(
    wallet: Wallet,
) -> None:
    small = wallet.import_credential(_jwt())
    assert wallet.offline_presentation(small.id, []) == small.raw
    picture = "data:image/png;base64," + base64.b64encode(os.urandom(9000)).decode()
    large = wallet.import_credential(json.dumps(_ldp(image={"id": picture, "type": "Image"})))
    shown_before = [e for e in wallet.activity() if e.kind == "presentation_shown"]
    with pytest.raises(TooLargeForQrError) as raised:
        wallet.offline_presentation(large.id, [])
    assert raised.value.code == "too_large_for_qr"
    assert [e for e in wallet.activity() if e.kind == "presentation_shown"] == shown_before


def test_the_achievement_type_is_kept_for_the_cards(wallet: Wallet) -> None:
    badge = ob3_badge(ISSUER_DID)
    badge["credentialSubject"]["achievement"]["achievementType"] = "MicroCredential"
    signed = data_integrity.add_proof(
        badge, ISSUER, verification_method=f"{ISSUER_DID}#0", created=CREATED
    )
    stored = wallet.import_credential(json.dumps(signed))
    assert stored.display["kind"] == "MicroCredential"
    assert "kind" not in wallet.import_credential(_jwt()).display


def test_embedded_endorsements_are_checked_on_import_and_a_bad_one_stores_the_badge_anyway(
    wallet: Wallet,
) -> None:
    endorser = generate("EdDSA")
    endorser_did = did_jwk(endorser.public_jwk)
    about = f"{ISSUER_DID}/achievements/circular"

    def endorsement(issuer: str) -> dict[str, Any]:
        return ob3_endorsement(endorser, issuer, about, method=f"{issuer}#0", created=CREATED)

    good = endorsement(endorser_did)
    tampered = copy.deepcopy(good)
    tampered["name"] = "De beste van het land"
    unreachable = endorsement("did:web:localhost")  # no DID document can be had there
    badge = ob3_badge(ISSUER_DID)
    badge["credentialSubject"]["achievement"]["endorsement"] = [good, tampered, unreachable]
    signed = data_integrity.add_proof(
        badge, ISSUER, verification_method=f"{ISSUER_DID}#0", created=CREATED
    )
    stored = wallet.import_credential(json.dumps(signed).encode(), "badge.json")
    outcomes = [e["outcome"] for e in stored.display["endorsements"]]
    assert outcomes == ["valid", "invalid", "unchecked"]
    assert stored.display["endorsements"][1]["code"] == "invalid_signature"
    # kept with the credential: the detail screen reads it from there
    [summary] = wallet.credentials()
    assert wallet.credential(summary.id).display["endorsements"] == stored.display["endorsements"]


def test_the_same_badge_saved_with_other_whitespace_is_recognised(wallet: Wallet) -> None:
    document = _ldp()
    first = wallet.import_credential(json.dumps(document).encode(), "badge.json")
    with pytest.raises(DuplicateCredentialError) as raised:
        wallet.import_credential(json.dumps(document, indent=2).encode(), "badge.json")
    assert raised.value.code == "duplicate_credential"
    assert [c.id for c in wallet.credentials()] == [first.id]


def test_an_issuer_did_with_an_odd_port_is_a_typed_refusal(wallet: Wallet) -> None:
    """A port that looks like digits to Python but is none (a superscript two)."""
    document = ob3_badge("did:web:a.example%3A\u00b2")
    document["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "verificationMethod": "did:web:a.example%3A\u00b2#key-1",
        "proofValue": "z" + "2" * 86,
    }
    with pytest.raises(WalletError) as raised:
        wallet.import_credential(json.dumps(document))
    assert raised.value.code == "did_resolution_error" and wallet.credentials() == []
    with pytest.raises(WalletError):  # and nothing of any size gets further than its length
        wallet.import_credential("x" * (10 * 1024 * 1024))
