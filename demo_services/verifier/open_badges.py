"""Checking an Open Badge presentation (OpenID4VP 1.0 Appendix B.1, §8.6).

For the ``openbadge*`` queries (``query``):

1. ``vp_token`` answers exactly one of the transaction's credential query ids
   (``openbadge_jwt`` / ``openbadge_ldp``), with an array of exactly one presentation: a VP
   JWT string for ``jwt_vc_json``, a JSON object for ``ldp_vc``.
2. ``wallet_core.formats.w3c_presentation.verify_presentation``: the holder's signature
   (did:jwk / did:key, resolved offline), ``aud``/``domain`` = the full ``client_id``,
   ``nonce``/``challenge`` = the transaction nonce, made within ``kb_max_age``, then the
   credential's issuer signature (the issuer's did:web document or controller document,
   fetched under the wallet's HTTP rules), and holder binding (the signer is the subject).
   An issuer not on ``trusted_issuers`` (an issuer URL counts with its did:web) is refused
   *before* anything of it is fetched.
3. Exactly one credential, of type ``OpenBadgeCredential``, in the query's format.
4. Status: a ``BitstringStatusListEntry`` is checked against the list credential, fetched
   fresh and verified like a credential; it must be signed by the badge's own issuer.
   Revoked → ``revoked``; unreadable → ``status_unknown``; none → ``verified``.

The result uses the microcredential's claim names (title, awardingBody, notionalWorkload,
level, grade) so the result page shows a badge like an SD-JWT VC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from demo_services.verifier.context import Verifier
from demo_services.verifier.query import OB3_FORMATS, OB3_TYPE, QueryKind, query_ids
from demo_services.verifier.response import ResponseRejected
from demo_services.verifier.state import Outcome, Proven
from wallet_core.errors import WalletError
from wallet_core.formats import status_bitstring, w3c_presentation, w3c_vc

LIST_MEDIA_TYPES = "application/vc+ld+json, application/vc, application/json"
_OUTCOMES: dict[str, Outcome] = {
    "valid": "verified",
    "none": "verified",
    "invalid": "revoked",
    "suspended": "suspended",
}


def verify_open_badge_token(
    verifier: Verifier, vp_token: dict[str, Any], *, kind: QueryKind, client_id: str, nonce: str
) -> Proven:
    asked = query_ids(kind)
    unexpected = sorted(set(vp_token) - set(asked))
    if unexpected:
        raise ResponseRejected(f"vp_token answers queries that were not asked: {unexpected}")
    answered = [query_id for query_id in asked if query_id in vp_token]
    if len(answered) != 1:
        raise ResponseRejected(f"vp_token must answer exactly one of {list(asked)}")
    [query_id] = answered
    presentations = vp_token[query_id]
    if not isinstance(presentations, list) or len(presentations) != 1:
        raise ResponseRejected(f"vp_token[{query_id!r}] must be an array of one presentation")
    [presentation] = presentations
    expected_format = OB3_FORMATS[query_id]
    wanted = str if expected_format == "jwt_vc_json" else dict
    if not isinstance(presentation, wanted):
        raise ResponseRejected(f"a {expected_format} presentation is a {wanted.__name__}")
    return verify_badge_presentation(
        verifier, presentation, expected_format, aud=client_id, nonce=nonce
    )


def verify_badge_presentation(
    verifier: Verifier,
    presentation: str | Mapping[str, Any],
    expected_format: str,
    *,
    aud: str,
    nonce: str,
) -> Proven:
    now = verifier.now()
    try:
        verified = w3c_presentation.verify_presentation(
            presentation,
            resolver=verifier.w3c_issuer_key,
            aud=aud,
            nonce=nonce,
            now=now,
            max_age=verifier.settings.kb_max_age,
        )
    except WalletError as exc:
        raise ResponseRejected(f"the presentation does not verify ({exc.code}): {exc}") from exc
    if verified.format != expected_format:
        raise ResponseRejected(f"a {expected_format} presentation was asked for")
    if len(verified.credentials) != 1:
        raise ResponseRejected("exactly one credential was asked for")
    [credential] = verified.credentials
    if credential.format != expected_format or OB3_TYPE not in credential.types:
        raise ResponseRejected(f"the credential is not an {OB3_TYPE} in {expected_format}")
    state, detail = check_bitstring_status(verifier, credential, now)
    claims = badge_claims(credential.document)
    expires = credential.valid_until.timestamp() if credential.valid_until else None
    return Proven(
        outcome=_OUTCOMES.get(state, "status_unknown"),
        issuer=credential.issuer,
        vct=OB3_TYPE,
        claims=claims,
        requested=claims,
        claim_set=0,
        unrequested=(),
        status=state,
        status_detail=detail,
        verified_at=now,
        credential_expires_at=expires,
        kb_nonce=nonce,
    )


def badge_claims(document: Mapping[str, Any]) -> dict[str, Any]:
    """The badge's facts under the microcredential's claim names (where it has them)."""
    subject = _mapping(document.get("credentialSubject"))
    achievement = _mapping(subject.get("achievement"))
    issuer = document.get("issuer")
    claims: dict[str, Any] = {
        "title": achievement.get("name"),
        "awardingBody": _mapping(issuer).get("name") or _mapping(issuer).get("id") or issuer,
    }
    credits = achievement.get("ECTS", achievement.get("creditsAvailable"))
    if isinstance(credits, int | float) and not isinstance(credits, bool):
        claims["notionalWorkload"] = f"{credits:g} ECTS"
    for alignment in _list(achievement.get("alignment")):
        if _mapping(alignment).get("targetType") == "ext:EQF":
            claims["level"] = f"EQF {_mapping(alignment).get('targetCode')}"
    for result in _list(subject.get("result")):
        if isinstance(_mapping(result).get("value"), str):
            claims["grade"] = _mapping(result)["value"]
    return {name: value for name, value in claims.items() if value is not None}


def check_bitstring_status(
    verifier: Verifier, credential: w3c_vc.W3cCredential, now: float
) -> tuple[str, str | None]:
    """(state, detail): ``valid``/``invalid``/``suspended``/``unknown``, or ``none``."""
    try:
        entries = status_bitstring.parse_bitstring_entries(credential.document)
    except WalletError as exc:
        raise ResponseRejected(f"the credential's credentialStatus is malformed: {exc}") from exc
    if not entries:
        return "none", "the credential has no status list entry"
    states: list[str] = []
    for entry in entries:
        try:
            document = verifier.http.get_json(entry.list_credential, accept=LIST_MEDIA_TYPES)
            listed = w3c_vc.verify(document, resolver=verifier.w3c_issuer_key, now=now)
            if listed.issuer != credential.issuer:
                return "unknown", "the status list is not signed by the credential's issuer"
            result = status_bitstring.check_bitstring_status(
                entry, listed.document, now=datetime.fromtimestamp(now, UTC)
            )
        except WalletError as exc:
            return "unknown", f"the status list could not be checked ({exc.code})"
        states.append(result.state.value)
    # the worst of the entries' answers decides
    for state in ("invalid", "suspended", "unknown"):
        if state in states:
            return state, None
    return "valid", None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []
