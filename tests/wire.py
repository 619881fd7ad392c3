"""What the wallet sent and got back, seen at its httpx transport (the one seam where tests
may stand between the wallet and a real server), and a JWT's parts read without checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from wallet_core.crypto.jwk import b64url_decode

ChangeRequest = Callable[[httpx.Request], httpx.Request | None]
ChangeResponse = Callable[[httpx.Request, httpx.Response], httpx.Response | None]


@dataclass(frozen=True)
class Exchange:
    request: httpx.Request
    response: httpx.Response  # read: its content is at hand

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def scheme(self) -> str:
        """Of the Authorization header, "" without one."""
        return self.request.headers.get("authorization", "").partition(" ")[0]

    @property
    def proved(self) -> bool:
        """Carried a DPoP proof."""
        return "dpop" in self.request.headers

    @property
    def nonce(self) -> str | None:
        """The DPoP proof's nonce."""
        proof = self.request.headers.get("dpop")
        return jwt_part(proof, 1).get("nonce") if proof else None


class Wire(httpx.HTTPTransport):
    """Passes every request to the real server and notes each exchange. ``change_request``
    may replace a request on its way out, ``change_response`` an answer on its way back (to
    stand in for a wallet or a server that got something wrong); ``None`` keeps it."""

    def __init__(
        self,
        change_request: ChangeRequest | None = None,
        change_response: ChangeResponse | None = None,
    ) -> None:
        super().__init__()
        self.seen: list[Exchange] = []
        self._change_request = change_request
        self._change_response = change_response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._change_request is not None:
            request = self._change_request(request) or request
        response = super().handle_request(request)
        response.read()
        self.seen.append(Exchange(request, response))
        if self._change_response is not None:
            return self._change_response(request, response) or response
        return response

    def of(self, path: str) -> list[Exchange]:
        return [e for e in self.seen if e.path == path]


def jwt_part(token: str, index: int) -> dict[str, Any]:
    """The header (0) or payload (1) of a compact JWS, unverified: for looking, not trust."""
    decoded: dict[str, Any] = json.loads(b64url_decode(token.split(".")[index]))
    return decoded


def with_json(
    response: httpx.Response, change: Callable[[dict[str, Any]], object]
) -> httpx.Response:
    """The same answer with its JSON body changed in place by ``change``."""
    document = json.loads(response.content)
    change(document)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    content = json.dumps(document).encode()
    return httpx.Response(response.status_code, headers=headers, content=content)
