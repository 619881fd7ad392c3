"""Show one credential as a QR code, for a verifier without a network connection.

Pick the details to show (in the detail screen's order and words; title, institution,
study load and level on to start, "all" and "none" for the rest: only what is on goes in
the code) -> Show QR -> a large QR code of the SD-JWT+KB in the compact ``EW1:`` form,
a hint to turn up the screen brightness, and a countdown. The key binding JWT in it is only
accepted for a few minutes, so when the countdown ends the code is hidden again.

When the verifier shows a challenge QR first (wallet_core.oid4vp.offline_challenge), the
holder can scan it from a picture: the code is then bound to that verifier and its nonce,
and good for that verifier only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

import flet as ft

from app.components.back_bar import back_bar
from app.components.blocking import Failed, run_blocking
from app.components.claim_list import claim_labels, fact_label, in_detail_order
from app.components.claim_switch import claim_switch
from app.components.layout import FormStatus, phone_view
from app.components.scan import scan_picture
from app.messages import Message, log_failure
from app.state import SessionState
from wallet_core import (
    ClaimPath,
    OfflineChallenge,
    StoredCredential,
    Wallet,
    offline_challenge,
    qr,
    qr_payload,
    rules_for,
)

log = logging.getLogger(__name__)

# On at first: what says what the credential is, and nothing about the student.
PRESELECTED = frozenset({("title",), ("awardingBody",), ("notionalWorkload",), ("level",)})


def disclosable_paths(wallet: Wallet, credential: StoredCredential) -> list[ClaimPath]:
    """Blocking: top-level selectively disclosable claims, in the credential's own order."""
    try:
        return [tuple(path) for path in wallet.held(credential.id).top_level]
    except Exception as exc:  # an unreadable credential simply offers nothing to show
        log_failure(log, "read stored credential", exc)
        return []


def build_qr(
    wallet: Wallet,
    credential_id: str,
    claims: list[ClaimPath],
    challenge: OfflineChallenge | None = None,
) -> bytes:
    """Blocking: the presentation, its compact QR text, and the PNG."""
    text = wallet.offline_presentation(
        credential_id,
        claims,
        nonce=challenge.nonce if challenge else None,
        audience=challenge.audience if challenge else None,
    )
    return qr.encode_png(qr_payload.encode(text), error_correction="L")


class OfflineQrScreen:
    LIFETIME: ClassVar[int] = 300  # seconds; the verifier's KB-JWT freshness window

    def __init__(
        self,
        state: SessionState,
        credential: StoredCredential,
        paths: list[ClaimPath],
        *,
        on_back: Callable[[], Awaitable[None]],
    ) -> None:
        self.state = state
        self.credential = credential
        self._on_back = on_back
        self._busy = False
        self._error: Message | None = None
        self._labels = claim_labels(credential.display, state.locale)
        self.paths = in_detail_order(paths, self._labels)
        # a W3C credential has no parts to pick: its QR code holds all of it
        self.whole = not rules_for(credential.format).selective
        self.selected: set[ClaimPath] = {p for p in self.paths if p in PRESELECTED}
        self.png: bytes | None = None
        self.challenge: OfflineChallenge | None = None
        self.remaining = 0
        self._generation = 0  # bumped whenever a shown code is replaced or hidden
        self._active = True

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button
        self.credential_title = ft.Text(
            key="qr-credential-title",
            theme_style=ft.TextThemeStyle.TITLE_LARGE,
            weight=ft.FontWeight.W_600,
        )
        self.intro = ft.Text(theme_style=ft.TextThemeStyle.BODY_LARGE)
        self.claims = ft.Column(key="qr-claims", spacing=0)
        self.all_button = ft.TextButton(key="qr-all-btn", on_click=lambda _e: self._set_all(True))
        self.none_button = ft.TextButton(
            key="qr-none-btn", on_click=lambda _e: self._set_all(False)
        )
        self.all_none = ft.Row(
            [
                ft.Semantics(identifier="qr-all-btn", content=self.all_button),
                ft.Semantics(identifier="qr-none-btn", content=self.none_button),
            ],
            alignment=ft.MainAxisAlignment.END,
            visible=len(self.paths) > 1,
        )
        self.show_button = ft.FilledButton(
            key="show-qr-btn", icon=ft.Icons.QR_CODE_2, height=48, on_click=self._show
        )
        self.expired = ft.Text(key="qr-expired", visible=False, text_align=ft.TextAlign.CENTER)
        self.challenge_button = ft.OutlinedButton(
            key="scan-challenge-btn", icon=ft.Icons.QR_CODE_SCANNER, on_click=self._scan_challenge
        )
        self.challenge_info = ft.Text(key="qr-challenge", color=ft.Colors.ON_SURFACE_VARIANT)
        self.pick_step = ft.Column(
            [
                self.credential_title,
                self.intro,
                self.all_none,
                self.claims,
                self.expired,
                ft.Semantics(identifier="scan-challenge-btn", content=self.challenge_button),
                self.challenge_info,
                ft.Semantics(identifier="show-qr-btn", content=self.show_button),
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.image_slot = ft.Container(
            key="qr-slot",
            bgcolor=ft.Colors.WHITE,
            border_radius=12,
            padding=12,
            alignment=ft.Alignment.CENTER,
        )
        self.brightness = ft.Row(
            [
                ft.Icon(ft.Icons.BRIGHTNESS_HIGH, size=20, color=ft.Colors.PRIMARY),
                ft.Text(key="qr-brightness", expand=True),
            ],
            spacing=8,
        )
        self.countdown = ft.Text(
            key="qr-countdown",
            theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
            text_align=ft.TextAlign.CENTER,
        )
        self.showing = ft.Text(
            key="qr-showing", text_align=ft.TextAlign.CENTER, color=ft.Colors.ON_SURFACE_VARIANT
        )
        self.hide_button = ft.OutlinedButton(
            key="hide-qr-btn", icon=ft.Icons.VISIBILITY_OFF, height=48, on_click=self._hide
        )
        self.qr_step = ft.Column(
            [
                self.image_slot,
                self.countdown,
                self.showing,
                self.brightness,
                ft.Semantics(identifier="hide-qr-btn", content=self.hide_button),
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            visible=False,
        )
        self.status = FormStatus("qr-error")
        self.view = phone_view(
            [self.pick_step, self.qr_step, self.status.control], appbar=self.appbar, top=16
        )
        self.relabel()

    # -- rendering -----------------------------------------------------------------------

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("qr.title")
        self.back_button.tooltip = t("common.back")
        self.credential_title.value = self.credential.title or t("present.untitled")
        self.intro.value = (
            t("present.whole")
            if self.whole
            else t("qr.intro")
            if self.paths
            else t("qr.nothing_to_show")
        )
        self.show_button.content = t("qr.show")
        self.challenge_button.content = t("qr.scan_challenge")
        self.challenge_button.disabled = self._busy
        host = urlsplit(self.challenge.audience).netloc if self.challenge else ""
        self.challenge_info.value = (
            t("qr.challenge_for", verifier=host) if self.challenge else t("qr.no_challenge")
        )
        self.show_button.disabled = self._busy or not (self.paths or self.whole)
        self.hide_button.content = t("qr.hide")
        self.expired.value = t("qr.expired")
        brightness_text = self.brightness.controls[1]
        assert isinstance(brightness_text, ft.Text)
        brightness_text.value = t("qr.brightness")
        labels = self._labels
        self.all_button.content, self.none_button.content = t("qr.all"), t("qr.none")
        self.all_button.disabled = self.none_button.disabled = self._busy
        self.claims.controls = [self._claim_row(p, fact_label(p, labels, t)) for p in self.paths]
        png = self.png
        self.pick_step.visible = png is None
        self.qr_step.visible = png is not None
        if png is not None:
            self.image_slot.content = ft.Image(
                key="qr-image", src=png, width=320, height=320, fit=ft.BoxFit.CONTAIN
            )
            shown = ", ".join(fact_label(p, labels, t) for p in self.paths if p in self.selected)
            self.showing.value = (
                t("qr.showing_all") if self.whole else t("qr.showing", claims=shown)
            )
        else:
            self.image_slot.content = None
        self._render_countdown()
        self.status.show_error(self.state.render(self._error) if self._error else None)
        if self._busy:
            self.status.show_busy(t("qr.busy"))

    def _render_countdown(self) -> None:
        minutes, seconds = divmod(max(0, self.remaining), 60)
        self.countdown.value = self.state.t("qr.countdown", time=f"{minutes}:{seconds:02d}")

    def _claim_row(self, path: ClaimPath, label: str) -> ft.Control:
        def changed(e: Any) -> None:
            self._toggle(path, bool(e.control.value))

        return claim_switch(
            label,
            f"qr-claim-{'.'.join(str(p) for p in path)}",
            value=path in self.selected,
            disabled=self._busy,
            on_change=changed,
        )

    # -- actions -------------------------------------------------------------------------

    def _toggle(self, path: ClaimPath, on: bool) -> None:
        if self._busy:
            return
        if on:
            self.selected.add(path)
        else:
            self.selected.discard(path)
        self._error = None
        self.expired.visible = False
        self.relabel()

    def _set_all(self, on: bool) -> None:
        if self._busy:
            return
        self.selected = set(self.paths) if on else set()
        self._error = None
        self.expired.visible = False
        self.relabel()

    async def _show(self, _e: Any = None) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        claims = [p for p in self.paths if p in self.selected]
        self._error = None
        self.expired.visible = False
        if not claims and not self.whole:
            self._error = Message("qr.pick_first")
            self.relabel()
            return
        self._busy = True
        self.relabel()
        yield
        built = await run_blocking(
            log,
            "offline presentation",
            build_qr,
            wallet,
            self.credential.id,
            claims,
            self.challenge,
        )
        png = None if isinstance(built, Failed) else built
        if isinstance(built, Failed):
            self._error = built.message
        self._busy = False
        self.status.hide_busy()
        if png is not None and self._active:
            self._generation += 1
            self.png, self.remaining = png, self.LIFETIME
            page = self.view.page
            page.run_task(self._count_down, self._generation, page)
        self.relabel()

    async def _scan_challenge(self, _e: Any) -> None:
        if self._busy:
            return
        found = await scan_picture()
        if found is None:
            return
        self._error = None
        if isinstance(found, Message):
            self._error = found
        else:
            try:
                self.challenge = offline_challenge.read(found)
            except Exception as exc:
                log_failure(log, "read offline challenge", exc)
                self._error = Message("qr.not_a_challenge")
        self.relabel()

    async def _count_down(self, generation: int, page: ft.Page) -> None:
        while self.remaining > 0:
            await asyncio.sleep(1)
            if generation != self._generation or not self._active:
                return
            if self.state.wallet is None:  # locked meanwhile: never leave a code behind
                self._active, self.png = False, None
                return
            self.remaining -= 1
            if self.remaining <= 0:
                self.png = None
                self.expired.visible = True
            self.relabel()
            page.update()

    def _hide(self, _e: Any = None) -> None:
        self._generation += 1
        self.png, self.remaining = None, 0
        self.relabel()

    async def _back(self, _e: Any = None) -> None:
        if self._busy:
            return
        self._active = False
        self._generation += 1
        self.png = None
        await self._on_back()
