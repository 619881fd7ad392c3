"""Show credentials to a verifier from a pasted request link (OpenID4VP).

Paste an ``openid4vp://`` link -> Continue (parse + match) -> review (who asks and whether
the wallet could verify that; per query a card, :mod:`app.views.present_review`; a line with
exactly what will be sent) -> Share or Decline -> the verifier's answer. Only queries the
verifier *requires* are answered: nothing is shared that the holder did not confirm.
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
from app.messages import Message
from app.state import SessionState
from app.views.present_choices import HolderChoices
from app.views.present_review import (
    CardEvents,
    Names,
    load_review,
    query_card,
    review_of,
    trust_text,
    verifier_display_name,
    verifier_heading,
)
from wallet_core import (
    Choice,
    ClaimPath,
    PresentationMatch,
    PresentationRequest,
    PresentationResult,
    StoredCredential,
)

log = logging.getLogger(__name__)


class PresentScreen:
    def __init__(self, state: SessionState, *, on_back: Callable[[], Awaitable[None]]) -> None:
        self.state = state
        self._on_back = on_back
        self._busy = False
        self._busy_key = "present.busy_request"
        self._error: Message | None = None
        self.request: PresentationRequest | None = None
        self.match: PresentationMatch | None = None
        self.stored: dict[str, StoredCredential] = {}
        self.fresh_copies: dict[str, int] = {}
        self.holder = HolderChoices()
        self.result: PresentationResult | None = None
        self._declined = False  # the result is the verifier being told "no"

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button
        # step 1: paste
        self.link_step = step = LinkStep(
            "request-input",
            on_change=self._forget_error,
            on_continue=self._continue,
            on_error=self._show_error,
            is_busy=lambda: self._busy,
            key="paste-step",
        )
        self.link = step.link
        self.continue_button, self.paste_step = step.continue_button, step.column
        # step 2: review
        self.asked_by = ft.Text(theme_style=ft.TextThemeStyle.LABEL_LARGE)
        self.verifier_name = ft.Text(
            key="verifier-name",
            theme_style=ft.TextThemeStyle.TITLE_LARGE,
            weight=ft.FontWeight.W_600,
        )
        self.trust_icon = ft.Icon(ft.Icons.VERIFIED, size=20)
        self.trust_text = ft.Text(key="verifier-trust", expand=True)
        self.trust_row = ft.Semantics(
            identifier="verifier-trust",
            container=True,
            content=ft.Row([self.trust_icon, self.trust_text], spacing=8),
        )
        self.queries = ft.Column(key="queries", spacing=12)
        self.no_match = ft.Text(key="no-match", color=ft.Colors.ERROR, visible=False)
        self.preview_label = ft.Text(theme_style=ft.TextThemeStyle.LABEL_LARGE)
        self.preview = ft.Text(key="send-preview")
        self.preview_box = ft.Container(
            bgcolor=ft.Colors.SECONDARY_CONTAINER,
            border_radius=12,
            padding=12,
            content=ft.Column([self.preview_label, self.preview], spacing=4),
        )
        self.confirm_button = ft.FilledButton(
            key="confirm-btn", icon=ft.Icons.SEND, height=48, on_click=self._confirm
        )
        self.confirm_box = ft.Semantics(
            key="confirm-box", identifier="confirm-btn", content=self.confirm_button
        )
        self.decline_button = ft.OutlinedButton(
            key="decline-btn", icon=ft.Icons.BLOCK, height=48, on_click=self._decline
        )
        self.review_step = ft.Column(
            [
                ft.Container(
                    bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                    border_radius=16,
                    padding=16,
                    content=ft.Column(
                        [self.asked_by, self.verifier_name, self.trust_row], spacing=6
                    ),
                ),
                self.queries,
                self.no_match,
                self.preview_box,
                self.confirm_box,
                ft.Semantics(identifier="decline-btn", content=self.decline_button),
            ],
            key="review-step",
            spacing=16,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            visible=False,
        )
        # step 3: result
        self.result_icon = ft.Icon(ft.Icons.CHECK_CIRCLE, size=48)
        self.result_text = ft.Text(
            key="present-result",
            theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
            text_align=ft.TextAlign.CENTER,
        )
        self.result_detail = ft.Text(
            key="present-result-detail",
            text_align=ft.TextAlign.CENTER,
            color=ft.Colors.ON_SURFACE_VARIANT,
        )
        self.done_button = ft.FilledButton(key="done-btn", height=48, on_click=self._back)
        self.result_step = ft.Column(
            [
                self.result_icon,
                self.result_text,
                self.result_detail,
                ft.Semantics(identifier="done-btn", content=self.done_button),
            ],
            key="result-step",
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            visible=False,
        )
        self.status = FormStatus("present-error")
        self.view = phone_view(
            [self.paste_step, self.review_step, self.result_step, self.status.control],
            appbar=self.appbar,
        )
        self.relabel()

    # -- rendering -----------------------------------------------------------------------

    def relabel(self) -> None:
        t, render = self.state.t, self.state.render
        self.title.value = t("present.title")
        self.back_button.tooltip = t("common.back")
        self.link_step.relabel(t, "present", "openid4vp://…")
        self.asked_by.value = t("present.asked_by")
        self.preview_label.value = t("present.preview_label")
        self.confirm_button.content = t("present.confirm")
        self.decline_button.content = t("present.decline")
        self.done_button.content = t("present.done")
        reviewing = self.request is not None and self.result is None
        self.paste_step.visible = self.request is None
        self.review_step.visible = reviewing
        self.result_step.visible = self.result is not None
        if reviewing:
            self._render_review()
        if self.result is not None:
            self._render_result(self.result)
        self.status.show_error(render(self._error) if self._error else None)
        if self._busy:
            self.status.show_busy(t(self._busy_key))

    def _asked_queries(self) -> list[str]:
        assert self.match is not None
        return [qid for qid, q in self.match.queries.items() if q.required]

    def _render_review(self) -> None:
        assert self.request is not None and self.match is not None
        t = self.state.t
        verified = self.request.verifier.verified
        self.verifier_name.value = verifier_heading(self.request, t)
        self.trust_text.value = trust_text(self.request, t)
        self.trust_icon.icon = ft.Icons.VERIFIED if verified else ft.Icons.WARNING_AMBER
        self.trust_icon.color = ft.Colors.PRIMARY if verified else ft.Colors.ERROR
        self.trust_text.color = None if verified else ft.Colors.ERROR
        self.trust_text.key = "verifier-verified" if verified else "verifier-not-verified"
        satisfiable = self.match.satisfiable and all(
            self.match.candidates(qid) for qid in self._asked_queries()
        )
        self.no_match.visible = not satisfiable
        self.no_match.value = t("present.no_match")
        self.confirm_box.visible = satisfiable
        self.preview_box.visible = satisfiable
        self.queries.visible = satisfiable
        if not satisfiable:
            self.queries.controls = []
            return
        names, match = self._names(), self.match
        events = CardEvents(self._pick, self._leave_out, self._toggle)
        self.queries.controls = [
            query_card(
                qid,
                match,
                self.holder,
                names,
                fresh_copies=self.fresh_copies,
                busy=self._busy,
                events=events,
            )
            for qid in self._asked_queries()
        ]
        self.preview.value = self._preview_text()

    def _names(self) -> Names:
        return Names(self.stored, self.state.locale, self.state.t)

    def _choices(self) -> dict[str, Choice]:
        assert self.match is not None
        return self.holder.choices(self.match, self._asked_queries())

    def _preview_text(self) -> str:
        t = self.state.t
        lines = []
        names = self._names()
        for choice in self._choices().values():
            labels = ", ".join(names.claim(choice.credential_id, p) for p in choice.claims)
            lines.append(
                t(
                    "present.preview_line",
                    credential=names.title(choice.credential_id),
                    claims=labels or t("present.preview_nothing"),
                )
            )
        return "\n".join(lines)

    def _render_result(self, result: PresentationResult) -> None:
        t = self.state.t
        name = verifier_display_name(self.request) if self.request else ""
        if self._declined:
            self.result_icon.icon = ft.Icons.BLOCK
            self.result_icon.color = ft.Colors.ON_SURFACE_VARIANT
            self.result_text.value = t("present.declined", name=name)
            self.result_detail.value = t("present.declined_detail")
        elif result.ok:
            self.result_icon.icon = ft.Icons.CHECK_CIRCLE
            self.result_icon.color = ft.Colors.PRIMARY
            self.result_text.value = t("present.sent", name=name)
            self.result_detail.value = t("present.sent_detail")
        else:
            response = result.verifier_response or {}
            detail = response.get("error_description") or response.get("error") or ""
            self.result_icon.icon = ft.Icons.ERROR_OUTLINE
            self.result_icon.color = ft.Colors.ERROR
            self.result_text.value = t("present.refused", name=name)
            self.result_detail.value = (
                t("present.refused_detail", detail=str(detail)) if detail else ""
            )

    def _set_busy(self, busy: bool, key: str = "present.busy_request") -> None:
        self._busy = busy
        self._busy_key = key
        self.link_step.set_busy(busy)
        for button in (
            self.confirm_button,
            self.decline_button,
            self.back_button,
        ):
            button.disabled = busy
        if not busy:
            self.status.hide_busy()

    def _show_error(self, message: Message) -> None:
        self._error = message
        self.relabel()

    def _forget_error(self, _e: Any) -> None:
        if self._error:
            self._error = None
            self.relabel()

    # -- waiting out a lock (app.shell) ----------------------------------------------------

    def leave(self) -> bool:
        return not self._busy

    def suspend(self) -> bool:
        """Keep the request and the holder's choices; drop the credentials read from the
        vault (and what shows them) until the wallet is open again."""
        if self._busy or self.result is not None:
            return False
        self.match, self.stored, self.fresh_copies = None, {}, {}
        self.queries.controls = []
        self.preview.value = ""
        return self.request is not None or bool(self.link.value)

    async def resume(self) -> None:
        wallet, request = self.state.wallet, self.request
        if wallet is None or request is None or self.match is not None:
            return
        review = await run_blocking(log, "match presentation request", review_of, wallet, request)
        if isinstance(review, Failed):
            self.request, self._error = None, review.message
            return
        self.match, self.stored, self.fresh_copies = (
            review.match,
            review.stored,
            review.fresh_copies,
        )

    # -- actions -------------------------------------------------------------------------

    def _pick(self, query_id: str, credential_id: str | None) -> None:
        if self._busy or not credential_id:
            return
        self.holder.chosen[query_id] = credential_id
        self.relabel()

    def _leave_out(self, query_id: str, credential_id: str, path: ClaimPath, off: bool) -> None:
        if self._busy or self.match is None:
            return
        self.holder.leave_out(self.holder.candidate(self.match, query_id), query_id, path, off)
        self.relabel()

    def _toggle(self, query_id: str, credential_id: str, path: ClaimPath, on: bool) -> None:
        if self._busy:
            return
        self.holder.toggle((query_id, credential_id), path, on)
        self.relabel()

    async def _continue(self, _e: Any = None) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        text = (self.link.value or "").strip()
        self._error = None
        if not text:
            self._error = Message("present.empty")
            self.relabel()
            return
        self._set_busy(True, "present.busy_request")
        self.relabel()
        yield
        review = await run_blocking(log, "read presentation request", load_review, wallet, text)
        if isinstance(review, Failed):
            self._error = review.message
        else:
            self.request, self.match = review.request, review.match
            self.stored, self.fresh_copies = review.stored, review.fresh_copies
        self._set_busy(False)
        self.relabel()

    async def _confirm(self, _e: Any = None) -> AsyncIterator[None]:
        wallet, request = self.state.wallet, self.request
        if self._busy or wallet is None or request is None or self.match is None:
            return
        choices = self._choices()
        self._error = None
        self._set_busy(True, "present.busy_send")
        self.relabel()
        yield
        result = await run_blocking(log, "present", wallet.present, request, choices, self.match)
        if isinstance(result, Failed):
            self._error = result.message
        else:
            self.result = result
        self._set_busy(False)
        self.relabel()

    async def _decline(self, _e: Any = None) -> AsyncIterator[None]:
        wallet, request = self.state.wallet, self.request
        if self._busy or wallet is None or request is None:
            return
        self._error = None
        self._set_busy(True, "present.busy_decline")
        self.relabel()
        yield
        declined = await run_blocking(log, "decline", wallet.decline, request)
        if isinstance(declined, Failed):
            # The verifier could not be told; nothing was shared either way.
            self._error = declined.message
        else:  # said on the screen, so the holder knows the "no" reached the verifier
            self.result, self._declined = declined, True
        self._set_busy(False)
        self.relabel()

    async def _back(self, _e: Any = None) -> None:
        if self.leave():
            await self._on_back()
