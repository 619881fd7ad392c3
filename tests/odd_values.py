"""Odd JSON values put in place of one member at a time: what a hostile or careless peer
sends. Parsers must answer every variant with a WalletError or a clean result (issue #12 c)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from wallet_core.errors import WalletError

ODD: tuple[Any, ...] = (None, True, [], ["x"], {}, -1, 2**70, 1e308, "", "x" * 5000)


def _paths(node: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*here, key)
            yield from _paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*here, index)
            yield from _paths(value, (*here, index))


def variants(document: Any) -> Iterator[tuple[str, Any]]:
    """``(where, document with the member at where replaced by one odd value)``, for every
    member and array element at any depth, and every odd value."""
    for path in _paths(document):
        for odd in ODD:
            changed = copy.deepcopy(document)
            parent = changed
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = copy.deepcopy(odd)
            yield f"{'.'.join(map(str, path))}={str(odd)[:12]}", changed


def escapes(parse: Callable[[Any], object], document: Any) -> list[str]:
    """The variants of ``document`` that ``parse`` fails on with anything but a WalletError."""
    failures = []
    for where, changed in variants(document):
        try:
            parse(changed)
        except WalletError:
            pass
        except Exception as exc:  # the defect these tests exist for
            failures.append(f"{where}: {type(exc).__name__}: {exc}")
    return failures
