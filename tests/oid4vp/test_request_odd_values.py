"""A signed Request Object (the spec's DCQL request examples, signed by a did:jwk verifier),
one member at a time replaced by an odd JSON value: parse_request answers with a WalletError
or a clean request, never a bare TypeError or KeyError (issue #12 c)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from helpers import SHARED
from odd_values import escapes

from wallet_core.clock import ManualClock
from wallet_core.crypto import did_jwk, generate, sign_compact
from wallet_core.http import HttpClient
from wallet_core.oid4vp.request import REQUEST_TYP, parse_request
from wallet_core.trust import DidResolver, MemoryCache

EXAMPLES = SHARED / "vectors" / "oid4vp-1.0-final" / "examples" / "request"
SIGNER = generate("ES256")
DID = did_jwk(SIGNER.public_jwk)


def _request_objects() -> list[Any]:
    """The examples' DCQL queries in a complete request of our did:jwk verifier."""
    paths = sorted(EXAMPLES.glob("dcql_*.json")) if EXAMPLES.is_dir() else []
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{EXAMPLES} is absent"))]
    return [pytest.param(json.loads(p.read_text()), id=p.name) for p in paths]


def _claims(dcql_query: Any) -> dict[str, Any]:
    return {
        "client_id": f"decentralized_identifier:{DID}",
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": "https://verifier.example/post",
        "nonce": "n-0S6_WzA2Mj",
        "state": "st-1",
        "dcql_query": dcql_query.get("dcql_query", dcql_query),
    }


@pytest.mark.parametrize("example", _request_objects())
def test_a_request_object_with_an_odd_member_is_refused_cleanly(
    example: Any, client: HttpClient, clock: ManualClock
) -> None:
    resolver = DidResolver(client, MemoryCache(), clock)

    def parse(claims: Any) -> object:
        token = sign_compact({"typ": REQUEST_TYP, "kid": f"{DID}#0"}, claims, SIGNER)
        link = "openid4vp://?" + urlencode(
            {"client_id": f"decentralized_identifier:{DID}", "request": token}
        )
        return parse_request(
            link, client, trust_anchors=[], now=clock.now(), did_key=resolver.assertion_key
        )

    claims = _claims(example)
    parse(claims)  # the example itself is a clean request
    assert escapes(parse, claims) == []
