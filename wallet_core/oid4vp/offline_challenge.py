"""A verifier's challenge for an offline presentation, read from its QR code.

Without a challenge an offline QR carries a nonce the wallet chose and the generic
``eduwallet:offline`` audience, so within its few minutes of freshness it could be shown
again to another verifier that accepts that audience. With one, the verifier first shows
a QR code of

    EWC1:{"aud": "<the verifier's URL>", "nonce": "<fresh random value>"}

(``EWC`` for eduwallet challenge, ``1`` the version, then compact JSON) and the wallet
binds the KB-JWT to exactly that ``aud`` and ``nonce``. The verifier accepts a nonce it
issued once, so the code is good for that verifier and that moment only.

The challenge is unsigned: it names the verifier but does not prove who shows it. What it
buys is binding, not identity; the verifier still checks ``aud`` against its own URL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from wallet_core.errors import PresentationRequestError

PREFIX: Final = "EWC1:"
MAX_LENGTH: Final = 1024
_NONCE = re.compile(r"[\x21-\x7E]{16,256}")  # printable ASCII, at least 16 characters


@dataclass(frozen=True)
class OfflineChallenge:
    audience: str
    nonce: str


def encode(challenge: OfflineChallenge) -> str:
    _check(challenge)
    body = json.dumps({"aud": challenge.audience, "nonce": challenge.nonce}, separators=(",", ":"))
    return PREFIX + body


def is_challenge(text: str) -> bool:
    return isinstance(text, str) and text.strip().startswith(PREFIX)


def read(text: str) -> OfflineChallenge:
    """The challenge in a scanned text; ``PresentationRequestError`` for anything else."""
    candidate = text.strip() if isinstance(text, str) else ""
    if not candidate.startswith(PREFIX) or len(candidate) > MAX_LENGTH:
        raise PresentationRequestError("this QR code is not a verifier's offline challenge")
    try:
        document = json.loads(candidate[len(PREFIX) :])
    except ValueError as exc:
        raise PresentationRequestError("the offline challenge is damaged") from exc
    if not isinstance(document, dict) or set(document) != {"aud", "nonce"}:
        raise PresentationRequestError("the offline challenge must hold aud and nonce only")
    challenge = OfflineChallenge(document["aud"], document["nonce"])
    _check(challenge)
    return challenge


def _check(challenge: OfflineChallenge) -> None:
    audience, nonce = challenge.audience, challenge.nonce
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise PresentationRequestError("the challenge nonce must be 16-256 printable characters")
    parts = urlsplit(audience) if isinstance(audience, str) else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise PresentationRequestError("the challenge audience must be the verifier's URL")
