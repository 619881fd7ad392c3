"""Presenting over OpenID4VP to a verifier on loopback: only what was chosen is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from helpers import PIN
from loopback import LoopbackServer, Route

from wallet_core import (
    Choice,
    KdfParams,
    ManualClock,
    NewCredential,
    NoMatchingCredentialError,
    PresentationRequestError,
    Wallet,
    WalletError,
)
from wallet_core.crypto import generate
from wallet_core.crypto.jwk import b64url_decode
from wallet_core.formats import sd_jwt, sd_jwt_vc

ISSUER = generate("ES256")
CLAIMS = {
    "title": "Circulair ontwerpen in de bouw",
    "awardingBody": "Hogeschool Demo",
    "notionalWorkload": "5 ECTS",
    "level": "EQF 6",
    "grade": "8,5",
    "givenName": "Zoë",
    "familyName": "Jansen",
}
DCQL = {
    "credentials": [
        {
            "id": "microcredential",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://hs.example/types/microcredential"]},
            "claims": [
                {"id": "t", "path": ["title"]},
                {"id": "w", "path": ["notionalWorkload"]},
                {"id": "g", "path": ["grade"]},
            ],
            "claim_sets": [["t", "w", "g"], ["t", "w"]],
        }
    ]
}


@pytest.fixture
def wallet(tmp_path: Path, clock: ManualClock) -> Any:
    with Wallet.create(
        tmp_path / "w", PIN, kdf=KdfParams.fast_for_tests(), clock=clock, allow_http_loopback=True
    ) as opened:
        key = opened.new_key()
        raw = sd_jwt_vc.issue(
            {
                "iss": "https://hs.example",
                "vct": "https://hs.example/types/microcredential",
                "iat": int(clock.now()),
                **CLAIMS,
            },
            [(name,) for name in CLAIMS],
            issuer_key=ISSUER,
            holder_jwk=key.public_jwk,
        )
        opened._store_credential(
            NewCredential(
                format="dc+sd-jwt",
                raw=raw,
                claims={},
                issuer="https://hs.example",
                type="https://hs.example/types/microcredential",
                title="MC",
                key_id=key.kid,
            )
        )
        yield opened


def _request_link(server: LoopbackServer, received: list[dict[str, str]], dcql: Any = DCQL) -> str:
    def record(body: bytes) -> Route:
        received.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
        return Route(
            200,
            json.dumps({"redirect_uri": f"{server.base}/done"}).encode(),
            {"content-type": "application/json"},
        )

    server.post_handlers["/post"] = record
    response_uri = f"{server.base}/post"
    return "openid4vp://?" + urlencode(
        {
            "client_id": f"redirect_uri:{response_uri}",
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": response_uri,
            "nonce": "n-0S6_WzA2Mj",
            "state": "s-1",
            "dcql_query": json.dumps(dcql),
        }
    )


def test_present_only_the_chosen_claims(
    wallet: Any, server: LoopbackServer, clock: ManualClock
) -> None:
    received: list[dict[str, str]] = []
    request = wallet.parse_presentation_request(_request_link(server, received))
    match = wallet.match(request)
    assert match.satisfiable
    (candidate,) = match.candidates("microcredential")
    assert candidate.required_claims == (("title",), ("notionalWorkload",), ("grade",))
    assert candidate.alternatives == ((("title",), ("notionalWorkload",)),)

    result = wallet.present(
        request,
        {"microcredential": Choice(candidate.credential_id, [("title",), ("notionalWorkload",)])},
    )
    assert result.ok and result.redirect_uri == f"{server.base}/done"
    (body,) = received
    assert body["state"] == "s-1"
    (presentation,) = json.loads(body["vp_token"])["microcredential"]
    claims = sd_jwt.verify(
        presentation,
        ISSUER.public_jwk,
        aud=request.client_id,
        nonce="n-0S6_WzA2Mj",
        now=clock.now(),
    )
    shown = {k for k in claims if k in CLAIMS}
    assert shown == {"title", "notionalWorkload"}  # the alternative claim set: no grade
    # the bytes sent carry no value of a claim that was not asked for
    decoded = " ".join(b64url_decode(part).decode() for part in presentation.split("~")[1:-1])
    for name in ("givenName", "familyName", "awardingBody", "level"):
        assert CLAIMS[name] not in decoded and CLAIMS[name] not in body["vp_token"]
    history = wallet.activity()[0]
    assert history.kind == "presentation_sent" and history.counterparty == request.client_id
    assert "Zoë" not in json.dumps(history.details)


def test_claims_not_asked_for_cannot_be_chosen(wallet: Any, server: LoopbackServer) -> None:
    request = wallet.parse_presentation_request(_request_link(server, []))
    (candidate,) = wallet.match(request).candidates("microcredential")
    with pytest.raises(PresentationRequestError):
        wallet.present(
            request, {"microcredential": Choice(candidate.credential_id, [("givenName",)])}
        )
    with pytest.raises(NoMatchingCredentialError):
        wallet.present(request, {"microcredential": Choice("not-a-credential", [])})


def test_an_answer_that_leaves_a_required_credential_set_unmet_is_not_sent(
    wallet: Any, server: LoopbackServer
) -> None:
    both = {
        "credentials": [
            *DCQL["credentials"],
            {"id": "diploma", "format": "dc+sd-jwt", "meta": {"vct_values": ["https://x/d"]}},
        ],
        "credential_sets": [{"options": [["microcredential", "diploma"]]}],
    }
    received: list[dict[str, str]] = []
    request = wallet.parse_presentation_request(_request_link(server, received, both))
    match = wallet.match(request)
    assert not match.satisfiable
    (candidate,) = match.candidates("microcredential")
    before = wallet.activity()
    with pytest.raises(NoMatchingCredentialError, match="microcredential\\+diploma"):
        wallet.present(
            request,
            {"microcredential": Choice(candidate.credential_id, list(candidate.required_claims))},
        )
    assert received == [] and wallet.activity() == before


def test_decline_reaches_the_verifier(wallet: Any, server: LoopbackServer) -> None:
    received: list[dict[str, str]] = []
    request = wallet.parse_presentation_request(_request_link(server, received))
    wallet.decline(request)
    assert received == [{"error": "access_denied", "state": "s-1"}]
    assert wallet.activity()[0].kind == "presentation_declined"


def test_offline_presentation_verifies_without_a_network(wallet: Any, clock: ManualClock) -> None:
    credential_id = wallet.credentials()[0].id
    text = wallet.offline_presentation(
        credential_id, [("title",), ("level",)], nonce="abc", audience="https://werkgever.example"
    )
    claims = sd_jwt.verify(
        text, ISSUER.public_jwk, aud="https://werkgever.example", nonce="abc", now=clock.now()
    )
    assert claims["title"] == CLAIMS["title"] and claims["level"] == "EQF 6"
    assert "givenName" not in claims and "grade" not in claims
    assert wallet.activity()[0].counterparty_name == "https://werkgever.example"
    wallet.offline_presentation(credential_id, [("title",)])  # for no one in particular
    shown = wallet.activity()[0]
    assert shown.kind == "presentation_shown" and shown.counterparty_name is None


def test_presentation_exchange_request_gets_a_submission(
    wallet: Any, server: LoopbackServer, clock: ManualClock
) -> None:
    """Older verifiers (OpenID4VP draft 21) ask with a presentation_definition."""
    received: list[dict[str, str]] = []
    link = _request_link(server, received)
    definition = {
        "id": "pd-mc",
        "input_descriptors": [
            {
                "id": "microcredential",
                "format": {"vc+sd-jwt": {"sd-jwt_alg_values": ["ES256"]}},
                "constraints": {
                    "limit_disclosure": "required",
                    "fields": [
                        {
                            "path": ["$.vct"],
                            "filter": {"const": "https://hs.example/types/microcredential"},
                        },
                        {"path": ["$.title"]},
                    ],
                },
            }
        ],
    }
    link = link.replace(
        "dcql_query=" + link.split("dcql_query=")[1].split("&")[0],
        "presentation_definition=" + urlencode({"x": json.dumps(definition)})[2:],
    )
    request = wallet.parse_presentation_request(link)
    (candidate,) = wallet.match(request).candidates("microcredential")
    assert candidate.required_claims == (("title",),)
    wallet.present(request, {"microcredential": Choice(candidate.credential_id, [])})
    (body,) = received
    submission = json.loads(body["presentation_submission"])
    assert submission["definition_id"] == "pd-mc"
    assert submission["descriptor_map"] == [
        {"id": "microcredential", "format": "vc+sd-jwt", "path": "$"}  # the verifier's name
    ]
    presentation = body["vp_token"]  # one presentation: sent bare, as draft 21 does
    claims = sd_jwt.verify(
        presentation,
        ISSUER.public_jwk,
        aud=request.client_id,
        nonce="n-0S6_WzA2Mj",
        now=clock.now(),
    )
    assert {k for k in claims if k in CLAIMS} == {"title"}


def test_a_bad_reply_neither_hides_the_disclosure_nor_reuses_the_instance(
    wallet: Any, server: LoopbackServer
) -> None:
    """Once the presentation has left, the history has it, whatever the verifier answers."""
    link = _request_link(server, [])
    server.post_handlers["/post"] = lambda body: Route(
        200,
        json.dumps({"redirect_uri": "http://10.0.0.1/x"}).encode(),
        {"content-type": "text/plain"},
    )
    request = wallet.parse_presentation_request(link)
    (candidate,) = wallet.match(request).candidates("microcredential")
    result = wallet.present(request, {"microcredential": Choice(candidate.credential_id, [])})
    assert result.redirect_uri is None  # a redirect into a private network is not followed
    assert wallet.activity()[0].kind == "presentation_sent"
    server.post_handlers["/post"] = lambda body: Route(500, b"oops", {"content-type": "text/plain"})
    with pytest.raises(WalletError):
        wallet.present(request, {"microcredential": Choice(candidate.credential_id, [])})
    assert [e.kind for e in wallet.activity()][:2] == ["presentation_sent", "presentation_sent"]


def test_the_preferred_claim_set_goes_when_nothing_else_is_chosen(
    wallet: Any, server: LoopbackServer, clock: ManualClock
) -> None:
    received: list[dict[str, str]] = []
    request = wallet.parse_presentation_request(_request_link(server, received))
    (candidate,) = wallet.match(request).candidates("microcredential")
    wallet.present(request, {"microcredential": Choice(candidate.credential_id, [])})
    (presentation,) = json.loads(received[0]["vp_token"])["microcredential"]
    claims = sd_jwt.verify(
        presentation,
        ISSUER.public_jwk,
        aud=request.client_id,
        nonce="n-0S6_WzA2Mj",
        now=clock.now(),
    )
    assert {k for k in claims if k in CLAIMS} == {"title", "notionalWorkload", "grade"}
