"""The second line of a home card: kind · EC · EQF · date ("Microcredential · 5 EC ·
EQF 6 · 1 September 2026"), so a student tells credentials apart without opening them.

The facts are read once when home loads (:func:`card_facts`, from the stored claims, on a
thread); the line is rendered per language. Only what a credential states is shown: a
credential without a study load or level gets no "0 EC".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.components.claim_list import Translate, format_date
from app.kinds import kind_of
from wallet_core import CredentialSummary, badge_facts

# "5 ECTS", "7,5 EC": the number before the unit, as the rulebook writes a workload
_EC = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:ECTS|EC)\b", re.IGNORECASE)
MAX_EC = 600  # more than any programme: a larger number is an error, not a study load
_EQF = re.compile(r"^(?:EQF\s*)?([1-8])$", re.IGNORECASE)


@dataclass(frozen=True)
class CardFacts:
    kind: str  # one of app.kinds.KINDS
    ec: str | None = None  # "5", "7.5"
    eqf: str | None = None  # "6"
    on: date | datetime | None = None  # issued, else added


def card_facts(
    summary: CredentialSummary, claims: Mapping[str, Any], display: Mapping[str, Any] | None
) -> CardFacts:
    """Blocking-free but not cheap (an Open Badge is read whole): call it when loading."""
    kind = kind_of(summary, display)
    on = summary.issued_at or summary.added_at
    badge = badge_facts(claims)
    if badge is not None:
        ects = next((w.amount for w in badge.workload if w.unit == "ects"), None)
        return CardFacts(kind, _ec(ects), badge.eqf_level, on)
    return CardFacts(kind, _ec(claims.get("notionalWorkload")), _eqf(claims.get("level")), on)


def card_line(facts: CardFacts, t: Translate) -> str:
    parts = [t(f"kind.{facts.kind}")]
    if facts.ec:
        parts.append(t("detail.ec", n=facts.ec))
    if facts.eqf:
        parts.append(f"EQF {facts.eqf}")
    if facts.on is not None:
        parts.append(format_date(facts.on, t))
    return " · ".join(parts)


def _ec(value: Any) -> str | None:
    if isinstance(value, str) and (found := _EC.search(value)):
        value = float(found.group(1).replace(",", "."))
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= MAX_EC:
        return _number(float(value))
    return None


def _eqf(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8:
        return str(value)
    if isinstance(value, str) and (found := _EQF.match(value.strip())):
        return found.group(1)
    return None


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
