"""The wallet with the demo institution's Open Badges 3.0 and the demo employer: received
as ``jwt_vc_json`` (the edubadges agent's shape, draft 13 and 1.0) and ``ldp_vc``
(eddsa-rdfc-2022), presented as VP JWT / Data Integrity VP, verified, and a revoked badge
shown as revoked."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from demo_admin import Admin
from loopback import LoopbackServer, Route
from wire import ChangeResponse, Wire, jwt_part, with_json

from demo_services.serving import BackgroundServer, start_in_thread
from demo_services.verifier import create_app as create_verifier
from wallet_core import (
    Choice,
    InvalidBadgeError,
    ManualClock,
    MissingHolderKeyError,
    StatusState,
    Wallet,
    WalletError,
    WrongHolderKeyError,
)
from wallet_core.crypto import did_jwk, generate, sign_compact
from wallet_core.formats import data_integrity

OB3_JWT = "ob3-circulair-ontwerpen-jwt"
OB3_LDP = "ob3-circulair-ontwerpen-ldp"


@pytest.fixture(scope="module")
def employer(issuer: BackgroundServer) -> Iterator[BackgroundServer]:
    factory = lambda base: create_verifier(  # noqa: E731
        base,
        vct_values=[issuer.base_url + "/types/microcredential"],
        trusted_issuers=[issuer.base_url],
    )
    with start_in_thread(factory, name="verifier") as server:
        yield server


def _receive(wallet: Wallet, server: BackgroundServer, configuration_id: str) -> Any:
    admin = Admin(server)
    offer = admin.offer(configuration_id)
    admin.http.close()
    assert offer["tx_code"] is None
    [stored] = wallet.accept_offer(wallet.parse_offer(offer["offer_link"]))
    return stored


@pytest.mark.parametrize("configuration_id", [OB3_JWT, OB3_LDP])
@pytest.mark.parametrize("mode", ["1.0", "draft13"])
def test_the_wallet_receives_both_open_badge_formats(
    open_wallet: Callable[..., Wallet],
    issuer: BackgroundServer,
    draft13_issuer: BackgroundServer,
    configuration_id: str,
    mode: str,
) -> None:
    server = issuer if mode == "1.0" else draft13_issuer
    stored = _receive(open_wallet(), server, configuration_id)
    assert stored.format == ("jwt_vc_json" if configuration_id == OB3_JWT else "ldp_vc")
    assert stored.issuer.startswith("did:web:127.0.0.1%3A")
    achievement = stored.claims["credentialSubject"]["achievement"]
    assert achievement["name"] == "Circulair ontwerpen in de bouw"


def _check(
    wallet: Wallet, employer: BackgroundServer, query: str, query_id: str, credential_id: str
) -> dict[str, Any]:
    with httpx.Client(timeout=10) as http:
        tx = http.post(employer.base_url + "/admin/transactions", json={"query": query}).json()
        request = wallet.parse_presentation_request(tx["link"])
        matched = wallet.match(request)
        assert credential_id in [c.credential_id for c in matched.queries[query_id].candidates]
        result = wallet.present(request, {query_id: Choice(credential_id, [])})
        assert result.ok
        status: dict[str, Any] = http.get(
            employer.base_url + f"/admin/transactions/{tx['transaction_id']}"
        ).json()
    return status


@pytest.mark.parametrize(
    ("configuration_id", "query", "query_id"),
    [
        (OB3_JWT, "openbadge_jwt", "openbadge_jwt"),
        (OB3_LDP, "openbadge_ldp", "openbadge_ldp"),
        (OB3_JWT, "openbadge", "openbadge_jwt"),
        (OB3_LDP, "openbadge", "openbadge_ldp"),
    ],
)
def test_the_employer_verifies_a_badge_the_wallet_presents(
    open_wallet: Callable[..., Wallet],
    issuer: BackgroundServer,
    employer: BackgroundServer,
    configuration_id: str,
    query: str,
    query_id: str,
) -> None:
    wallet = open_wallet()
    stored = _receive(wallet, issuer, configuration_id)
    status = _check(wallet, employer, query, query_id, stored.id)
    assert status["status"] == "verified", status
    assert status["result"]["claims"]["title"] == "Circulair ontwerpen in de bouw"


@pytest.mark.parametrize(
    ("configuration_id", "vp_format", "nested"),
    [
        (OB3_JWT, "jwt_vp_json", "$.vp.verifiableCredential[0]"),
        (OB3_LDP, "ldp_vp", "$.verifiableCredential[0]"),
    ],
)
def test_a_presentation_exchange_answer_says_where_the_badge_is_in_its_vp(
    open_wallet: Callable[..., Wallet],
    issuer: BackgroundServer,
    server: LoopbackServer,
    configuration_id: str,
    vp_format: str,
    nested: str,
) -> None:
    """OpenID4VP draft 21 §6.1 and Appendix A.1: the descriptor names the VP's format and
    ``path_nested`` the badge inside it; the VP is the holder's, bound to the request."""
    wallet = open_wallet()
    stored = _receive(wallet, issuer, configuration_id)
    received: list[dict[str, str]] = []

    def record(body: bytes) -> Route:
        received.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
        return Route(200, b"{}", {"content-type": "application/json"})

    server.post_handlers["/post"] = record
    definition = {
        "id": "pd-badge",
        "input_descriptors": [
            {
                "id": "badge",
                "format": {"jwt_vc_json": {"alg": ["ES256", "EdDSA"]}, "ldp_vc": {}},
                "constraints": {
                    "fields": [
                        {
                            "path": ["$.type", "$.vc.type"],
                            "filter": {
                                "type": "array",
                                "contains": {"const": "OpenBadgeCredential"},
                            },
                        }
                    ]
                },
            }
        ],
    }
    link = "openid4vp://?" + urlencode(
        {
            "client_id": f"redirect_uri:{server.base}/post",
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": f"{server.base}/post",
            "nonce": "n-pe-badge",
            "state": "s-1",
            "presentation_definition": json.dumps(definition),
        }
    )
    request = wallet.parse_presentation_request(link)
    (candidate,) = wallet.match(request).candidates("badge")
    assert candidate.credential_id == stored.id
    assert wallet.present(request, {"badge": Choice(stored.id, [])}).ok
    (body,) = received
    (descriptor,) = json.loads(body["presentation_submission"])["descriptor_map"]
    assert descriptor == {
        "id": "badge",
        "format": vp_format,
        "path": "$",
        "path_nested": {"id": "badge", "format": stored.format, "path": nested},
    }
    token = body["vp_token"]
    vp = jwt_part(token, 1) if vp_format == "jwt_vp_json" else json.loads(token)
    inner = vp["vp"] if vp_format == "jwt_vp_json" else vp
    badge = inner["verifiableCredential"][0]
    document = jwt_part(badge, 1)["vc"] if isinstance(badge, str) else badge  # one instance
    achievement = document["credentialSubject"]["achievement"]
    assert achievement == stored.claims["credentialSubject"]["achievement"]
    if vp_format == "jwt_vp_json":
        assert (vp["aud"], vp["nonce"]) == (request.client_id, "n-pe-badge")
    else:
        assert (vp["proof"]["domain"], vp["proof"]["challenge"]) == (
            request.client_id,
            "n-pe-badge",
        )


def test_a_revoked_ldp_badge_is_shown_as_revoked_by_the_wallet_and_the_employer(
    open_wallet: Callable[..., Wallet],
    issuer: BackgroundServer,
    employer: BackgroundServer,
    clock: ManualClock,
) -> None:
    wallet = open_wallet()
    stored = _receive(wallet, issuer, OB3_LDP)
    entry = stored.claims["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    # the wallet fetches the issuer's signed list credential, verifies it and reads the bit
    assert wallet.refresh_status(stored.id).state is StatusState.VALID
    admin = Admin(issuer)
    admin.post(f"/admin/revoke/bitstring/{entry['statusListIndex']}")
    admin.http.close()
    status = _check(wallet, employer, "openbadge_ldp", "openbadge_ldp", stored.id)
    assert status["status"] == "revoked"
    # (after presenting: a presentation dated two minutes ahead would be refused)
    clock.advance(120)  # past the list's ttl (60 s), so the wallet fetches it again
    revoked = wallet.refresh_status(stored.id)
    assert revoked.state is StatusState.INVALID
    assert wallet.credential(stored.id).status == revoked


@pytest.mark.parametrize("configuration_id", [OB3_JWT, OB3_LDP])
def test_a_received_badge_survives_backup_and_restore_and_is_presented_after(
    open_wallet: Callable[..., Wallet],
    issuer: BackgroundServer,
    employer: BackgroundServer,
    configuration_id: str,
    tmp_path: Any,
) -> None:
    """Its holder key comes back with it: the restored wallet proves it is the holder."""
    from helpers import PIN

    from wallet_core import KdfParams

    wallet = open_wallet()
    stored = _receive(wallet, issuer, configuration_id)
    backup = tmp_path / "wallet.backup"
    wallet.export_backup(backup, "correct horse battery staple 42")
    restored = Wallet.restore_backup(
        backup,
        "correct horse battery staple 42",
        tmp_path / "restored",
        PIN,
        kdf=KdfParams.fast_for_tests(),
        allow_http_loopback=True,
    )
    try:
        again = restored.credential(stored.id)
        assert (again.format, again.raw, again.key_id) == (stored.format, stored.raw, stored.key_id)
        assert restored.held(stored.id).holder_binding
        query_id = "openbadge_jwt" if configuration_id == OB3_JWT else "openbadge_ldp"
        status = _check(restored, employer, query_id, query_id, stored.id)
        assert status["status"] == "verified", status
    finally:
        restored.close()


def _with_subject(server: BackgroundServer, subject_id: str | None) -> ChangeResponse:
    """The issuer's own badge about another subject (or none), signed again with the
    issuer's real keys: only the holder binding is wrong."""
    issuer = server.app.state.issuer  # type: ignore[attr-defined]

    def rebound(credential: Any) -> Any:
        if isinstance(credential, dict):  # ldp_vc: a new proof by the issuer's DI key
            proof = credential.pop("proof")
            _set_subject(credential, subject_id)
            return data_integrity.add_proof(
                credential,
                issuer.data_integrity_signer,
                verification_method=proof["verificationMethod"],
                created=proof["created"],
            )
        header, payload = jwt_part(credential, 0), jwt_part(credential, 1)
        _set_subject(payload["vc"], subject_id)
        payload.pop("sub")
        if subject_id is not None:
            payload["sub"] = subject_id
        return sign_compact({k: v for k, v in header.items() if k != "alg"}, payload, issuer.signer)

    def change(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.url.path != "/credential" or response.status_code != 200:
            return None
        return with_json(
            response,
            lambda answer: [
                e.update(credential=rebound(e["credential"])) for e in answer["credentials"]
            ],
        )

    return change


def _set_subject(credential: dict[str, Any], subject_id: str | None) -> None:
    credential["credentialSubject"].pop("id")
    if subject_id is not None:
        credential["credentialSubject"]["id"] = subject_id


@pytest.mark.parametrize("configuration_id", [OB3_JWT, OB3_LDP])
@pytest.mark.parametrize(
    ("subject_id", "error"),
    [
        (did_jwk(generate().public_jwk), WrongHolderKeyError),
        ("did:web:someone.example", MissingHolderKeyError),
        (None, InvalidBadgeError),  # an OB 3.0 subject needs an id or an identifier
    ],
    ids=["another-did-jwk", "not-a-did-jwk", "no-subject-id"],
)
def test_a_badge_about_someone_else_is_refused_and_nothing_is_kept(
    open_wallet: Callable[..., Wallet],
    issuer: BackgroundServer,
    configuration_id: str,
    subject_id: str | None,
    error: type[WalletError],
) -> None:
    """The wallet proved a key for the badge; a badge whose subject is not that key's
    did:jwk, though rightly signed by the issuer, names someone else as its holder."""
    wallet = open_wallet(http_transport=Wire(change_response=_with_subject(issuer, subject_id)))
    admin = Admin(issuer)
    with pytest.raises(error):
        wallet.accept_offer(wallet.parse_offer(admin.offer(configuration_id)["offer_link"]))
    admin.http.close()
    assert wallet.credentials() == [] and wallet.holder_keys() == []
