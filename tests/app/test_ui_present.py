"""Present to the REAL demo verifier (and decline), with the demo issuer on loopback."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import flet as ft
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from harness import AppHarness
from test_ui_home import PIN, run, unlock
from ui_verifier import (
    WITH_GRADE,
    WITHOUT_GRADE,
    Verifier,
    issuer,
    verifiers,
    wallet_config,
    wallet_with_credential,
)

from app.config import AppConfig
from app.main import VERIFIER_CA_ENV, make_config
from app.session import make_main
from demo_services.serving import BackgroundServer
from demo_services.verifier import root_certificate
from wallet_core import Choice, Wallet, qr
from wallet_core.models import Candidate, PresentationMatch, PresentationResult

__all__ = ["issuer", "verifiers"]  # fixtures, imported for pytest

Verifiers = Callable[[str], Verifier]
REQUIRED = ("title", "awardingBody", "notionalWorkload", "level")


def wait_idle(h: AppHarness) -> Any:
    return h.wait_for(
        lambda: not any(b.visible for b in h.find(key="busy")), timeout=30, what="idle"
    )


async def open_request(h: AppHarness, link: str) -> None:
    await unlock(h)
    await h.click(h.get(key="present-btn"))
    await h.wait_for(lambda: h.has(key="request-input"), what="present screen")
    await h.type_text(h.get(key="request-input"), link)
    await h.click(h.get(key="continue-btn"))
    await h.wait_for(lambda: h.get(key="review-step").visible, timeout=30, what="review")


async def decline(h: AppHarness, said: str) -> None:
    """Decline, see the screen say so, and go home with Done."""
    await h.click(h.get(key="decline-btn"))
    await h.wait_for(lambda: h.get(key="result-step").visible, timeout=30, what="result")
    assert h.get(key="present-result").value == said
    await h.click(h.get(key="done-btn"))
    await h.wait_for(lambda: h.has(key="credential-list"), timeout=30, what="home")


async def toggle(h: AppHarness, key: str, on: bool) -> None:
    switch = h.get(key=key)
    h.session.apply_patch(switch._i, {"value": on})
    await h.fire(switch, "change", on)


def test_present_to_the_demo_verifier(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    """DCQL claim_sets: the wallet answers with the verifier's first satisfiable option, so
    every claim of it is shown locked on; nothing beyond those leaves the wallet."""
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer, [WITHOUT_GRADE])
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_request(h, tx["link"])
            # named by its certificate's organisation, its CA likewise (not CN=...,O=...)
            assert h.get(key="verifier-name").value == "Werkgever Demo"
            assert h.get(key="verifier-verified").value.startswith("Identity verified")
            assert "CN=" not in h.get(key="verifier-verified").value
            assert not h.has(key="verifier-not-verified")
            assert h.get(key="query-credential-microcredential").value == (
                "Data-analyse met Python"
            )
            for name in REQUIRED:  # locked on
                required = h.get(key=f"claim-microcredential-{name}")
                assert required.value is True and required.disabled is True
            assert not h.has(key="claim-microcredential-grade")  # this one has no grade
            # ... and the screen says so rather than dropping the verifier's wish silently
            assert h.get(key="missing-microcredential").value == "This credential has no grade."
            preview = h.get(key="send-preview").value
            assert preview == (
                # the detail screen's words for the facts, as on every screen
                "Data-analyse met Python: Title, Institution, Study load (EC), Level (EQF)"
            )

            await h.click(h.get(key="confirm-btn"))
            await h.wait_for(lambda: h.get(key="result-step").visible, timeout=30, what="result")
            assert h.get(key="present-result").value.startswith("Shared with ")
            await h.click(h.get(key="done-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            assert h.client.errors == []

    run(scenario)
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified", status
    assert set(status["result"]["requested_claims"]) == set(REQUIRED)
    assert status["result"]["unrequested_disclosures"] == []


def test_optional_claims_start_off_and_are_sent_only_when_toggled(
    issuer: BackgroundServer,
    verifiers: Verifiers,
    config: AppConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo verifier (DCQL) never yields optional claims, so turn its grade into one
    in the match the UI sees, and record what the UI asks the wallet to send."""
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    [credential_id] = wallet_with_credential(config, issuer)
    real_match = Wallet.match
    sent: list[dict[str, Choice]] = []

    def match(self: Wallet, request: Any) -> PresentationMatch:
        found = real_match(self, request)
        grade = ("grade",)
        return PresentationMatch(
            queries={
                qid: dataclasses.replace(
                    q,
                    candidates=tuple(
                        Candidate(
                            c.credential_id,
                            tuple(p for p in c.required_claims if p != grade),
                            (grade,),
                        )
                        for c in q.candidates
                    ),
                )
                for qid, q in found.queries.items()
            },
            satisfiable=found.satisfiable,
        )

    def present(
        self: Wallet, request: Any, choices: dict[str, Choice], matched: Any = None
    ) -> PresentationResult:
        assert matched is not None  # the screen hands over its match; it is not run again
        sent.append(choices)
        return PresentationResult(ok=True)

    monkeypatch.setattr(Wallet, "match", match)
    monkeypatch.setattr(Wallet, "present", present)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            for turn_on in (False, True):
                await open_request(h, verifier.transaction()["link"])
                grade = h.get(key="claim-microcredential-grade")
                assert grade.value is False and not grade.disabled  # optional starts off
                assert "Grade" not in h.get(key="send-preview").value
                if turn_on:
                    await toggle(h, "claim-microcredential-grade", True)
                    assert h.get(key="send-preview").value.endswith(", Grade")
                await h.click(h.get(key="confirm-btn"))
                await h.wait_for(lambda: h.get(key="result-step").visible, what="result")
                await h.click(h.get(key="done-btn"))
                await h.wait_for(lambda: h.has(key="credential-list"), what="home")
                await h.click(h.get(key="lock-btn"))
                await h.wait_for(lambda: h.has(key="pin-input"), what="unlock")
            assert h.client.errors == []

    run(scenario)
    required = [(name,) for name in REQUIRED]
    assert [c["microcredential"] for c in sent] == [
        Choice(credential_id, required),
        Choice(credential_id, [*required, ("grade",)]),
    ]


def test_pick_one_of_several_matching_credentials(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    first, second = wallet_with_credential(config, issuer, [WITH_GRADE, WITHOUT_GRADE])
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_request(h, tx["link"])
            group = h.get(key="pick-microcredential")
            assert {r.key for r in group.content.controls} == {
                f"pick-microcredential-{first}",
                f"pick-microcredential-{second}",
            }
            h.session.apply_patch(group._i, {"value": second})
            await h.fire(group, "change", second)
            assert h.get(key="pick-microcredential").value == second
            assert h.get(key="send-preview").value.startswith("Data-analyse met Python: ")
            assert not h.has(key="claim-microcredential-grade")
            await h.click(h.get(key="confirm-btn"))
            await h.wait_for(lambda: h.get(key="result-step").visible, timeout=30, what="result")
            assert h.client.errors == []

    run(scenario)
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified", status
    assert status["result"]["requested_claims"]["title"] == "Data-analyse met Python"


def test_decline_tells_the_verifier(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer)
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await open_request(h, tx["link"])
            assert h.get(key="decline-btn").content == "Weigeren"
            await decline(h, "Je hebt nee gezegd: er is niets gedeeld met Werkgever Demo")
            assert h.client.errors == []

    run(scenario)
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "declined", status


def test_unverified_verifier_is_flagged(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    verifier = verifiers("redirect_uri")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer)
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_request(h, tx["link"])
            assert not h.has(key="verifier-verified")
            warning = h.get(key="verifier-not-verified")
            assert warning.value.startswith("Not verified")
            # the name an unsigned request gives itself is shown as only that
            assert h.get(key="verifier-name").value == (
                "Calls itself “Werkgever Demo” (127.0.0.1) — not confirmed"
            )
            await decline(h, "You said no: nothing was shared with 127.0.0.1")
            assert h.client.errors == []

    run(scenario)


def test_nothing_matches_offers_only_decline(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer, ["diploma-bachelor-bouwkunde"])
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_request(h, tx["link"])
            assert h.get(key="no-match").visible
            assert not h.get(key="confirm-box").visible
            await decline(h, "You said no: nothing was shared with Werkgever Demo")
            assert h.client.errors == []

    run(scenario)
    assert verifier.status(tx["transaction_id"])["status"] == "declined"


def test_bad_request_link_shows_an_error(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    config = wallet_config(config, verifiers("x509_hash"))
    wallet_with_credential(config, issuer)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key="present-btn"))
            await h.wait_for(lambda: h.has(key="request-input"), what="present screen")
            await h.click(h.get(key="continue-btn"))
            assert h.get(key="present-error").value == "Paste a link first"
            await h.type_text(h.get(key="request-input"), "openid4vp://?nothing=here")
            await h.click(h.get(key="continue-btn"))
            await wait_idle(h)
            assert h.get(key="present-error").value
            assert h.get(key="paste-step").visible
            assert h.client.errors == []

    run(scenario)


def test_verifier_ca_env_is_read(tmp_path: Path, verifiers: Verifiers) -> None:
    anchor = root_certificate(verifiers("x509_hash").server.app)
    assert anchor is not None
    pem = tmp_path / "ca.pem"
    pem.write_bytes(anchor.public_bytes(Encoding.PEM))
    args = argparse.Namespace(data_dir=tmp_path, port=8550, no_browser=True)
    assert make_config(args, {}).verifier_trust_anchors == ()
    config = make_config(args, {VERIFIER_CA_ENV: str(pem)})
    assert config.verifier_trust_anchors == (anchor,)


def test_the_grade_is_the_holders_choice_and_off_until_switched_on(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    """The verifier's claim sets say "with grade" or "without": the grade is not among what
    is always shared but under "You choose", off; switched on, it goes."""
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer, [WITH_GRADE])
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await open_request(h, tx["link"])
            assert h.get(key="required-microcredential").value == "Altijd gedeeld (verplicht)"
            assert h.get(key="optional-microcredential").value == (
                "Jij kiest: alleen als je het aanzet"
            )
            for name in REQUIRED:  # in every acceptable set: locked on
                assert h.get(key=f"claim-microcredential-{name}").disabled is True
            grade = h.get(key="claim-microcredential-grade")
            assert grade.value is False and not grade.disabled
            assert "Cijfer" not in h.get(key="send-preview").value
            assert not h.has(key="missing-microcredential")  # this one has a grade
            await toggle(h, "claim-microcredential-grade", True)
            assert "Cijfer" in h.get(key="send-preview").value
            await h.click(h.get(key="confirm-btn"))
            await h.wait_for(lambda: h.get(key="result-step").visible, timeout=30, what="result")
            assert h.client.errors == []

    run(scenario)
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified", status
    assert set(status["result"]["requested_claims"]) == {*REQUIRED, "grade"}
    assert status["result"]["unrequested_disclosures"] == []


def test_the_credential_that_gives_what_the_verifier_prefers_is_offered_first(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    """Held first: the credential without a grade. Offered first: the one with a grade (the
    verifier's preferred claim set); picking the other says it has no grade."""
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer, [WITHOUT_GRADE, WITH_GRADE])
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_request(h, tx["link"])
            group = h.get(key="pick-microcredential")
            with_grade = h.get(key="claim-microcredential-grade")
            assert with_grade.value is False
            assert not h.has(key="missing-microcredential")
            other = next(k for k in _radio_values(h) if k != group.value)
            h.session.apply_patch(group._i, {"value": other})
            await h.fire(group, "change", other)
            await h.wait_for(lambda: h.has(key="missing-microcredential"), what="no grade")
            assert h.get(key="missing-microcredential").value == "This credential has no grade."
            assert not h.has(key="claim-microcredential-grade")
            assert h.client.errors == []

    run(scenario)


def _radio_values(h: AppHarness) -> list[str]:
    return [str(r.value) for r in h.find(type_=ft.Radio)]


def test_a_request_scanned_from_a_picture_or_in_the_start_address(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer, [WITHOUT_GRADE])
    scanned, linked = verifier.transaction(), verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key="present-btn"))
            await h.wait_for(lambda: h.has(key="request-input"), what="present screen")
            h.client.picked_files = [("request.png", qr.encode_png(scanned["link"]))]
            await h.click(h.get(key="scan-image-btn"))
            await h.wait_for(lambda: h.get(key="review-step").visible, timeout=30, what="review")
            assert h.get(key="request-input").value == scanned["link"]
            assert h.client.errors == []

        route = "/?" + urlencode({"request": linked["link"]})
        async with AppHarness(make_main(config), route=route) as h:
            await h.type_text(h.get(key="pin-input"), PIN)
            await h.click(h.get(key="unlock-btn"))  # straight to Share, not home
            await h.wait_for(lambda: h.has(key="request-input"), what="present screen")
            assert h.get(key="request-input").value == linked["link"]
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="review-step").visible, timeout=30, what="review")
            assert h.client.errors == []

    run(scenario)


def test_the_review_says_when_no_unseen_copy_is_left(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    [cid] = wallet_with_credential(config, issuer, [WITHOUT_GRADE])
    with Wallet.open(
        config.vault_dir,
        PIN,
        allow_http_loopback=True,
        verifier_trust_anchors=list(config.verifier_trust_anchors),
    ) as wallet:
        fresh = wallet.unused_copies(cid)
        assert fresh > 0  # the demo issuer issues a batch
        for _ in range(fresh):
            request = wallet.parse_presentation_request(verifier.transaction()["link"])
            [candidate] = wallet.match(request).candidates("microcredential")
            choice = Choice(cid, list(candidate.required_claims))
            assert wallet.present(request, {"microcredential": choice}).ok
        assert wallet.unused_copies(cid) == 0
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_request(h, tx["link"])
            assert h.get(key="no-fresh-copy-microcredential").value.startswith(
                "The single-use copies of this credential have run out"
            )
            assert h.client.errors == []

    run(scenario)
