"""JSON-LD for W3C Verifiable Credentials: offline, pinned and bounded (through pyld).

- **Pinned contexts only.** A credential's ``@context`` URLs are served from the copies
  shipped in ``formats/contexts/`` (``manifest.json`` gives each file's URL, sha256, source
  and licence); each copy's sha256 is checked before first use. Nothing is fetched at verify
  time: an unknown context is refused with :class:`~wallet_core.errors.UnknownContextError`,
  so a credential cannot make the wallet contact a server, nor change meaning with a context
  that changed since it was signed.
- **Bounded.** A hostile document must not stall the app: the JSON may nest at most
  ``MAX_DEPTH`` deep and hold at most ``MAX_JSON_BYTES``; its dataset at most ``MAX_QUADS``
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
from pyld.jsonld import URDNA2015, JsonLdError

from wallet_core.errors import (
    JsonLdLimitError,
    MalformedCredentialError,
    UnknownContextError,
    WalletError,
)

MAX_DEPTH = 32
MAX_JSON_BYTES = 1024 * 1024  # embedded images (data: URIs) make real badges large
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
    expanded: list[Any] = _pyld(jsonld.expand, document)
    return expanded


def canonize(document: Mapping[str, Any], *, deadline: float = DEFAULT_DEADLINE) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (each line ends with a newline)."""
    _check_shape(document)
    dataset = _pyld(jsonld.to_rdf, document)
    quads = [quad for graph in dataset.values() for quad in graph]
    if len(quads) > MAX_QUADS:
        raise JsonLdLimitError(f"the document makes more than {MAX_QUADS} statements")
    if len(_blank_nodes(quads)) > MAX_BLANK_NODES:
        raise JsonLdLimitError(f"the document has more than {MAX_BLANK_NODES} blank nodes")
    try:
        text: str = _BoundedRdfc(time.monotonic() + deadline).main(
            dataset, {"format": "application/n-quads"}
        )
    except JsonLdError as exc:
        raise MalformedCredentialError("the document cannot be canonicalized") from exc
    return text


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
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}


def _pyld(operation: Any, document: Mapping[str, Any]) -> Any:
    options = {"documentLoader": _document_loader, "processingMode": "json-ld-1.1"}
    try:
        return operation(dict(document), options)
    except JsonLdError as exc:
        ours = _cause(exc)
        if ours is not None:
            raise ours from exc
        raise MalformedCredentialError(f"the document is not valid JSON-LD: {exc.code}") from exc
    except RecursionError as exc:
        raise JsonLdLimitError("the document nests too deep") from exc


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
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonLdLimitError(f"the document nests deeper than {MAX_DEPTH} levels")
        children = value.values() if isinstance(value, Mapping) else value
        if isinstance(value, Mapping | list):
            stack.extend((child, depth + 1) for child in children)


def _blank_nodes(quads: list[Mapping[str, Any]]) -> set[str]:
    found: set[str] = set()
    for quad in quads:
        for position in ("subject", "object", "graph"):
            term = quad.get(position)
            if isinstance(term, Mapping) and term.get("type") == "blank node":
                found.add(str(term.get("value")))
    return found
