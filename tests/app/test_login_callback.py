"""The loopback listener that catches the institution's redirect after a login."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from app.login_callback import LoginCallback, LoginCancelledError


def test_hands_over_the_first_redirect_and_answers_the_browser(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        callback = LoginCallback(title="Logged <in>", body="Go back")
        try:
            uri = callback.redirect_uri
            assert uri.startswith("http://127.0.0.1:") and uri.endswith("/callback")
            async with httpx.AsyncClient(timeout=5) as http:
                other = await http.get(uri.replace("/callback", "/elsewhere"))
                assert other.status_code == 404
                page = await http.get(f"{uri}?code=SECRET-CODE&state=s1")
                assert page.status_code == 200 and "Logged &lt;in&gt;" in page.text
                assert page.headers["cache-control"] == "no-store"
                await http.get(f"{uri}?code=LATER&state=s2")
            assert await callback.wait(5) == f"{uri}?code=SECRET-CODE&state=s1"
        finally:
            callback.close()

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    # (the test's own http client logs its request line; the listener logs nothing)
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not [r for r in ours if "SECRET-CODE" in r.getMessage()]


def test_cancel_and_timeout() -> None:
    async def scenario() -> None:
        callback = LoginCallback(title="t", body="b")
        try:
            with pytest.raises(TimeoutError):
                await callback.wait(0.05)
            callback.cancel()
            with pytest.raises(LoginCancelledError):
                await callback.wait(5)
        finally:
            callback.close()
        with pytest.raises(httpx.ConnectError):
            httpx.get(callback.redirect_uri, timeout=2)

    asyncio.run(scenario())


def test_a_redirect_under_another_host_name_is_refused() -> None:
    """A DNS-rebound name (Host: evil.example) must not deliver a redirect."""

    async def scenario() -> None:
        callback = LoginCallback(title="t", body="b")
        try:
            uri = callback.redirect_uri
            async with httpx.AsyncClient(timeout=5) as http:
                forged = await http.get(
                    f"{uri}?code=FORGED&state=s", headers={"Host": "evil.example"}
                )
                assert forged.status_code == 421
                await http.get(f"{uri}?code=REAL&state=s")
            assert await callback.wait(5) == f"{uri}?code=REAL&state=s"
        finally:
            callback.close()

    asyncio.run(scenario())
