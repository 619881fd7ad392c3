"""The demo issuer's admin API, driven as its web page's buttons drive it (tests only)."""

from __future__ import annotations

from typing import Any

import httpx

from demo_services.serving import BackgroundServer
from wallet_core.crypto import generate

ISSUER_KEY = generate("ES256")  # the demo issuer's key in tests, so forgeries can be exact


class Admin:
    """The issuer's admin API, as its web page's buttons use it."""

    def __init__(self, server: BackgroundServer) -> None:
        self.base = server.base_url
        self.http = httpx.Client(timeout=10)

    def offer(
        self, configuration_id: str = "mc-circulair-ontwerpen", **options: Any
    ) -> dict[str, Any]:
        response = self.http.post(
            f"{self.base}/admin/offers",
            json={"configuration_ids": [configuration_id], **options},
        )
        response.raise_for_status()
        return dict(response.json())

    def post(self, path: str) -> httpx.Response:
        response = self.http.post(f"{self.base}{path}", json={})
        response.raise_for_status()
        return response

    def notifications(self) -> list[dict[str, Any]]:
        return list(self.http.get(f"{self.base}/admin/notifications").json())
