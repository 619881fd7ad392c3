"""Receiving credentials from the demo issuer over real HTTP, every flow of OpenID4VCI."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from demo_admin import ISSUER_KEY, Admin, log_in

from demo_services.issuer import create_app
from demo_services.serving import BackgroundServer, start_in_thread
from wallet_core import (
    DuplicateCredentialError,
    IssuanceError,
    ManualClock,
    OfferExpiredError,
    PendingCredential,
    StatusState,
    StoredCredential,
    Wallet,
)
from wallet_core.formats import sd_jwt_vc
from wallet_core.issuers import METADATA_REUSE_SECONDS


def _stored(results: list[StoredCredential | PendingCredential]) -> StoredCredential:
    assert len(results) == 1 and isinstance(results[0], StoredCredential), results
    return results[0]


def test_pre_authorized_without_tx_code(open_wallet: Callable[..., Wallet], admin: Admin) -> None:
    wallet = open_wallet()
    offer = wallet.parse_offer(admin.offer()["offer_link"])
    preview = wallet.preview_offer(offer, "nl")
    assert preview.issuer_name == "Hogeschool Demo" and preview.tx_code is None
    assert [c.configuration_id for c in preview.credentials] == ["mc-circulair-ontwerpen"]

    stored = _stored(wallet.accept_offer(offer))
    assert stored.title == "Circulair ontwerpen in de bouw"
    # its status was checked as it arrived: not "unknown" until the student asks
    assert stored.status.state is StatusState.VALID and stored.status.checked_at is not None
    assert stored.claims["notionalWorkload"] == "5 ECTS"
    assert stored.issuer == admin.base and stored.issuer_name == "Hogeschool Demo"
    # bound to a key the wallet made; batch: two more instances, each with its own key
    credential = sd_jwt_vc.read_stored(stored.raw)
    assert credential.sd_jwt.holder_jwk is not None
    assert credential.sd_jwt.holder_jwk["x"] == wallet.signer(stored.key_id or "").public_jwk["x"]
    instances = wallet._vault.credentials.instances(stored.id)
    assert len(instances) == 2 and len({i.key_id for i in instances} | {stored.key_id}) == 3
    assert wallet.activity()[0].kind == "credential_added"
    assert "credential_accepted" in [n["event"] for n in admin.notifications()]


def test_wrong_tx_code_then_the_right_one(open_wallet: Callable[..., Wallet], admin: Admin) -> None:
    wallet = open_wallet()
    made = admin.offer(tx_code=True)
    offer = wallet.parse_offer(made["offer_link"])
    assert wallet.preview_offer(offer).tx_code is not None
    with pytest.raises(IssuanceError) as refused:
        wallet.accept_offer(offer, tx_code="000000" if made["tx_code"] != "000000" else "111111")
    assert refused.value.oauth_error == "invalid_grant"
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    with pytest.raises(IssuanceError) as missing:
        wallet.accept_offer(offer)
    assert missing.value.oauth_error == "invalid_request"
    assert _stored(wallet.accept_offer(offer, tx_code=made["tx_code"])).title


def test_an_offer_used_once_is_said_to_be_used_and_nothing_is_kept_again(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    wallet = open_wallet()
    offer = wallet.parse_offer(admin.offer()["offer_link"])
    first = _stored(wallet.accept_offer(offer))
    keys = wallet.holder_keys()
    with pytest.raises(OfferExpiredError) as again:
        wallet.accept_offer(offer)
    assert again.value.code == "offer_expired"
    assert [c.id for c in wallet.credentials()] == [first.id] and wallet.holder_keys() == keys


def test_an_offer_the_institution_no_longer_has_is_said_to_be_gone(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    link = admin.offer("mc-data-analyse-python", by_reference=True)["offer_link"]
    gone = link.replace(".json", "-gone.json").replace("%2Ejson", "-gone%2Ejson")
    assert gone != link
    with pytest.raises(OfferExpiredError):
        open_wallet().parse_offer(gone)


def test_offer_by_reference(open_wallet: Callable[..., Wallet], admin: Admin) -> None:
    wallet = open_wallet()
    made = admin.offer("mc-data-analyse-python", by_reference=True)
    assert "credential_offer_uri" in made["offer_link"]
    stored = _stored(wallet.accept_offer(wallet.parse_offer(made["offer_link"])))
    assert stored.title == "Data-analyse met Python"
    # The institution's logo came along once, so the card renders offline.
    [logo] = stored.display["logos"].values()
    assert logo.startswith("data:image/png;base64,")


def test_authorization_code_with_pkce_and_par(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    wallet = open_wallet()
    offer = wallet.parse_offer(admin.offer(grant="authorization_code")["offer_link"])
    session = wallet.start_authorization(offer, "eduwallet://callback")
    assert "request_uri=" in session.url and "code_challenge" not in session.url  # pushed (PAR)
    redirect = log_in(session.url)
    assert redirect.startswith("eduwallet://callback?") and "iss=" in redirect
    stored = _stored(wallet.finish_authorization(session, redirect))
    assert stored.title == "Circulair ontwerpen in de bouw"
    # the same redirect cannot be used twice
    with pytest.raises(IssuanceError):
        wallet.finish_authorization(session, redirect)


def test_authorization_redirect_with_wrong_state_is_refused(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    wallet = open_wallet()
    offer = wallet.parse_offer(admin.offer(grant="authorization_code")["offer_link"])
    session = wallet.start_authorization(offer, "eduwallet://callback")
    redirect = log_in(session.url)
    forged = re.sub(r"state=[^&]+", "state=forged", redirect)
    with pytest.raises(IssuanceError):
        wallet.finish_authorization(session, forged)
    assert wallet.credentials() == []


def test_deferred_across_a_restart(
    open_wallet: Callable[..., Wallet], deferred_issuer: BackgroundServer
) -> None:
    admin = Admin(deferred_issuer)
    wallet = open_wallet()
    results = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert len(results) == 1 and isinstance(results[0], PendingCredential)
    pending = results[0]
    assert wallet.credentials() == []
    still = wallet.poll_pending(pending.id)
    assert isinstance(still, PendingCredential)
    wallet.close()

    wallet = open_wallet()  # a restart: only the vault remembers
    assert [p.id for p in wallet.pending()] == [pending.id]
    ready = admin.http.post(f"{admin.base}/admin/deferred/{pending.transaction_id}/ready", json={})
    assert ready.status_code < 300, ready.text
    stored = wallet.poll_pending(pending.id)
    assert isinstance(stored, StoredCredential) and stored.title
    assert wallet.pending() == []
    assert [c.id for c in wallet.credentials()] == [stored.id]
    admin.http.close()


def test_draft13_issuer(
    open_wallet: Callable[..., Wallet], draft13_issuer: BackgroundServer
) -> None:
    admin = Admin(draft13_issuer)
    wallet = open_wallet()
    offer = wallet.parse_offer(admin.offer()["offer_link"])
    stored = _stored(wallet.accept_offer(offer))
    assert stored.format == "vc+sd-jwt"
    assert sd_jwt_vc.read_stored(stored.raw).sd_jwt.header["typ"] == "vc+sd-jwt"
    admin.http.close()


def test_deleting_tells_the_issuer(open_wallet: Callable[..., Wallet], admin: Admin) -> None:
    wallet = open_wallet()
    stored = _stored(wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"])))
    wallet.delete_credential(stored.id)
    assert wallet.credentials() == [] and wallet.holder_keys() == []
    assert "credential_deleted" in [n["event"] for n in admin.notifications()]


def test_revocation_shows_on_the_next_status_check(
    open_wallet: Callable[..., Wallet], admin: Admin, clock: ManualClock
) -> None:
    wallet = open_wallet()
    stored = _stored(wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"])))
    assert wallet.refresh_status(stored.id).state is StatusState.VALID
    index = sd_jwt_vc.read_stored(stored.raw).status["status_list"]["idx"]  # type: ignore[index]
    admin.post(f"/admin/revoke/{index}")
    clock.advance(120)  # past the list's ttl, so the wallet fetches it again
    assert wallet.refresh_status(stored.id).state is StatusState.INVALID
    assert wallet.credentials()[0].status.state is StatusState.INVALID


class _Counting(httpx.HTTPTransport):
    """The real transport, noting each path asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return super().handle_request(request)


def test_the_metadata_the_preview_fetched_serves_the_accept(
    open_wallet: Callable[..., Wallet], admin: Admin, clock: ManualClock
) -> None:
    counting = _Counting()
    wallet = open_wallet(http_transport=counting)
    offer = wallet.parse_offer(admin.offer()["offer_link"])
    wallet.preview_offer(offer)
    _stored(wallet.accept_offer(offer))
    metadata = ("/.well-known/openid-credential-issuer", "/.well-known/oauth-authorization-server")

    def fetched() -> list[str]:
        return [p for p in counting.paths if p in metadata]

    assert fetched() == list(metadata)  # once each, for the preview and the accept
    # an accept long after its preview fetches anew
    another = {"student": {"given_name": "Sam", "family_name": "de Vries"}}  # not a repeat
    later = wallet.parse_offer(admin.offer(**another)["offer_link"])
    clock.advance(-METADATA_REUSE_SECONDS - 1)  # the preview was made that long ago
    wallet.preview_offer(later)
    clock.advance(METADATA_REUSE_SECONDS + 1)  # back to the issuer's time for the proofs
    _stored(wallet.accept_offer(later))
    assert fetched() == [*metadata, *metadata, *metadata]


@pytest.fixture
def timed_admin(clock: ManualClock) -> Iterator[Admin]:
    """A demo issuer of the test's own, on the wallet's clock (expiry counts from issuance)."""
    factory = lambda base: create_app(base, issuer_key=ISSUER_KEY, clock=clock.now)  # noqa: E731
    with start_in_thread(factory, name="issuer") as server:
        made = Admin(server)
        yield made
        made.http.close()


def test_the_same_credential_again_is_said_to_be_held_already_and_not_kept_twice(
    open_wallet: Callable[..., Wallet], timed_admin: Admin, clock: ManualClock
) -> None:
    """Step 9 point 6: a second issuance of the same credential (new salts, keys, status
    index, identifier, a day's later expiry) is recognised; another student's is not."""
    admin = timed_admin
    wallet = open_wallet()
    first = _stored(wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"])))
    keys = wallet.holder_keys()
    clock.advance(86_400)
    with pytest.raises(DuplicateCredentialError) as again:
        wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
    assert again.value.code == "duplicate_credential" and again.value.existing_id == first.id
    assert [c.id for c in wallet.credentials()] == [first.id] and wallet.holder_keys() == keys
    assert "credential_failure" in [n["event"] for n in admin.notifications()]

    other = {"student": {"given_name": "Sam", "family_name": "de Vries"}}
    assert _stored(wallet.accept_offer(wallet.parse_offer(admin.offer(**other)["offer_link"])))
    assert len(wallet.credentials()) == 2


def test_a_renewal_is_kept_beside_the_credential_it_renews(
    open_wallet: Callable[..., Wallet], timed_admin: Admin, clock: ManualClock
) -> None:
    """A copy that runs at least 30 days longer is a renewal, as is one for a revoked one."""
    admin = timed_admin
    wallet = open_wallet()
    old = _stored(wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"])))
    clock.advance(31 * 86_400)
    renewed = _stored(wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"])))
    assert renewed.id != old.id and len(wallet.credentials()) == 2

    index = sd_jwt_vc.read_stored(renewed.raw).status["status_list"]["idx"]  # type: ignore[index]
    admin.post(f"/admin/revoke/{index}")
    clock.advance(120)  # past the list's ttl
    assert wallet.refresh_status(renewed.id).state is StatusState.INVALID
    again = _stored(wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"])))
    assert len(wallet.credentials()) == 3 and again.id not in (old.id, renewed.id)


class _NoStatusList(httpx.HTTPTransport):
    """The real transport, except that the status list cannot be reached (offline)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/status/"):
            raise httpx.ConnectError("offline", request=request)
        return super().handle_request(request)


def test_a_credential_whose_status_cannot_be_checked_on_arrival_is_kept_as_unknown(
    open_wallet: Callable[..., Wallet], admin: Admin
) -> None:
    wallet = open_wallet(http_transport=_NoStatusList())
    stored = _stored(wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"])))
    assert stored.status.state is StatusState.UNKNOWN
    assert [c.id for c in wallet.credentials()] == [stored.id]


def test_a_deferred_credential_that_repeats_a_held_one_leaves_no_pending_entry(
    open_wallet: Callable[..., Wallet], deferred_issuer: BackgroundServer
) -> None:
    """The issuer is done with the transaction once it delivered: a pending entry kept
    after the refusal could only fail at every later "check again"."""
    admin = Admin(deferred_issuer)
    wallet = open_wallet()
    delivered = []
    for _ in range(2):
        [pending] = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
        assert isinstance(pending, PendingCredential)
        url = f"{admin.base}/admin/deferred/{pending.transaction_id}/ready"
        assert admin.http.post(url, json={}).status_code < 300
        delivered.append(pending)
    first = wallet.poll_pending(delivered[0].id)
    assert isinstance(first, StoredCredential)
    kept = set(wallet._vault.credentials.key_ids(first.id))
    assert kept < {k.kid for k in wallet.holder_keys()}  # the second one's keys are there too
    with pytest.raises(DuplicateCredentialError):
        wallet.poll_pending(delivered[1].id)
    assert wallet.pending() == [] and [c.id for c in wallet.credentials()] == [first.id]
    # only the kept credential's keys are left: the refused one's went with its entry
    assert {k.kid for k in wallet.holder_keys()} == kept
    admin.http.close()
