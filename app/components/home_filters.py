"""Search, filters and order of the home list. They choose among the cards the screen
built already, without another vault read.

Search finds a credential by its title, institution and card line: each word typed must
begin a word there, in any order ("demo bouw"), and a number goes with its unit ("5 EC",
"EQF 6"), so "5 EC" finds a 5 EC credential and not a 15 EC one, nor "EQF 5 · … 5 EC"
only by its parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import flet as ft

from app.components.claim_list import Translate
from app.kinds import KINDS
from wallet_core import CredentialSummary

SORTS = ("date", "institution", "title")  # the first is the default: newest first
_UNITS = frozenset({"ec", "ects", "sbu"})
_SCALES = frozenset({"eqf", "nlqf"})
# a word, or a number with its decimals ("7,5" and "7.5" are one number)
_WORD = re.compile(r"\d+(?:[.,]\d+)?|\w+")


class HomeFilters:
    def __init__(
        self,
        credentials: Sequence[CredentialSummary],
        *,
        kinds: Mapping[str, str],
        institution: Callable[[CredentialSummary], str],
        on_change: Callable[[Any], None],
    ) -> None:
        self._kinds = kinds
        self._institution = institution
        self.search = ft.TextField(
            key="home-search", prefix_icon=ft.Icons.SEARCH, dense=True, on_change=on_change
        )
        self.kind_filter = _dropdown("home-kind-filter", "", on_change)
        self.institution_filter = _dropdown("home-institution-filter", "", on_change)
        self.sort = _dropdown("home-sort", SORTS[0], on_change)
        self._institutions = sorted({institution(s) for s in credentials}, key=str.casefold)

        def wrapped(identifier: str, control: ft.Control) -> ft.Control:
            return ft.Semantics(identifier=identifier, content=control, expand=True)

        self.control = ft.Column(
            [
                ft.Semantics(identifier="home-search", content=self.search),
                ft.Row(
                    [
                        wrapped("home-kind-filter", self.kind_filter),
                        wrapped("home-institution-filter", self.institution_filter),
                    ],
                    spacing=8,
                ),
                wrapped("home-sort", self.sort),
            ],
            spacing=8,
            visible=len(credentials) > 1,
        )

    def relabel(self, t: Translate) -> None:
        every = ft.DropdownOption(key="", text=t("home.filter_all"))
        self.search.label = t("home.search")
        self.kind_filter.label = t("home.filter_kind")
        self.kind_filter.options = [every] + [
            ft.DropdownOption(key=kind, text=t(f"kind.{kind}")) for kind in KINDS
        ]
        self.institution_filter.label = t("home.filter_institution")
        self.institution_filter.options = [every] + [
            ft.DropdownOption(key=name, text=name) for name in self._institutions
        ]
        self.sort.label = t("home.sort")
        self.sort.options = [ft.DropdownOption(key=s, text=t(f"home.sort_{s}")) for s in SORTS]

    def shown(
        self, credentials: Sequence[CredentialSummary], lines: Mapping[str, str]
    ) -> list[CredentialSummary]:
        """The credentials that pass the filters and the search, in the chosen order."""
        wanted = [re.compile("(?:^| )" + re.escape(g)) for g in _groups(self.search.value or "")]
        kind = self.kind_filter.value or ""
        institution = self.institution_filter.value or ""
        shown = []
        for summary in credentials:
            if kind and self._kinds.get(summary.id) != kind:
                continue
            if institution and self._institution(summary) != institution:
                continue
            text = f"{summary.title} | {self._institution(summary)} | {lines.get(summary.id, '')}"
            words = _words(text)
            if all(group.search(words) for group in wanted):
                shown.append(summary)
        return self._ordered(shown)

    def _ordered(self, shown: list[CredentialSummary]) -> list[CredentialSummary]:
        order = self.sort.value or SORTS[0]
        if order == "title":
            return sorted(shown, key=lambda s: s.title.casefold())
        if order == "institution":
            return sorted(shown, key=lambda s: (self._institution(s).casefold(), s.title))
        return sorted(shown, key=_moment, reverse=True)


def _words(text: str) -> str:
    """``text`` as its words, lower-case, one space apart: what search compares."""
    return " ".join(w.replace(",", ".") for w in _WORD.findall(text.casefold()))


def _groups(typed: str) -> list[str]:
    """What is typed, as the pieces that must each be found: single words, but a number
    together with its unit ("5 ec") or its scale ("eqf 6")."""
    words = _words(typed).split()
    groups: list[str] = []
    i = 0
    while i < len(words):
        word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
        number = word.replace(".", "").isdigit()
        if (number and after in _UNITS) or (word in _SCALES and after.isdigit()):
            groups.append(f"{word} {after}")
            i += 2
        else:
            groups.append(word)
            i += 1
    return groups


def _moment(summary: CredentialSummary) -> datetime:
    moment = summary.issued_at or summary.added_at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dropdown(key: str, value: str, on_change: Callable[[Any], None]) -> ft.Dropdown:
    return ft.Dropdown(key=key, value=value, dense=True, expand=True, on_select=on_change)
