"""Start addresses that carry an offer or a request link."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from app.deep_link import MAX_LINK_LENGTH, DeepLink, deep_link

OFFER = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Fo%2F1"


def test_offer_and_request_links_are_found() -> None:
    assert deep_link("/?" + urlencode({"offer": OFFER})) == DeepLink("offer", OFFER)
    assert deep_link("/?" + urlencode({"request": "openid4vp://?x=1"})) == DeepLink(
        "request", "openid4vp://?x=1"
    )


@pytest.mark.parametrize(
    "route",
    [
        None,
        "/",
        "/?offer=",
        "/?other=1",
        "/?" + urlencode({"offer": OFFER, "request": "openid4vp://?x=1"}),  # which one?
        "/?" + urlencode([("offer", OFFER), ("offer", OFFER + "2")]),
        "/?" + urlencode({"offer": "x" * (MAX_LINK_LENGTH + 1)}),
    ],
)
def test_anything_else_is_ignored(route: str | None) -> None:
    assert deep_link(route) is None
