"""Screen flows driven in-process through the real Flet session (see harness.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import flet as ft
from harness import AppHarness

from app.config import AppConfig
from app.session import make_main
from app.state import SessionState
from app.views.home import HomeActions, HomeScreen
from wallet_core import KdfParams, Wallet
from wallet_core.models import CredentialStatus, CredentialSummary

PIN = "482916"


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


def make_vault(config: AppConfig) -> None:
    Wallet.create(config.vault_dir, PIN, kdf=KdfParams.fast_for_tests()).close()


async def create_wallet(h: AppHarness, pin: str = PIN, confirm: str = PIN) -> None:
    await h.type_text(h.get(key="pin-input"), pin)
    await h.type_text(h.get(key="pin-confirm-input"), confirm)
    await h.click(h.get(key="create-btn"))


async def unlock(h: AppHarness, pin: str) -> None:
    await h.type_text(h.get(key="pin-input"), pin)
    await h.click(h.get(key="unlock-btn"))
    await h.wait_for(
        lambda: not h.has(key="unlock-btn") or not h.get(key="unlock-btn").disabled,
        what="unlock to finish",
    )


def test_create_pin_reaches_home_then_lock_and_unlock(config: AppConfig) -> None:
    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            assert h.page.title == "eduwallet"
            assert not h.has(key="unlock-btn")
            await create_wallet(h)
            await h.wait_for(lambda: h.has(key="home-empty"), what="home screen")
            assert Wallet.exists(config.vault_dir)
            assert "No credentials yet" in h.texts()
            assert h.get(key="appbar-title").value == "eduwallet"
            assert not h.has(key="pin-input")  # the PIN screen is gone, not just hidden

            await h.click(h.get(key="lock-btn"))
            assert h.has(key="unlock-btn") and not h.has(key="home-empty")

            await unlock(h, PIN)
            await h.wait_for(lambda: h.has(key="home-empty"), what="home again")
            assert h.client.errors == []
        # Ending the session closed the wallet, so the vault lock is free again.
        Wallet.open(config.vault_dir, PIN).close()

    run(scenario)


def test_mismatched_pins_are_caught_in_the_ui(config: AppConfig) -> None:
    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await create_wallet(h, PIN, "482917")
            assert h.get(key="pin-confirm-input").error == "The PINs do not match"
            assert h.get(key="pin-input").error is None
            assert not Wallet.exists(config.vault_dir)
            # Typing again clears the stale message.
            await h.type_text(h.get(key="pin-confirm-input"), "48291")
            assert h.get(key="pin-confirm-input").error is None
            assert h.client.errors == []

    run(scenario)


def test_weak_pin_shows_the_translated_policy_reason(config: AppConfig) -> None:
    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await create_wallet(h, "123456", "123456")
            assert h.get(key="pin-input").error == "Don't use a run like 123456 or 987654"
            # The message follows a language switch without retyping.
            await h.select(h.get(key="lang-picker"), ["nl"])
            assert h.get(key="pin-input").error == "Gebruik geen reeks zoals 123456 of 987654"
            await create_wallet(h, "1111", "1111")
            assert h.get(key="pin-input").error.startswith("Te kort")
            await create_wallet(h, "77777777", "77777777")
            assert h.get(key="pin-input").error == "Herhaal niet steeds hetzelfde cijfer of teken"
            assert not Wallet.exists(config.vault_dir)
            assert h.client.errors == []

    run(scenario)


def test_language_switch_relabels_and_is_remembered(config: AppConfig) -> None:
    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            assert h.get(key="create-btn").content == "Create wallet"
            await h.type_text(h.get(key="pin-input"), "48")
            await h.select(h.get(key="lang-picker"), ["nl"])
            assert h.get(key="create-btn").content == "Wallet aanmaken"
            assert h.get(key="pin-confirm-input").label == "Herhaal pincode"
            assert "Welkom bij eduwallet" in h.texts()
            assert h.get(key="pin-input").value == "48"  # relabelled in place, input kept
            await h.select(h.get(key="lang-picker"), ["en"])
            assert h.get(key="create-btn").content == "Create wallet"
            await h.select(h.get(key="lang-picker"), ["nl"])
            assert h.client.errors == []
        saved = json.loads(config.settings_path.read_text("utf-8"))
        assert saved == {"locale": "nl"}
        # A new tab (even with an English browser) starts in the saved language.
        async with AppHarness(make_main(config), languages=["en-US"]) as h:
            assert h.get(key="create-btn").content == "Wallet aanmaken"
            assert h.get(key="lang-picker").selected == ["nl"]

    run(scenario)


def test_first_run_language_follows_the_browser(config: AppConfig) -> None:
    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["de-DE", "nl-NL", "en"]) as h:
            assert h.get(key="create-btn").content == "Wallet aanmaken"
            assert h.client.errors == []
        assert not config.settings_path.exists()  # nothing chosen yet, nothing saved

    run(scenario)


def test_wrong_pin_shows_attempts_left_then_lockout(config: AppConfig) -> None:
    make_vault(config)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            assert h.has(key="unlock-btn") and not h.has(key="create-btn")
            await unlock(h, "000000")
            assert h.get(key="pin-input").error == "Wrong PIN, 4 attempts left"
            assert h.get(key="pin-input").value == ""
            for _ in range(3):
                await unlock(h, "000000")
            assert h.get(key="pin-input").error == "Wrong PIN, 1 attempt left"
            await h.type_text(h.get(key="pin-input"), "000000")
            await h.click(h.get(key="unlock-btn"))
            await h.wait_for(lambda: h.get(key="form-error").value != "", what="lockout")
            assert h.get(key="form-error").value == "Too many attempts. Try again in 30 seconds"
            # Locked out: the button and the pad are off, and the wait counts down.
            assert h.get(key="unlock-btn").disabled and h.get(key="pad-5").disabled
            await h.wait_for(
                lambda: h.get(key="form-error").value.endswith(" 29 seconds"), what="countdown"
            )
            await h.select(h.get(key="lang-picker"), ["nl"])
            assert h.get(key="form-error").value.startswith("Te veel pogingen.")
            # Even the right PIN, submitted from the keyboard, is not tried.
            await h.type_text(h.get(key="pin-input"), PIN, submit=True)
            await h.settle()
            assert not h.has(key="home-empty")
            assert h.client.errors == []

        # A new tab (or a restart) shows the running lockout straight away (in the saved nl).
        async with AppHarness(make_main(config)) as h:
            assert h.get(key="form-error").value.startswith("Te veel pogingen.")
            assert h.get(key="unlock-btn").disabled
            assert h.client.errors == []

    run(scenario)


def test_pin_pad_types_the_pin_and_unlocks(config: AppConfig) -> None:
    make_vault(config)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            for digit in PIN + "9":
                await h.click(h.get(key=f"pad-{digit}"))
            await h.click(h.get(key="pad-back"))
            assert h.get(key="pin-input").value == PIN
            assert h.get(key="pad-back").tooltip == "Delete last digit"
            await h.click(h.get(key="pad-ok"))
            await h.wait_for(lambda: h.has(key="home-empty"), what="home")
            assert h.client.errors == []

    run(scenario)


def test_second_tab_is_told_the_wallet_is_open_elsewhere(config: AppConfig) -> None:
    make_vault(config)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as first:
            await unlock(first, PIN)
            await first.wait_for(lambda: first.has(key="home-empty"), what="first tab home")
            async with AppHarness(make_main(config)) as second:
                await unlock(second, PIN)
                assert second.get(key="form-error").value.startswith(
                    "The wallet is open in another window"
                )
                assert not second.has(key="home-empty")
                await first.click(first.get(key="lock-btn"))
                await unlock(second, PIN)
                await second.wait_for(lambda: second.has(key="home-empty"), what="home")
                assert first.client.errors == second.client.errors == []

    run(scenario)


def test_disconnect_locks_the_wallet(config: AppConfig) -> None:
    make_vault(config)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h, PIN)
            await h.wait_for(lambda: h.has(key="home-empty"), what="home")
            await h.fire(h.page, "disconnect")  # reload or closed tab
            assert h.has(key="unlock-btn") and not h.has(key="home-empty")
            Wallet.open(config.vault_dir, PIN).close()  # the vault lock was released
            assert h.client.errors == []

    run(scenario)


def test_damaged_vault_gets_a_clear_message(config: AppConfig) -> None:
    make_vault(config)
    (config.vault_dir / "key.json").write_text("{ not json", encoding="utf-8")

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h, PIN)
            error = h.get(key="form-error").value
            assert "damaged" in error and "Traceback" not in error
            assert h.client.errors == []

    run(scenario)


def test_home_lists_credential_summaries(config: AppConfig) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    summaries = [
        CredentialSummary(
            id=f"c{i}",
            format="dc+sd-jwt",
            type="Microcredential",
            title=title,
            issuer="https://hs-demo.example",
            issuer_name=issuer_name,
            issued_at=now,
            expires_at=None,
            status=CredentialStatus(),
            added_at=now,
        )
        for i, (title, issuer_name) in enumerate(
            [("Data Literacy (5 EC)", "Hogeschool Demo"), ("Bachelor Biology", "")]
        )
    ]
    screen = HomeScreen(SessionState(config), summaries, HomeActions(on_lock=lambda: None))
    tiles = [c.content for c in screen.list.controls]
    assert [tile.title.value for tile in tiles] == ["Data Literacy (5 EC)", "Bachelor Biology"]
    assert [tile.subtitle.controls[0].value for tile in tiles] == [
        "Hogeschool Demo",
        "https://hs-demo.example",
    ]
    assert isinstance(screen.view, ft.View)


def test_tab_closed_during_unlock_leaves_the_wallet_locked(config: AppConfig) -> None:
    make_vault(config)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await h.type_text(h.get(key="pin-input"), PIN)
            click = asyncio.create_task(
                h.session.dispatch_event(h.get(key="unlock-btn")._i, "click", None)
            )
            await asyncio.sleep(0)  # the handler is now on its way into the KDF
            await h.session.dispatch_event(h.page._i, "disconnect", None)
            await click
            await h.settle()
            assert h.has(key="unlock-btn") and not h.has(key="home-empty")
            Wallet.open(config.vault_dir, PIN).close()  # nobody kept the vault open
            assert h.client.errors == []

    run(scenario)


def test_a_late_method_result_for_a_control_that_is_gone_does_not_cut_the_tab_off(
    config: AppConfig,
) -> None:
    """Flet raises for it, and its receive loop would end the connection: the clicks after
    it were lost (a reload under load; the PIN typed and Unlock doing nothing)."""
    make_vault(config)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            assert h.session is not None
            gone = 987_654
            assert h.session.index.get(gone) is None
            h.session.handle_invoke_method_results(gone, "late-call", None, None)
            await h.type_text(h.get(key="pin-input"), PIN)
            await h.click(h.get(key="unlock-btn"))
            await h.wait_for(lambda: h.has(key="home-empty"), what="home")
            assert h.client.errors == []

    run(scenario)
