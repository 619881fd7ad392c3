"""Request parsing and response helpers shared by the endpoints.

Forms are parsed here rather than with ``request.form()``, which needs the optional
python-multipart package; OAuth only ever sends ``application/x-www-form-urlencoded``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from demo_services.issuer.errors import NO_STORE, OAuthError

MAX_BODY = 64 * 1024
FORM = "application/x-www-form-urlencoded"

# The HTML pages: no framing (the login page must not be clickjacked), no referrer (codes
# and offers travel in URLs), scripts off entirely.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _body(request: Request, error: str) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise OAuthError(error, "the request body is too large", 413)
    return body


async def read_form(request: Request, error: str = "invalid_request") -> dict[str, str]:
    """A form body as a dict; a repeated parameter is an error (RFC 6749 §3.1)."""
    if media_type(request) != FORM:
        raise OAuthError(error, f"the body must be {FORM}")
    try:
        text = (await _body(request, error)).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError(error, "the form body is malformed") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise OAuthError(error, f"the parameter {name} is repeated")
        form[name] = value
    return form


async def read_json(request: Request, error: str) -> dict[str, Any]:
    if media_type(request) != "application/json":
        raise OAuthError(error, "the body must be application/json")
    try:
        value = json.loads(await _body(request, error))
    except (ValueError, RecursionError) as exc:
        raise OAuthError(error, "the body is not JSON") from exc
    if not isinstance(value, dict):
        raise OAuthError(error, "the body must be a JSON object")
    return value


def no_store_json(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status, headers={**NO_STORE, **(headers or {})})


def page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status, headers=_PAGE_HEADERS)


def no_content() -> Response:
    return Response(status_code=204, headers=NO_STORE)
