"""JSON-LD for W3C Verifiable Credentials: offline, pinned and bounded (through pyld).

- **Pinned contexts only.** A credential's ``@context`` URLs are served from the copies
  shipped in ``formats/contexts/`` (``manifest.json`` gives each file's URL, sha256, source
  and licence); each copy's sha256 is checked before first use. Nothing is fetched at verify
  time: an unknown context is refused with :class:`~wallet_core.errors.UnknownContextError`,
  so a credential cannot make the wallet contact a server, nor change meaning with a context
  that changed since it was signed.
- **No inline contexts.** Every ``@context`` (at any level) is a pinned URL or a list of
  them: an inline definition could alias a term so that what the JSON shows is not what the
  signed statements say.
- **What is shown is what is signed** ("safe mode", as the digitalbazaar libraries have it):
  a member that expansion would silently drop (no context defines it) is refused with
  :class:`~wallet_core.errors.UnsignedContentError`, since a signature over the N-Quads does
  not cover it; so is a member named by an IRI instead of a term, which would let a document
  carry, say, an expiry the wallet reads past.
- **Bounded.** A hostile document must not stall the app: the JSON may nest at most
  ``MAX_DEPTH`` deep, hold at most ``MAX_JSON_BYTES``, ``MAX_NODES`` values in all and
  ``MAX_ARRAY`` in one array (pyld's node map is quadratic in the values under one
  property); its dataset at most ``MAX_QUADS``
  quads with at most ``MAX_BLANK_NODES`` blank nodes; and RDFC-1.0's Hash N-Degree Quads, the
  step that poison graphs make explode (RDFC-1.0 §4.9 and its "Security Considerations"), runs
  at most ``MAX_DEEP_ITERATIONS`` times and within ``deadline`` seconds. Breaking a limit
  raises :class:`~wallet_core.errors.JsonLdLimitError`.

:func:`canonize` is RDFC-1.0 (W3C, 2024; pyld calls it URDNA2015, to which it is identical)
to N-Quads, the input of the Data Integrity cryptosuites.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Mapping
from importlib import resources
from typing import Any

from pyld import jsonld
from pyld.jsonld import URDNA2015, JsonLdError, _is_absolute_iri, _is_keyword

from wallet_core.errors import (
    JsonLdLimitError,
    MalformedCredentialError,
    UnknownContextError,
    UnsignedContentError,
    WalletError,
)

MAX_DEPTH = 32
MAX_JSON_BYTES = 1024 * 1024  # embedded images (data: URIs) make real badges large
MAX_NODES = 20_000
MAX_ARRAY = 1_000
MAX_QUADS = 5000  # the 1EdTech complete OB3 example has ~350
MAX_BLANK_NODES = 200
MAX_DEEP_ITERATIONS = 2000
DEFAULT_DEADLINE = 2.0  # seconds for one canonicalization

_MANIFEST = "manifest.json"


@functools.cache
def pinned_contexts() -> dict[str, Mapping[str, str]]:
    """Context URL -> its manifest entry (file, sha256, source, licence)."""
    folder = resources.files("wallet_core.formats") / "contexts"
    entries = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    return {entry["url"]: entry for entry in entries}


@functools.cache
def load_context(url: str) -> Any:
    """The pinned copy of the context at ``url``, its digest checked."""
    entry = pinned_contexts().get(url)
    if entry is None:
        raise UnknownContextError(f"the context {url!r} is not one this wallet knows")
    data = (resources.files("wallet_core.formats") / "contexts" / entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        # A changed copy on disk would silently change what credentials mean.
        raise UnknownContextError(f"the pinned copy of {url!r} does not match its digest")
    return json.loads(data)


def expand(document: Mapping[str, Any]) -> list[Any]:
    """JSON-LD expansion with pinned contexts only, within the input limits."""
    _check_shape(document)
    expanded: list[Any] = _pyld(_StrictProcessor().expand, document)
    return expanded


def canonize(document: Mapping[str, Any], *, deadline_at: float | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (each line ends with a newline).

    ``deadline_at`` (``time.monotonic()`` seconds) bounds the costly step; by default
    ``DEFAULT_DEADLINE`` from now. Callers that canonicalize several documents for one
    decision pass one deadline for all of them.
    """
    _check_shape(document)
    dataset = _pyld(_StrictProcessor().to_rdf, document)
    quads = [quad for graph in dataset.values() for quad in graph]
    if len(quads) > MAX_QUADS:
        raise JsonLdLimitError(f"the document makes more than {MAX_QUADS} statements")
    if len(_blank_nodes(quads)) > MAX_BLANK_NODES:
        raise JsonLdLimitError(f"the document has more than {MAX_BLANK_NODES} blank nodes")
    deadline = time.monotonic() + DEFAULT_DEADLINE if deadline_at is None else deadline_at
    try:
        text: str = _BoundedRdfc(deadline).main(dataset, {"format": "application/n-quads"})
    except JsonLdError as exc:
        raise MalformedCredentialError("the document cannot be canonicalized") from exc
    return text


class _StrictProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor, refusing what it would drop (see the module doc)."""

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Mapping[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        for key in element:
            if key == "@context" or _is_keyword(key):
                continue
            if ":" in key:
                raise UnsignedContentError(f"the member {key[:60]!r} is an IRI, not a term")
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if expanded is None or not (_is_absolute_iri(expanded) or _is_keyword(expanded)):
                raise UnsignedContentError(f"no context defines the member {key[:60]!r}")
        return super()._expand_object(
            active_ctx, active_property, expanded_active_property, element, *args, **kwargs
        )


class _BoundedRdfc(URDNA2015):  # type: ignore[misc]
    """RDFC-1.0 with a budget on its one step that can be driven exponential."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline
        self._iterations = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._iterations += 1
        if self._iterations > MAX_DEEP_ITERATIONS or time.monotonic() > self._deadline:
            raise JsonLdLimitError("the document's blank nodes take too long to canonicalize")
        return super().hash_n_degree_quads(id_, issuer)


def _document_loader(url: str, _options: Any = None) -> dict[str, Any]:
    # "static": a pinned context never changes, so pyld may keep it processed in its shared
    # cache (keyed by URL). Without a tag pyld processes it again in every operation.
    document = load_context(url)
    return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}


def _pyld(operation: Any, document: Any) -> Any:
    options = {"documentLoader": _document_loader, "processingMode": "json-ld-1.1"}
    try:
        return operation(document if isinstance(document, list) else dict(document), options)
    except WalletError:
        raise
    except JsonLdError as exc:
        ours = _cause(exc)
        if ours is not None:
            raise ours from exc
        why = exc.code or exc.type
        raise MalformedCredentialError(f"the document is not valid JSON-LD: {why}") from exc
    except RecursionError as exc:
        raise JsonLdLimitError("the document nests too deep") from exc
    except Exception as exc:  # pyld has loose ends (a KeyError for {"@vocab": null})
        raise MalformedCredentialError("the document is not valid JSON-LD") from exc


def _cause(exc: BaseException) -> WalletError | None:
    """Our own error (an unknown context), wherever pyld wrapped it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, WalletError):
            return current
        seen.add(id(current))
        details = getattr(current, "details", None)
        nested = getattr(current, "cause", None)
        if not isinstance(nested, BaseException) and isinstance(details, Mapping):
            nested = details.get("cause")  # where pyld puts a document loader's error
        current = nested if isinstance(nested, BaseException) else current.__cause__
    return None


def _check_shape(document: Mapping[str, Any]) -> None:
    if not isinstance(document, Mapping):
        raise MalformedCredentialError("a JSON-LD document must be a JSON object")
    try:
        size = len(json.dumps(document, separators=(",", ":")))
    except (TypeError, ValueError, RecursionError) as exc:
        raise MalformedCredentialError("the document is not JSON") from exc
    if size > MAX_JSON_BYTES:
        raise JsonLdLimitError(f"the document is larger than {MAX_JSON_BYTES} bytes")
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            what = f"nests deeper than {MAX_DEPTH} levels" if depth > MAX_DEPTH else "is too large"
            raise JsonLdLimitError(f"the document {what}")
        if isinstance(value, Mapping):
            if "@context" in value:
                _check_context(value["@context"])
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            if len(value) > MAX_ARRAY:
                raise JsonLdLimitError(f"an array holds more than {MAX_ARRAY} values")
            stack.extend((child, depth + 1) for child in value)


def _check_context(context: Any) -> None:
    listed = context if isinstance(context, list) else [context]
    for entry in listed:
        if not isinstance(entry, str):
            raise UnknownContextError("inline contexts are refused: only pinned context URLs")
        if entry not in pinned_contexts():
            raise UnknownContextError(f"the context {entry[:80]!r} is not one this wallet knows")


def _blank_nodes(quads: list[Mapping[str, Any]]) -> set[str]:
    found: set[str] = set()
    for quad in quads:
        for position in ("subject", "object", "graph"):
            term = quad.get(position)
            if isinstance(term, Mapping) and term.get("type") == "blank node":
                found.add(str(term.get("value")))
    return found
