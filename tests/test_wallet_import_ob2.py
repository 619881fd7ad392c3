"""Importing an Open Badge 2.0 hosted assertion by its URL over real HTTP (a loopback
server): checked as hosted verification demands, kept as "hosted, checked on", shown with the
badge screens' facts, and refused, storing nothing, for every way it can be wrong."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import PIN
from loopback import LoopbackServer
from PIL import Image

from wallet_core import KdfParams, ManualClock, StatusState, Wallet, WalletError, badge_facts
from wallet_core.formats import baked

EXPAND = "?expand=badge&expand=badge.issuer"


@pytest.fixture
def wallet(tmp_path: Path, clock: ManualClock) -> Iterator[Wallet]:
    with Wallet.create(
        tmp_path / "w", PIN, kdf=KdfParams.fast_for_tests(), clock=clock, allow_http_loopback=True
    ) as opened:
        yield opened


def _issuer(server: LoopbackServer, **changes: Any) -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"{server.base}/public/issuers/hs",
        "name": "Hogeschool Demo",
        "url": "https://hs.example",
        **changes,
    }


def _badge_class(server: LoopbackServer, issuer: Any) -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": f"{server.base}/public/badges/circular",
        "name": "Circulair ontwerpen",
        "description": "Ontwerpen **zonder afval**.",
        "image": "data:image/png;base64,iVBORw0KGgo=",
        "criteria": {"narrative": "Eindopdracht gehaald."},
        "issuer": issuer,
    }


def _assertion(server: LoopbackServer, badge: Any, **changes: Any) -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"{server.base}/public/assertions/a1",
        "recipient": {"type": "email", "hashed": True, "identity": "sha256$ab12"},
        "badge": badge,
        "verification": {"type": "hosted"},
        "issuedOn": "2026-06-30T12:00:00Z",
        **changes,
    }


def _host(server: LoopbackServer, assertion: dict[str, Any]) -> str:
    server.reset()
    server.json("/public/assertions/a1" + EXPAND, assertion)
    return f"{server.base}/public/assertions/a1"


def test_an_expanded_hosted_assertion_is_checked_and_kept(
    wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    url = _host(server, _assertion(server, _badge_class(server, _issuer(server))))
    stored = wallet.import_credential(url)
    assert stored.format == "openbadge_v2_hosted" and stored.title == "Circulair ontwerpen"
    assert stored.issuer_name == "Hogeschool Demo"
    assert stored.display["hosted_checked_at"] == clock.now()
    facts = badge_facts(stored.claims)
    assert facts is not None and facts.name == "Circulair ontwerpen"
    assert facts.description == "Ontwerpen **zonder afval**."
    assert wallet.activity()[0].kind == "credential_linked"  # not "from a file"
    with pytest.raises(WalletError):  # kept, shown, but no OpenID4VP format: never presented
        wallet.held(stored.id)


def test_the_badge_class_and_issuer_are_fetched_from_their_ids(
    wallet: Wallet, server: LoopbackServer
) -> None:
    issuer = _issuer(server)
    badge = _badge_class(server, issuer["id"])
    url = _host(server, _assertion(server, badge["id"]))
    server.json("/public/badges/circular", badge)
    server.json("/public/issuers/hs", issuer)
    assert wallet.import_credential(url).title == "Circulair ontwerpen"


def test_a_baked_ob2_assertion_is_checked_where_it_is_hosted(
    wallet: Wallet, server: LoopbackServer
) -> None:
    assertion = _assertion(server, _badge_class(server, _issuer(server)))
    _host(server, assertion)
    picture = io.BytesIO()
    Image.new("RGB", (4, 4)).save(picture, "PNG")
    image = baked.bake_png(picture.getvalue(), json.dumps(assertion), baked.OB2)
    assert wallet.import_credential(image).format == "openbadge_v2_hosted"
    assert wallet.activity()[0].kind == "credential_imported"  # from a file, checked online
    wallet.delete_credential(wallet.credentials()[0].id)
    by_link = baked.bake_png(picture.getvalue(), assertion["id"], baked.OB2)  # only the link
    assert wallet.import_credential(by_link).format == "openbadge_v2_hosted"
    assert wallet.activity()[0].kind == "credential_imported"  # still a file, not a link


def _refusals(server: LoopbackServer) -> dict[str, tuple[dict[str, Any], str]]:
    issuer = _issuer(server)
    badge = _badge_class(server, issuer)
    other_host = _issuer(server, id="https://elsewhere.example/issuer")
    return {
        "revoked": (_assertion(server, badge, revoked=True), "revoked_credential"),
        "expired": (
            _assertion(server, badge, expires="2020-01-01T00:00:00Z"),
            "expired_credential",
        ),
        "another id": (
            _assertion(server, badge, id=f"{server.base}/public/assertions/other"),
            "issuer_mismatch",
        ),
        "issuer elsewhere": (
            _assertion(server, _badge_class(server, other_host)),
            "issuer_mismatch",
        ),
        "not allowed by startsWith": (
            _assertion(
                server,
                _badge_class(
                    server,
                    _issuer(server, verification={"startsWith": f"{server.base}/other/"}),
                ),
            ),
            "issuer_mismatch",
        ),
        "signed": (
            _assertion(server, badge, verification={"type": "signed"}),
            "unsupported_proof",
        ),
        "no badge class": (_assertion(server, {"type": "Thing"}), "invalid_badge"),
        "no issue date": (_assertion(server, badge, issuedOn=None), "invalid_badge"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "revoked",
        "expired",
        "another id",
        "issuer elsewhere",
        "not allowed by startsWith",
        "signed",
        "no badge class",
        "no issue date",
    ],
)
def test_a_hosted_badge_that_fails_a_check_is_refused_and_nothing_is_kept(
    wallet: Wallet, server: LoopbackServer, case: str
) -> None:
    assertion, code = _refusals(server)[case]
    url = _host(server, assertion)
    with pytest.raises(WalletError) as raised:
        wallet.import_credential(url)
    assert raised.value.code == code
    assert wallet.credentials() == []


def _elsewhere(server: LoopbackServer) -> str:
    """The same loopback server under another host name: another origin to the wallet."""
    return server.base.replace("127.0.0.1", "localhost")


def test_an_allowed_origin_lets_another_host_serve_the_badge(
    wallet: Wallet, server: LoopbackServer
) -> None:
    """The issuer's own Profile, at its own address, allows the host that serves the badge."""
    issuer = _issuer(
        server,
        id=f"{_elsewhere(server)}/public/issuers/hs",
        verification={"allowedOrigins": ["127.0.0.1"]},
    )
    url = _host(server, _assertion(server, _badge_class(server, issuer)))
    server.json("/public/issuers/hs", issuer)
    assert wallet.import_credential(url).issuer == issuer["id"]


def test_a_host_cannot_vouch_for_itself_in_a_universitys_name(
    wallet: Wallet, server: LoopbackServer
) -> None:
    """A badge host serves a Profile that says it is another institution and that it may
    serve its badges; the institution's own Profile, fetched from its address, says not."""
    real = _issuer(server, id=f"{_elsewhere(server)}/public/issuers/hs")
    claimed = {**real, "verification": {"allowedOrigins": ["127.0.0.1"]}}
    url = _host(server, _assertion(server, _badge_class(server, claimed)))
    server.json("/public/issuers/hs", real)
    with pytest.raises(WalletError) as raised:
        wallet.import_credential(url)
    assert raised.value.code == "issuer_mismatch" and wallet.credentials() == []


@pytest.mark.parametrize("profile_id", ["https://[x/issuer", "not a url"])
def test_a_profile_id_that_is_no_address_is_refused(
    wallet: Wallet, server: LoopbackServer, profile_id: str
) -> None:
    url = _host(server, _assertion(server, _badge_class(server, _issuer(server, id=profile_id))))
    with pytest.raises(WalletError) as raised:
        wallet.import_credential(url)
    assert raised.value.code == "issuer_mismatch" and wallet.credentials() == []


def test_an_unreachable_badge_is_a_network_error(wallet: Wallet, server: LoopbackServer) -> None:
    server.reset()
    with pytest.raises(WalletError) as raised:
        wallet.import_credential(f"{server.base}/public/assertions/missing")
    assert raised.value.code == "http_status" and wallet.credentials() == []


def test_check_status_asks_the_host_again(
    wallet: Wallet, server: LoopbackServer, clock: ManualClock
) -> None:
    """OB 2.0 hosted verification, again on "Check status": revoked (in the assertion, or
    410 Gone) is revoked; no answer keeps what was known; another badge there is refused."""
    badge = _badge_class(server, _issuer(server))
    url = _host(server, _assertion(server, badge))
    stored = wallet.import_credential(url)
    assert stored.status.state is StatusState.UNKNOWN
    clock.advance(60)
    checked = wallet.refresh_status(stored.id)
    assert checked.state is StatusState.VALID and checked.checked_at is not None
    assert checked.checked_at.timestamp() == clock.now()

    server.reset()  # 404: the host gives no answer about it
    clock.advance(60)
    assert wallet.refresh_status(stored.id) == checked

    _host(server, _assertion(server, badge, id=f"{server.base}/public/assertions/other"))
    with pytest.raises(WalletError) as raised:
        wallet.refresh_status(stored.id)
    assert raised.value.code == "issuer_mismatch"
    assert wallet.credential(stored.id).status == checked

    _host(server, _assertion(server, badge, revoked=True))
    assert wallet.refresh_status(stored.id).state is StatusState.INVALID


def test_a_hosted_badge_gone_from_its_host_is_revoked(
    wallet: Wallet, server: LoopbackServer
) -> None:
    url = _host(server, _assertion(server, _badge_class(server, _issuer(server))))
    stored = wallet.import_credential(url)
    server.reset()
    server.json("/public/assertions/a1" + EXPAND, {"revoked": True}, status=410)
    assert wallet.refresh_status(stored.id).state is StatusState.INVALID


def test_a_hosted_badge_survives_backup_and_restore(
    wallet: Wallet, server: LoopbackServer, tmp_path: Path
) -> None:
    url = _host(server, _assertion(server, _badge_class(server, _issuer(server))))
    stored = wallet.import_credential(url)
    wallet.export_backup(tmp_path / "b", "correct horse battery staple 42")
    with Wallet.restore_backup(
        tmp_path / "b",
        "correct horse battery staple 42",
        tmp_path / "restored",
        PIN,
        kdf=KdfParams.fast_for_tests(),
        allow_http_loopback=True,
    ) as restored:
        again = restored.credential(stored.id)
        assert (again.format, again.raw, again.display) == (
            stored.format,
            stored.raw,
            stored.display,
        )
        facts = badge_facts(again.claims)
        assert facts is not None and facts.name == "Circulair ontwerpen"
        assert restored.refresh_status(stored.id).state is StatusState.VALID  # asks the host
