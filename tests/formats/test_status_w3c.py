"""W3C credential status: BitstringStatusListEntry, StatusList2021Entry and
1EdTechRevocationList entries; list credentials verified and bound to the credential's
issuer; several entries combined. Examples and vectors from specs/bitstring-status-list.txt."""

from __future__ import annotations

import base64
import copy
import gzip
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers import SHARED

from wallet_core.crypto import Signer, did_jwk, generate, sign_compact
from wallet_core.crypto.jwk import b64url
from wallet_core.errors import (
    ExpiredCredentialError,
    InvalidSignatureError,
    MalformedCredentialError,
    StatusListError,
    UntrustedIssuerError,
)
from wallet_core.formats import data_integrity, status_bitstring, status_w3c
from wallet_core.formats.status_bitstring import STATUS_LIST_2021, BitstringStatusEntry
from wallet_core.formats.status_common import StatusResult
from wallet_core.formats.status_w3c import (
    RevocationListEntry,
    StatusListDocument,
    W3cStatusReference,
)
from wallet_core.models import StatusState
from wallet_core.trust.did import assertion_key, did_jwk_document

NOW = datetime(2026, 10, 1, tzinfo=UTC)
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
SL2021 = "https://w3id.org/vc/status-list/2021/v1"
ISSUER = generate("EdDSA")
ISSUER_DID = did_jwk(ISSUER.public_jwk)
OTHER = generate("EdDSA")
OTHER_DID = did_jwk(OTHER.public_jwk)
LIST_URL = "https://example.com/credentials/status/3"
#: "Status List Verifiable Credential" example of the spec: 16 KB of zeros
SPEC_ENCODED_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
#: a StatusList2021Credential ``encodedList`` as Hyperledger Identus publishes it: base64url,
#: no multibase prefix; 16 KB with one bit set (index 6: byte 0 is 0x02, MSB first)
IDENTUS_2021_LIST = "H4sIAAAAAAAA_-3BMQ0AAAACIGf_0MbwARoAAAAAAAAAAAAAAAAAAADgbbmHB0sAQAAA"


def resolver(issuer: str, kid: str | None) -> Mapping[str, Any]:
    return assertion_key(did_jwk_document(issuer), issuer, kid)


def bits(revoked: Iterable[int], entries: int = 131_072) -> bytes:
    out = bytearray(entries // 8)
    for index in revoked:
        out[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    return bytes(out)


def bitstring_list(
    revoked: Iterable[int] = (),
    *,
    url: str = LIST_URL,
    purpose: str | list[str] = "revocation",
    signer: Signer = ISSUER,
    issuer: str = ISSUER_DID,
    **subject: Any,
) -> dict[str, Any]:
    """A signed BitstringStatusListCredential (VCDM 2.0, eddsa-rdfc-2022)."""
    document = {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-09-01T00:00:00Z",
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": "u" + b64url(gzip.compress(bits(revoked), mtime=0)),
            **subject,
        },
    }
    return data_integrity.add_proof(
        document, signer, verification_method=f"{issuer}#0", created="2026-09-01T00:00:00Z"
    )


def list_2021(
    revoked: Iterable[int] = (), *, url: str = LIST_URL, **changes: Any
) -> dict[str, Any]:
    """A signed StatusList2021Credential (VCDM 1.1): encodedList without multibase prefix."""
    encoded = base64.urlsafe_b64encode(gzip.compress(bits(revoked))).decode().rstrip("=")
    document = {
        "@context": [V1, SL2021, "https://w3id.org/security/data-integrity/v2"],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": ISSUER_DID,
        "issuanceDate": "2026-09-01T00:00:00Z",
        "credentialSubject": {
            "id": url + "#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
        **changes,
    }
    return data_integrity.add_proof(
        document, ISSUER, verification_method=f"{ISSUER_DID}#0", created="2026-09-01T00:00:00Z"
    )


def entry(
    index: int, purpose: str = "revocation", url: str = LIST_URL, **more: Any
) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
        **more,
    }


def credential(*status: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    document = {
        "@context": [V2],
        "id": "https://example.com/credentials/23894672394",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER_DID,
        "credentialStatus": list(status) if len(status) != 1 else status[0],
        **changes,
    }
    return {k: v for k, v in document.items() if v is not None}


def reference(document: Mapping[str, Any]) -> W3cStatusReference:
    parsed = status_w3c.parse_w3c_status(document, issuer=ISSUER_DID)
    assert parsed is not None
    return parsed


def verified(served: Mapping[str, Any] | str, issuer: str = ISSUER_DID) -> StatusListDocument:
    text = served if isinstance(served, str) else json.dumps(served)
    return status_w3c.verify_list_credential(
        text, issuer=issuer, resolver=resolver, now=NOW.timestamp()
    )


def states(document: Mapping[str, Any], listed: StatusListDocument) -> list[StatusState]:
    ref = reference(document)
    return [r.state for r in status_w3c.check_entries(ref, ref.entries, listed, now=NOW)]


# -- decoding: the spec's vectors and the 2021 encoding ------------------------------------


def test_the_spec_example_list_is_16_kb_of_unset_bits() -> None:
    assert status_bitstring.decode_encoded_list(SPEC_ENCODED_LIST) == bytes(16 * 1024)


def test_status_list_2021_encoding_base64_without_multibase() -> None:
    decoded = status_bitstring.decode_encoded_list(IDENTUS_2021_LIST, multibase=False)
    assert len(decoded) == 16 * 1024 and decoded[0] == 0x02
    assert [status_bitstring.bitstring_value(decoded, i) for i in range(8)] == [0] * 6 + [1, 0]
    raw = gzip.compress(bits({0, 131_071}))
    for encoded in (
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode(),  # padded
        base64.b64encode(raw).decode(),  # the standard alphabet
        "u" + b64url(raw),  # the multibase form later drafts wrote
    ):
        assert status_bitstring.decode_encoded_list(encoded, multibase=False) == bits({0, 131_071})
    # the v1.x encoding is strict: the 2021 form is not multibase
    with pytest.raises(StatusListError):
        status_bitstring.decode_encoded_list(IDENTUS_2021_LIST)
    for bad in ("H4sI!!!", None, b64url(b"not gzip at all")):
        with pytest.raises(StatusListError):
            status_bitstring.decode_encoded_list(bad, multibase=False)  # type: ignore[arg-type]


# -- parsing credentialStatus ----------------------------------------------------------------


def test_the_spec_multiple_status_lists_example() -> None:
    """ "Multiple Status Lists in One Verifiable Credential": two lists, one entry each."""
    document = credential(
        entry(94567, url="https://example.com/credentials/status/3"),
        entry(12345, "suspension", url="https://example.com/credentials/status/4"),
    )
    ref = reference(document)
    assert ref.credential_id == "https://example.com/credentials/23894672394"
    assert [(url, kind, [e.purpose for e in es]) for url, kind, es in ref.lists()] == [
        ("https://example.com/credentials/status/3", "credential", ["revocation"]),
        ("https://example.com/credentials/status/4", "credential", ["suspension"]),
    ]
    assert ref.unchecked == ()


def test_the_spec_multiple_entries_in_one_list_example() -> None:
    url = "https://example.com/credentials/status/5"
    ref = reference(credential(entry(94567, url=url), entry(12345, "suspension", url=url)))
    [(listed_url, _, entries)] = ref.lists()
    assert listed_url == url
    assert [(e.purpose, e.index) for e in entries if isinstance(e, BitstringStatusEntry)] == [
        ("revocation", 94567),
        ("suspension", 12345),
    ]


def test_status_list_2021_and_1edtech_entries_and_unknown_types() -> None:
    sl2021 = {**entry(7), "type": "StatusList2021Entry", "statusSize": 4}  # 2021 has no sizes
    edtech = {
        "id": "https://1edtech.edu/credentials/3732/revocations",
        "type": "1EdTechRevocationList",
    }
    unknown = {"id": "https://x.example/1", "type": "RevocationList2020Status"}
    ref = reference(credential(sl2021, edtech, unknown))
    assert ref.entries == (
        BitstringStatusEntry(
            "revocation", 7, LIST_URL, id=LIST_URL + "#7", type="StatusList2021Entry"
        ),
        RevocationListEntry("https://1edtech.edu/credentials/3732/revocations"),
    )
    assert ref.entries[0].profile is STATUS_LIST_2021  # type: ignore[union-attr]
    assert ref.unchecked == ("RevocationList2020Status",)
    # a 1EdTech list is looked up by the credential's id: without one it cannot be checked
    no_id = reference(credential(edtech, id=None))
    assert no_id.entries == () and "1EdTechRevocationList" in no_id.unchecked[0]


COMPLETE_SAMPLE = SHARED / "samples" / "02-ob3-1edtech-complete-openbadgecredential.json"


@pytest.mark.skipif(not COMPLETE_SAMPLE.is_file(), reason=f"{COMPLETE_SAMPLE} is absent")
def test_the_1edtech_sample_credential_names_its_revocation_list() -> None:
    sample = json.loads(COMPLETE_SAMPLE.read_text())
    ref = status_w3c.parse_w3c_status(sample, issuer=sample["issuer"]["id"])
    assert ref is not None
    assert ref.entries == (RevocationListEntry("https://1edtech.edu/credentials/3732/revocations"),)


def test_no_status_and_malformed_status() -> None:
    assert status_w3c.parse_w3c_status({"id": "urn:x"}, issuer=ISSUER_DID) is None
    assert status_w3c.parse_w3c_status({"credentialStatus": []}, issuer=ISSUER_DID) is None
    for bad in (
        credential("not an object"),  # type: ignore[arg-type]
        credential(entry(1, statusListIndex=1)),
        credential({"type": "1EdTechRevocationList"}),  # no list URL
        credential(entry(1), {"id": LIST_URL, "type": "1EdTechRevocationList"}),  # two kinds
    ):
        with pytest.raises(MalformedCredentialError):
            status_w3c.parse_w3c_status(bad, issuer=ISSUER_DID)


# -- verifying the list credential -----------------------------------------------------------


def test_revoked_suspended_and_valid_entries() -> None:
    listed = verified(bitstring_list({94567, 12345}, purpose=["revocation", "suspension"]))
    assert listed.issuer == ISSUER_DID
    document = credential(entry(94567), entry(12345, "suspension"), entry(3))
    assert states(document, listed) == [
        StatusState.INVALID,
        StatusState.SUSPENDED,
        StatusState.VALID,
    ]


def test_a_status_list_2021_credential() -> None:
    listed = verified(list_2021({7}))
    sl2021 = {**entry(7), "type": "StatusList2021Entry"}
    other = {**entry(8), "type": "StatusList2021Entry"}
    assert states(credential(sl2021, other), listed) == [StatusState.INVALID, StatusState.VALID]
    stale = list_2021({7}, expirationDate="2026-09-02T00:00:00Z")
    with pytest.raises(ExpiredCredentialError):  # the proof check sees VCDM 1.1 dates
        verified(stale)
    with pytest.raises(ExpiredCredentialError):  # and so does the lookup
        states(credential(sl2021), StatusListDocument("credential", ISSUER_DID, stale))
    # a Bitstring entry does not read a 2021 list, nor the other way round
    with pytest.raises(StatusListError):
        states(credential(entry(7)), listed)


def test_a_list_as_a_vc_jwt() -> None:
    signed = bitstring_list({5})
    document = {k: v for k, v in signed.items() if k != "proof"}
    token = sign_compact({"typ": "vc+jwt", "kid": f"{ISSUER_DID}#0"}, document, ISSUER)
    assert states(credential(entry(5), entry(6)), verified(token)) == [
        StatusState.INVALID,
        StatusState.VALID,
    ]


def test_a_tampered_list_is_refused() -> None:
    signed = bitstring_list({94567})
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["encodedList"] = bitstring_list()["credentialSubject"][
        "encodedList"
    ]
    with pytest.raises(InvalidSignatureError):
        verified(tampered)


def test_a_list_signed_by_another_issuer_is_refused() -> None:
    foreign = bitstring_list(signer=OTHER, issuer=OTHER_DID)
    with pytest.raises(StatusListError):
        verified(foreign)
    # and a list claiming the issuer, signed by another key, fails its proof
    forged = bitstring_list(signer=OTHER, issuer=ISSUER_DID)
    with pytest.raises((InvalidSignatureError, UntrustedIssuerError)):
        verified(forged)
    # a verified list kept for another credential's issuer is not reused for this one
    kept = verified(foreign, issuer=OTHER_DID)
    with pytest.raises(StatusListError):
        states(credential(entry(1)), kept)


def test_the_list_must_serve_the_entry() -> None:
    listed = verified(bitstring_list(url=LIST_URL))
    with pytest.raises(StatusListError):  # the list's id is not statusListCredential
        states(credential(entry(1, url="https://example.com/credentials/status/9")), listed)
    with pytest.raises(StatusListError):  # the list serves revocation only
        states(credential(entry(1, "suspension")), listed)
    short = verified(
        data_integrity.add_proof(
            {
                **{k: v for k, v in bitstring_list().items() if k != "proof"},
                "credentialSubject": {
                    "id": LIST_URL + "#list",
                    "type": "BitstringStatusList",
                    "statusPurpose": "revocation",
                    "encodedList": "u" + b64url(gzip.compress(bytes(100))),
                },
            },
            ISSUER,
            verification_method=f"{ISSUER_DID}#0",
            created="2026-09-01T00:00:00Z",
        )
    )
    with pytest.raises(StatusListError):  # STATUS_LIST_LENGTH_ERROR: too few entries
        states(credential(entry(1)), short)


def test_the_cached_form_round_trips() -> None:
    listed = verified(bitstring_list({1}))
    again = StatusListDocument.from_json(json.loads(json.dumps(listed.to_json())))
    assert again == listed
    with pytest.raises(StatusListError):
        StatusListDocument.from_json({"kind": "credential"})


def test_the_ttl_of_a_list_times_its_cache() -> None:
    listed = verified(bitstring_list(ttl=300_000))  # milliseconds
    ref = reference(credential(entry(1)))
    [result] = status_w3c.check_entries(ref, ref.entries, listed, now=NOW)
    assert result.valid_until == NOW + timedelta(minutes=5)


# -- 1EdTech revocation lists ----------------------------------------------------------------

EDTECH_URL = "https://1edtech.edu/credentials/3732/revocations"
EDTECH_ENTRY = {"id": EDTECH_URL, "type": "1EdTechRevocationList"}


def _edtech(*revoked: Mapping[str, Any], **more: Any) -> StatusListDocument:
    return status_w3c.revocation_list(
        {"id": EDTECH_URL, "revokedCredentials": list(revoked), **more}
    )


def test_1edtech_revoked_and_not_revoked() -> None:
    document = credential(EDTECH_ENTRY)
    own = document["id"]
    ref = reference(document)
    cases = [
        (_edtech(), StatusState.VALID),
        (_edtech({"id": "urn:other"}), StatusState.VALID),
        (_edtech({"id": own, "revoked": False}), StatusState.VALID),
        (_edtech({"id": own}), StatusState.INVALID),
        (_edtech({"id": own, "revoked": True}, issuer={"id": ISSUER_DID}), StatusState.INVALID),
    ]
    for listed, state in cases:
        [result] = status_w3c.check_entries(ref, ref.entries, listed, now=NOW, max_age=60)
        assert result.state is state
        assert result.valid_until == NOW + timedelta(minutes=1)
    listed = _edtech({"id": own, "revocationReason": "Issued in error"})
    [result] = status_w3c.check_entries(ref, ref.entries, listed, now=NOW)
    assert result.message == "Issued in error"
    assert result.valid_until == NOW + timedelta(hours=1)  # no max-age: the default


def test_1edtech_lists_of_another_issuer_or_malformed() -> None:
    ref = reference(credential(EDTECH_ENTRY))
    with pytest.raises(StatusListError):
        status_w3c.check_entries(ref, ref.entries, _edtech(issuer=OTHER_DID), now=NOW)
    for bad in (
        [],
        {"revokedCredentials": "all"},
        {"revokedCredentials": [{"revoked": True}]},
        {"revokedCredentials": [{"id": "urn:x", "revoked": "yes"}]},
        {"revokedCredentials": [], "issuer": 5},
    ):
        with pytest.raises(StatusListError):
            status_w3c.revocation_list(bad)


# -- combining entries -----------------------------------------------------------------------


def _result(state: StatusState, purpose: str = "revocation") -> StatusResult:
    return StatusResult(state, 0, NOW, None, purpose=purpose)


V, R, S, U = StatusState.VALID, StatusState.INVALID, StatusState.SUSPENDED, StatusState.UNKNOWN


@pytest.mark.parametrize(
    ("results", "unchecked", "combined"),
    [
        ([_result(V)], False, V),
        ([_result(V), _result(V, "suspension")], False, V),
        ([_result(V), _result(R)], False, R),
        ([_result(S, "suspension"), _result(R)], False, R),
        ([_result(V), _result(S, "suspension")], False, S),
        ([_result(R)], True, R),  # revoked stays revoked whatever could not be checked
        ([_result(S, "suspension")], True, S),
        ([_result(V)], True, None),  # never valid when something was skipped
        ([], False, None),
        ([_result(V, "refresh")], False, None),  # refresh and message say nothing of validity
        ([_result(U, "message"), _result(V)], False, V),
    ],
)
def test_combine(
    results: list[StatusResult], unchecked: bool, combined: StatusState | None
) -> None:
    assert status_w3c.combine(results, unchecked=unchecked) is combined
