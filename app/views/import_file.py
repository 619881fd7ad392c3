"""Add a credential from a file: an Open Badge the student downloaded (JSON with a proof,
a VC-JWT, or a badge picture with the credential baked into it), or from a link: the https
address where an institution hosts an Open Badge 2.0 assertion.

"Choose a file" -> the browser's file picker -> ``Wallet.import_credential`` (in a thread:
it checks the proof, and may resolve the issuer's DID or fetch its picture) -> the new
credential's detail. A refused file is said in words and nothing is stored; a credential
that is already in the wallet can be opened from here.

The file is handed over as bytes, with its name as a hint: wallet_core decides what it is
(a PNG or SVG is searched for a baked credential, anything else is read as text), so the
screen does not guess by extension. A link goes the same way, as text: wallet_core fetches
what the issuer serves there and checks it as hosted verification demands (the wallet's HTTP
policy refuses anything but https). The screen only refuses what is no web address at all.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import flet as ft

from app import routes
from app.components.back_bar import back_bar
from app.components.blocking import Failed, run_blocking
from app.components.files import FileTooLargeError, pick_file
from app.components.layout import FormStatus, ScreenHeader, phone_view
from app.messages import Message, error_message, log_failure
from app.state import SessionState
from wallet_core import DuplicateCredentialError, MalformedCredentialError, StoredCredential

log = logging.getLogger(__name__)


class ImportScreen:
    def __init__(
        self,
        state: SessionState,
        *,
        on_back: Callable[[], Awaitable[None]],
        on_imported: Callable[[str], Awaitable[None]],
    ) -> None:
        self.state = state
        self._on_back = on_back
        self._on_imported = on_imported
        self._busy = False
        self._error: Message | None = None
        self._existing_id: str | None = None  # the copy already held, after a duplicate

        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button
        self.header = ScreenHeader(ft.Icons.UPLOAD_FILE)
        self.kinds = ft.Text(key="import-kinds", color=ft.Colors.ON_SURFACE_VARIANT)
        self.choose_button = ft.FilledButton(
            key="import-choose-btn", icon=ft.Icons.FOLDER_OPEN, height=48, on_click=self._choose
        )
        self.link_intro = ft.Text(key="import-link-intro", color=ft.Colors.ON_SURFACE_VARIANT)
        self.link = ft.TextField(
            key="import-link-input",
            autocorrect=False,
            enable_suggestions=False,
            keyboard_type=ft.KeyboardType.URL,
            prefix_icon=ft.Icons.LINK,
            on_change=self._forget_error,
            on_submit=self._add_link,
        )
        self.link_button = ft.OutlinedButton(
            key="import-link-btn", icon=ft.Icons.ADD_LINK, height=48, on_click=self._add_link
        )
        self.open_existing_button = ft.TextButton(
            key="import-open-existing-btn", icon=ft.Icons.OPEN_IN_NEW, on_click=self._open_existing
        )
        # Hide the wrapper, not the button: Flet paints an error bar for hidden content.
        self.open_existing_box = ft.Semantics(
            identifier="import-open-existing-btn", content=self.open_existing_button, visible=False
        )
        self.status = FormStatus("import-error")
        self.view = phone_view(
            [
                self.header.control,
                self.kinds,
                ft.Semantics(identifier="import-choose-btn", content=self.choose_button),
                ft.Divider(height=8),
                self.link_intro,
                ft.Semantics(identifier="import-link-input", content=self.link),
                ft.Semantics(identifier="import-link-btn", content=self.link_button),
                self.status.control,
                self.open_existing_box,
            ],
            appbar=self.appbar,
        )
        self.relabel()

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("import.title")
        self.back_button.tooltip = t("common.back")
        self.header.set_texts(t("import.heading"), t("import.intro"))
        self.kinds.value = t("import.kinds")
        self.choose_button.content = t("import.choose")
        self.link_intro.value = t("import.link_intro")
        self.link.label = t("import.link_label")
        self.link.hint_text = t("import.link_hint")
        self.link_button.content = t("import.link_add")
        self.open_existing_button.content = t("import.open_existing")
        self.open_existing_box.visible = self._existing_id is not None and not self._busy
        self.status.show_error(self.state.render(self._error) if self._error else None)
        if self._busy:
            self.status.show_busy(t("import.busy"))

    def leave(self) -> bool:
        """A file or link being checked and stored must finish first (then the detail opens)."""
        return not self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.choose_button.disabled = busy
        self.link.disabled = busy
        self.link_button.disabled = busy
        self.back_button.disabled = busy
        if not busy:
            self.status.hide_busy()

    async def _choose(self, _e: Any) -> AsyncIterator[None]:
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        self._error, self._existing_id = None, None
        try:
            picked = await pick_file()
        except FileTooLargeError:
            self._error, picked = Message("file.too_large"), None
        except Exception as exc:  # the browser's picker failed: said, never a traceback
            log_failure(log, "pick a file", exc)
            self._error, picked = error_message(exc), None
        if picked is None:  # cancelled, or too large (said above)
            self.relabel()
            return
        self._set_busy(True)
        self.relabel()
        yield
        stored = await self._import(picked.data, picked.name, unreadable="import.unreadable")
        await self._finish(stored, wallet)

    async def _add_link(self, _e: Any = None) -> AsyncIterator[None]:
        """The link typed or pasted: an Open Badge 2.0 hosted assertion, fetched and checked."""
        wallet = self.state.wallet
        if self._busy or wallet is None:
            return
        self._error, self._existing_id = None, None
        url = _with_lowercase_scheme((self.link.value or "").strip())
        if not url:
            self._error = Message("import.link_empty")
        elif not _looks_like_web_address(url):
            self._error = Message("import.link_invalid")
        if self._error is not None:
            self.relabel()
            return
        self._set_busy(True)
        self.relabel()
        yield
        stored = await self._import(url, None, unreadable="import.link_unreadable")
        await self._finish(stored, wallet)

    async def _finish(self, stored: StoredCredential | None, wallet: object) -> None:
        """After the import: the new credential opens, unless the wallet changed meanwhile."""
        self._set_busy(False)
        if stored is not None and self.state.wallet is wallet:
            await self._on_imported(stored.id)
            return
        self.relabel()

    async def _import(
        self, data: bytes | str, name: str | None, *, unreadable: str
    ) -> StoredCredential | None:
        wallet = self.state.wallet
        if wallet is None:
            return None
        done = await run_blocking(log, "import credential", wallet.import_credential, data, name)
        if not isinstance(done, Failed):
            return done
        self._error = done.message
        if isinstance(done.error, MalformedCredentialError):
            # Its general text speaks of what an institution sent; here the holder chose it.
            self._error = Message(unreadable)
        if isinstance(done.error, DuplicateCredentialError):
            self._existing_id = done.error.existing_id
        return None

    def _forget_error(self, _e: Any) -> None:
        if self._error is not None and not self._busy:
            self._error, self._existing_id = None, None
            self.relabel()

    async def _open_existing(self, _e: Any) -> None:
        if self._existing_id is not None and not self._busy:
            await self._on_imported(self._existing_id)

    async def _back(self, _e: Any = None) -> None:
        if not self._busy:
            await self._on_back()


def _with_lowercase_scheme(text: str) -> str:
    """The address as a phone keyboard capitalises it ("Https://...") is the same one."""
    scheme, sep, rest = text.partition("://")
    return f"{scheme.lower()}{sep}{rest}" if sep and scheme.isalpha() else text


def _looks_like_web_address(text: str) -> bool:
    """An address the wallet could fetch (plain http is refused by its policy, in words)."""
    return text.startswith(("https://", "http://")) and not any(c.isspace() for c in text)


async def import_screen(state: SessionState, go: Callable[[str], Awaitable[None]]) -> ImportScreen:
    """The screen at ``routes.IMPORT``: back goes home, an imported credential opens."""
    return ImportScreen(
        state,
        on_back=lambda: go(routes.HOME),
        on_imported=lambda cid: go(routes.credential(cid)),
    )
