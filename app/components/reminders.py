"""Notices at the top of home: a credential that expires soon, one a status check found
revoked or suspended, and a backup that is missing or old.

Everything comes from what the wallet already knows (expiry dates, the last status it
checked, when a backup was made), so the notices are the same offline: nothing here goes
to the network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import flet as ft

from app.components.claim_list import Translate, format_date
from wallet_core import CredentialSummary, StatusState

EXPIRY_NOTICE = timedelta(days=60)
BACKUP_NOTICE = timedelta(days=90)


@dataclass(frozen=True)
class Reminder:
    kind: str  # "revoked", "suspended", "expiring", "backup_never", "backup_old"
    credential_id: str | None = None  # what tapping it opens; None: Settings (a backup)
    fmt: dict[str, str] = field(default_factory=dict)
    on: datetime | None = None  # the date it speaks of


def reminders(
    credentials: Sequence[CredentialSummary],
    last_backup: datetime | None,
    now: datetime | None = None,
) -> list[Reminder]:
    """The worst first: revoked and suspended, then expiring soonest, then the backup."""
    moment = now or datetime.now(UTC)
    found: list[Reminder] = []
    expiring: list[Reminder] = []
    for summary in credentials:
        title = {"title": summary.title}
        if summary.status.state is StatusState.INVALID:
            found.append(Reminder("revoked", summary.id, title))
        elif summary.status.state is StatusState.SUSPENDED:
            found.append(Reminder("suspended", summary.id, title))
        elif summary.expires_at and moment < summary.expires_at <= moment + EXPIRY_NOTICE:
            expiring.append(Reminder("expiring", summary.id, title, summary.expires_at))
    found += sorted(expiring, key=lambda r: r.on or moment)
    if credentials and last_backup is None:
        found.append(Reminder("backup_never"))
    elif credentials and last_backup is not None and moment - last_backup > BACKUP_NOTICE:
        found.append(Reminder("backup_old", on=last_backup))
    return found


_ICONS = {
    "revoked": ft.Icons.BLOCK,
    "suspended": ft.Icons.PAUSE_CIRCLE_OUTLINE,
    "expiring": ft.Icons.EVENT,
    "backup_never": ft.Icons.SAVE_OUTLINED,
    "backup_old": ft.Icons.SAVE_OUTLINED,
}


def reminder_text(reminder: Reminder, t: Translate) -> str:
    date = format_date(reminder.on, t) if reminder.on else ""
    return t(f"home.reminder.{reminder.kind}", date=date, **reminder.fmt)


def reminder_row(
    reminder: Reminder,
    t: Translate,
    *,
    on_open: Callable[[str], Awaitable[None]] | None,
    on_settings: Callable[[], Awaitable[None]] | None,
) -> ft.Control:
    """A tappable notice: a credential's opens it, the backup's opens Settings."""

    async def tapped(_e: Any) -> None:
        if reminder.credential_id is not None and on_open is not None:
            await on_open(reminder.credential_id)
        elif reminder.credential_id is None and on_settings is not None:
            await on_settings()

    key = f"reminder-{reminder.kind}"
    if reminder.credential_id is not None:
        key += f"-{reminder.credential_id}"
    urgent = reminder.kind in ("revoked", "suspended")
    return ft.Semantics(
        identifier=key,
        button=True,
        content=ft.Container(
            key=key,
            bgcolor=ft.Colors.ERROR_CONTAINER if urgent else ft.Colors.TERTIARY_CONTAINER,
            border_radius=12,
            padding=ft.Padding.symmetric(horizontal=12, vertical=10),
            on_click=tapped,
            content=ft.Row(
                [
                    ft.Icon(_ICONS[reminder.kind], size=20),
                    ft.Text(reminder_text(reminder, t), expand=True),
                ],
                spacing=10,
            ),
        ),
    )
