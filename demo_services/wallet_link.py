"""The "Open in wallet" link of the demo pages.

On a phone a wallet app owns the ``openid-credential-offer://`` and ``openid4vp://``
schemes; the browser app cannot, so when the demo runs beside it (``scripts/run --demo``)
the pages link to the app's own address with the link as a query parameter
(``/?offer=...``, ``/?request=...``, see ``app.deep_link``) instead."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote


def open_in_wallet(link: str, wallet_url: str | None, kind: Literal["offer", "request"]) -> str:
    """``link`` as the wallet at ``wallet_url`` opens it; the bare link without one."""
    if not wallet_url:
        return link
    return f"{wallet_url.rstrip('/')}/?{kind}={quote(link, safe='')}"
