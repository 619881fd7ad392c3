"""Opening the app with a link to act on: ``/?offer=<offer link>`` or ``/?request=<request>``.

A web app cannot own the ``openid-credential-offer://`` or ``openid4vp://`` schemes, so an
institution's or employer's page links to the wallet's address with the whole link as a
query parameter instead. The link is kept until the wallet is unlocked, then put in the
Receive or Share screen's field for the user to continue with; nothing is fetched before.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

MAX_LINK_LENGTH = 16 * 1024  # a request object by value is the longest we expect


@dataclass(frozen=True)
class DeepLink:
    kind: str  # "offer" or "request"
    link: str


def deep_link(route: str | None) -> DeepLink | None:
    """The link in the app's start address, if it holds exactly one that is usable."""
    if not route or len(route) > 3 * MAX_LINK_LENGTH:
        return None
    query = parse_qs(urlsplit(route).query, max_num_fields=4)
    found = [
        DeepLink(kind, values[0].strip())
        for kind in ("offer", "request")
        if len(values := query.get(kind, [])) == 1
    ]
    if len(found) != 1 or not found[0].link or len(found[0].link) > MAX_LINK_LENGTH:
        return None
    return found[0]
