"""The facts of an Open Badge as data (:class:`BadgeFacts` and its parts), and the tolerant
readers of single values they are made with: text, numbers, https URLs, images, times and
enumerated terms. :mod:`wallet_core.formats.badge_view` reads a whole document with them.

A reader answers None for anything it cannot use (a wrong type, an empty string, a URL that
is not https, an IRI where words are wanted), never an exception. Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

Key = str | int
Path = tuple[Key, ...]

MAX_TEXT = 20_000  # a description or narrative; longer ones are cut
MAX_SHORT = 500  # a name, a code, a detail value
MAX_IMAGE = 400_000  # characters of a data: URI (about 300 KB of image)
MAX_ITEMS = 50  # entries read of any one list

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
COMPACT_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s/]\S*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True)
class BadgeTerm:
    """An enumerated value: ``code`` to look a translation up (``onsite_or_blended``,
    ``brin``), ``text`` to show without one (``Onsite or blended``, ``BRIN``)."""

    code: str
    text: str


@dataclass(frozen=True)
class BadgeWorkload:
    amount: float
    unit: str  # "ects", "sbu" (study load hours, mbo) or "hours" (time investment)


@dataclass(frozen=True)
class BadgeIdentifier:
    kind: BadgeTerm  # identifierType: ext:BRIN -> BRIN
    value: str


@dataclass(frozen=True)
class BadgeQualityAssurance:
    name: str | None = None
    description: str | None = None  # Markdown, as the issuer wrote it
    code: str | None = None
    url: str | None = None  # https only


@dataclass(frozen=True)
class BadgeGrade:
    value: str
    name: str | None = None  # of its ResultDescription: "Final Project Grade"
    kind: BadgeTerm | None = None  # resultType: ext:ECTSGradeScore, LetterGrade, ...
    minimum: str | None = None
    maximum: str | None = None
    required: str | None = None


@dataclass(frozen=True)
class BadgeEndorsement:
    """An embedded EndorsementCredential, as read, with what checking it found
    (:mod:`~wallet_core.formats.endorsements`): "valid", "invalid" or "unchecked"."""

    about: str  # what it endorses: "credential", "achievement", "creator" or "issuer"
    endorser: str | None = None
    name: str | None = None
    comment: str | None = None
    outcome: str = "unchecked"


@dataclass(frozen=True)
class BadgeDetail:
    """One leaf of the document not shown among the facts: ``keys`` are its member names
    (and list positions) from the root, for labels; ``value`` a string without IRIs
    (``ext:Foo`` becomes words), a number or a boolean."""

    keys: Path
    value: str | bool | int | float


@dataclass(frozen=True)
class BadgeFacts:
    name: str | None = None
    achievement_type: BadgeTerm | None = None
    description: str | None = None  # Markdown
    criteria: str | None = None  # Markdown
    criteria_url: str | None = None  # https only
    image: str | None = None  # a data: URI or an https URL, never fetched here
    issuer_name: str | None = None
    issuer_identifiers: tuple[BadgeIdentifier, ...] = ()
    issuer_url: str | None = None
    issuer_email: str | None = None
    issuer_country: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    workload: tuple[BadgeWorkload, ...] = ()
    eqf_level: str | None = None
    quality_assurance: tuple[BadgeQualityAssurance, ...] = ()
    participation: BadgeTerm | None = None
    assessment: BadgeTerm | None = None
    supervision: BadgeTerm | None = None
    identity_checked: bool | None = None
    language: str | None = None  # a BCP 47 tag: nl-NL
    education_program: str | None = None
    grades: tuple[BadgeGrade, ...] = ()
    learning_outcomes: tuple[str, ...] = ()
    endorsements: tuple[BadgeEndorsement, ...] = ()
    details: tuple[BadgeDetail, ...] = ()

    @property
    def brin(self) -> str | None:
        """The institution's BRIN code (Dutch education register), when the issuer gave it."""
        return next((i.value for i in self.issuer_identifiers if i.kind.code == "brin"), None)

    @property
    def is_microcredential(self) -> bool:
        """Whether it carries the EU microcredential elements (workload, level, ...)."""
        return bool(self.workload or self.eqf_level or self.participation or self.assessment)


def pretty_name(name: str) -> str:
    """A member name or enumerated term in words: ``participation-type-online`` ->
    ``Participation type online``, ``MicroCredential`` -> ``Micro credential``,
    ``ECTSGradeScore`` -> ``ECTS grade score``; acronyms keep their capitals."""
    words = [w for part in re.split(r"[\W_]+", name) for w in _CAMEL.split(part) if w]
    shown = [w if len(w) > 1 and w.isupper() else w.lower() for w in words]
    if not shown:
        return ""
    return " ".join([shown[0][:1].upper() + shown[0][1:], *shown[1:]])


def badge_term(value: Any, scheme: str = "") -> BadgeTerm | None:
    """An enumerated value as a term: the last segment of an IRI (``#``, ``/`` or ``:``),
    without the ``scheme`` its vocabulary puts before every term (the educredential glossary
    writes ``…#participation-type-online`` for ``online``)."""
    text = text_of(value, MAX_SHORT)
    if text is None:
        return None
    last = re.split(r"[#/:]", text.rstrip("/#"))[-1].strip()
    if scheme and last.lower().startswith(scheme) and len(last) > len(scheme):
        last = last[len(scheme) :]
    code = re.sub(r"[\W_]+", "_", last.lower()).strip("_")
    words = pretty_name(last)
    return BadgeTerm(code, words) if code and words else None


def entries(value: Any) -> Iterator[tuple[int | None, Any]]:
    """(position, entry) of a list, or (None, value) of a single value: OB 3.0 members that
    are arrays are often sent as one object."""
    if isinstance(value, list):
        yield from enumerate(value[:MAX_ITEMS])
    elif value is not None:
        yield None, value


def text_of(value: Any, limit: int = MAX_SHORT) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text[:limit] if text else None


def plain_text(value: Any) -> str | None:
    """A short value to show as it is: text that is no IRI, or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    text = text_of(value)
    if text is None or https_url(text) or COMPACT_IRI.fullmatch(text):
        return None
    return text


def _number_text(value: float) -> str | None:
    if not math.isfinite(value):
        return None
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else str(value)


def number_of(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and len(value) <= 20:
        try:
            value = float(value.replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and 0 <= value < 1e9:
        return float(value)
    return None


def https_url(value: Any) -> str | None:
    text = text_of(value, 2000)
    if text is None or not text.lower().startswith("https://") or any(c.isspace() for c in text):
        return None
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return text if host else None


def image_source(value: Any) -> str | None:
    source = value.get("id") if isinstance(value, Mapping) else value
    if isinstance(source, str) and source[:11].lower() == "data:image/":
        return source if len(source) <= MAX_IMAGE else None
    return https_url(source)


def time_of(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or not 0 <= value < 253402300800:  # before year 10000
            return None
        return datetime.fromtimestamp(value, UTC)
    text = text_of(value, 40)
    if text is None or not _DATE.fullmatch(text):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


MAX_DETAILS = 200
MAX_DEPTH = 8

# Never in "All details": what makes the document a credential rather than what it says.
_TECHNICAL = frozenset(
    {
        "@context",
        "@type",
        "type",
        "id",
        "proof",
        "credentialSchema",
        "credentialStatus",
        "refreshService",
        "salt",
        "hashed",
    }
)
_JWT_CLAIMS = frozenset({"iss", "sub", "nbf", "exp", "iat", "jti"})


# -- the rest: "All details" ----------------------------------------------------------------


def details_of(document: Mapping[str, Any], used: set[Path]) -> tuple[BadgeDetail, ...]:
    """Every leaf of ``document`` not under a ``used`` path, in document order, depth
    first, without the credential's technical members."""
    return tuple(_details(document, (), used))[:MAX_DETAILS]


def _details(value: Any, path: Path, used: set[Path]) -> Iterator[BadgeDetail]:
    """Every leaf not shown among the facts, in document order, depth first."""
    if path in used or len(path) > MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        for key, child in list(value.items())[:MAX_ITEMS]:
            if isinstance(key, str) and not _hidden(key, path):
                yield from _details(child, (*path, key), used)
    elif isinstance(value, list):
        for index, child in enumerate(value[:MAX_ITEMS]):
            yield from _details(child, (*path, index), used)
    else:
        shown = _leaf(value)
        if shown is not None:
            yield BadgeDetail(path, shown)


def _hidden(key: str, path: Path) -> bool:
    if not path and key in _JWT_CLAIMS:
        return True
    # An evidence id is where the evidence is: worth a look, unlike every other id.
    return key in _TECHNICAL and not (key == "id" and path[:1] == ("evidence",))


def _leaf(value: Any) -> str | bool | int | float | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    text = text_of(value, MAX_TEXT)
    if text is None or text[:5].lower() == "data:" or text.lower().startswith("sha256$"):
        return None
    if text[:4].lower() in ("urn:", "did:"):
        return None  # identifiers that mean nothing to a person
    if not https_url(text) and COMPACT_IRI.fullmatch(text):
        term = badge_term(text)
        return term.text if term else None
    return text
