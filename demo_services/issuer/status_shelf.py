"""The issuer's status lists of one kind, numbered from 1: when the newest is full, the
next one opens (at ``…/2``, ``…/3``), as real issuers do, instead of refusing to issue.

Credentials carry the list's address and their index in it; the issuer's own records and
the admin API use one number across lists (list *n*'s index *i* is ``(n - 1) * size + i``),
so on the first list the two are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class _List(Protocol):
    def allocate(self) -> int: ...

    @property
    def size(self) -> int: ...

    @property
    def is_full(self) -> bool: ...


L = TypeVar("L", bound=_List)


class StatusShelf(Generic[L]):
    def __init__(self, make: Callable[[int], L]) -> None:
        self._make = make  # list number -> a new empty list, all of one size
        self.lists: list[L] = [make(1)]
        self.size = self.lists[0].size

    def allocate(self) -> int:
        """A free entry's number across lists; a new list when the newest is full."""
        if self.lists[-1].is_full:
            self.lists.append(self._make(len(self.lists) + 1))
        return (len(self.lists) - 1) * self.size + self.lists[-1].allocate()

    def locate(self, number: int) -> tuple[L, int]:
        """The list holding entry ``number`` and its index there; ``IndexError`` if none."""
        which, index = divmod(number, self.size)
        if number < 0 or which >= len(self.lists):
            raise IndexError(number)
        return self.lists[which], index

    def get(self, list_number: int) -> L | None:
        """List ``list_number`` (from 1), if it was opened."""
        return self.lists[list_number - 1] if 1 <= list_number <= len(self.lists) else None
