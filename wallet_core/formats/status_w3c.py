"""Credential status of W3C credentials: the ``credentialStatus`` entries the wallet can check.

- ``BitstringStatusListEntry`` (Bitstring Status List v1.1) and ``StatusList2021Entry`` (its
  2021 predecessor): the list is a credential, read by :mod:`status_bitstring`. Before it is
  read it is verified here ("Validate Algorithm": "ensure that all proofs verify") with
  :func:`w3c_vc.verify` and the same assertion-method keys as the credential, and it must be
  issued by the credential's own issuer. The spec allows another status issuer; the wallet
  has no way to know whom such an issuer speaks for, so it refuses (StatusListError).
- ``1EdTechRevocationList`` (OB 3.0 / CLR "1EdTech Revocation List Status Method"): a GET of
  the entry's ``id`` gives a JSON list ``{"id", "issuer", "revokedCredentials": [{"id",
  "revoked", "revocationReason"}]}``; the credential is revoked when its own ``id`` is listed
  and ``revoked`` is true or absent (as 1EdTech's validator reads it). That format has no
  proof: it is trusted as served under the wallet's HTTP policy (https), and a list that
  names another issuer is refused. A credential without an ``id`` cannot be looked up.
- Anything else (an unknown type, a 1EdTech entry on a credential without ``id``) cannot be
  checked: it is recorded in :attr:`W3cStatusReference.unchecked`, and the credential keeps
  its last known status: never "valid" on the strength of entries the wallet skipped.

Combining several entries (:func:`combine`): only ``revocation`` and ``suspension`` speak to
validity (``refresh`` and ``message`` never invalidate). Any revoked entry makes the
credential revoked, else any suspended one suspended; only when every validity entry was
checked and is unset, and nothing was skipped, is it valid. Otherwise: undetermined (None).

The fetching and caching happen in :mod:`wallet_core.freshness`; this module does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wallet_core.errors import MalformedCredentialError, StatusListError
from wallet_core.formats import w3c_vc
from wallet_core.formats.status_bitstring import (
    BitstringStatusEntry,
    check_bitstring_status,
    entry_profile,
    parse_bitstring_entry,
)
from wallet_core.formats.status_common import (
    DEFAULT_CACHE_POLICY,
    CachePolicy,
    StatusResult,
    require_url_text,
    utc,
)
from wallet_core.models import StatusState

REVOCATION_LIST_TYPE = "1EdTechRevocationList"
#: what a status list credential may be served as: JSON-LD with proofs, or a VC-JWT
LIST_MEDIA_TYPES = (
    "application/vc+ld+json, application/vc, application/vc+jwt, application/jwt, "
    "application/ld+json, application/json"
)
REVOCATION_LIST_MEDIA_TYPE = "application/json"
VALIDITY_PURPOSES = frozenset({"revocation", "suspension"})
#: the two kinds of list document (:attr:`StatusListDocument.kind`)
CREDENTIAL_LIST = "credential"
REVOCATION_LIST = "1edtech"


@dataclass(frozen=True)
class RevocationListEntry:
    """A ``1EdTechRevocationList`` entry: its list is at ``list_url`` (the entry's ``id``)."""

    list_url: str
    purpose: str = "revocation"


StatusEntry = BitstringStatusEntry | RevocationListEntry


@dataclass(frozen=True)
class W3cStatusReference:
    """A W3C credential's checkable status entries (``Freshness`` dispatches on this type)."""

    issuer: str
    credential_id: str | None
    entries: tuple[StatusEntry, ...]
    #: what the wallet cannot check (the entry's type, or why)
    unchecked: tuple[str, ...] = ()

    def lists(self) -> list[tuple[str, str, tuple[StatusEntry, ...]]]:
        """(list URL, kind, its entries), one per list in the credential's order."""
        grouped: dict[str, list[StatusEntry]] = {}
        for entry in self.entries:
            grouped.setdefault(list_url(entry), []).append(entry)
        return [(url, _kind(entries), tuple(entries)) for url, entries in grouped.items()]


@dataclass(frozen=True)
class StatusListDocument:
    """A fetched list that passed its checks: a verified list credential (``issuer`` is who
    signed it) or a 1EdTech revocation list (``issuer`` is who it names, if anyone). Kept in
    the vault cache as :meth:`to_json`; the issuer is checked again at every use, since
    other credentials may name the same URL."""

    kind: str
    issuer: str | None
    document: Mapping[str, Any] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "issuer": self.issuer, "document": dict(self.document)}

    @classmethod
    def from_json(cls, value: Any) -> StatusListDocument:
        if not isinstance(value, Mapping) or not isinstance(value.get("document"), Mapping):
            raise StatusListError("the cached status list is damaged")
        issuer = value.get("issuer")
        return cls(
            str(value.get("kind")), issuer if isinstance(issuer, str) else None, value["document"]
        )


def list_url(entry: StatusEntry) -> str:
    if isinstance(entry, RevocationListEntry):
        return entry.list_url
    return entry.list_credential


def parse_w3c_status(document: Mapping[str, Any], *, issuer: str) -> W3cStatusReference | None:
    """The status entries of a W3C credential document (``credentialStatus``, an object or
    an array); None when it has none. A malformed entry of a known type raises."""
    if not isinstance(document, Mapping):
        raise MalformedCredentialError("the credential must be a JSON object")
    raw = document.get("credentialStatus")
    items = raw if isinstance(raw, list) else [] if raw is None else [raw]
    if not items:
        return None
    credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    entries: list[StatusEntry] = []
    unchecked: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise MalformedCredentialError("credentialStatus entries must be JSON objects")
        profile = entry_profile(item)
        if profile is not None:
            entries.append(parse_bitstring_entry(item, profile))
        elif REVOCATION_LIST_TYPE in _types(item.get("type")):
            url = require_url_text(item.get("id"), "the 1EdTechRevocationList id")
            if credential_id is None:
                unchecked.append(f"{REVOCATION_LIST_TYPE} (the credential has no id)")
            else:
                entries.append(RevocationListEntry(url))
        else:
            unchecked.append(", ".join(map(str, _types(item.get("type")))) or "untyped")
    reference = W3cStatusReference(issuer, credential_id, tuple(entries), tuple(unchecked))
    reference.lists()  # one URL serves one kind of list
    return reference


def verify_list_credential(
    served: str, *, issuer: str, resolver: w3c_vc.Resolver, now: float
) -> StatusListDocument:
    """Verify a fetched status list credential (JSON-LD with proofs, or a VC-JWT) and check
    that the credential's own ``issuer`` issued it; raises a ``CredentialError``."""
    listed = w3c_vc.verify(served, resolver=resolver, now=now)
    if listed.issuer != issuer:
        raise StatusListError("the status list is not issued by the credential's issuer")
    return StatusListDocument(CREDENTIAL_LIST, listed.issuer, listed.document)


def revocation_list(served: Any) -> StatusListDocument:
    """A fetched 1EdTech revocation list, checked for shape."""
    if not isinstance(served, Mapping) or not isinstance(served.get("revokedCredentials"), list):
        raise StatusListError("the document is not a 1EdTech revocation list")
    for item in served["revokedCredentials"]:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise StatusListError("revokedCredentials items must be objects with an id")
        if not isinstance(item.get("revoked", True), bool):
            raise StatusListError("revoked must be a boolean")
    named = served.get("issuer")
    named = named.get("id") if isinstance(named, Mapping) else named
    if named is not None and not isinstance(named, str):
        raise StatusListError("the revocation list's issuer must be an id")
    return StatusListDocument(REVOCATION_LIST, named, served)


def check_entries(
    reference: W3cStatusReference,
    entries: Iterable[StatusEntry],
    listed: StatusListDocument,
    *,
    now: datetime,
    fetched_at: datetime | None = None,
    max_age: float | None = None,
    cache: CachePolicy = DEFAULT_CACHE_POLICY,
) -> list[StatusResult]:
    """Read each of ``entries`` (all served by ``listed``); ``max_age`` is the HTTP
    lifetime, which times a 1EdTech list (a list credential says its own ``ttl``)."""
    expected = REVOCATION_LIST if listed.kind == REVOCATION_LIST else CREDENTIAL_LIST
    if listed.issuer is not None and listed.issuer != reference.issuer:
        raise StatusListError("the status list is not issued by the credential's issuer")
    if listed.issuer is None and expected == CREDENTIAL_LIST:
        raise StatusListError("the status list credential names no issuer")
    results = []
    for entry in entries:
        if _kind([entry]) != expected:
            raise StatusListError("the status list is not of the kind the entry names")
        if isinstance(entry, BitstringStatusEntry):
            results.append(
                check_bitstring_status(
                    entry, listed.document, now=now, fetched_at=fetched_at, cache=cache
                )
            )
        else:
            results.append(
                _revocation_status(reference, listed.document, now, fetched_at, max_age, cache)
            )
    return results


def combine(results: Iterable[StatusResult], *, unchecked: bool) -> StatusState | None:
    """The credential's state from its entries' results (module docstring); None when
    undetermined (``unchecked``: some entry or list could not be checked)."""
    states = [r.state for r in results if r.purpose in VALIDITY_PURPOSES]
    for decisive in (StatusState.INVALID, StatusState.SUSPENDED):
        if decisive in states:
            return decisive
    if unchecked or not states or any(s is not StatusState.VALID for s in states):
        return None
    return StatusState.VALID


def _revocation_status(
    reference: W3cStatusReference,
    document: Mapping[str, Any],
    now: datetime,
    fetched_at: datetime | None,
    max_age: float | None,
    cache: CachePolicy,
) -> StatusResult:
    current = utc(now)
    fetched = current if fetched_at is None else utc(fetched_at)
    ttl = timedelta(seconds=max_age) if max_age is not None and max_age >= 0 else None
    revoked = [
        item
        for item in document["revokedCredentials"]
        if item["id"] == reference.credential_id and item.get("revoked", True)
    ]
    reason = revoked[0].get("revocationReason") if revoked else None
    return StatusResult(
        state=StatusState.INVALID if revoked else StatusState.VALID,
        value=1 if revoked else 0,
        checked_at=current,
        valid_until=cache.valid_until(fetched, ttl, None),
        purpose="revocation",
        message=reason if isinstance(reason, str) else None,
    )


def _kind(entries: Iterable[StatusEntry]) -> str:
    kinds = {
        REVOCATION_LIST if isinstance(e, RevocationListEntry) else CREDENTIAL_LIST for e in entries
    }
    if len(kinds) != 1:
        raise MalformedCredentialError("one status list URL serves one kind of list")
    return kinds.pop()


def _types(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [value]
    return value if isinstance(value, list) else []
