"""Claims path pointers (OpenID4VP 1.0 §7) for the presentation matchers (DCQL, PE).

- :func:`parse_path` and :func:`select` implement the claims path pointer of OpenID4VP 1.0
  §7 (JSON-based credentials, §7.1.1); :func:`select_for` adds the format's own pointer rule
  (mdoc, §7.2.1) from :mod:`wallet_core.formats.registry`.
- A credential as the matchers see it is a :class:`~wallet_core.formats.seam.HeldCredential`.

Matching never raises for what a credential lacks: a claim that cannot be found is simply
absent (OpenID4VP 1.0 §7.1.1 step 2/3 "abort processing and return an error" is read as "the
claim does not exist in this credential"). Only a malformed *request* raises
:class:`~wallet_core.errors.PresentationRequestError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wallet_core.errors import PresentationRequestError
from wallet_core.formats.registry import rules_for
from wallet_core.formats.seam import HeldCredential
from wallet_core.models import ClaimPath

# -- claims path pointers (OpenID4VP 1.0 §7) -----------------------------------------------


def parse_path(value: Any, where: str = "path") -> ClaimPath:
    """Validate a claims path pointer from a request: a non-empty array of strings, nulls and
    non-negative integers (OpenID4VP 1.0 §7). Raises ``PresentationRequestError``.
    """
    if not isinstance(value, list) or not value:
        raise PresentationRequestError(f"{where} must be a non-empty array")
    for index, component in enumerate(value):
        if not _valid_component(component):
            raise PresentationRequestError(
                f"{where}[{index}] must be a string, null or a non-negative integer"
            )
    return tuple(value)


def select(claims: Any, path: ClaimPath) -> tuple[tuple[ClaimPath, Any], ...]:
    """Process a claims path pointer (OpenID4VP 1.0 §7.1.1) against a JSON claim tree.

    Returns the selected elements as ``(concrete path, value)`` pairs, the concrete path
    having an index where the pointer has ``null``. Where §7.1.1 says "abort processing and
    return an error" (a key applied to a non-object, an index or null to a non-array, an empty
    selection) the result is empty: the claim does not exist. A component that is not a
    string, null or non-negative integer raises ``PresentationRequestError``.
    """
    _check_components(path)
    selection: list[tuple[ClaimPath, Any]] = [((), claims)]
    for component in path:
        step: list[tuple[ClaimPath, Any]] = []
        for where, element in selection:
            if isinstance(component, str):
                if not isinstance(element, Mapping):
                    return ()
                if component in element:
                    step.append(((*where, component), element[component]))
            elif not isinstance(element, list | tuple):
                return ()
            elif component is None:
                step.extend(((*where, i), item) for i, item in enumerate(element))
            elif component < len(element):
                step.append(((*where, component), element[component]))
        selection = step
    return tuple(selection)


def select_for(held: HeldCredential, path: ClaimPath) -> tuple[tuple[ClaimPath, Any], ...]:
    """:func:`select` with the format's own pointer rules: an mdoc pointer is exactly a
    namespace and a data element identifier (OpenID4VP 1.0 §7.2.1), otherwise nothing.
    """
    if not rules_for(held.format).pointer_allowed(path):
        _check_components(path)
        return ()
    return select(held.claims, path)


def path_sort_key(path: ClaimPath) -> tuple[tuple[int, str | int], ...]:
    """A total order on claim paths (mixed str/int/None) for stable output."""
    return tuple(
        (0, part) if isinstance(part, str) else (1, part) if isinstance(part, int) else (2, 0)
        for part in path
    )


def covers(outer: ClaimPath, inner: ClaimPath) -> bool:
    """Whether disclosing ``outer`` already discloses ``inner`` (it is ``inner`` or above it;
    ``None`` in ``outer`` stands for any index).
    """
    if len(outer) > len(inner):
        return False
    return all(
        o == i or (o is None and isinstance(i, int) and not isinstance(i, bool))
        for o, i in zip(outer, inner, strict=False)
    )


def dedupe(paths: Iterable[ClaimPath]) -> tuple[ClaimPath, ...]:
    """Paths in first-seen order without repeats."""
    return tuple(dict.fromkeys(paths))


def _check_components(path: ClaimPath) -> None:
    if not isinstance(path, tuple) or not path:
        raise PresentationRequestError("a claims path pointer must be a non-empty tuple")
    if not all(_valid_component(component) for component in path):
        raise PresentationRequestError(
            "a claims path component must be a string, null or a non-negative integer"
        )


def _valid_component(component: Any) -> bool:
    if component is None or isinstance(component, str):
        return True
    return isinstance(component, int) and not isinstance(component, bool) and component >= 0
