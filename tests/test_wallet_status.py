"""The wallet checks a credential's Token Status List over real HTTP, caches it in the
vault, and shows the last known status (with its age) when offline."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from helpers import PIN
from loopback import LoopbackServer

from wallet_core import (
    InvalidSignatureError,
    KdfParams,
    ManualClock,
    NewCredential,
    StatusState,
    Wallet,
)
from wallet_core.crypto import generate, sign_compact
from wallet_core.crypto.jwk import b64url
from wallet_core.formats import sd_jwt_vc

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
