"""The verifier's offline challenge QR text (EWC1:)."""

from __future__ import annotations

import pytest

from wallet_core.errors import PresentationRequestError
from wallet_core.oid4vp.offline_challenge import OfflineChallenge, encode, is_challenge, read

GOOD = OfflineChallenge("https://werkgever.example", "n0nce-0123456789abcdef")


def test_round_trip() -> None:
    text = encode(GOOD)
    assert text == 'EWC1:{"aud":"https://werkgever.example","nonce":"n0nce-0123456789abcdef"}'
    assert is_challenge(text) and read(f"  {text}\n") == GOOD


@pytest.mark.parametrize(
    "text",
    [
        "",
        "EW1:AAAA",
        "EWC1:not json",
        'EWC1:["aud","nonce"]',
        'EWC1:{"aud":"https://v.example"}',
        'EWC1:{"aud":"https://v.example","nonce":"n0nce-0123456789abcdef","x":1}',
        'EWC1:{"aud":"https://v.example","nonce":"short"}',
        'EWC1:{"aud":"https://v.example","nonce":"has spaces in it, not ok"}',
        'EWC1:{"aud":"eduwallet:offline","nonce":"n0nce-0123456789abcdef"}',
        'EWC1:{"aud":123,"nonce":"n0nce-0123456789abcdef"}',
        "EWC1:" + "x" * 2000,
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(PresentationRequestError):
        read(text)
