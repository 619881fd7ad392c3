"""The wallet's DPoP proofs (RFC 9449), checked by an independent implementation (pydpop's
verifier), and the nonce rules: which nonce goes to which server, what counts as a request
for one, and what a server may not slip in as a nonce."""

from __future__ import annotations

import httpx
import pytest
from pydpop import DPoPError, MemoryJtiStore, verify_proof
from wire import jwt_part

from wallet_core import ManualClock
from wallet_core.crypto import generate
from wallet_core.http import HttpResponse
from wallet_core.oid4vci import dpop

NOW = 1_790_000_000.0
TOKEN_URL = "https://as.example/token"
CREDENTIAL_URL = "https://issuer.example/credential"


def response(url: str, status: int = 200, **headers: str) -> HttpResponse:
    return HttpResponse(url, status, httpx.Headers(headers), b"")


def test_a_proof_verifies_with_an_independent_implementation() -> None:
    key = dpop.DpopKey(generate("ES256"), ManualClock(NOW))
    store = MemoryJtiStore()
    # the token request: no access token, the query is not part of htu
    proof = key.headers("POST", TOKEN_URL + "?x=1#f")["DPoP"]
    bound = verify_proof(proof=proof, htm="POST", htu=TOKEN_URL, jti_store=store, now=int(NOW))
    assert bound["jwk_thumbprint"] == key.signer.kid
    header = jwt_part(proof, 0)
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert set(header["jwk"]) == {"kty", "crv", "x", "y"}  # type: ignore[arg-type]
    # a resource request: Authorization DPoP and ath
    headers = key.headers("POST", CREDENTIAL_URL, "the-access-token")
    assert headers["Authorization"] == "DPoP the-access-token"
    verify_proof(
        proof=headers["DPoP"],
        htm="POST",
        htu=CREDENTIAL_URL,
        access_token="the-access-token",
        jti_store=store,
        now=int(NOW),
    )
    with pytest.raises(DPoPError):  # bound to that token, not another
        verify_proof(
            proof=key.headers("POST", CREDENTIAL_URL, "the-access-token")["DPoP"],
            htm="POST",
            htu=CREDENTIAL_URL,
            access_token="another-token",
            now=int(NOW),
        )


def test_each_server_gets_its_own_last_nonce() -> None:
    key = dpop.DpopKey(generate("ES256"), ManualClock(NOW))
    assert "nonce" not in jwt_part(key.headers("POST", TOKEN_URL)["DPoP"], 1)
    assert key.remember(response(TOKEN_URL, 400, **{"DPoP-Nonce": "as-1"}))
    assert not key.remember(response(TOKEN_URL, 200, **{"DPoP-Nonce": "as-1"}))  # not new
    assert key.remember(response(CREDENTIAL_URL, 401, **{"DPoP-Nonce": "rs-1"}))
    token_proof = key.headers("POST", TOKEN_URL)["DPoP"]
    credential_proof = key.headers("POST", CREDENTIAL_URL, "t")["DPoP"]
    assert jwt_part(token_proof, 1)["nonce"] == "as-1"
    assert jwt_part(credential_proof, 1)["nonce"] == "rs-1"
    verify_proof(
        proof=credential_proof,
        htm="POST",
        htu=CREDENTIAL_URL,
        access_token="t",
        expected_nonce="rs-1",
        now=int(NOW),
    )
    again = key.headers("POST", TOKEN_URL)["DPoP"]
    assert jwt_part(token_proof, 1)["jti"] != jwt_part(again, 1)["jti"]


@pytest.mark.parametrize("odd", ['a"b', "a b", "a\\b", "x" * 2000, ""])
def test_a_nonce_that_could_break_the_proof_is_not_taken(odd: str) -> None:
    key = dpop.DpopKey(generate("ES256"), ManualClock(NOW))
    assert not key.remember(response(TOKEN_URL, 400, **{"DPoP-Nonce": odd}))
    assert "nonce" not in jwt_part(key.headers("POST", TOKEN_URL)["DPoP"], 1)


def test_what_counts_as_asking_for_a_nonce() -> None:
    challenge = 'DPoP algs="ES256", error="use_dpop_nonce"'
    assert dpop.asks_for_nonce(response(TOKEN_URL, 400), {"error": "use_dpop_nonce"})
    assert dpop.asks_for_nonce(response(CREDENTIAL_URL, 401, **{"WWW-Authenticate": challenge}), {})
    assert not dpop.asks_for_nonce(response(TOKEN_URL, 400), {"error": "invalid_grant"})
    assert not dpop.asks_for_nonce(
        response(CREDENTIAL_URL, 401, **{"WWW-Authenticate": 'Bearer error="invalid_token"'}), {}
    )
    assert not dpop.asks_for_nonce(response(CREDENTIAL_URL, 200), {"error": "use_dpop_nonce"})


def test_the_algorithm_is_one_the_server_lists_es256_first() -> None:
    assert dpop.algorithm_for(["RS256", "EdDSA", "ES256"]) == "ES256"
    assert dpop.algorithm_for(["EdDSA"]) == "EdDSA"
    assert dpop.algorithm_for(["RS256", "PS256"]) is None
    assert dpop.algorithm_for([]) is None
