"""Add a credential from a file: an Open Badge the student downloaded (JSON with a proof,
a VC-JWT, or a badge picture with the credential baked into it).

"Choose a file" -> the browser's file picker -> ``Wallet.import_credential`` (in a thread:
it checks the proof, and may resolve the issuer's DID or fetch its picture) -> the new
credential's detail. A refused file is said in words and nothing is stored; a credential
that is already in the wallet can be opened from here.

The file is handed over as bytes, with its name as a hint: wallet_core decides what it is
(a PNG or SVG is searched for a baked credential, anything else is read as text), so the
screen does not guess by extension.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import flet as ft

from app import routes
from app.components.back_bar import back_bar
from app.components.blocking import Failed, run_blocking
from app.components.files import FileTooLargeError, PickedFile, pick_file
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
        self.open_existing_button.content = t("import.open_existing")
        self.open_existing_box.visible = self._existing_id is not None and not self._busy
        self.status.show_error(self.state.render(self._error) if self._error else None)
        if self._busy:
            self.status.show_busy(t("import.busy"))

    def leave(self) -> bool:
        """A file being checked and stored must finish first (then the detail opens)."""
        return not self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.choose_button.disabled = busy
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
        stored = await self._import(picked)
        self._set_busy(False)
        if stored is not None and self.state.wallet is wallet:
            await self._on_imported(stored.id)
            return
        self.relabel()

    async def _import(self, picked: PickedFile) -> StoredCredential | None:
        wallet = self.state.wallet
        if wallet is None:
            return None
        done = await run_blocking(
            log,
            "import credential",
            wallet.import_credential,
            picked.data,
            picked.name,
        )
        if not isinstance(done, Failed):
            return done
        self._error = done.message
        if isinstance(done.error, MalformedCredentialError):
            # Its general text speaks of what an institution sent; here the holder chose it.
            self._error = Message("import.unreadable")
        if isinstance(done.error, DuplicateCredentialError):
            self._existing_id = done.error.existing_id
        return None

    async def _open_existing(self, _e: Any) -> None:
        if self._existing_id is not None and not self._busy:
            await self._on_imported(self._existing_id)

    async def _back(self, _e: Any = None) -> None:
        if not self._busy:
            await self._on_back()


async def import_screen(state: SessionState, go: Callable[[str], Awaitable[None]]) -> ImportScreen:
    """The screen at ``routes.IMPORT``: back goes home, an imported credential opens."""
    return ImportScreen(
        state,
        on_back=lambda: go(routes.HOME),
        on_imported=lambda cid: go(routes.credential(cid)),
    )
