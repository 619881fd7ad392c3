"""The wallet checks a credential's Token Status List over real HTTP, caches it in the
vault, and shows the last known status (with its age) when offline."""

from __future__ import annotations

import gzip
import itertools
import json
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import PIN, ob3_badge, ob3_endorsement
from loopback import LoopbackServer

from wallet_core import (
    InvalidSignatureError,
    KdfParams,
    ManualClock,
    NewCredential,
    StatusListError,
    StatusState,
    Wallet,
)
from wallet_core.crypto import Signer, did_jwk, generate, sign_compact
from wallet_core.crypto.jwk import b64url
from wallet_core.formats import data_integrity, sd_jwt_vc

ISSUER_KEY = generate("ES256")
HOLDER = generate("ES256")


def _lst(revoked: set[int]) -> str:
    bits = bytearray(4)
    for index in revoked:
        bits[index // 8] |= 1 << (index % 8)  # LSB first
    return b64url(zlib.compress(bytes(bits)))


def _serve(server: LoopbackServer, clock: ManualClock, revoked: set[int], key=ISSUER_KEY) -> str:  # type: ignore[no-untyped-def]
    uri = f"{server.base}/statuslists/1"
    token = sign_compact(
        {"typ": "statuslist+jwt", "kid": "k1"},
        {
            "sub": uri,
            "iat": int(clock.now()),
            "ttl": 300,
            "status_list": {"bits": 1, "lst": _lst(revoked)},
        },
        key,
    )
    server.raw("/statuslists/1", token.encode(), "application/statuslist+jwt")
    return uri


@pytest.fixture
def setup(server: LoopbackServer, tmp_path: Path, clock: ManualClock):  # type: ignore[no-untyped-def]
    iss = f"{server.base}/issuer"
    server.json(
        "/.well-known/jwt-vc-issuer/issuer",
        {"issuer": iss, "jwks": {"keys": [{**ISSUER_KEY.public_jwk, "kid": "k1"}]}},
    )
    uri = _serve(server, clock, set())
    raw = sd_jwt_vc.issue(
        {
            "iss": iss,
            "vct": "urn:mc",
            "iat": int(clock.now()),
            "title": "Circulair ontwerpen",
            "status": {"status_list": {"idx": 3, "uri": uri}},
        },
        [("title",)],
        issuer_key=ISSUER_KEY,
        holder_jwk=HOLDER.public_jwk,
        header={"kid": "k1"},
    )
    wallet = Wallet.create(
        tmp_path / "w", PIN, kdf=KdfParams.fast_for_tests(), clock=clock, allow_http_loopback=True
    )
    stored = wallet._store_credential(
        NewCredential(format="dc+sd-jwt", raw=raw, claims={}, issuer=iss, type="urn:mc", title="t")
    )
    yield wallet, stored.id
    wallet.close()


def test_valid_then_revoked_then_offline(setup, server: LoopbackServer, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    wallet, credential_id = setup
    first = wallet.refresh_status(credential_id)
    assert first.state is StatusState.VALID and first.checked_at is not None
    assert wallet.credential(credential_id).status == first

    _serve(server, clock, {3})
    clock.advance(60)  # the cached list is still fresh (ttl 300 s): no new fetch
    assert wallet.refresh_status(credential_id).state is StatusState.VALID
    clock.advance(600)
    revoked = wallet.refresh_status(credential_id)
    assert revoked.state is StatusState.INVALID
    assert [s.status.state for s in wallet.credentials()] == [StatusState.INVALID]

    server.reset()  # the issuer is unreachable now
    clock.advance(3600)
    offline = wallet.refresh_status(credential_id)
    assert offline == revoked  # the last known status, with the time it was last checked
    assert offline.checked_at is not None and clock.now() - offline.checked_at.timestamp() >= 3600


def test_list_signed_by_another_key_is_refused(
    setup, server: LoopbackServer, clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    wallet, credential_id = setup
    _serve(server, clock, set(), key=generate("ES256"))
    with pytest.raises(InvalidSignatureError):
        wallet.refresh_status(credential_id)
    assert wallet.credential(credential_id).status.state is StatusState.UNKNOWN


def test_issuer_keys_are_cached_in_the_vault_for_offline_use(setup, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
    wallet, credential_id = setup
    wallet.refresh_status(credential_id)
    iss = wallet.credential(credential_id).issuer
    server.reset()
    assert wallet.issuer_keys.resolve(iss, {"kid": "k1"})["x"] == ISSUER_KEY.public_jwk["x"]


def test_type_metadata_over_http_with_integrity_and_offline_cache(
    setup, server: LoopbackServer
) -> None:  # type: ignore[no-untyped-def]
    import json

    from wallet_core import IntegrityMismatchError
    from wallet_core.formats.type_metadata import integrity_of, localize

    wallet, _ = setup
    base_doc = {
        "vct": f"{server.base}/types/base",
        "display": [{"locale": "nl", "name": "Microcredential"}],
    }
    child_doc = {
        "vct": f"{server.base}/types/mc",
        "extends": base_doc["vct"],
        "claims": [{"path": ["title"], "display": [{"locale": "en", "label": "Title"}]}],
    }
    server.json("/types/base", base_doc)
    child_url = server.json("/types/mc", child_doc, **{"cache-control": "max-age=60"})
    child_bytes = json.dumps(child_doc).encode()
    metadata = wallet.type_metadata(child_url, integrity=integrity_of(child_bytes))
    assert localize(metadata, "nl").name == "Microcredential"
    assert localize(metadata, "nl").label(("title",)) == "Title"
    with pytest.raises(IntegrityMismatchError):
        wallet.type_metadata(child_url, integrity=integrity_of(b"something else"))
    server.reset()  # offline: the vault's copies serve
    assert wallet.type_metadata(child_url).lineage == (child_url, base_doc["vct"])


# -- W3C credentials: Bitstring / StatusList2021 list credentials, 1EdTech lists -----------

W3C_ISSUER = generate("EdDSA")
W3C_DID = did_jwk(W3C_ISSUER.public_jwk)
LIST_MEDIA_TYPE = "application/vc+ld+json"


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def _signed(
    document: dict[str, Any], signer: Signer = W3C_ISSUER, issuer: str = W3C_DID
) -> dict[str, Any]:
    return data_integrity.add_proof(
        document, signer, verification_method=f"{issuer}#0", created="2026-09-01T00:00:00Z"
    )


def _bits(revoked: set[int]) -> bytes:
    out = bytearray(131_072 // 8)
    for index in revoked:
        out[index // 8] |= 0x80 >> (index % 8)  # MSB first
    return bytes(out)


def _serve_bitstring(
    server: LoopbackServer,
    clock: ManualClock,
    path: str,
    revoked: set[int],
    *,
    purpose: str = "revocation",
    signer: Signer = W3C_ISSUER,
    issuer: str = W3C_DID,
) -> str:
    url = server.base + path
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": _iso(clock.now() - 60),
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": "u" + b64url(gzip.compress(_bits(revoked), mtime=0)),
            "ttl": 300_000,  # milliseconds
        },
    }
    body = json.dumps(_signed(document, signer, issuer)).encode()
    return server.raw(path, body, LIST_MEDIA_TYPE)


def _serve_2021(server: LoopbackServer, clock: ManualClock, path: str, revoked: set[int]) -> str:
    url = server.base + path
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/vc/status-list/2021/v1",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": W3C_DID,
        "issuanceDate": _iso(clock.now() - 60),
        "credentialSubject": {
            "id": url + "#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            # StatusList2021: base64url of the GZIP bitstring, no multibase prefix
            "encodedList": b64url(gzip.compress(_bits(revoked))),
        },
    }
    return server.raw(path, json.dumps(_signed(document)).encode(), LIST_MEDIA_TYPE)


def _entry(
    url: str, index: int, purpose: str = "revocation", kind: str = "BitstringStatusListEntry"
) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": kind,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


@pytest.fixture
def w3c_wallet(tmp_path: Path, clock: ManualClock) -> Iterator[Wallet]:
    wallet = Wallet.create(
        tmp_path / "w3c", PIN, kdf=KdfParams.fast_for_tests(), clock=clock, allow_http_loopback=True
    )
    yield wallet
    wallet.close()


_BADGES = itertools.count(1)


def _import(wallet: Wallet, *status: dict[str, Any], contexts: tuple[str, ...] = ()) -> str:
    """An Open Badge (ldp_vc) with ``status`` as its credentialStatus, imported; each one
    named apart, as the wallet refuses a badge that only repeats one it holds."""
    entries = list(status) if len(status) > 1 else status[0]
    badge = ob3_badge(W3C_DID, credentialStatus=entries, name=f"Badge {next(_BADGES)}")
    badge["@context"] = [*badge["@context"], *contexts]
    return wallet.import_credential(json.dumps(_signed(badge))).id


def test_a_w3c_badge_valid_then_revoked_then_offline(
    w3c_wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    url = _serve_bitstring(server, clock, "/status/1", set())
    credential_id = _import(w3c_wallet, _entry(url, 94567))
    assert w3c_wallet.credential(credential_id).status.state is StatusState.UNKNOWN

    first = w3c_wallet.refresh_status(credential_id)
    assert first.state is StatusState.VALID and first.checked_at is not None
    assert w3c_wallet.credential(credential_id).status == first

    _serve_bitstring(server, clock, "/status/1", {94567})
    clock.advance(60)  # the cached list is still fresh (ttl 300 s): no new fetch
    assert w3c_wallet.refresh_status(credential_id).state is StatusState.VALID
    assert server.requests.count("/status/1") == 1
    clock.advance(600)
    revoked = w3c_wallet.refresh_status(credential_id)
    assert revoked.state is StatusState.INVALID
    assert [s.status.state for s in w3c_wallet.credentials()] == [StatusState.INVALID]

    server.reset()  # the issuer is unreachable now
    clock.advance(3600)
    offline = w3c_wallet.refresh_status(credential_id)
    assert offline == revoked  # the last known status, with the time it was last checked


def test_revocation_and_suspension_lists_combine(
    w3c_wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    revocation = _serve_bitstring(server, clock, "/status/r", set())
    suspension = _serve_bitstring(server, clock, "/status/s", {7}, purpose="suspension")
    credential_id = _import(w3c_wallet, _entry(revocation, 3), _entry(suspension, 7, "suspension"))
    assert w3c_wallet.refresh_status(credential_id).state is StatusState.SUSPENDED
    _serve_bitstring(server, clock, "/status/s", set(), purpose="suspension")
    clock.advance(600)
    assert w3c_wallet.refresh_status(credential_id).state is StatusState.VALID
    _serve_bitstring(server, clock, "/status/r", {3})
    _serve_bitstring(server, clock, "/status/s", {7}, purpose="suspension")
    clock.advance(600)
    assert w3c_wallet.refresh_status(credential_id).state is StatusState.INVALID


def test_status_list_2021_and_1edtech_revocation_lists(
    w3c_wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    url = _serve_2021(server, clock, "/status/2021", {12})
    revoked_2021 = _import(
        w3c_wallet,
        _entry(url, 12, kind="StatusList2021Entry"),
        contexts=("https://w3id.org/vc/status-list/2021/v1",),
    )
    assert w3c_wallet.refresh_status(revoked_2021).state is StatusState.INVALID

    edtech = {"id": server.base + "/revocations", "type": "1EdTechRevocationList"}
    badge_id = ob3_badge(W3C_DID)["id"]
    server.json("/revocations", {"revokedCredentials": [{"id": "urn:uuid:another"}]})
    listed = _import(w3c_wallet, edtech)
    assert w3c_wallet.refresh_status(listed).state is StatusState.VALID
    server.json(
        "/revocations",
        {"issuer": W3C_DID, "revokedCredentials": [{"id": badge_id, "revocationReason": "x"}]},
    )
    clock.advance(7200)  # no max-age: the list was kept for an hour
    assert w3c_wallet.refresh_status(listed).state is StatusState.INVALID
    server.json("/revocations", {"issuer": "did:example:other", "revokedCredentials": []})
    clock.advance(7200)
    with pytest.raises(StatusListError):
        w3c_wallet.refresh_status(listed)
    assert w3c_wallet.credential(listed).status.state is StatusState.INVALID


def test_what_cannot_be_checked_is_never_shown_as_valid(
    w3c_wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    unknown = {"id": server.base + "/rl2020", "type": "RevocationList2020Status"}
    only_unknown = _import(w3c_wallet, unknown)
    assert w3c_wallet.refresh_status(only_unknown).state is StatusState.UNKNOWN
    assert "/rl2020" not in server.requests  # nothing the wallet could read was fetched

    url = _serve_bitstring(server, clock, "/status/1", set())
    partly = _import(w3c_wallet, _entry(url, 5), unknown)
    partial = w3c_wallet.refresh_status(partly)
    assert partial.state is StatusState.UNKNOWN and partial.checked_at is None

    server.reset()  # offline before the first check
    offline_first = _import(w3c_wallet, _entry(server.base + "/status/9", 1))
    assert w3c_wallet.refresh_status(offline_first).state is StatusState.UNKNOWN


def test_a_tampered_list_or_one_of_another_issuer_is_refused(
    w3c_wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    url = _serve_bitstring(server, clock, "/status/1", {1})
    credential_id = _import(w3c_wallet, _entry(url, 1))
    tampered = json.loads(server.routes["/status/1"].body)
    tampered["credentialSubject"]["encodedList"] = "u" + b64url(gzip.compress(_bits(set())))
    server.raw("/status/1", json.dumps(tampered).encode(), LIST_MEDIA_TYPE)
    with pytest.raises(InvalidSignatureError):
        w3c_wallet.refresh_status(credential_id)
    assert w3c_wallet.credential(credential_id).status.state is StatusState.UNKNOWN

    other = generate("EdDSA")
    _serve_bitstring(
        server, clock, "/status/1", set(), signer=other, issuer=did_jwk(other.public_jwk)
    )
    with pytest.raises(StatusListError):
        w3c_wallet.refresh_status(credential_id)
    assert w3c_wallet.credential(credential_id).status.state is StatusState.UNKNOWN


def test_a_vc_jwt_badge_with_its_list_as_a_vc_jwt(
    w3c_wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    url = server.base + "/status/jwt"
    kid = {"typ": "vc+jwt", "kid": f"{W3C_DID}#0"}
    listed = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": W3C_DID,
        "validFrom": _iso(clock.now() - 60),
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + b64url(gzip.compress(_bits({42}), mtime=0)),
        },
    }
    server.raw("/status/jwt", sign_compact(kid, listed, W3C_ISSUER).encode(), "application/vc+jwt")
    badge = ob3_badge(W3C_DID, credentialStatus=_entry(url, 42))
    token = sign_compact(kid, {**badge, "iss": W3C_DID, "sub": "did:example:student"}, W3C_ISSUER)
    stored = w3c_wallet.import_credential(token, "badge.jwt")
    assert stored.format == "jwt_vc_json"
    assert w3c_wallet.refresh_status(stored.id).state is StatusState.INVALID


def test_an_endorsement_unchecked_on_arrival_is_checked_again_with_the_status(
    w3c_wallet: Wallet, server: LoopbackServer
) -> None:
    """The endorser's did:web did not answer when the badge came; "Check status" asks
    again, and the outcome it can now decide is kept. A decided outcome is not re-asked."""
    endorser = generate("EdDSA")
    port = server.base.rsplit(":", 1)[1]
    did = f"did:web:127.0.0.1%3A{port}:endorser"
    about = ob3_badge(W3C_DID)["credentialSubject"]["achievement"]["id"]

    def endorsement_by(did: str) -> dict[str, Any]:
        return ob3_endorsement(endorser, did, about, method=f"{did}#key-1")

    endorsement = endorsement_by(did)
    tampered = {**endorsement, "name": "De beste van het land"}
    silent = endorsement_by(f"did:web:127.0.0.1%3A{port}:silent")  # never answers
    badge = ob3_badge(W3C_DID)
    badge["credentialSubject"]["achievement"]["endorsement"] = [endorsement, tampered, silent]
    credential_id = w3c_wallet.import_credential(json.dumps(_signed(badge))).id
    before = w3c_wallet.credential(credential_id).display["endorsements"]
    assert [e["outcome"] for e in before] == ["unchecked"] * 3

    w3c_wallet.refresh_status(credential_id)  # still no answer: nothing changes
    assert w3c_wallet.credential(credential_id).display["endorsements"] == before

    server.json(
        "/endorser/did.json",
        {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "verificationMethod": [
                {
                    "id": f"{did}#key-1",
                    "type": "JsonWebKey2020",
                    "controller": did,
                    "publicKeyJwk": dict(endorser.public_jwk),
                }
            ],
            "assertionMethod": ["#key-1"],
        },
    )
    w3c_wallet.refresh_status(credential_id)
    after = w3c_wallet.credential(credential_id).display["endorsements"]
    assert [(e["outcome"], e["code"]) for e in after][:2] == [
        ("valid", None),
        ("invalid", "invalid_signature"),
    ]
    assert after[2]["outcome"] == "unchecked"
    asked = len([p for p in server.requests if p.startswith("/endorser/")])
    w3c_wallet.refresh_status(credential_id)  # only the undecided one is asked again
    assert len([p for p in server.requests if p.startswith("/endorser/")]) == asked
    assert any(p.startswith("/silent/") for p in server.requests)
    assert w3c_wallet.credential(credential_id).display["endorsements"] == after
