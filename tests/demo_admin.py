"""The demo issuer's admin API, driven as its web page's buttons drive it (tests only)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

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


class _LoginForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and "/login" in values.get("action", ""):
            self.action = values["action"]
        if tag == "input" and values.get("type") == "hidden" and "name" in values:
            self.fields[values["name"]] = values.get("value", "")


def log_in(url: str, *, deny: bool = False) -> str:
    """Drive the institution's login page like a browser would (the demo student, or
    "deny"); return where it redirects to."""
    with httpx.Client(timeout=10, follow_redirects=False) as browser:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        form = _LoginForm()
        form.feed(page.text)
        answer = {"action": "deny"} if deny else {"student_number": "s1234567", "password": "demo"}
        response = browser.post(urljoin(url, form.action), data={**form.fields, **answer})
        assert response.status_code in (302, 303), response.text
        return str(response.headers["location"])
