"""Issuer and credential logos, fetched once when a credential arrives and kept with it.

Cards must render offline, and fetching a logo each time a card is shown would tell the
issuer when the student opens the wallet. So the logos named in the display metadata
(OpenID4VCI 1.0 §12.2.4, ``logo.uri``) are fetched at receipt, under the same URL policy
as every other request, and stored as ``data:`` URIs in the credential's display record.
A logo is decoration: one that cannot be fetched, is too large or is not an image this app
can draw is left out, and receiving goes on. An SVG (HAIP 1.0 §4.1) is checked strictly and
drawn once into a PNG (:mod:`~wallet_core.oid4vci.svg`): only the PNG is kept. Fetched
logos are kept in the vault's metadata cache (the trust cache's freshness rules), so the
next credential from the same institution does not fetch its logo again.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterable

from wallet_core.clock import Clock
from wallet_core.errors import WalletError
from wallet_core.http import HttpClient
from wallet_core.oid4vci import svg
from wallet_core.trust.cache import Fetched, MetadataCache, cached_fetch

log = logging.getLogger(__name__)

MAX_LOGO_BYTES = 256 * 1024
_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
SVG = "image/svg+xml"
ACCEPT = ", ".join([*_SIGNATURES, SVG])


CACHE_NAMESPACE = "logo"


def fetch_logos(
    client: HttpClient,
    uris: Iterable[str],
    *,
    cache: MetadataCache | None = None,
    clock: Clock | None = None,
) -> dict[str, str]:
    """``{logo uri: data URI}`` for every logo that could be fetched and checked."""
    logos: dict[str, str] = {}
    for uri in dict.fromkeys(u for u in uris if u):

        def load(uri: str = uri) -> Fetched:
            media_type, data, max_age = _load(client, uri)
            encoded = base64.b64encode(data).decode("ascii")
            return Fetched(f"data:{media_type};base64,{encoded}", max_age)

        try:
            if cache is not None and clock is not None and uri[:5].lower() != "data:":
                value, _ = cached_fetch(cache, clock, CACHE_NAMESPACE, uri, load)
                logos[uri] = str(value)
            else:
                logos[uri] = str(load().value)
        except (WalletError, ValueError) as exc:
            log.info("logo left out: %s", type(exc).__name__)
    return logos


def logo_bytes(data_uri: str) -> bytes | None:
    """The image inside a stored ``data:`` URI (as ``fetch_logos`` made it), or None."""
    try:
        media_type, data = _from_data_uri(data_uri)
    except ValueError:
        return None
    return data if media_type else None


def _load(client: HttpClient, uri: str) -> tuple[str, bytes, float | None]:
    if uri[:5].lower() == "data:":
        return (*_from_data_uri(uri), None)
    response = client.get(uri, accept=ACCEPT)
    return (*_checked(response.media_type or "", response.content), response.max_age())


def _from_data_uri(uri: str) -> tuple[str, bytes]:
    head, _, payload = uri.partition(",")
    if not head.lower().startswith("data:") or not head.lower().endswith(";base64"):
        raise ValueError("not a base64 data URI")
    if len(payload) > MAX_LOGO_BYTES * 4 // 3 + 4:
        raise ValueError("logo too large")
    try:
        data = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise ValueError("bad base64") from exc
    return _checked(head[5 : -len(";base64")].lower(), data)


def _checked(media_type: str, data: bytes) -> tuple[str, bytes]:
    if media_type == SVG:
        return _checked("image/png", svg.rasterise(data))
    signatures = _SIGNATURES.get(media_type)
    if signatures is None:
        raise ValueError("not a supported image type")
    if not data or len(data) > MAX_LOGO_BYTES:
        raise ValueError("logo empty or too large")
    if not data.startswith(signatures) or (media_type == "image/webp" and data[8:12] != b"WEBP"):
        raise ValueError("the bytes are not the image type declared")
    return media_type, data
