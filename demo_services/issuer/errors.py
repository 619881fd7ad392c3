"""OAuth / OpenID4VCI error responses: one exception, turned into JSON by the app.

Error bodies are ``{"error": code, "error_description": text}`` (RFC 6749 §5.2, OpenID4VCI
§8.3.1.2) with ``Cache-Control: no-store``. Descriptions stay within the ASCII subset the
specs allow (no ``"`` or ``\\``), because wallets may show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    def __init__(
        self,
        error: str,
        description: str,
        status: int = 400,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        body = {"error": self.error, "error_description": _ascii(self.description), **self.extra}
        return JSONResponse(body, self.status, headers={**NO_STORE, **self.headers})


def invalid_token(
    description: str = "the access token is missing, unknown or expired",
) -> OAuthError:
    """RFC 6750 §3: 401 with a ``WWW-Authenticate`` challenge."""
    return OAuthError(
        "invalid_token",
        description,
        401,
        headers={
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'
        },
    )


def _ascii(text: str) -> str:
    allowed = "".join(ch for ch in text if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\')
    return allowed
