"""Open Badges 2.0 hosted assertions: fetched, checked the way hosted verification demands.

An OB 2.0 badge with ``verification.type`` ``hosted`` carries no signature: it is genuine
because the issuer serves it from an address the issuer controls (OB 2.0 "Verification":
Hosted Verification; VerificationObject ``allowedOrigins``/``startsWith``). So:

1. the assertion is fetched from its URL (``Accept: application/json``, with
   ``expand=badge&expand=badge.issuer`` as edubadges serves the BadgeClass and the issuer's
   Profile inline) and its ``id`` must be that URL;
2. the BadgeClass and the Profile are taken inline or fetched from their ``id`` (each must
   then be served at its own ``id``);
3. the assertion's URL must be on an origin the issuer allows: the hosts in the Profile's
   ``verification.allowedOrigins``, by default the host of the Profile's ``id``; and start
   with one of ``verification.startsWith`` when given. A Profile served by another origin
   than its own ``id`` is only what that host says of the issuer: it is fetched from its
   ``id`` and those rules are read there (else any host could serve a badge under a
   university's name, with rules of its own that allow itself);
4. ``revoked`` must not be true and ``expires`` not past.

The wallet keeps the checked assertion with the BadgeClass and Profile expanded in it; it is
shown as "hosted, checked on <date>" and cannot be presented over OpenID4VP (it is no
format of OpenID4VP 1.0). :func:`as_badge_view` maps it onto the OB 3.0 shape the badge
screens read. Pure: the caller passes ``get_json`` (under the wallet's HTTP policy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from wallet_core.errors import (
    ExpiredCredentialError,
    InvalidBadgeError,
    IssuerMismatchError,
    RevokedCredentialError,
    UnsupportedProofError,
)
from wallet_core.formats.badge_values import time_of
from wallet_core.formats.seam import VerifiedCredential

#: the stored format of a hosted OB 2.0 badge (not an OpenID4VP format: never presented)
FORMAT_NAME: Final = "openbadge_v2_hosted"
CONTEXT: Final = "https://w3id.org/openbadges/v2"
MAX_ASSERTION_CHARS: Final = 1024 * 1024

GetJson = Callable[[str], Any]


@dataclass(frozen=True)
class HostedBadge:
    url: str
    assertion: Mapping[str, Any] = field(repr=False)  # BadgeClass and Profile expanded in it
    checked_at: float


def is_hosted_assertion(document: Any) -> bool:
    return isinstance(document, Mapping) and _has_type(document, "Assertion")


def fetch_hosted(get_json: GetJson, url: str, *, now: float) -> HostedBadge:
    """Fetch and check the hosted assertion at ``url`` (steps 1-4 of the module doc)."""
    separator = "&" if "?" in url else "?"
    expand = f"{url}{separator}expand=badge&expand=badge.issuer"
    assertion = _object(get_json(expand), "Assertion")
    if assertion.get("id") != url:
        raise IssuerMismatchError("the badge at this address says it is another badge")
    verification = assertion.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if kind not in {"hosted", "HostedBadge"}:
        raise UnsupportedProofError("only hosted Open Badges 2.0 can be checked by this wallet")
    badge = _expanded(assertion.get("badge"), get_json, "BadgeClass")
    issuer = _expanded(badge.get("issuer"), get_json, "Profile", "Issuer")
    _check_origin(url, issuer)  # what the badge's host says: refused at once if not even that
    profile_id = str(issuer.get("id"))
    if _origin(profile_id) != _origin(url):
        issuer = _expanded(profile_id, get_json, "Profile", "Issuer")  # the issuer's own word
        _check_origin(url, issuer)
    if assertion.get("revoked") is True:
        raise RevokedCredentialError("the issuer has revoked this badge")
    expires = time_of(assertion.get("expires"))
    if assertion.get("expires") is not None and expires is None:
        raise InvalidBadgeError("the badge's expiry date is not a date")
    if expires is not None and expires.timestamp() <= now:
        raise ExpiredCredentialError("the badge has expired")
    expanded = {**assertion, "badge": {**badge, "issuer": issuer}}
    return HostedBadge(url, expanded, now)


def verified(hosted: HostedBadge) -> VerifiedCredential:
    """What the vault keeps: the checked assertion (as canonical JSON for ``raw``)."""
    assertion = hosted.assertion
    badge = assertion["badge"]
    issued = time_of(assertion.get("issuedOn"))
    if issued is None:
        raise InvalidBadgeError("the badge has no issue date")
    raw = json.dumps(assertion, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(raw) > MAX_ASSERTION_CHARS:
        raise InvalidBadgeError("the badge is too large")
    return VerifiedCredential(
        raw=raw,
        claims=dict(assertion),
        issuer=str(badge["issuer"].get("id")),
        type="Assertion",
        issued_at=issued,
        expires_at=time_of(assertion.get("expires")),
        holder_jwk=None,
        name=_text(badge.get("name")),
        image=_image(badge.get("image")) or _image(assertion.get("image")),
    )


def as_badge_view(assertion: Mapping[str, Any]) -> dict[str, Any]:
    """The assertion in the OB 3.0 shape the badge screens read (names, dates, issuer,
    criteria, evidence); members of its own stay under their OB 2.0 names."""
    badge = assertion.get("badge") if isinstance(assertion.get("badge"), Mapping) else {}
    assert isinstance(badge, Mapping)
    issuer = badge.get("issuer") if isinstance(badge.get("issuer"), Mapping) else {}
    assert isinstance(issuer, Mapping)
    achievement = {
        "type": ["Achievement"],
        **{k: badge[k] for k in ("name", "description", "image", "tags") if k in badge},
    }
    criteria = badge.get("criteria")
    if isinstance(criteria, Mapping):
        achievement["criteria"] = {
            "narrative": criteria.get("narrative"),
            "id": criteria.get("id"),
        }
    elif isinstance(criteria, str):
        achievement["criteria"] = {"id": criteria}
    if isinstance(badge.get("alignment"), list):
        achievement["alignment"] = badge["alignment"]
    view: dict[str, Any] = {
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"type": ["Profile"], **{k: v for k, v in issuer.items() if k != "type"}},
        "validFrom": assertion.get("issuedOn"),
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": achievement},
    }
    if assertion.get("expires") is not None:
        view["validUntil"] = assertion["expires"]
    if assertion.get("evidence") is not None:
        view["evidence"] = assertion["evidence"]
    return view


def _origin(url: str) -> tuple[str, str, int | None]:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), (parts.hostname or ""), parts.port
    except ValueError as exc:  # e.g. "https://[x/": not a URL at all
        raise IssuerMismatchError("the badge's issuer has no valid address") from exc


def _check_origin(url: str, issuer: Mapping[str, Any]) -> None:
    verification = issuer.get("verification")
    rules = verification if isinstance(verification, Mapping) else {}
    default = _origin(str(issuer.get("id")))[1]
    allowed = _strings(rules.get("allowedOrigins")) or _strings(default)
    if _origin(url)[1] not in allowed:
        raise IssuerMismatchError("the badge is not served from an address its issuer allows")
    starts = _strings(rules.get("startsWith"))
    if starts and not any(url.startswith(prefix) for prefix in starts):
        raise IssuerMismatchError("the badge is not served from an address its issuer allows")


def _expanded(value: Any, get_json: GetJson, *types: str) -> Mapping[str, Any]:
    if isinstance(value, str):  # fetched under the caller's HTTP policy, which says what's safe
        fetched = _object(get_json(value), *types)
        if fetched.get("id") != value:
            raise IssuerMismatchError(f"the {types[0]} at its address says it is another one")
        return fetched
    return _object(value, *types)


def _object(value: Any, *types: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not any(_has_type(value, kind) for kind in types):
        raise InvalidBadgeError(f"the badge has no valid {types[0]}")
    return value


def _has_type(document: Mapping[str, Any], kind: str) -> bool:
    declared = document.get("type")
    names = declared if isinstance(declared, list) else [declared]
    return kind in names or f"https://w3id.org/openbadges#{kind}" in names


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and item]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _image(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    usable = isinstance(value, str) and value.startswith(("https://", "http://", "data:image/"))
    return value if usable else None
