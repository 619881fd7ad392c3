"""What the verifier refuses or records as not verified: wrong nonce or audience, replays,
declined requests, revoked credentials, malformed or unencrypted responses."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest

from .verifier_fixtures import (
    REQUIRED,
    WITH_GRADE,
    Held,
    ScriptedHolder,
    VerifierHandle,
    held,
    holder,
    issue,
    verifiers,
)

__all__ = ["held", "holder", "issue", "verifiers"]  # fixtures, imported for pytest

Verifiers = Callable[..., VerifierHandle]


def _refused(response: httpx.Response, fragment: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    assert fragment in body["error_description"], body


@pytest.mark.parametrize("prefix", ["redirect_uri", "x509_hash"])
def test_wrong_nonce_or_audience_is_refused_but_the_wallet_may_retry(
    prefix: str, verifiers: Verifiers, holder: ScriptedHolder, held: Held
) -> None:
    verifier = verifiers(prefix)
    tx = verifier.transaction()
    params = holder.request(tx)
    wrong_nonce = holder.present(held, params, nonce="not-the-transaction-nonce")
    _refused(holder.answer(params, wrong_nonce), "key_binding_nonce")
    # aud is the *full* client_id, prefix included (§5.9.1)
    bare_client_id = params["client_id"].split(":", 1)[1]
    _refused(holder.answer(params, holder.present(held, params, aud=bare_client_id)), "audience")
    stale = holder.present(held, params, iat=int(time.time()) - 3600)
    _refused(holder.answer(params, stale), "key_binding_time")
    status = verifier.status(tx["transaction_id"])
    assert status["status"] != "verified" and not status["final"]
    assert len(status["errors"]) == 3
    assert all(e["error"] == "invalid_request" for e in status["errors"])
    # a failed response does not use the transaction up
    assert holder.answer(params, holder.present(held, params)).status_code == 200
    assert verifier.status(tx["transaction_id"])["status"] == "verified"


def test_replayed_response_is_refused_and_recorded(
    verifiers: Verifiers, holder: ScriptedHolder, held: Held
) -> None:
    verifier = verifiers("x509_san_dns", "direct_post.jwt")
    tx = verifier.transaction()
    params = holder.request(tx)
    presentation = holder.present(held, params)
    assert holder.answer(params, presentation).status_code == 200
    _refused(holder.answer(params, presentation), "answered already")
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified"
    assert [e["error_description"] for e in status["errors"]] == [
        "this transaction has been answered already"
    ]
    # the request cannot be fetched again either
    assert holder.http.get(tx["request_uri"]).status_code == 400
    # nor does the presentation work for another transaction: its nonce is not that one's
    other = verifier.transaction()
    _refused(holder.answer(holder.request(other), presentation), "nonce")


@pytest.mark.parametrize("mode", ["direct_post", "direct_post.jwt"])
def test_access_denied_is_recorded(
    mode: str, verifiers: Verifiers, holder: ScriptedHolder, held: Held
) -> None:
    verifier = verifiers("x509_hash", mode)
    tx = verifier.transaction(same_device=True)
    params = holder.request(tx)
    fields = {"error": "access_denied", "error_description": "user said no", "state": tx["state"]}
    # §8.3.1: a wallet that cannot encrypt may send the error in the clear
    response = holder.post(params, fields, encrypt=False)
    assert response.status_code == 200
    assert "response_code=" in response.json()["redirect_uri"]
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "declined" and status["final"]
    assert status["wallet_error"]["error"] == "access_denied"
    assert status["wallet_error"]["error_description"] == "user said no"
    _refused(holder.answer(params, holder.present(held, params)), "answered already")


def test_revoked_credential_is_shown_as_revoked(
    verifiers: Verifiers,
    holder: ScriptedHolder,
    issue: Callable[[str], Held],
    issuer_server: object,
    http: httpx.Client,
) -> None:
    fresh = issue(WITH_GRADE)
    base = issuer_server.base_url  # type: ignore[attr-defined]
    revoked = http.post(f"{base}/admin/revoke/{fresh.status_idx}", json={})
    assert revoked.status_code == 200, revoked.text
    verifier = verifiers("x509_hash")
    tx = verifier.transaction(same_device=True)
    params = holder.request(tx)
    response = holder.answer(params, holder.present(fresh, params))
    assert response.status_code == 200  # processed; the outcome is for the employer
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "revoked"
    assert status["result"]["outcome"] == "revoked"
    assert status["result"]["credential_status"] == "invalid"
    page = http.get(response.json()["redirect_uri"])
    assert "Ingetrokken" in page.text and "Geverifieerd" not in page.text


def test_malformed_responses(verifiers: Verifiers, holder: ScriptedHolder, held: Held) -> None:
    verifier = verifiers("redirect_uri", max_failed_responses=100)
    tx = verifier.transaction()
    params = holder.request(tx)
    presentation = holder.present(held, params)
    cases = [
        ({"vp_token": {"microcredential": presentation}, "state": tx["state"]}, "array"),
        ({"vp_token": {"microcredential": [presentation] * 2}, "state": tx["state"]}, "one"),
        ({"vp_token": {"other": [presentation]}, "state": tx["state"]}, "not asked"),
        ({"vp_token": {"microcredential": [presentation]}}, "state"),
        ({"vp_token": {"microcredential": [presentation]}, "state": "forged"}, "state"),
        ({"vp_token": "not json", "state": tx["state"]}, "not JSON"),
        ({"state": tx["state"]}, "neither"),
        ({"vp_token": "{}", "error": "access_denied", "state": tx["state"]}, "not both"),
    ]
    for fields, fragment in cases:
        _refused(holder.post(params, fields), fragment)
    # claims the query requires are missing (no claim set is satisfied)
    partial = holder.present(held, params, REQUIRED[:2])
    _refused(holder.answer(params, partial), "requested claims")
    # a presentation without key binding
    no_kb = held.credential  # the issued SD-JWT, ending in "~"
    _refused(holder.answer(params, no_kb), "Key Binding")
    assert verifier.status(tx["transaction_id"])["status"] == "pending"


def test_encryption_is_enforced(verifiers: Verifiers, holder: ScriptedHolder, held: Held) -> None:
    verifier = verifiers("x509_hash", "direct_post.jwt")
    tx = verifier.transaction()
    params = holder.request(tx)
    presentation = holder.present(held, params)
    _refused(holder.answer(params, presentation, encrypt=False), "encrypted")
    _refused(holder.answer(params, presentation, header={"kid": "someone-else"}), "kid")
    _refused(holder.answer(params, presentation, enc="A128CBC-HS256"), "enc")
    _refused(holder.post(params, {"response": "a.b.c"}, encrypt=False), "compact JWE")
    plain = verifiers("x509_hash", "direct_post")
    plain_tx = plain.transaction()
    plain_params = holder.request(plain_tx)
    # a direct_post verifier publishes no key; a JWE is not what it asked for
    _refused(
        holder.http.post(plain_params["response_uri"], data={"response": "a.b.c.d.e"}),
        "direct_post.jwt",
    )


def test_too_many_failures_end_the_transaction(
    verifiers: Verifiers, holder: ScriptedHolder, held: Held
) -> None:
    verifier = verifiers("redirect_uri", max_failed_responses=2)
    tx = verifier.transaction()
    params = holder.request(tx)
    wrong = holder.present(held, params, nonce="wrong")
    _refused(holder.answer(params, wrong), "nonce")
    _refused(holder.answer(params, wrong), "nonce")
    assert verifier.status(tx["transaction_id"])["status"] == "failed"
    _refused(holder.answer(params, holder.present(held, params)), "answered already")


def test_untrusted_issuer_is_refused(
    verifiers: Verifiers, holder: ScriptedHolder, held: Held
) -> None:
    verifier = verifiers("redirect_uri", trusted_issuers=["https://issuer.example"])
    tx = verifier.transaction()
    params = holder.request(tx)
    _refused(holder.answer(params, holder.present(held, params)), "untrusted_issuer")


def test_unknown_transaction_and_bad_admin_calls(verifiers: Verifiers, http: httpx.Client) -> None:
    verifier = verifiers("redirect_uri")
    _refused(http.post(verifier.url + "/response/nope", data={"vp_token": "{}"}), "unknown")
    assert http.get(verifier.url + "/admin/transactions/nope").status_code == 404
    assert http.post(verifier.url + "/admin/transactions", data={"x": "1"}).status_code == 415
    bad = http.post(verifier.url + "/admin/transactions", json={"same_device": "yes"})
    assert bad.status_code == 400
    assert json.loads(bad.text)["error"] == "invalid_request"
