"""Show credentials to a verifier from a pasted request link (OpenID4VP).

Paste an ``openid4vp://`` link -> Continue (parse + match) -> review: who asks (and whether
the wallet could verify that), per query the credential that answers it (a choice when
several can), claims every acceptable claim set contains locked on, claims only the
verifier's preferred set contains as switches that start on (switching one off answers with
a smaller set the verifier also accepts), optional claims as switches that start off, and a
line with exactly what will be sent -> Share or Decline -> the verifier's answer.

Only queries the verifier *requires* are answered; optional ones are left out (nothing is
shared that the holder was not asked to confirm). Every wallet call runs in a thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import flet as ft

from app.components.back_bar import back_bar
from app.components.claim_list import claim_labels
from app.components.layout import FormStatus, phone_view
from app.components.link_step import LinkStep
from app.i18n import has_key
from app.messages import Message, error_message, log_failure
from app.state import SessionState
from wallet_core import Choice, Wallet
from wallet_core.models import Candidate, PresentationMatch, PresentationResult, StoredCredential
from wallet_core.oid4vp.request import PresentationRequest

log = logging.getLogger(__name__)


Path = tuple[Any, ...]


def claim_label(path: Path, labels: Mapping[Path, str], t: Callable[..., str]) -> str:
    """The issuer's label for a claim, else our fact name, else the path itself."""
    if path in labels:
        return labels[path]
    name = str(path[0]) if path else ""
    if len(path) == 1 and has_key(f"detail.fact.{name}"):
        return t(f"detail.fact.{name}")
    return ".".join("*" if p is None else str(p) for p in path)


@dataclass(frozen=True)
class Review:
    request: PresentationRequest
    match: PresentationMatch
    stored: dict[str, StoredCredential]  # every candidate, for titles and labels
    fresh_copies: dict[str, int]  # unused batch instances per candidate


def load_review(wallet: Wallet, text: str) -> Review:
    """Blocking: parse, match, and read every candidate credential."""
    return review_of(wallet, wallet.parse_presentation_request(text))


def review_of(wallet: Wallet, request: PresentationRequest) -> Review:
    """Blocking: match a parsed request and read every candidate credential."""
    match = wallet.match(request)
    stored: dict[str, StoredCredential] = {}
    for query in match.queries.values():
        for candidate in query.candidates:
            if candidate.credential_id not in stored:
                stored[candidate.credential_id] = wallet.credential(candidate.credential_id)
    fresh = {cid: wallet.unused_copies(cid) for cid in stored}
    return Review(request, match, stored, fresh)


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
        self.chosen: dict[str, str] = {}  # query id -> credential id
        self.optional_on: dict[tuple[str, str], set[Path]] = {}  # (query, credential) -> paths
        # preferred claims the holder switched off, where the verifier accepts a smaller set
        self.left_out: dict[tuple[str, str], set[Path]] = {}
        self.result: PresentationResult | None = None

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

    def _verifier_display_name(self) -> str:
        assert self.request is not None
        verifier = self.request.verifier
        client_name = self.request.client_metadata.get("client_name")
        # A name from metadata is only as good as the request it came in: show it only when
        # the request was signed under a trusted chain (or DID), else the bare identifier.
        if verifier.verified and isinstance(client_name, str) and client_name.strip():
            return client_name.strip()
        return verifier.name or verifier.client_id

    def _render_review(self) -> None:
        assert self.request is not None and self.match is not None
        t = self.state.t
        verifier = self.request.verifier
        self.verifier_name.value = self._verifier_display_name()
        if verifier.verified:
            how = "did" if verifier.method == "decentralized_identifier" else "certificate"
            text = t(f"present.verified_{how}")
            if verifier.certificate_issuer:
                text = t("present.verified_by", text=text, issuer=verifier.certificate_issuer)
            self.trust_text.value = text
            self.trust_icon.icon = ft.Icons.VERIFIED
            self.trust_icon.color = ft.Colors.PRIMARY
            self.trust_text.color = None
            self.trust_text.key = "verifier-verified"
        else:
            self.trust_text.value = t("present.not_verified")
            self.trust_icon.icon = ft.Icons.WARNING_AMBER
            self.trust_icon.color = ft.Colors.ERROR
            self.trust_text.color = ft.Colors.ERROR
            self.trust_text.key = "verifier-not-verified"
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
        self.queries.controls = [self._query_card(qid) for qid in self._asked_queries()]
        self.preview.value = self._preview_text()

    def _labels(self, credential_id: str) -> dict[Path, str]:
        stored = self.stored.get(credential_id)
        return claim_labels(stored.display, self.state.locale) if stored else {}

    def _label(self, credential_id: str, path: Path) -> str:
        return claim_label(path, self._labels(credential_id), self.state.t)

    def _title(self, credential_id: str) -> str:
        stored = self.stored.get(credential_id)
        return (stored.title if stored else "") or self.state.t("present.untitled")

    def _candidate(self, query_id: str) -> Candidate:
        assert self.match is not None
        candidates = self.match.candidates(query_id)
        chosen = self.chosen.get(query_id)
        for candidate in candidates:
            if candidate.credential_id == chosen:
                return candidate
        return candidates[0]

    def _query_card(self, query_id: str) -> ft.Control:
        assert self.match is not None
        t = self.state.t
        candidates = self.match.candidates(query_id)
        candidate = self._candidate(query_id)
        cid = candidate.credential_id
        parts: list[ft.Control] = []
        if len(candidates) > 1:
            group = ft.RadioGroup(
                key=f"pick-{query_id}",
                value=cid,
                on_change=lambda e, q=query_id: self._pick(q, e.control.value),
                content=ft.Column(
                    [
                        ft.Radio(
                            key=f"pick-{query_id}-{c.credential_id}",
                            value=c.credential_id,
                            label=self._title(c.credential_id),
                        )
                        for c in candidates
                    ],
                    spacing=0,
                ),
            )
            parts += [
                ft.Text(t("present.pick"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
                ft.Semantics(identifier=f"pick-{query_id}", content=group),
            ]
        else:
            parts.append(
                ft.Text(
                    self._title(cid),
                    key=f"query-credential-{query_id}",
                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                    weight=ft.FontWeight.W_600,
                )
            )
        if self.fresh_copies.get(cid, 1) == 0:
            parts.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.INFO_OUTLINE, size=18, color=ft.Colors.ON_SURFACE_VARIANT),
                        ft.Text(
                            t("present.no_fresh_copy"),
                            key=f"no-fresh-copy-{query_id}",
                            color=ft.Colors.ON_SURFACE_VARIANT,
                            expand=True,
                        ),
                    ],
                    spacing=6,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
            )
        locked, switchable = _split_required(candidate)
        if candidate.required_claims:
            parts.append(ft.Text(t("present.required"), theme_style=ft.TextThemeStyle.LABEL_LARGE))
        for path in locked:
            parts.append(
                _claim_row(
                    ft.Icons.LOCK,
                    self._label(cid, path),
                    f"claim-{query_id}-{_path_key(path)}",
                    value=True,
                    disabled=True,
                    tooltip=t("present.required_tooltip"),
                )
            )
        left_out = self.left_out.get((query_id, cid), set())
        for path in switchable:  # asked for, but the verifier also accepts an answer without
            parts.append(
                _claim_row(
                    ft.Icons.TUNE,
                    self._label(cid, path),
                    f"claim-{query_id}-{_path_key(path)}",
                    value=path not in left_out,
                    disabled=self._busy,
                    on_change=lambda e, q=query_id, c=cid, p=path: self._leave_out(
                        q, c, p, not bool(e.control.value)
                    ),
                )
            )
        if candidate.optional_claims:
            parts.append(ft.Text(t("present.optional"), theme_style=ft.TextThemeStyle.LABEL_LARGE))
        on = self.optional_on.get((query_id, cid), set())
        for path in candidate.optional_claims:
            parts.append(
                _claim_row(
                    ft.Icons.TUNE,
                    self._label(cid, path),
                    f"claim-{query_id}-{_path_key(path)}",
                    value=path in on,
                    disabled=self._busy,
                    on_change=lambda e, q=query_id, c=cid, p=path: self._toggle(
                        q, c, p, bool(e.control.value)
                    ),
                )
            )
        return ft.Container(
            key=f"query-{query_id}",
            bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
            border_radius=16,
            padding=16,
            content=ft.Column(parts, spacing=6),
        )

    def _choices(self) -> dict[str, Choice]:
        choices: dict[str, Choice] = {}
        for qid in self._asked_queries():
            candidate = self._candidate(qid)
            cid = candidate.credential_id
            on = self.optional_on.get((qid, cid), set())
            left_out = self.left_out.get((qid, cid), set())
            asked = [p for p in candidate.required_claims if p not in left_out]
            extra = [p for p in candidate.optional_claims if p in on]
            choices[qid] = Choice(cid, [*asked, *extra])
        return choices

    def _preview_text(self) -> str:
        t = self.state.t
        lines = []
        for choice in self._choices().values():
            labels = ", ".join(self._label(choice.credential_id, p) for p in choice.claims)
            lines.append(
                t(
                    "present.preview_line",
                    credential=self._title(choice.credential_id),
                    claims=labels or t("present.preview_nothing"),
                )
            )
        return "\n".join(lines)

    def _render_result(self, result: PresentationResult) -> None:
        t = self.state.t
        name = self._verifier_display_name() if self.request else ""
        if result.ok:
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
        try:
            review = await asyncio.to_thread(review_of, wallet, request)
        except Exception as exc:
            log_failure(log, "match presentation request", exc)
            self.request, self._error = None, error_message(exc)
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
        self.chosen[query_id] = credential_id
        self.relabel()

    def _leave_out(self, query_id: str, credential_id: str, path: Path, off: bool) -> None:
        if self._busy:
            return
        candidate = self._candidate(query_id)
        left_out = set(self.left_out.get((query_id, credential_id), set()))
        if off:
            left_out.add(path)
        else:
            left_out.discard(path)
        kept = set(candidate.required_claims) - left_out
        # only leave out what still completes a claim set the verifier accepts
        if not left_out or any(kept >= set(option) for option in candidate.alternatives):
            self.left_out[(query_id, credential_id)] = left_out
        self.relabel()

    def _toggle(self, query_id: str, credential_id: str, path: Path, on: bool) -> None:
        if self._busy:
            return
        selected = self.optional_on.setdefault((query_id, credential_id), set())
        if on:
            selected.add(path)
        else:
            selected.discard(path)
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
        try:
            review = await asyncio.to_thread(load_review, wallet, text)
        except Exception as exc:
            log_failure(log, "read presentation request", exc)
            self._error = error_message(exc)
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
        try:
            self.result = await asyncio.to_thread(wallet.present, request, choices, self.match)
        except Exception as exc:
            log_failure(log, "present", exc)
            self._error = error_message(exc)
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
        try:
            await asyncio.to_thread(wallet.decline, request)
        except Exception as exc:
            # The verifier could not be told; nothing was shared either way.
            log_failure(log, "decline", exc)
            self._error = error_message(exc)
            self._set_busy(False)
            self.relabel()
            return
        self._set_busy(False)
        await self._on_back()

    async def _back(self, _e: Any = None) -> None:
        if self.leave():
            await self._on_back()


def _split_required(candidate: Candidate) -> tuple[list[Path], list[Path]]:
    """Claims every acceptable claim set contains (locked on), and those some set leaves
    out (the holder may switch them off)."""
    common = set(candidate.required_claims)
    for option in candidate.alternatives:
        common &= set(option)
    locked = [p for p in candidate.required_claims if p in common]
    return locked, [p for p in candidate.required_claims if p not in common]


def _path_key(path: Path) -> str:
    return ".".join("*" if p is None else str(p) for p in path)


def _claim_row(
    icon: ft.IconData,
    label: str,
    key: str,
    *,
    value: bool,
    disabled: bool,
    tooltip: str | None = None,
    on_change: Callable[[Any], None] | None = None,
) -> ft.Row:
    """One claim with its switch; the switch's key doubles as its test identifier."""
    return ft.Row(
        [
            ft.Icon(icon, size=18, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Text(label, expand=True),
            ft.Semantics(
                identifier=key,
                content=ft.Switch(
                    key=key, value=value, disabled=disabled, tooltip=tooltip, on_change=on_change
                ),
            ),
        ],
        spacing=8,
    )
