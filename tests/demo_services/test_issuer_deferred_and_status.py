"""Deferred issuance, revocation through the Token Status List, and expiry of secrets."""

from __future__ import annotations

import re
from typing import Protocol

import httpx
import pytest

from demo_services.issuer.client import DemoIssuerClient
from wallet_core.crypto import Signer, generate
from wallet_core.formats import sd_jwt_vc, status
from wallet_core.models import StatusState

DATA = "mc-data-analyse-python"


class ShiftableClock(Protocol):  # the conftest's shift_clock fixture
    offset: float

    def __call__(self) -> float: ...


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _request_deferred(issuer: DemoIssuerClient) -> tuple[str, str, Signer]:
    offer = issuer.create_offer([DATA])
    token = issuer.pre_authorized_token(offer["pre_authorized_code"])["access_token"]
    holder = generate("ES256")
    response = issuer.credential_request(
        token,
        {
            "credential_configuration_id": DATA,
            "proofs": {"jwt": [issuer.proof(holder, issuer.nonce())]},
        },
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"transaction_id", "interval"}
    assert body["interval"] > 0
    return token, body["transaction_id"], holder


def test_deferred_issuance(deferred_issuer: DemoIssuerClient, http: httpx.Client) -> None:
    token, transaction_id, holder = _request_deferred(deferred_issuer)
    url = deferred_issuer.url("/deferred_credential")
    pending = http.post(url, json={"transaction_id": transaction_id}, headers=_bearer(token))
    assert pending.status_code == 202  # 1.0 §9.2: still 202 with transaction_id + interval
    assert pending.json()["transaction_id"] == transaction_id
    assert "interval" in pending.json()

    ready = http.post(deferred_issuer.url(f"/admin/deferred/{transaction_id}/ready"), json={})
    assert ready.json() == {"transaction_id": transaction_id, "ready": True}
    done = http.post(url, json={"transaction_id": transaction_id}, headers=_bearer(token))
    assert done.status_code == 200, done.text
    body = done.json()
    [entry] = body["credentials"]
    assert body["notification_id"]
    credential = sd_jwt_vc.verify_issued(
        entry["credential"],
        deferred_issuer.issuer_jwk(),
        holder_jwk=holder.public_jwk,
    )
    assert credential.claims["title"] == "Data-analyse met Python"

    again = http.post(url, json={"transaction_id": transaction_id}, headers=_bearer(token))
    assert again.status_code == 400 and again.json()["error"] == "invalid_transaction_id"
    sent = http.post(
        deferred_issuer.url("/notification"),
        json={"notification_id": body["notification_id"], "event": "credential_failure"},
        headers=_bearer(token),
    )
    assert sent.status_code == 204


def test_deferred_transaction_needs_its_own_token(
    deferred_issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    _, transaction_id, _ = _request_deferred(deferred_issuer)
    other, _, _ = _request_deferred(deferred_issuer)
    response = http.post(
        deferred_issuer.url("/deferred_credential"),
        json={"transaction_id": transaction_id},
        headers=_bearer(other),
    )
    assert response.json()["error"] == "invalid_transaction_id"
    unknown = http.post(
        deferred_issuer.url("/deferred_credential"),
        json={"transaction_id": "nope"},
        headers=_bearer(other),
    )
    assert unknown.json()["error"] == "invalid_transaction_id"


def test_page_lists_pending_transactions(
    deferred_issuer: DemoIssuerClient, http: httpx.Client
) -> None:
    _, transaction_id, _ = _request_deferred(deferred_issuer)
    page = http.get(deferred_issuer.url("/")).text
    assert transaction_id in page
    csrf = re.search(r"name='csrf' value='([^']+)'", page)
    assert csrf is not None
    target = deferred_issuer.url(f"/admin/deferred/{transaction_id}/ready")
    forged = http.post(target, data={"csrf": "guess"})
    assert forged.status_code == 403
    approved = http.post(target, data={"csrf": csrf.group(1)})
    assert approved.status_code == 303


def test_revocation_shows_in_the_status_list(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    holders = [generate("ES256"), generate("ES256")]
    texts = issuer.issue(DATA, holders)
    issuer_jwk = issuer.issuer_jwk()
    claims = [sd_jwt_vc.verify_issued(t, issuer_jwk).claims for t in texts]
    references = [status.parse_status_reference(c) for c in claims]
    assert all(r is not None for r in references)

    def check(reference: status.StatusListReference) -> StatusState:
        response = http.get(reference.uri, headers={"Accept": "application/statuslist+jwt"})
        assert response.headers["content-type"] == "application/statuslist+jwt"
        return status.check_token_status(response.text, reference, issuer_key=issuer_jwk).state

    first = references[0]
    assert first is not None
    assert check(first) is StatusState.VALID
    revoked = http.post(issuer.url(f"/admin/revoke/{first.idx}"), json={})
    assert revoked.status_code == 200
    # the whole issuance (both batch copies) is revoked
    assert sorted(revoked.json()["revoked"]) == sorted(r.idx for r in references if r)
    for reference in references:
        assert reference is not None
        assert check(reference) is StatusState.INVALID

    token = http.get(first.uri).text
    verified = status.verify_status_list_token(token, uri=first.uri, issuer_key=issuer_jwk)
    assert verified.header["typ"] == "statuslist+jwt"
    assert verified.claims["ttl"] == 60 and verified.claims["sub"] == first.uri
    assert verified.status_list.bits == 1 and len(verified.status_list) == 4096
    decoded = status.decode_lst(verified.claims["status_list"]["lst"], 1)
    assert decoded.value(first.idx) == 1


def test_revoke_needs_json_or_the_page_token(issuer: DemoIssuerClient, http: httpx.Client) -> None:
    [text] = issuer.issue(DATA, [generate("ES256")])
    idx = sd_jwt_vc.verify_issued(text, issuer.issuer_jwk()).claims["status"]["status_list"]["idx"]
    assert http.post(issuer.url(f"/admin/revoke/{idx}"), data={"csrf": "x"}).status_code == 403
    assert http.post(issuer.url(f"/admin/revoke/{idx}"), content=b"").status_code == 415
    assert http.post(issuer.url("/admin/revoke/99999"), json={}).status_code == 404
    page = http.get(issuer.url("/")).text
    csrf = re.search(r"name='csrf' value='([^']+)'", page)
    assert csrf is not None and f"/admin/revoke/{idx}'" in page
    done = http.post(issuer.url(f"/admin/revoke/{idx}"), data={"csrf": csrf.group(1)})
    assert done.status_code == 303
    assert done.headers["location"] == issuer.url("/")
    assert f"/admin/revoke/{idx}'" not in http.get(issuer.url("/")).text


def test_expired_code_nonce_and_token(
    clocked_issuer: DemoIssuerClient, shift_clock: ShiftableClock
) -> None:
    offer = clocked_issuer.create_offer([DATA])
    shift_clock.offset = 601  # offers live 10 minutes
    expired = clocked_issuer.token_request(
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": offer["pre_authorized_code"],
        }
    )
    assert expired.json()["error"] == "invalid_grant"

    offer = clocked_issuer.create_offer([DATA])
    token = clocked_issuer.pre_authorized_token(offer["pre_authorized_code"])["access_token"]
    nonce = clocked_issuer.nonce()
    shift_clock.offset += 301  # nonces live 5 minutes
    holder = generate("ES256")
    proof = clocked_issuer.proof(holder, nonce, iat=_now(shift_clock))
    stale = clocked_issuer.credential_request(
        token, {"credential_configuration_id": DATA, "proofs": {"jwt": [proof]}}
    )
    assert stale.json()["error"] == "invalid_nonce"
    shift_clock.offset += 900  # access tokens live 15 minutes
    proof = clocked_issuer.proof(holder, clocked_issuer.nonce(), iat=_now(shift_clock))
    gone = clocked_issuer.credential_request(
        token, {"credential_configuration_id": DATA, "proofs": {"jwt": [proof]}}
    )
    assert gone.status_code == 401


def _now(clock: ShiftableClock) -> float:
    return clock()


@pytest.mark.parametrize("path", ["/admin/notifications", "/admin/issued"])
def test_admin_lists(issuer: DemoIssuerClient, http: httpx.Client, path: str) -> None:
    response = http.get(issuer.url(path))
    assert response.status_code == 200 and isinstance(response.json(), list)
