"""Addresses and locks in-process: every screen has its address, a lock keeps a Share in
progress (its choices, not the vault's data), and a locked wallet shows nothing else."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import flet as ft
import httpx
import pytest
from demo_admin import log_in
from harness import AppHarness
from test_ui_home import MICRO_CLAIMS, MICRO_DISPLAY, PIN, make_wallet, new_credential, run
from test_ui_present import (
    REQUIRED,
    Verifiers,
    issuer,
    open_request,
    toggle,
    verifiers,
    wallet_config,
    wallet_with_credential,
)
from test_ui_receive import make_offer, wait_idle
from ui_verifier import WITH_GRADE

from app import routes
from app import shell as shell_module
from app.config import AppConfig
from app.session import make_main
from app.views.activity import load_activity
from demo_services.serving import BackgroundServer

__all__ = ["issuer", "verifiers"]  # fixtures, imported for pytest


def test_addresses_name_the_screens() -> None:
    cid = "ab" * 16
    assert routes.place(routes.credential(cid)) == routes.Place(f"/credential/{cid}", cid)
    assert routes.place(f"/credential/{cid}/qr/").qr
    assert routes.place("/settings/restore?x=1").path == routes.SETTINGS_RESTORE
    for unknown in ("/credential/../x", "/credential/", "/nope", "", None, "/?offer=x"):
        assert routes.place(unknown) == routes.Place(routes.HOME)


async def unlock(h: AppHarness) -> None:
    await h.type_text(h.get(key="pin-input"), PIN)
    await h.click(h.get(key="unlock-btn"))
    await h.wait_for(lambda: not h.has(key="unlock-btn"), what="unlocked")


def texts_in(control: Any) -> list[str]:
    found: list[str] = []

    def walk(c: Any) -> None:
        if isinstance(c, ft.Text) and c.value:
            found.append(c.value)
        for name in ("controls", "content"):
            child = getattr(c, name, None)
            for item in child if isinstance(child, list) else [child]:
                if isinstance(item, ft.Control):
                    walk(item)

    walk(control)
    return found


async def browser_goes_to(h: AppHarness, route: str) -> None:
    """What the browser sends for Back, Forward or an address typed in."""
    h.page.route = route
    await h.fire(h.page, "route_change", {"route": route})


def test_each_screen_has_an_address_and_a_locked_wallet_shows_none(config: AppConfig) -> None:
    [cid] = make_wallet(
        config, [new_credential("Circulair", claims=MICRO_CLAIMS, display=MICRO_DISPLAY)]
    )

    async def scenario() -> None:
        async with AppHarness(make_main(config), route=routes.credential(cid)) as h:
            assert h.has(key="unlock-btn") and not h.has(key="detail-title")
            await unlock(h)  # then the address the tab was opened at
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            await h.click(h.get(key="show-as-qr-btn"))
            await h.wait_for(lambda: h.has(key="qr-claims"), what="offline qr")
            assert h.page.route == routes.credential_qr(cid)
            for route, ready in (
                (routes.HOME, "credential-list"),
                (routes.RECEIVE, "offer-input"),
                (routes.SHARE, "request-input"),
                (routes.ACTIVITY, "activity-list"),
                (routes.SETTINGS, "settings-pin"),
                (routes.SETTINGS_RESTORE, "restore-btn"),
                ("/credential/" + "0" * 32, "credential-list"),  # gone: home
            ):
                await browser_goes_to(h, route)
                await h.wait_for(lambda r=ready: h.has(key=r), what=route)
            await h.click(h.get(key="lock-btn"))
            await h.wait_for(lambda: h.has(key="unlock-btn"), what="locked")
            await browser_goes_to(h, routes.credential(cid))  # Back while locked
            assert h.has(key="unlock-btn") and not h.has(key="detail-title")
            assert h.client.errors == []

    run(scenario)


def test_a_share_in_progress_waits_out_a_lock_with_its_choices(
    issuer: BackgroundServer, verifiers: Verifiers, config: AppConfig
) -> None:
    verifier = verifiers("x509_hash")
    config = wallet_config(config, verifier)
    wallet_with_credential(config, issuer, [WITH_GRADE])
    tx = verifier.transaction()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_request(h, tx["link"])
            await toggle(h, "claim-microcredential-grade", False)  # the holder's choice
            screen: Any = h.page.views[0]
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
            await h.fire(h.page, "disconnect")  # e.g. a reload: locks at once
            await h.fire(h.page, "connect")
            assert h.has(key="unlock-btn") and not h.has(key="review-step")
            assert screen not in h.page.views
            # What it keeps meanwhile holds nothing read from the vault.
            assert not [t for t in texts_in(screen) if "Circulair" in t]
            await unlock(h)
            await h.wait_for(lambda: h.has(key="review-step"), what="review back")
            assert h.get(key="review-step").visible
            assert h.get(key="claim-microcredential-grade").value is False
            assert "Grade" not in h.get(key="send-preview").value
            await h.click(h.get(key="confirm-btn"))
            await h.wait_for(lambda: h.get(key="result-step").visible, timeout=30, what="result")
            assert h.client.errors == []

    run(scenario)
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified", status
    assert set(status["result"]["requested_claims"]) == set(REQUIRED)  # no grade


async def open_offer(h: AppHarness, link: str) -> asyncio.Task[None]:
    """Unlock, paste ``link`` on Receive and press Continue; the task ends with the step."""
    await unlock(h)
    await h.click(h.get(key="add-btn"))
    await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
    await h.type_text(h.get(key="offer-input"), link)
    return asyncio.create_task(h.click(h.get(key="continue-btn")))


def callback_refused(login_url: str) -> bool:
    """Log in at the institution: True if nothing listens at the wallet's redirect."""
    redirect = log_in(login_url)
    try:
        httpx.get(redirect, timeout=5)
    except httpx.ConnectError:
        return True
    return False


def test_back_during_a_login_gives_the_login_up(
    issuer: BackgroundServer, config: AppConfig
) -> None:
    """Back (or a lock) while the institution's login is awaited stops waiting for it:
    its loopback listener closes and the other tab no longer keeps the wallet open."""
    config = dataclasses.replace(config, allow_http_loopback=True)
    make_wallet(config, [])
    offers = [make_offer(issuer, ["mc-zorgtechnologie"], grant="authorization_code")]
    offers.append(make_offer(issuer, ["mc-zorgtechnologie"], grant="authorization_code"))

    async def log_in_started(h: AppHarness) -> tuple[str, asyncio.Task[None]]:
        await h.wait_for(lambda: h.get(key="preview-issuer").value != "", what="preview")
        h.client.launched_urls.clear()
        accept = asyncio.create_task(h.click(h.get(key="accept-btn")))
        await h.wait_for(lambda: bool(h.client.launched_urls), what="login tab")
        return h.client.launched_urls[0], accept

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await (await open_offer(h, offers[0]["offer_link"]))
            state = h.page.on_route_change.__self__.state  # the shell's session state
            url, accept = await log_in_started(h)
            assert state.away_expected
            await browser_goes_to(h, routes.HOME)
            await h.wait_for(lambda: h.has(key="add-btn"), what="home")
            await asyncio.wait_for(accept, 30)  # the login wait ended
            assert not state.away_expected
            assert await asyncio.to_thread(callback_refused, url)

            # A lock mid-login (here a reload) gives it up too, and keeps the offer.
            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
            await h.type_text(h.get(key="offer-input"), offers[1]["offer_link"])
            await h.click(h.get(key="continue-btn"))
            url, accept = await log_in_started(h)
            await h.fire(h.page, "disconnect")
            await h.fire(h.page, "connect")
            await asyncio.wait_for(accept, 30)  # the login wait ended
            assert not state.away_expected
            assert await asyncio.to_thread(callback_refused, url)
            await unlock(h)
            await h.wait_for(lambda: h.has(key="preview-issuer"), what="offer back")
            assert not h.get(key="accept-btn").disabled
            assert h.client.errors == []

    run(scenario)


class _Stalling(BaseHTTPRequestHandler):
    """An issuer that answers only when the test lets it (then with an error)."""

    release: threading.Event

    def do_GET(self) -> None:
        self.release.wait(60)
        self.send_error(503)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def stalling_issuer() -> Iterator[tuple[str, threading.Event]]:
    release = threading.Event()
    handler = type("Handler", (_Stalling,), {"release": release})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_back_during_a_step_that_must_finish_stays_until_it_has(
    stalling_issuer: tuple[str, threading.Event], config: AppConfig
) -> None:
    base, release = stalling_issuer
    config = dataclasses.replace(config, allow_http_loopback=True)
    make_wallet(config, [])
    offer = {
        "credential_issuer": base,
        "credential_configuration_ids": ["x"],
        "grants": {
            "urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "c"}
        },
    }
    link = "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            step = await open_offer(h, link)
            await h.wait_for(lambda: h.get(key="busy").visible, what="busy")
            screen = h.page.views[0]
            await browser_goes_to(h, routes.HOME)  # Back while the issuer is asked
            await h.wait_for(lambda: h.page.route == routes.RECEIVE, what="address back")
            await h.settle()
            assert h.page.views[0] is screen and not h.has(key="add-btn")
            release.set()
            await asyncio.wait_for(step, 30)
            await wait_idle(h)
            assert h.get(key="receive-error").value
            await browser_goes_to(h, routes.HOME)  # done: now Back leaves
            await h.wait_for(lambda: h.has(key="add-btn"), what="home")
            assert h.client.errors == []

    run(scenario)


def test_a_newer_move_wins_over_a_slower_older_one(
    config: AppConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back then Forward quickly: the activity read that finishes last is not painted over
    the settings the tab now shows."""
    make_wallet(config, [])
    entered, release = threading.Event(), threading.Event()

    def slow_activity(wallet: Any) -> Any:
        entered.set()
        release.wait(30)
        return load_activity(wallet)

    monkeypatch.setattr(shell_module, "load_activity", slow_activity)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.wait_for(lambda: h.has(key="add-btn"), what="home")
            older = asyncio.create_task(browser_goes_to(h, routes.ACTIVITY))
            await asyncio.to_thread(entered.wait, 30)
            await browser_goes_to(h, routes.SETTINGS)
            await h.wait_for(lambda: h.has(key="settings-pin"), what="settings")
            release.set()
            await asyncio.wait_for(older, 30)
            await h.settle()
            assert h.has(key="settings-pin") and not h.has(key="activity-list")
            assert h.client.errors == []

    run(scenario)
