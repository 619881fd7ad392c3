"""Addresses and locks in-process: every screen has its address, a lock keeps a Share in
progress (its choices, not the vault's data), and a locked wallet shows nothing else."""

from __future__ import annotations

from typing import Any

import flet as ft
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
from ui_verifier import WITH_GRADE

from app import routes
from app.config import AppConfig
from app.session import make_main
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
