"""Offline mode: the holder shows a QR code, the employer uploads a photo or screenshot of it.

Upload (``POST /offline``):

- ``multipart/form-data`` from the page: file field ``image`` and/or text field ``text``
  (a pasted presentation), plus the page's ``csrf`` token (a form post is a "simple"
  cross-site request, so the token is what keeps other sites from using the form);
- or the raw image as the body (``image/*`` or ``application/octet-stream``) for scripts and
  tests: such a request needs a CORS preflight from a browser, which this server never
  answers, so it needs no token.

Bodies are capped at ``MAX_UPLOAD`` bytes. Multipart is parsed with the standard library's
``email`` parser (Starlette's own needs the optional ``python-multipart``).

The QR code is read with ``wallet_core.qr.decode_image`` (zbar) and its text with
``wallet_core.oid4vp.qr_payload.read_scanned``: the compact ``EW1:`` form (base45 of zlib)
or a plain SD-JWT+KB. The first code in the image that holds a presentation is checked.

Verification: there is no transaction and so no nonce issued by us. The KB-JWT's ``aud``
must be one of the verifier's offline audiences (shown on the page): by default its own
public URL, and ``eduwallet:offline``, the audience eduwallet uses when the holder names
none. The generic one is weaker (such a presentation could be shown to any verifier that
accepts it), which the freshness and replay rules below bound. The ``nonce`` is the
holder's choice; it is accepted as it is and then the presentation is verified exactly as
online, against those very values, with the KB-JWT ``iat`` at most ``kb_max_age`` (5
minutes) old. A nonce is accepted once: it is remembered for as long as a KB-JWT carrying
it could still pass the freshness check, and seen again it is a replay.
"""

from __future__ import annotations

import email.policy
import re
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser

from starlette.requests import Request

from demo_services.issuer.errors import OAuthError
from demo_services.issuer.tokens import same
from demo_services.issuer.web import media_type
from demo_services.verifier.context import Verifier
from demo_services.verifier.response import ResponseRejected
from demo_services.verifier.state import ErrorRecord, OfflineCheck, Proven
from demo_services.verifier.verification import key_binding_claims, verify_presentation
from wallet_core import qr
from wallet_core.errors import QrError
from wallet_core.formats.sd_jwt import DEFAULT_LEEWAY
from wallet_core.oid4vp import offline_challenge, qr_payload

MAX_UPLOAD = 10 * 1024 * 1024
MAX_NONCE = 256
_NONCE = re.compile(r"[\x21-\x7E]+")  # printable ASCII; nothing to confuse a log or page


@dataclass(frozen=True)
class Upload:
    image: bytes | None
    text: str | None
    from_page: bool  # multipart form (CSRF-checked); else a raw image body


async def read_upload(request: Request, verifier: Verifier) -> Upload:
    kind = media_type(request)
    body = await _bounded_body(request)
    if kind == "multipart/form-data":
        fields = _multipart(request.headers.get("content-type", ""), body)
        token = fields.get("csrf", b"").decode("utf-8", "replace")
        if not same(verifier.page_csrf, token):
            raise OAuthError("access_denied", "missing or wrong CSRF token", 403)
        image = fields.get("image") or None
        text = fields.get("text", b"").decode("utf-8", "replace").strip() or None
        if image is None and text is None:
            raise OAuthError("invalid_request", "choose an image or paste a presentation")
        return Upload(image, text, True)
    if kind.startswith("image/") or kind == "application/octet-stream":
        if not body:
            raise OAuthError("invalid_request", "the body is empty")
        return Upload(body, None, False)
    raise OAuthError(
        "invalid_request", "send multipart/form-data, an image/* body or octet-stream", 415
    )


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if (
        declared is not None
        and declared.isascii()
        and declared.isdigit()
        and int(declared) > MAX_UPLOAD
    ):
        raise OAuthError("invalid_request", "the upload is too large", 413)
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > MAX_UPLOAD:
            raise OAuthError("invalid_request", "the upload is too large", 413)
    return bytes(chunks)


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    """Field name -> bytes of a multipart/form-data body (first occurrence wins)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    try:
        message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    except (ValueError, TypeError, UnicodeError) as exc:
        raise OAuthError("invalid_request", "the multipart body is malformed") from exc
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise OAuthError("invalid_request", "the multipart body is malformed")
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in fields:
            continue
        payload = part.get_payload(decode=True)
        fields[name] = payload if isinstance(payload, bytes) else b""
    return fields


def presentation_text(upload: Upload) -> str:
    """The presentation in the upload (QR image or pasted text); ResponseRejected if none."""
    if upload.text is not None:
        candidates = [upload.text]
    else:
        assert upload.image is not None
        try:
            candidates = qr.decode_image(upload.image)
        except QrError as exc:
            raise ResponseRejected(f"the image could not be read: {exc}") from exc
        if not candidates:
            raise ResponseRejected("no QR code was found in the image")
    for candidate in candidates:
        try:
            return qr_payload.read_scanned(candidate)
        except QrError:
            continue
    raise ResponseRejected("the QR code holds no presentation (EW1: or SD-JWT)")


def verify_offline(verifier: Verifier, upload: Upload) -> tuple[Proven, str]:
    """(what was proven, the audience it was addressed to). Runs in a worker thread; the
    caller then applies the replay rule (``accept_nonce``) on the event loop."""
    text = presentation_text(upload)
    kb = key_binding_claims(text)
    audience = kb.get("aud")
    if not isinstance(audience, str) or audience not in verifier.offline_audiences:
        raise ResponseRejected(
            "the presentation is not addressed to this verifier (aud must be one of "
            f"{', '.join(verifier.offline_audiences)})"
        )
    nonce = kb.get("nonce")
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce) or len(nonce) > MAX_NONCE:
        raise ResponseRejected("the Key Binding JWT needs a nonce of printable ASCII")
    return verify_presentation(verifier, text, aud=audience, nonce=nonce), audience


def accept_nonce(verifier: Verifier, nonce: str) -> bool:
    """Remember ``nonce``; False when it was seen before (a replay)."""
    nonces = verifier.state.offline_nonces
    if nonces.get(nonce) is not None:
        return False
    # A KB-JWT passes for kb_max_age after its iat, plus leeway on both sides.
    nonces.put(nonce, True, verifier.settings.kb_max_age + 2 * DEFAULT_LEEWAY)
    return True


def new_challenge(verifier: Verifier) -> str:
    """The text of a fresh challenge QR (wallet_core.oid4vp.offline_challenge) for the
    offline page; its nonce is good once, for as long as a presentation could be fresh."""
    nonce = secrets.token_urlsafe(18)
    lifetime = verifier.settings.kb_max_age + 2 * DEFAULT_LEEWAY
    verifier.state.offline_challenges.put(nonce, True, lifetime)
    return offline_challenge.encode(offline_challenge.OfflineChallenge(verifier.public_url, nonce))


def answered_challenge(verifier: Verifier, result: Proven, audience: str | None) -> bool:
    """Whether the presentation answers a challenge this page issued (spent by this)."""
    if audience != verifier.public_url:
        return False
    return verifier.state.offline_challenges.pop(result.kb_nonce) is not None


def record(
    verifier: Verifier,
    *,
    result: Proven | None,
    error: ResponseRejected | None,
    audience: str | None,
    challenged: bool = False,
) -> OfflineCheck:
    check = OfflineCheck(
        id=secrets.token_urlsafe(9),
        at=verifier.now(),
        ok=result is not None and result.outcome == "verified",
        result=result,
        error=ErrorRecord(verifier.now(), error.error, error.description) if error else None,
        audience=audience,
        challenged=challenged,
    )
    verifier.state.record_offline(check)
    return check
