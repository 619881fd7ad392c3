"""Receive a credential from an offer link (pasted, scanned or in the start address).

Paste an ``openid-credential-offer://`` link (or an https link or the offer JSON) ->
Continue -> preview: who offers what, and a transaction-code field when the issuer asks
for one -> Add to wallet -> the new credential's detail (or home, for a deferred one).

An offer without a pre-authorized code needs a login at the institution (authorization
code flow): "Log in" opens the institution's page in a new tab, ``app.login_callback``
catches the redirect on loopback, and the credential is fetched from there.

Every wallet call runs in a thread (network, vault crypto); a second tap meanwhile is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import flet as ft

from app.components.back_bar import back_bar
from app.components.blocking import Failed, run_blocking
from app.components.layout import FormStatus, phone_view
from app.components.link_step import LinkStep
from app.login_callback import LoginCallback, LoginCancelledError
from app.messages import Message, error_message, log_failure
from app.state import SessionState
from app.tx_code import code_problem
from wallet_core import (
    CredentialOffer,
    IssuanceError,
    OfferPreview,
    PendingCredential,
    StoredCredential,
    Wallet,
)

log = logging.getLogger(__name__)

LOGIN_TIMEOUT_SECONDS = 10 * 60


class ReceiveScreen:
    def __init__(
        self,
        state: SessionState,
        *,
        on_back: Callable[[], Awaitable[None]],
        on_received: Callable[[str], Awaitable[None]],
    ) -> None:
        self.state = state
        self._on_back = on_back
        self._on_received = on_received
        self._busy = False
        self._busy_key = "receive.busy_preview"
        self._error: Message | None = None
        self._tx_error: Message | None = None
        self.offer: CredentialOffer | None = None
        self.preview: OfferPreview | None = None

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button
        self.link_step = step = LinkStep(
            "offer-input",
            on_change=self._forget_error,
            on_continue=self._continue,
            on_error=self._show_error,
            is_busy=lambda: self._busy,
        )
        self.link = step.link
        self.continue_button, self.paste_step = step.continue_button, step.column

        self.offered_by = ft.Text(theme_style=ft.TextThemeStyle.LABEL_LARGE)
        self.issuer_name = ft.Text(
            key="preview-issuer",
            theme_style=ft.TextThemeStyle.TITLE_LARGE,
            weight=ft.FontWeight.W_600,
        )
        self.issuer_url = ft.Text(
            key="preview-issuer-url",
            theme_style=ft.TextThemeStyle.BODY_SMALL,
            color=ft.Colors.ON_SURFACE_VARIANT,
        )
        self.wants = ft.Text(theme_style=ft.TextThemeStyle.LABEL_LARGE)
        self.offered = ft.Column(key="preview-credentials", spacing=4)
        self.tx_intro = ft.Text(key="tx-code-intro")
        self.tx_code = ft.TextField(
            key="tx-code-input",
            autocorrect=False,
            enable_suggestions=False,
            prefix_icon=ft.Icons.PASSWORD,
            helper_max_lines=3,
            error_max_lines=3,
            on_change=self._forget_error,
            on_submit=self._accept,
        )
        self.tx_box = ft.Column(
            [self.tx_intro, ft.Semantics(identifier="tx-code-input", content=self.tx_code)],
            spacing=8,
            visible=False,
        )
        self.accept_button = ft.FilledButton(
            key="accept-btn", icon=ft.Icons.ADD_CARD, height=48, on_click=self._accept
        )
        self.cancel_button = ft.TextButton(key="cancel-btn", on_click=self._back)
        # While waiting for the login: the page to open if no tab opened, and a way out.
        self._login: LoginCallback | None = None
        self.login_hint = ft.Text(key="login-hint", visible=False)
        self.login_link = ft.Text(
            key="login-url",
            selectable=True,
            visible=False,
            theme_style=ft.TextThemeStyle.BODY_SMALL,
        )
        self.stop_login_button = ft.OutlinedButton(key="stop-login-btn", on_click=self._stop_login)
        # Flet paints an error bar for a Semantics whose content is hidden: hide the wrapper.
        self.stop_login_box = ft.Semantics(
            key="stop-login-box",
            identifier="stop-login-btn",
            content=self.stop_login_button,
            visible=False,
        )
        self.preview_step = ft.Column(
            [
                ft.Container(
                    bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                    border_radius=16,
                    padding=16,
                    content=ft.Column(
                        [
                            self.offered_by,
                            self.issuer_name,
                            self.issuer_url,
                            ft.Divider(height=8, color=ft.Colors.TRANSPARENT),
                            self.wants,
                            self.offered,
                        ],
                        spacing=4,
                    ),
                ),
                self.tx_box,
                ft.Semantics(identifier="accept-btn", content=self.accept_button),
                ft.Semantics(identifier="cancel-btn", content=self.cancel_button),
                self.login_hint,
                self.login_link,
                self.stop_login_box,
            ],
            spacing=16,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            visible=False,
        )
        self.status = FormStatus("receive-error")
        self.view = phone_view(
            [self.paste_step, self.preview_step, self.status.control], appbar=self.appbar
        )
        self.relabel()

    # -- rendering -----------------------------------------------------------------------

    def relabel(self) -> None:
        t, render = self.state.t, self.state.render
        self.title.value = t("receive.title")
        self.back_button.tooltip = t("common.back")
        self.link_step.relabel(t, "receive", "openid-credential-offer://…")
        self.offered_by.value = t("receive.offered_by")
        self.wants.value = t("receive.offers")
        needs_login = self.offer is not None and self.offer.pre_authorized is None
        self.accept_button.content = t("receive.login" if needs_login else "receive.accept")
        self.accept_button.icon = ft.Icons.LOGIN if needs_login else ft.Icons.ADD_CARD
        self.login_hint.value = t("receive.login_waiting")
        self.stop_login_button.content = t("receive.login_stop")
        self.cancel_button.content = t("common.cancel")
        self.paste_step.visible = self.preview is None
        self.preview_step.visible = self.preview is not None
        if self.preview is not None:
            self._render_preview(self.preview)
        self.tx_code.error = render(self._tx_error) if self._tx_error else None
        self.status.show_error(render(self._error) if self._error else None)
        if self._busy:
            self.status.show_busy(t(self._busy_key))

    def _render_preview(self, preview: OfferPreview) -> None:
        t = self.state.t
        self.issuer_name.value = preview.issuer_name
        self.issuer_url.value = preview.issuer
        self.offered.controls = [
            ft.Row(
                [
                    ft.Icon(ft.Icons.SCHOOL_OUTLINED, size=20, color=ft.Colors.PRIMARY),
                    ft.Text(c.name, key=f"offered-{c.configuration_id}", expand=True),
                ],
                spacing=8,
            )
            for c in preview.credentials
        ]
        spec = preview.tx_code
        self.tx_box.visible = spec is not None
        if spec is None:
            return
        numeric = spec.input_mode != "text"
        self.tx_intro.value = spec.description or t("receive.tx_code_intro")
        self.tx_code.label = t("receive.tx_code_label")
        self.tx_code.keyboard_type = ft.KeyboardType.NUMBER if numeric else ft.KeyboardType.TEXT
        self.tx_code.max_length = spec.length
        if spec.length:
            hint_key = "receive.tx_code_hint_digits" if numeric else "receive.tx_code_hint_chars"
            self.tx_code.helper = t(hint_key, n=spec.length)
        else:
            self.tx_code.helper = t(
                "receive.tx_code_hint_numeric" if numeric else "receive.tx_code_hint_text"
            )

    def _set_busy(self, busy: bool, key: str = "receive.busy_preview") -> None:
        self._busy = busy
        self._busy_key = key
        self.link_step.set_busy(busy)
        self.accept_button.disabled = busy
        self.back_button.disabled = busy
        self.cancel_button.disabled = busy
        if not busy:
            self.status.hide_busy()

    def _show_error(self, message: Message) -> None:
        self._error = message
        self.relabel()

    def _forget_error(self, _e: Any) -> None:
        if self._error or self._tx_error:
            self._error = self._tx_error = None
            self.relabel()

    # -- waiting out a lock (app.shell) ----------------------------------------------------

    def leave(self) -> bool:
        """A login wait is given up (its listener closes); any other step must finish."""
        if self._login is not None and self._busy_key == "receive.busy_login":
            self._login.cancel()
            return True
        return not self._busy

    def suspend(self) -> bool:
        """Nothing here came from the vault: the offer, its preview and a typed code stay,
        also when a login wait is given up. Any other step still running cannot wait (its
        wallet is about to close)."""
        return self.leave() and (self.preview is not None or bool(self.link.value))

    async def resume(self) -> None:
        pass

    # -- actions -------------------------------------------------------------------------

    async def _continue(self, _e: Any = None) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        text = (self.link.value or "").strip()
        self._error = None
        if not text:
            self._error = Message("receive.empty")
            self.relabel()
            return
        self._set_busy(True, "receive.busy_preview")
        self.relabel()
        yield
        read = await run_blocking(log, "preview offer", _preview, wallet, text, self.state.locale)
        self._set_busy(False)
        if isinstance(read, Failed):
            self._error = read.message
        else:
            self.offer, self.preview = read
        self.relabel()

    async def _accept(self, _e: Any = None) -> AsyncIterator[None]:
        wallet = self.state.wallet
        offer, preview = self.offer, self.preview
        if self._busy or wallet is None or offer is None or preview is None:
            return
        if offer.pre_authorized is None:
            async for _ in self._log_in(offer):
                yield
            return
        code: str | None = None
        self._error = self._tx_error = None
        if (spec := preview.tx_code) is not None:
            code = (self.tx_code.value or "").strip()
            self._tx_error = code_problem(code, spec.length, spec.input_mode == "numeric")
            if self._tx_error is not None:
                self.relabel()
                return
        self._set_busy(True, "receive.busy_accept")
        self.relabel()
        yield
        accepted = await run_blocking(log, "accept offer", wallet.accept_offer, offer, code)
        results = None if isinstance(accepted, Failed) else accepted
        if isinstance(accepted, Failed):
            exc = accepted.error
            if (
                code is not None
                and isinstance(exc, IssuanceError)
                and exc.oauth_error == "invalid_grant"
            ):
                self._tx_error = Message("receive.tx_code_wrong")
                self.tx_code.value = ""
            else:
                self._error = accepted.message
        self._set_busy(False)
        await self._done(results)

    async def _done(self, results: list[StoredCredential | PendingCredential] | None) -> None:
        if results is None:
            self.relabel()
            return
        stored = [r for r in results if isinstance(r, StoredCredential)]
        if stored:
            await self._on_received(stored[0].id)
        else:
            await self._on_back()  # deferred: home lists it as pending

    async def _log_in(self, offer: CredentialOffer) -> AsyncIterator[None]:
        """Authorization code flow: the institution's login in a new tab, then fetch."""
        wallet = self.state.wallet
        if wallet is None:
            return
        t = self.state.t
        self._error = None
        self._set_busy(True, "receive.busy_login")
        self.relabel()
        yield
        login = self._login = LoginCallback(
            title=t("receive.login_done_title"), body=t("receive.login_done_body")
        )
        outcome: list[StoredCredential | PendingCredential] | Failed | None = None
        try:
            session = await run_blocking(
                log, "start the login", wallet.start_authorization, offer, login.redirect_uri
            )
            if isinstance(session, Failed):
                outcome = session
            else:
                self._show_login(session.url)
                # Looking at the institution's tab hides this one: that must not lock the
                # wallet mid-login (the idle lock still applies).
                self.state.away_expected = True
                yield
                await self._open_in_browser(session.url)
                redirect = await login.wait(LOGIN_TIMEOUT_SECONDS)
                self._show_login(None)
                self._set_busy(True, "receive.busy_accept")
                self.relabel()
                yield
                outcome = await run_blocking(
                    log, "log in at the institution", wallet.finish_authorization, session, redirect
                )
        except LoginCancelledError:
            pass
        except TimeoutError:
            self._error = Message("receive.login_timeout")
        except Exception as exc:  # the login wait itself; wallet calls never raise here
            log_failure(log, "wait for the login", exc)
            self._error = error_message(exc)
        finally:
            self.state.away_expected = False
            login.close()
            self._login = None
        if isinstance(outcome, Failed):
            error = outcome.error
            denied = isinstance(error, IssuanceError) and error.oauth_error == "access_denied"
            self._error = Message("receive.login_denied") if denied else outcome.message
            outcome = None
        self._show_login(None)
        self._set_busy(False)
        await self._done(outcome)

    def _show_login(self, url: str | None) -> None:
        waiting = url is not None
        self.login_link.value = url or ""
        for control in (self.login_hint, self.login_link, self.stop_login_box):
            control.visible = waiting

    async def _open_in_browser(self, url: str) -> None:
        try:
            await ft.UrlLauncher().launch_url(url)
        except Exception as exc:  # the link on screen still works
            log.info("could not open a tab: %s", type(exc).__name__)

    def _stop_login(self, _e: Any) -> None:
        if self._login is not None:
            self._login.cancel()

    async def _back(self, _e: Any = None) -> None:
        if self.leave():
            await self._on_back()


def _preview(wallet: Wallet, text: str, locale: str) -> tuple[CredentialOffer, OfferPreview]:
    """Blocking: read the offer, then what its issuer says about it."""
    offer = wallet.parse_offer(text)
    return offer, wallet.preview_offer(offer, locale)
