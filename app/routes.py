"""The app's addresses: one per screen, so the browser's Back and Forward move between
screens and a reload comes back to the same one (after unlocking).

Every address is defined here and nowhere else. A locked wallet shows the unlock screen
at whatever address the tab is on; no address opens anything without the PIN.

A credential's address holds its vault id (a random identifier, no claim value), so the
browser's history says which credential was opened, not what it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

HOME = "/"
RECEIVE = "/receive"
IMPORT = "/import"  # add a credential from a file
SHARE = "/share"
ACTIVITY = "/activity"
SETTINGS = "/settings"
SETTINGS_RESTORE = "/settings/restore"  # replace this wallet with a backup
RESTORE = "/restore"  # set-up: a new wallet from a backup

_CREDENTIAL = re.compile(r"/credential/([A-Za-z0-9_-]{1,128})(/qr)?")
_FIXED = {HOME, RECEIVE, IMPORT, SHARE, ACTIVITY, SETTINGS, SETTINGS_RESTORE, RESTORE}


def credential(credential_id: str) -> str:
    return f"/credential/{credential_id}"


def credential_qr(credential_id: str) -> str:
    return f"/credential/{credential_id}/qr"


@dataclass(frozen=True)
class Place:
    """Where an address leads: a fixed screen, or a credential's detail or its QR."""

    path: str  # one of the constants above, or credential(...) / credential_qr(...)
    credential_id: str | None = None
    qr: bool = False


def place(route: str | None) -> Place:
    """The screen an address names; anything unknown is home."""
    path = urlsplit(route or HOME).path or HOME
    if len(path) > 1:
        path = path.rstrip("/")
    if path in _FIXED:
        return Place(path)
    if found := _CREDENTIAL.fullmatch(path):
        cid, qr = found.group(1), found.group(2) is not None
        return Place(credential_qr(cid) if qr else credential(cid), cid, qr)
    return Place(HOME)
