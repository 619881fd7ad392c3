"""Logos fetched at receipt: only checked images (an SVG drawn into a PNG), within the size
cap, by policy."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
from PIL import Image

from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vci.logos import MAX_LOGO_BYTES, fetch_logos, logo_bytes


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, format="PNG")
    return out.getvalue()


PNG = png()
FILES = {
    "/logo.png": ("image/png", PNG),
    "/logo.svg": (
        "image/svg+xml",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'>"
        b"<rect width='8' height='8' fill='#cc0000'/></svg>",
    ),
    "/script.svg": (
        "image/svg+xml",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'><script>x()</script></svg>",
    ),
    "/fake.png": ("image/png", b"<html>not a png</html>"),
    "/huge.png": ("image/png", PNG + b"\0" * MAX_LOGO_BYTES),
}


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path not in FILES:
        return httpx.Response(404)
    media_type, body = FILES[request.url.path]
    return httpx.Response(200, content=body, headers={"content-type": media_type})


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(HttpPolicy(), transport=httpx.MockTransport(handler))


def test_a_png_is_kept_as_a_data_uri(client: HttpClient) -> None:
    uri = "https://issuer.example/logo.png"
    logos = fetch_logos(client, [uri, uri, ""])
    assert list(logos) == [uri]  # each logo once
    assert logos[uri].startswith("data:image/png;base64,")
    assert logo_bytes(logos[uri]) == PNG


@pytest.mark.parametrize(
    "uri",
    [
        "https://issuer.example/script.svg",  # an SVG that does more than show a picture
        "https://issuer.example/fake.png",  # says PNG, is not
        "https://issuer.example/huge.png",  # over the cap
        "https://issuer.example/missing.png",  # 404
        "http://issuer.example/logo.png",  # not https
        "data:text/html;base64,PGgxPg==",
        "data:image/png;base64,not base64!",
    ],
)
def test_anything_else_is_left_out_without_failing(client: HttpClient, uri: str) -> None:
    assert fetch_logos(client, [uri]) == {}


def test_an_svg_logo_is_kept_as_the_png_it_draws(client: HttpClient) -> None:
    uri = "https://issuer.example/logo.svg"
    kept = fetch_logos(client, [uri])[uri]
    assert kept.startswith("data:image/png;base64,")
    drawn = Image.open(io.BytesIO(logo_bytes(kept) or b""))
    assert drawn.size == (256, 256) and drawn.convert("RGB").getpixel((128, 128)) == (204, 0, 0)
    inline = "data:image/svg+xml;base64," + base64.b64encode(FILES["/logo.svg"][1]).decode()
    assert fetch_logos(client, [inline])[inline].startswith("data:image/png;base64,")


def test_an_inline_data_uri_is_checked_too(client: HttpClient) -> None:
    inline = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert fetch_logos(client, [inline]) == {inline: inline}
    assert logo_bytes("data:image/gif;base64,AAAA") is None


def test_fetched_logos_are_cached_for_the_next_credential() -> None:
    from wallet_core.clock import ManualClock
    from wallet_core.trust.cache import MetadataCache

    class Cache:
        def __init__(self) -> None:
            self.entries: dict[tuple[str, str], Any] = {}

        def get(self, namespace: str, key: str) -> Any:
            return self.entries.get((namespace, key))

        def put(
            self, namespace: str, key: str, value: Any, now: float, expires_at: float | None
        ) -> None:
            from wallet_core.storage.cache import CacheEntry

            self.entries[(namespace, key)] = CacheEntry(value, now, expires_at)

    calls: list[str] = []

    def counting(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return handler(request)

    cache: MetadataCache = Cache()
    clock = ManualClock(1_000.0)
    uri = "https://issuer.example/logo.png"
    with HttpClient(HttpPolicy(), transport=httpx.MockTransport(counting)) as client:
        first = fetch_logos(client, [uri], cache=cache, clock=clock)
        again = fetch_logos(client, [uri], cache=cache, clock=clock)
    assert first == again and len(calls) == 1
