"""Markdown an issuer wrote (an Open Badge's description and criteria), shown safely.

Open Badges 3.0 says ``description`` and ``criteria.narrative`` are Markdown, and a badge
comes from outside the wallet, so what it can make the screen do is limited:

- no raw HTML: every ``<`` is escaped, so a tag (and an autolink) is shown as text;
- no images: every ``![`` is escaped, so ``![alt](url)`` becomes an ordinary link and nothing
  is fetched when the text is drawn (a remote image would tell its server who opened the
  badge, and when);
- links never open by themselves (``auto_follow_links`` stays off): a tap asks first and
  shows the address, since the text of a link can claim any destination; only https
  addresses are opened, through the browser (UrlLauncher), never fetched by the wallet.

Flet's Markdown is given the plain extension set (``NONE``): no GitHub autolinking of bare
addresses, no inline-HTML syntax.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import flet as ft

from app.components.dialog import close_dialog, open_dialog

log = logging.getLogger(__name__)

Translate = Callable[..., str]

_IMAGE = re.compile(r"!(?=\[)")


def safe_markdown(text: str) -> str:
    """``text`` with raw HTML and images turned into plain text (see the module docstring)."""
    return _IMAGE.sub(r"\\!", text.replace("<", r"\<"))


def is_openable(url: str) -> bool:
    """Only https links with a host are opened, and only after the holder says so."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def markdown_text(text: str, key: str, t: Translate) -> ft.Markdown:
    """The issuer's Markdown, selectable, its links opened only on confirmation."""

    async def tapped(e: Any) -> None:
        await confirm_link(e.control.page, str(e.data or ""), t)

    return ft.Markdown(
        value=safe_markdown(text),
        key=key,
        selectable=True,
        extension_set=ft.MarkdownExtensionSet.NONE,
        auto_follow_links=False,
        on_tap_link=tapped,
    )


async def confirm_link(page: ft.Page, url: str, t: Translate) -> None:
    """Ask before a link leaves the wallet; say plainly when it will not be opened."""
    dialog: ft.AlertDialog | None = None

    def cancel(_e: Any) -> None:
        close_dialog(page, dialog)
        page.update()

    async def go(_e: Any) -> None:
        close_dialog(page, dialog)
        page.update()
        try:
            await ft.UrlLauncher().launch_url(url)
        except Exception as exc:  # the address is on screen; the holder can copy it
            log.info("could not open a link: %s", type(exc).__name__)

    actions: list[ft.Control] = [
        ft.TextButton(key="link-cancel-btn", content=t("common.cancel"), on_click=cancel)
    ]
    if is_openable(url):
        body = t("badge.link.ask")
        actions.append(
            ft.FilledButton(key="link-open-btn", content=t("badge.link.open"), on_click=go)
        )
    else:
        body = t("badge.link.refused")
    dialog = ft.AlertDialog(
        modal=True,
        title=ft.Text(t("badge.link.title")),
        content=ft.Column(
            [ft.Text(body), ft.Text(url[:500], key="link-url", selectable=True)],
            tight=True,
            spacing=8,
        ),
        actions=[ft.Semantics(identifier=str(a.key), content=a) for a in actions],
    )
    open_dialog(page, dialog)
