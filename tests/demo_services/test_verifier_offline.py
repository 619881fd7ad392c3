"""Offline mode: a photo/screenshot of the holder's presentation QR code, uploaded."""

from __future__ import annotations

import html
import io
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import qrcode
from PIL import Image

from wallet_core import qr
from wallet_core.formats import sd_jwt
from wallet_core.oid4vp import offline_challenge, qr_payload

from .verifier_fixtures import REQUIRED, Held, VerifierHandle, held, issue, verifiers

__all__ = ["held", "issue", "verifiers"]  # fixtures, imported for pytest

Verifiers = Callable[..., VerifierHandle]


@pytest.fixture(scope="module")
def offline(verifiers: Verifiers) -> VerifierHandle:
    return verifiers("x509_san_dns")


def _presentation(held: Held, aud: str, claims: Any = REQUIRED, **options: Any) -> str:
    nonce = options.pop("nonce", secrets.token_urlsafe(16))
    return sd_jwt.present(
        held.credential, list(claims), held.holder, aud=aud, nonce=nonce, **options
    )


def _qrcode_png(text: str) -> bytes:
    """With the ``qrcode`` library itself, independent of wallet_core's encoder."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=3)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def _upload(http: httpx.Client, verifier: VerifierHandle, png: bytes) -> httpx.Response:
    return http.post(verifier.url + "/offline", content=png, headers={"Content-Type": "image/png"})


def test_raw_sd_jwt_qr_round_trip_and_replay(
    offline: VerifierHandle, held: Held, http: httpx.Client
) -> None:
    # A plain SD-JWT+KB of the demo credential fits a QR code (byte mode, level L) only
    # with one claim disclosed; see test_compact_form for the realistic case.
    text = _presentation(held, offline.url, [("title",)])
    png = _qrcode_png(text)
    response = _upload(http, offline, png)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True and body["audience"] == offline.url
    assert body["result"]["outcome"] == "verified"
    assert body["result"]["requested_claims"] == {"title": "Circulair ontwerpen in de bouw"}
    assert body["result"]["claim_set"] is None  # offline: the holder chose what to show

    replay = _upload(http, offline, png)
    assert replay.status_code == 400
    assert "replay" in replay.json()["error"]["error_description"]
    checks = http.get(offline.url + "/admin/offline").json()
    assert [c["ok"] for c in checks[-2:]] == [True, False]


def test_compact_form_and_the_generic_audience(
    offline: VerifierHandle, held: Held, http: httpx.Client
) -> None:
    text = _presentation(held, "eduwallet:offline", (*REQUIRED, ("grade",)))
    png = qr.encode_png(qr_payload.encode(text), error_correction="L")
    response = _upload(http, offline, png)
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["claim_set"] == 0 and result["requested_claims"]["grade"] == "8,0"


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda held, url: _presentation(held, "https://other-verifier.example"), "addressed"),
        (lambda held, url: _presentation(held, url, iat=int(time.time()) - 3600), "key_binding"),
        (lambda held, url: sd_jwt.present(held.credential, list(REQUIRED)), "Key Binding"),
        (lambda held, url: "hello, not a presentation", "no presentation"),
    ],
)
def test_offline_rejections(
    make: Callable[[Held, str], str],
    fragment: str,
    offline: VerifierHandle,
    held: Held,
    http: httpx.Client,
) -> None:
    text = make(held, offline.url)
    png = qr.encode_png(
        qr_payload.encode(text) if text.startswith("ey") else text, error_correction="L"
    )
    response = _upload(http, offline, png)
    assert response.status_code == 400
    assert fragment in response.json()["error"]["error_description"]


def test_unreadable_uploads(offline: VerifierHandle, http: httpx.Client) -> None:
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    no_code = _upload(http, offline, blank.getvalue())
    assert no_code.status_code == 400
    assert "no QR code" in no_code.json()["error"]["error_description"]
    garbage = _upload(http, offline, b"not an image at all")
    assert garbage.status_code == 400
    assert "could not be read" in garbage.json()["error"]["error_description"]
    as_text = http.post(
        offline.url + "/offline", content=b"ey~", headers={"Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415


def test_page_upload(offline: VerifierHandle, held: Held, http: httpx.Client) -> None:
    page = http.get(offline.url + "/offline")
    assert page.status_code == 200
    assert offline.url in page.text and "eduwallet:offline" in page.text
    match = re.search(r"name='csrf' value='([^']+)'", page.text)
    assert match is not None
    png = qr.encode_png(qr_payload.encode(_presentation(held, offline.url)), error_correction="L")
    url = offline.url + "/offline"
    files = {"image": ("qr.png", png, "image/png")}
    shown = http.post(url, data={"csrf": match.group(1)}, files=files)
    assert shown.status_code == 200, shown.text
    assert "Geverifieerd" in shown.text and "Data-analyse" not in shown.text
    assert "Circulair ontwerpen in de bouw" in shown.text
    forged = http.post(url, data={"csrf": "guess"}, files=files)
    assert forged.status_code == 403
    # pasting the text works too
    pasted = http.post(
        url,
        data={"csrf": match.group(1), "text": _presentation(held, offline.url)},
        files={"image": ("", b"", "application/octet-stream")},
    )
    assert pasted.status_code == 200 and "Geverifieerd" in pasted.text


def test_a_challenge_from_the_page_binds_the_code_to_this_verifier_once(
    offline: VerifierHandle, held: Held, http: httpx.Client
) -> None:
    page = http.get(offline.url + "/offline")
    assert page.status_code == 200
    shown = re.search(r"<textarea id='challenge'[^>]*>([^<]+)</textarea>", page.text)
    assert shown is not None
    challenge = offline_challenge.read(html.unescape(shown.group(1)))
    assert challenge.audience == offline.url
    # the page's challenge QR holds the same text
    image = re.search(r"alt='Uitdaging / challenge QR'", page.text)
    assert image is not None

    answer = _presentation(held, challenge.audience, nonce=challenge.nonce)
    png = qr.encode_png(qr_payload.encode(answer), error_correction="L")
    response = _upload(http, offline, png)
    assert response.status_code == 200, response.text
    assert response.json()["challenged"] is True

    # Without a challenge it is still checked, and said to be unbound.
    unbound = _presentation(held, "eduwallet:offline")
    response = _upload(http, offline, qr.encode_png(qr_payload.encode(unbound)))
    assert response.status_code == 200 and response.json()["challenged"] is False
    # A nonce the verifier never issued, addressed to it, is not a challenge answered.
    made_up = _presentation(held, offline.url, nonce=secrets.token_urlsafe(18))
    response = _upload(http, offline, qr.encode_png(qr_payload.encode(made_up)))
    assert response.json()["challenged"] is False
