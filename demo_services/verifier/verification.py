"""Checking a VP Token and its one SD-JWT VC presentation (OpenID4VP 1.0 §8.6).

These functions run in a worker thread (they fetch issuer metadata and status lists over
HTTP) and touch no verifier state: they get values and return a ``Proven`` or raise
``ResponseRejected``.

For the ``microcredential`` query (the Open Badge queries: ``open_badges``):

1. ``vp_token`` is an object with exactly the key ``microcredential`` whose value is an
   array of exactly one presentation (``multiple`` is false, §8.1). A bare string instead
   of an array is refused: it is the most common interop bug and silently accepting it
   would hide it from wallet tests.
2. ``wallet_core.formats.sd_jwt_vc.verify_presentation``: issuer signature (key from the
   issuer's ``/.well-known/jwt-vc-issuer``, or the configured key source), disclosures,
   ``exp``/``nbf``, KB-JWT signature with ``cnf.jwk``, ``sd_hash``, ``iat`` no older than
   ``kb_max_age``, ``aud`` = the full ``client_id`` (prefix included), ``nonce`` = the
   transaction's nonce (§8.6, §14.1.2).
3. ``vct`` (or an ``aka_vcts`` type) is one of the query's ``vct_values``.
4. The disclosed claims cover one of the query's ``claim_sets`` (see ``query``).
5. Status: the credential's Token Status List is fetched fresh (no cache, so a revocation
   on the issuer page shows at once), must be signed by a key of the credential's own
   issuer, and is read at ``status.status_list.idx``. Valid -> ``verified``; invalid ->
   ``revoked``; suspended -> ``suspended``; unreadable or unknown values ->
   ``status_unknown`` (fail closed: not shown as verified). A credential without a
   ``status`` claim is ``verified`` with status ``none``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from demo_services.verifier.context import Verifier
from demo_services.verifier.open_badges import verify_open_badge_token
from demo_services.verifier.query import QUERY_ID, QUERY_KINDS, REQUESTED, satisfied_claim_set
from demo_services.verifier.response import ResponseRejected
from demo_services.verifier.state import Outcome, Proven
from wallet_core.crypto.jwk import b64url_decode
from wallet_core.errors import WalletError
from wallet_core.formats import sd_jwt_vc, status
from wallet_core.formats.sd_jwt_vc import SdJwtVc

STATUS_MEDIA_TYPE = "application/statuslist+jwt"
_OUTCOMES: dict[str, Outcome] = {
    "valid": "verified",
    "none": "verified",
    "invalid": "revoked",
    "suspended": "suspended",
}


def verify_vp_token(
    verifier: Verifier,
    vp_token: dict[str, Any],
    *,
    client_id: str,
    nonce: str,
    query: str = "microcredential",
) -> Proven:
    """The transaction's answer; an Open Badge query goes to ``open_badges``."""
    kind = next((k for k in QUERY_KINDS if k == query), None)
    if kind is None:
        raise ResponseRejected("the transaction asks an unknown query")
    if kind != "microcredential":
        return verify_open_badge_token(
            verifier, vp_token, kind=kind, client_id=client_id, nonce=nonce
        )
    unexpected = sorted(set(vp_token) - {QUERY_ID})
    if unexpected:
        raise ResponseRejected(f"vp_token answers queries that were not asked: {unexpected}")
    presentations = vp_token.get(QUERY_ID)
    if presentations is None:
        raise ResponseRejected(f"vp_token has no {QUERY_ID!r} presentation")
    if not isinstance(presentations, list):
        raise ResponseRejected(
            f"vp_token[{QUERY_ID!r}] must be an array of presentations (§8.1), "
            f"not a bare {type(presentations).__name__}"
        )
    if len(presentations) != 1:
        raise ResponseRejected("exactly one presentation was asked for (multiple is false)")
    [text] = presentations
    if not isinstance(text, str):
        raise ResponseRejected("an SD-JWT VC presentation is a string")
    proven = verify_presentation(verifier, text, aud=client_id, nonce=nonce)
    if proven.claim_set is None:
        raise ResponseRejected(
            "the presentation does not disclose the requested claims "
            f"({', '.join(REQUESTED[:-1])}; {REQUESTED[-1]} optional)"
        )
    return proven


def verify_presentation(verifier: Verifier, text: str, *, aud: str, nonce: str) -> Proven:
    settings = verifier.settings
    now = verifier.now()
    try:
        credential = sd_jwt_vc.verify_presentation(
            text.strip(),
            verifier.issuer_key,
            aud=aud,
            nonce=nonce,
            now=now,
            kb_max_age=settings.kb_max_age,
        )
    except WalletError as exc:
        raise ResponseRejected(f"the presentation does not verify ({exc.code}): {exc}") from exc
    except (ValueError, TypeError, KeyError) as exc:  # defensive: a malformed token
        raise ResponseRejected("the presentation is malformed") from exc
    if not set(credential.types) & set(settings.vct_values):
        raise ResponseRejected("the credential is not of a requested type (vct)")
    disclosed = sorted(
        {
            claim.path[0]
            for claim in credential.sd_jwt.disclosable
            if claim.path and isinstance(claim.path[0], str)
        }
    )
    subject = credential.subject_claims()
    state, detail = check_status(verifier, credential, now)
    expires = credential.expires_at.timestamp() if credential.expires_at else None
    return Proven(
        outcome=_OUTCOMES.get(state, "status_unknown"),
        issuer=credential.issuer,
        vct=credential.vct,
        claims=subject,
        requested={name: subject[name] for name in REQUESTED if name in subject},
        claim_set=satisfied_claim_set(subject),
        unrequested=tuple(name for name in disclosed if name not in REQUESTED),
        status=state,
        status_detail=detail,
        verified_at=now,
        credential_expires_at=expires,
        kb_nonce=nonce,
    )


def check_status(verifier: Verifier, credential: SdJwtVc, now: float) -> tuple[str, str | None]:
    """(state, detail): ``valid``/``invalid``/``suspended``/``unknown``, or ``none``."""
    try:
        reference = status.parse_status_reference(credential.claims)
    except WalletError as exc:
        raise ResponseRejected(f"the credential's status claim is malformed: {exc}") from exc
    if reference is None:
        return "none", "the credential has no status list entry"
    issuer = credential.issuer

    def key(header: Any, payload: Any) -> Any:
        # The list must be signed by the credential's issuer, whatever its own iss says.
        return verifier.issuer_key(header, {**payload, "iss": issuer})

    try:
        token = verifier.http.get_text(reference.uri, accept=STATUS_MEDIA_TYPE)
        result = status.check_token_status(
            token, reference, issuer_key=key, now=datetime.fromtimestamp(now, UTC)
        )
    except WalletError as exc:
        return "unknown", f"the status list could not be checked ({exc.code})"
    return result.state.value, None


def key_binding_claims(text: str) -> dict[str, Any]:
    """The KB-JWT payload of an SD-JWT+KB, *unverified* (offline checks read ``aud`` and
    ``nonce`` from it first, then verify everything against exactly those values)."""
    parts = text.strip().split("~")
    kb_jwt = parts[-1] if len(parts) > 1 else ""
    if not kb_jwt:
        raise ResponseRejected("the presentation has no Key Binding JWT")
    segments = kb_jwt.split(".")
    if len(segments) != 3:
        raise ResponseRejected("the Key Binding JWT is not a compact JWS")
    try:
        payload = json.loads(b64url_decode(segments[1]))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ResponseRejected("the Key Binding JWT payload is not JSON") from exc
    if not isinstance(payload, dict):
        raise ResponseRejected("the Key Binding JWT payload is not an object")
    return payload
