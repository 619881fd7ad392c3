"""Embedded Open Badges endorsements: where a badge carries them, and checking each one.

OB 3.0 lets an ``EndorsementCredential`` sit in the credential's ``endorsement``, in its
achievement's, in the achievement's ``creator`` and in the issuer profile. Each is a
credential of its own, signed by the endorser, and the OB 3.0 verification steps check it as
one; an endorsement that fails does not make the badge invalid, it only stops counting
(OB 3.0 §9, "Verification and Validation"). So :func:`check` never raises: each endorsement
gets an outcome the detail screen shows beside it.

- ``valid``: it verified as a W3C credential of type ``EndorsementCredential`` (by one of
  the endorser's own assertion keys) and its subject is what it sits on;
- ``invalid``: a bad signature, a key the endorser does not control, expired, malformed, or
  about something else (an endorsement copied from another badge);
- ``unchecked``: this wallet could not decide (offline, a DID method or proof suite it does
  not know, a context it does not hold, over the limit of :data:`MAX_CHECKED`).

Depth 1: an endorsement's own endorsements are not checked (nor shown).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wallet_core.errors import (
    DidResolutionError,
    JsonLdLimitError,
    MalformedCredentialError,
    NetworkError,
    UnknownContextError,
    UnsupportedProofError,
    WalletError,
)
from wallet_core.formats import w3c_vc

ENDORSEMENT_TYPE = "EndorsementCredential"
MAX_CHECKED = 8  # each may cost a DID resolution at the endorser and a canonicalisation
MAX_LISTED = 50
Outcome = Literal["valid", "invalid", "unchecked"]
_UNDECIDABLE = (
    NetworkError,
    DidResolutionError,
    UnsupportedProofError,
    UnknownContextError,
    JsonLdLimitError,
)


@dataclass(frozen=True)
class Embedded:
    """One embedded endorsement: what it is ``about``, its place in the document, the
    ``id`` of what it sits on (None when that has none), and the endorsement itself."""

    about: Literal["credential", "achievement", "creator", "issuer"]
    path: tuple[str | int, ...]
    endorsed: str | None
    entry: Mapping[str, Any]


@dataclass(frozen=True)
class EndorsementCheck:
    """The outcome for the endorsement at ``path``; ``code`` is the error code behind an
    outcome other than valid."""

    path: tuple[str | int, ...]
    outcome: Outcome
    code: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {"path": list(self.path), "outcome": self.outcome, "code": self.code}


def embedded(document: Mapping[str, Any]) -> Iterator[Embedded]:
    """Every embedded endorsement, in the order the detail screen lists them."""
    subject, subject_at = _first_mapping(document.get("credentialSubject"), ("credentialSubject",))
    achievement = subject.get("achievement") if subject is not None else None
    places: list[tuple[Any, Mapping[str, Any] | None, tuple[str | int, ...]]] = [
        ("credential", document, ())
    ]
    if isinstance(achievement, Mapping):
        at = (*subject_at, "achievement")
        places.append(("achievement", achievement, at))
        creator = achievement.get("creator")
        places.append(
            ("creator", creator if isinstance(creator, Mapping) else None, (*at, "creator"))
        )
    issuer = document.get("issuer")
    places.append(("issuer", issuer if isinstance(issuer, Mapping) else None, ("issuer",)))
    listed = 0
    for about, node, at in places:
        if node is None:
            continue
        endorsed = node.get("id")
        value = node.get("endorsement")
        items = value if isinstance(value, list) else [value] if value is not None else []
        for index, entry in enumerate(items):
            if not isinstance(entry, Mapping) or listed >= MAX_LISTED:
                continue
            listed += 1
            path = (*at, "endorsement", index) if isinstance(value, list) else (*at, "endorsement")
            yield Embedded(about, path, endorsed if isinstance(endorsed, str) else None, entry)


def check(
    document: Mapping[str, Any],
    *,
    resolver: w3c_vc.Resolver,
    now: float,
    decided: Mapping[tuple[str | int, ...], EndorsementCheck] | None = None,
) -> tuple[EndorsementCheck, ...]:
    """The outcome of every embedded endorsement of ``document``. Never raises. Those
    ``decided`` (valid or invalid) before keep that outcome and are not verified again:
    asking an endorser's DID again would only tell it the wallet is looking."""
    found: list[EndorsementCheck] = []
    for number, endorsement in enumerate(embedded(document)):
        before = (decided or {}).get(endorsement.path)
        if before is not None and before.outcome != "unchecked":
            found.append(before)
            continue
        if number >= MAX_CHECKED:
            found.append(EndorsementCheck(endorsement.path, "unchecked", "too_many"))
            continue
        try:
            _verify(endorsement, resolver, now)
        except _UNDECIDABLE as exc:
            found.append(EndorsementCheck(endorsement.path, "unchecked", exc.code))
        except WalletError as exc:
            found.append(EndorsementCheck(endorsement.path, "invalid", exc.code))
        else:
            found.append(EndorsementCheck(endorsement.path, "valid"))
    return tuple(found)


def previous(records: Any) -> dict[tuple[str | int, ...], EndorsementCheck]:
    """The checks stored with a credential (:meth:`EndorsementCheck.as_record`), by path;
    anything unreadable (a restored backup may hold anything) is left out, and so shown
    as not checked and checked again."""
    found: dict[tuple[str | int, ...], EndorsementCheck] = {}
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, Mapping) or not isinstance(record.get("path"), list):
            continue
        path = tuple(record["path"])
        outcome, code = record.get("outcome"), record.get("code")
        if not all(isinstance(step, str | int) for step in path):
            continue
        if outcome in ("valid", "invalid", "unchecked"):
            found[path] = EndorsementCheck(path, outcome, code if isinstance(code, str) else None)
    return found


def outcomes(records: Any) -> dict[tuple[str | int, ...], Outcome]:
    """The stored outcomes by path (see :func:`previous`)."""
    return {path: check.outcome for path, check in previous(records).items()}


def _verify(endorsement: Embedded, resolver: w3c_vc.Resolver, now: float) -> None:
    if endorsement.entry.get("proof") is None:
        # unsigned, it proves nothing: not a question this wallet cannot decide
        raise MalformedCredentialError("the endorsement is not signed")
    checked = w3c_vc.verify(endorsement.entry, resolver=resolver, now=now)
    if ENDORSEMENT_TYPE not in checked.types:
        raise MalformedCredentialError("an endorsement is an EndorsementCredential")
    subject = checked.document.get("credentialSubject")
    about = subject.get("id") if isinstance(subject, Mapping) else None
    if endorsement.endorsed is not None and about != endorsement.endorsed:
        # a genuine endorsement of something else, copied in to borrow its standing
        raise MalformedCredentialError("the endorsement is about something else")


def _first_mapping(
    value: Any, at: tuple[str | int, ...]
) -> tuple[Mapping[str, Any] | None, tuple[str | int, ...]]:
    if isinstance(value, Mapping):
        return value, at
    if isinstance(value, list):
        for index, entry in enumerate(value):
            if isinstance(entry, Mapping):
                return entry, (*at, index)
    return None, at
