"""One credential in the home list: logo, title, issuer, the issuer's colours, a status mark.

Logos were fetched when the credential arrived (wallet_core.oid4vci.logos), so a card
never goes to the network. An Open Badge's own picture (its achievement ``image``, stored as
``display["image"]`` with the fetched copy among the logos) comes before the issuer's logos:
it is what the holder recognises the badge by.

Colours come from the credential's display metadata (``background_color`` /
``text_color``); without both, the card uses the theme's calm container colours so text
stays readable in light and dark mode. An expired, revoked or suspended credential gets a
clear, translated mark, never only a colour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import flet as ft

from app.components.claim_list import Translate, pick_display
from wallet_core import CredentialStatus, StatusState, logo_bytes

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def card_colors(display: Mapping[str, Any] | None, locale: str) -> tuple[str, str] | None:
    """(background, text) from the credential display, only when both are valid hex."""
    if not isinstance(display, Mapping):
        return None
    chosen = pick_display(display.get("credential"), locale)
    if chosen is None:
        return None
    bg, fg = chosen.background_color, chosen.text_color
    if isinstance(bg, str) and isinstance(fg, str) and _HEX.match(bg) and _HEX.match(fg):
        return bg, fg
    return None


def card_logo(
    display: Mapping[str, Any] | None, locale: str, alt: str = ""
) -> tuple[bytes, str] | None:
    """(image, alt text): a badge's picture, else the credential's own logo, else the
    issuer's; None without one. ``alt`` names a badge's picture (its achievement name)."""
    if not isinstance(display, Mapping) or not isinstance(display.get("logos"), Mapping):
        return None
    logos = display["logos"]
    badge = logos.get(display.get("image")) if isinstance(display.get("image"), str) else None
    image = logo_bytes(badge) if isinstance(badge, str) else None
    if image is not None:
        return image, alt
    for part in ("credential", "issuer"):
        chosen = pick_display(display.get(part), locale)
        stored = logos.get(chosen.logo_uri) if chosen is not None and chosen.logo_uri else None
        image = logo_bytes(stored) if isinstance(stored, str) else None
        if image is not None and chosen is not None:
            return image, chosen.logo_alt or chosen.name
    return None


def issuer_label(name: str) -> str:
    """An issuer as a person reads it: a ``did:web`` by its host, any other DID not at all
    (a string of key material says nothing; the caller falls back to "unknown issuer")."""
    if not name.startswith("did:"):
        return name
    if name.startswith("did:web:"):
        return unquote(name.removeprefix("did:web:").split(":")[0])
    return ""


def logo_or_icon(logo: tuple[bytes, str] | None, color: str, size: int = 40) -> ft.Control:
    if logo is None:
        return ft.Icon(ft.Icons.SCHOOL_OUTLINED, color=color)
    image, alt = logo
    return ft.Image(
        src=image,
        width=size,
        height=size,
        fit=ft.BoxFit.CONTAIN,
        border_radius=8,
        semantics_label=alt or None,
    )


def status_mark(
    status: CredentialStatus, expires_at: datetime | None, now: datetime | None = None
) -> str | None:
    """``revoked`` / ``suspended`` / ``expired`` (worst first), or None when fine."""
    if status.state == StatusState.INVALID:
        return "revoked"
    if status.state == StatusState.SUSPENDED:
        return "suspended"
    if expires_at is not None and expires_at <= (now or datetime.now(UTC)):
        return "expired"
    return None


def mark_chip(mark: str, t: Translate, key: str) -> ft.Control:
    icon = {
        "revoked": ft.Icons.BLOCK,
        "suspended": ft.Icons.PAUSE_CIRCLE_OUTLINE,
        "expired": ft.Icons.EVENT_BUSY,
    }[mark]
    return ft.Container(
        key=key,
        bgcolor=ft.Colors.ERROR_CONTAINER,
        border_radius=12,
        padding=ft.Padding.symmetric(horizontal=8, vertical=4),
        content=ft.Row(
            [
                ft.Icon(icon, size=16, color=ft.Colors.ON_ERROR_CONTAINER),
                ft.Text(
                    t(f"status.mark.{mark}"),
                    color=ft.Colors.ON_ERROR_CONTAINER,
                    theme_style=ft.TextThemeStyle.LABEL_MEDIUM,
                ),
            ],
            spacing=4,
            tight=True,
        ),
    )


def credential_card(
    *,
    credential_id: str,
    title: str,
    issuer: str,
    colors: tuple[str, str] | None,
    mark: str | None,
    t: Translate,
    on_open: Callable[[str], Any] | None,
    logo: tuple[bytes, str] | None = None,
    line: str = "",
) -> ft.Semantics:
    """A tappable card; ``.content`` is the ListTile: the title, then the institution and
    ``line`` (kind · EC · EQF · date, :mod:`app.components.card_line`) under it."""
    bg, fg = colors if colors else (ft.Colors.SECONDARY_CONTAINER, ft.Colors.ON_SECONDARY_CONTAINER)

    async def open_(_e: Any) -> None:
        if on_open is not None:
            await on_open(credential_id)

    tile = ft.ListTile(
        key=f"cred-{credential_id}",
        bgcolor=bg,
        shape=ft.RoundedRectangleBorder(radius=16),
        content_padding=ft.Padding.symmetric(horizontal=16, vertical=10),
        leading=logo_or_icon(logo, fg),
        title=ft.Text(title, weight=ft.FontWeight.W_600, color=fg),
        subtitle=ft.Column(
            [
                ft.Text(issuer, key=f"card-issuer-{credential_id}", color=fg),
                ft.Text(
                    line,
                    key=f"card-line-{credential_id}",
                    color=fg,
                    theme_style=ft.TextThemeStyle.BODY_SMALL,
                    visible=bool(line),
                ),
            ],
            spacing=0,
            tight=True,
        ),
        trailing=mark_chip(mark, t, f"mark-{credential_id}") if mark else None,
        on_click=open_ if on_open is not None else None,
    )
    return ft.Semantics(identifier=f"cred-{credential_id}", button=True, content=tile)
