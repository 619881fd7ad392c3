"""Embedded Open Badges endorsements (wallet_core.formats.endorsements): each checked as a
credential of its endorser, about what it sits on; a bad one is shown as not valid and does
not make the badge invalid; one the wallet cannot decide is said so."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

import pytest
from helpers import OB3_CONTEXTS, ob3_badge

from wallet_core.crypto import Signer, generate
from wallet_core.crypto.jwk import b64url_decode, base58btc_encode
from wallet_core.errors import TimeoutError_, UnknownKeyIdError
from wallet_core.formats import data_integrity, endorsements
from wallet_core.formats.badge_view import badge_facts
from wallet_core.trust.did import assertion_key, did_key_document

NOW = time.time()
BADGE_ISSUER = "https://hogeschool.example/issuer"
OFFLINE_ENDORSER = "did:web:branche.example"


def did_key(signer: Signer) -> str:
    key = b64url_decode(signer.public_jwk["x"])
    return "did:key:z" + base58btc_encode(b"\xed\x01" + key)


def resolver(issuer: str, kid: str | None) -> Mapping[str, Any]:
    if issuer.startswith("did:key:"):
        return assertion_key(did_key_document(issuer), issuer, kid)
    if issuer == OFFLINE_ENDORSER:
        raise TimeoutError_("the endorser's DID document did not come")
    raise UnknownKeyIdError("the issuer does not control that key")


def endorsement(
    signer: Signer | None, about: str, *, endorser: str | None = None, **changes: Any
) -> dict[str, Any]:
    """An EndorsementCredential of ``about`` by the did:key of ``signer`` (unsigned: None)."""
    issuer = endorser or (did_key(signer) if signer is not None else "did:example:nobody")
    document = {
        "@context": list(OB3_CONTEXTS),
        "id": f"urn:uuid:endorsement-of-{about}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Erkend door de branche",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Bouwlab"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": about,
            "type": ["EndorsementSubject"],
            "endorsementComment": "Sluit aan bij de praktijk.",
        },
        **changes,
    }
    if signer is None:
        return document
    method = f"{issuer}#{issuer.removeprefix('did:key:')}"
    return data_integrity.add_proof(
        document, signer, verification_method=method, created="2026-01-01T00:00:00Z"
    )


def badge_with(**places: list[dict[str, Any]]) -> dict[str, Any]:
    badge = ob3_badge(BADGE_ISSUER)
    if "credential" in places:
        badge["endorsement"] = places["credential"]
    if "achievement" in places:
        badge["credentialSubject"]["achievement"]["endorsement"] = places["achievement"]
    if "issuer" in places:
        badge["issuer"]["endorsement"] = places["issuer"]
    return badge


def outcomes(badge: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    return [(c.outcome, c.code) for c in endorsements.check(badge, resolver=resolver, now=NOW)]


def test_endorsements_at_each_place_verify_by_their_endorsers_key() -> None:
    endorser = generate("EdDSA")
    badge = badge_with(
        credential=[endorsement(endorser, "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58")],
        achievement=[endorsement(endorser, f"{BADGE_ISSUER}/achievements/circular")],
        issuer=[endorsement(endorser, BADGE_ISSUER)],
    )
    checks = endorsements.check(badge, resolver=resolver, now=NOW)
    assert [c.outcome for c in checks] == ["valid"] * 3
    assert [c.path for c in checks] == [
        ("endorsement", 0),
        ("credentialSubject", "achievement", "endorsement", 0),
        ("issuer", "endorsement", 0),
    ]
    facts = badge_facts(badge, [c.as_record() for c in checks])
    assert facts is not None
    assert [(e.about, e.outcome) for e in facts.endorsements] == [
        ("credential", "valid"),
        ("achievement", "valid"),
        ("issuer", "valid"),
    ]
    # what the wallet did not check is never shown as checked
    unknown = badge_facts(badge)
    assert unknown is not None and {e.outcome for e in unknown.endorsements} == {"unchecked"}


def test_a_bad_endorsement_is_invalid_and_says_why() -> None:
    endorser, intruder = generate("EdDSA"), generate("EdDSA")
    about = f"{BADGE_ISSUER}/achievements/circular"
    tampered = endorsement(endorser, about)
    tampered["credentialSubject"]["endorsementComment"] = "De beste opleiding van het land."
    stolen = endorsement(intruder, about, endorser=did_key(endorser))
    stolen["proof"]["verificationMethod"] = f"{did_key(intruder)}#{did_key(intruder)[8:]}"
    elsewhere = endorsement(endorser, "https://other.example/achievements/famous")
    not_an_endorsement = endorsement(
        endorser, about, type=["VerifiableCredential", "OpenBadgeCredential"]
    )
    expired = endorsement(endorser, about, validUntil="2026-02-01T00:00:00Z")
    badge = badge_with(
        achievement=[
            tampered,
            stolen,
            elsewhere,
            endorsement(None, about),
            not_an_endorsement,
            expired,
        ]
    )
    found = outcomes(badge)
    assert [o for o, _ in found] == ["invalid"] * 6
    assert [c for _, c in found] == [
        "invalid_signature",
        "unknown_key_id",
        "malformed_credential",
        "malformed_credential",
        found[4][1],  # refused by the OB 3.0 structure or the type check, either way
        "expired_credential",
    ]
    assert found[4][1] in {"malformed_credential", "invalid_badge"}


def test_what_the_wallet_cannot_decide_is_unchecked_not_invalid() -> None:
    about = f"{BADGE_ISSUER}/achievements/circular"
    offline = endorsement(generate("EdDSA"), about, endorser=OFFLINE_ENDORSER)
    offline["proof"]["verificationMethod"] = f"{OFFLINE_ENDORSER}#key-1"
    unknown_suite = endorsement(generate("EdDSA"), about)
    unknown_suite["proof"] = {"type": "BbsBlsSignature2020", "proofValue": "x"}
    unknown_context = endorsement(generate("EdDSA"), about)
    unknown_context["@context"] = [*OB3_CONTEXTS, "https://unknown.example/context.json"]
    badge = badge_with(achievement=[offline, unknown_suite, unknown_context])
    found = outcomes(badge)
    assert [o for o, _ in found] == ["unchecked"] * 3
    assert found[0][1] == TimeoutError_.code and found[2][1] == "unknown_context"


def test_checking_has_a_limit_and_never_raises_on_odd_shapes() -> None:
    endorser = generate("EdDSA")
    one = endorsement(endorser, f"{BADGE_ISSUER}/achievements/circular")
    many = badge_with(achievement=[copy.deepcopy(one) for _ in range(endorsements.MAX_CHECKED + 2)])
    found = outcomes(many)
    assert [o for o, _ in found] == ["valid"] * endorsements.MAX_CHECKED + ["unchecked"] * 2
    assert found[-1] == ("unchecked", "too_many")
    odd = ob3_badge(BADGE_ISSUER, endorsement=[None, 1, "x", [], {"proof": "x"}, {}])
    assert [o for o, _ in outcomes(odd)] == ["invalid", "invalid"]
    single = ob3_badge(BADGE_ISSUER, endorsement=one)  # one object, not a list
    assert [c.path for c in endorsements.check(single, resolver=resolver, now=NOW)] == [
        ("endorsement",)
    ]
    assert endorsements.check({"credentialSubject": []}, resolver=resolver, now=NOW) == ()


@pytest.mark.parametrize(
    "records",
    [None, "x", [None, {"path": "x"}, {"path": ["endorsement", 0], "outcome": "maybe"}]],
)
def test_stored_outcomes_that_cannot_be_read_count_as_unchecked(records: Any) -> None:
    badge = badge_with(credential=[endorsement(None, "urn:uuid:x")])
    facts = badge_facts(badge, records)
    assert facts is not None and [e.outcome for e in facts.endorsements] == ["unchecked"]
