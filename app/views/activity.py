"""The wallet's history: what was added, shared, declined or deleted, newest first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import flet as ft

from app.components.back_bar import back_bar
from app.components.claim_list import format_date
from app.components.layout import phone_view
from app.i18n import has_key
from app.state import SessionState
from wallet_core import ActivityEntry, Wallet

ICONS: dict[str, ft.IconData] = {
    "wallet_created": ft.Icons.ACCOUNT_BALANCE_WALLET_OUTLINED,
    "credential_added": ft.Icons.ADD_CARD,
    "credential_imported": ft.Icons.UPLOAD_FILE,
    "credential_linked": ft.Icons.ADD_LINK,
    "credential_pending": ft.Icons.HOURGLASS_TOP,
    "credential_deleted": ft.Icons.DELETE_OUTLINE,
    "presentation_sent": ft.Icons.SEND,
    "presentation_shown": ft.Icons.QR_CODE_2,
    "presentation_declined": ft.Icons.BLOCK,
    "presentation_rejected": ft.Icons.ERROR_OUTLINE,
    "pin_changed": ft.Icons.PASSWORD,
}


# The filter's groups; every kind not named here shows under "wallet".
GROUPS: dict[str, frozenset[str]] = {
    "received": frozenset(
        {
            "credential_added",
            "credential_imported",
            "credential_linked",
            "credential_pending",
            "wallet_restored",
        }
    ),
    "shared": frozenset(
        {
            "presentation_sent",
            "presentation_shown",
            "presentation_declined",
            "presentation_rejected",
        }
    ),
}
FILTERS = ("all", "received", "shared", "wallet")


def in_group(kind: str, group: str) -> bool:
    if group == "all":
        return True
    if group == "wallet":
        return not any(kind in kinds for kinds in GROUPS.values())
    return kind in GROUPS.get(group, frozenset())


def load_activity(wallet: Wallet) -> list[ActivityEntry]:
    """Blocking: every entry, newest first."""
    return sorted(wallet.activity(), key=lambda e: (e.at, e.id), reverse=True)


class ActivityScreen:
    def __init__(
        self,
        state: SessionState,
        entries: Sequence[ActivityEntry],
        *,
        on_back: Callable[[], Awaitable[None]],
    ) -> None:
        self.state = state
        self.entries = list(entries)
        self._on_back = on_back
        bar = back_bar(self._back)
        self.appbar, self.title, self.back_button = bar.appbar, bar.title, bar.back_button
        self.empty = ft.Text(key="activity-empty", text_align=ft.TextAlign.CENTER)
        self.list = ft.Column(key="activity-list", spacing=0)
        self.filter_labels = {group: ft.Text() for group in FILTERS}
        self.filter = ft.SegmentedButton(
            key="activity-filter",
            selected=["all"],
            allow_empty_selection=False,
            allow_multiple_selection=False,
            show_selected_icon=False,
            segments=[
                ft.Segment(
                    value=group,
                    label=ft.Semantics(
                        identifier=f"activity-filter-{group}", content=self.filter_labels[group]
                    ),
                )
                for group in FILTERS
            ],
            on_change=self._filter_changed,
        )
        self.view = phone_view([self.filter, self.empty, self.list], appbar=self.appbar, top=16)
        self.relabel()

    def relabel(self) -> None:
        t = self.state.t
        self.title.value = t("activity.title")
        self.back_button.tooltip = t("common.back")
        for group, label in self.filter_labels.items():
            label.value = t(f"activity.filter.{group}")
        group = (self.filter.selected or ["all"])[0]
        shown = [e for e in self.entries if in_group(e.kind, group)]
        self.empty.value = t("activity.empty" if not self.entries else "activity.none_in_filter")
        self.empty.visible = not shown
        self.list.controls = [self._row(e) for e in shown]

    def _row(self, entry: ActivityEntry) -> ft.Control:
        t = self.state.t
        kind_key = f"activity.kind.{entry.kind}"
        title = t(kind_key) if has_key(kind_key) else entry.kind
        lines = [format_date(entry.at, t, with_time=True)]
        if entry.counterparty_name:
            lines.append(t("activity.with", name=entry.counterparty_name))
        claims = entry.details.get("claims") if entry.details else None
        if isinstance(claims, list) and claims:
            names = [_claim_name(str(c), t) for c in claims]
            lines.append(t("activity.claims", claims=", ".join(names)))
        return ft.ListTile(
            key=f"activity-{entry.id}",
            leading=ft.Icon(ICONS.get(entry.kind, ft.Icons.HISTORY), color=ft.Colors.PRIMARY),
            title=ft.Text(title, key=f"activity-kind-{entry.id}"),
            subtitle=ft.Text("\n".join(lines), key=f"activity-detail-{entry.id}"),
            content_padding=ft.Padding.symmetric(horizontal=0, vertical=4),
        )

    def _filter_changed(self, _e: Any) -> None:
        self.relabel()

    async def _back(self, _e: Any = None) -> None:
        await self._on_back()


def _claim_name(name: str, t: Callable[..., str]) -> str:
    key = f"detail.fact.{name}"
    return t(key) if has_key(key) else name
