"""Claims as the holder reads them: labels from the issuer's display metadata, values in
plain words, dates in the user's language, and the microcredential facts at a glance.

Labels come from ``StoredCredential.display["claims"]`` (what ``display_record`` stored at
issuance, every locale the issuer offered), picked with ``localized`` so Dutch falls back to
English, then to the issuer's untagged default. A claim without a label shows its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import flet as ft

from app.i18n import has_key
from wallet_core import ClaimPath, Display, localized, rules_for

Translate = Callable[..., str]

# A JWT's own identifier: the format does not hide it, but it tells the holder nothing.
TECHNICAL = frozenset({"jti"})

# The EU standard elements of a microcredential (MICROCREDENTIALS.md), in reading order.
# ``awardingBody`` is shown as "institution", falling back to the issuer's name.
FACTS: tuple[str, ...] = (
    "title",
    "awardingBody",
    "notionalWorkload",
    "level",
    "learningOutcomes",
    "typeOfAssessment",
    "formOfParticipation",
    "qualityAssurance",
    "issuanceDate",
)
MICROCREDENTIAL_HINTS = frozenset({"notionalWorkload", "learningOutcomes", "typeOfAssessment"})

_DISPLAY_FIELDS = frozenset(f.name for f in fields(Display))


def displays_of(entries: Any) -> list[Display]:
    """``Display`` objects from stored dicts; anything malformed is skipped, not fatal."""
    out: list[Display] = []
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return out
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            out.append(Display(**{k: v for k, v in entry.items() if k in _DISPLAY_FIELDS}))
    return out


def pick_display(entries: Any, locale: str) -> Display | None:
    return localized(displays_of(entries), locale)


def claim_label(path: ClaimPath, labels: Mapping[ClaimPath, str], t: Translate) -> str:
    """The issuer's label for a claim, else our fact name, else the path itself."""
    if path in labels:
        return labels[path]
    name = str(path[0]) if path else ""
    if len(path) == 1 and has_key(f"detail.fact.{name}"):
        return t(f"detail.fact.{name}")
    return ".".join("*" if p is None else str(p) for p in path)


def claim_labels(display: Mapping[str, Any], locale: str) -> dict[tuple[Any, ...], str]:
    """Claim path (tuple) -> label in ``locale``, for every claim the issuer described."""
    labels: dict[tuple[Any, ...], str] = {}
    claims = display.get("claims") if isinstance(display, Mapping) else None
    for claim in claims if isinstance(claims, Sequence) else ():
        if not isinstance(claim, Mapping) or not isinstance(claim.get("path"), Sequence):
            continue
        chosen = pick_display(claim.get("display"), locale)
        if chosen is not None and chosen.name:
            labels[tuple(claim["path"])] = chosen.name
    return labels


def is_microcredential(claims: Mapping[str, Any], type_: str = "") -> bool:
    return bool(MICROCREDENTIAL_HINTS & set(claims)) or "microcredential" in type_.lower()


def format_date(value: date | datetime | None, t: Translate, *, with_time: bool = False) -> str:
    """``3 March 2026`` / ``3 maart 2026``; with the local time when asked."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone() if value.tzinfo else value
        day = t("date.format", day=local.day, month=t(f"date.month.{local.month}"), year=local.year)
        if with_time:
            return t("date.with_time", date=day, time=local.strftime("%H:%M"))
        return day
    return t("date.format", day=value.day, month=t(f"date.month.{value.month}"), year=value.year)


def parse_date(value: Any) -> date | datetime | None:
    """An ISO date (``2026-03-01``) or date-time string or a Unix time, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value).astimezone()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def format_value(value: Any, t: Translate) -> str:
    """Any claim value as text a person reads; nested structures become indented lines."""
    if isinstance(value, bool):
        return t("common.yes") if value else t("common.no")
    if value is None:
        return "—"
    if isinstance(value, list):
        return "\n".join(f"• {format_value(item, t)}" for item in value)
    if isinstance(value, Mapping):
        return "\n".join(f"{k}: {format_value(v, t)}" for k, v in value.items())
    if isinstance(value, str) and (parsed := parse_date(value)) is not None and len(value) >= 10:
        return format_date(parsed, t)
    return str(value)


def format_fact(name: str, value: Any, t: Translate) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if name == "notionalWorkload" and number:
        return t("detail.ec", n=value)
    if name == "level" and number:
        return f"EQF {value}"
    return format_value(value, t)


@dataclass(frozen=True)
class Row:
    key: str  # for the harness: ``fact-<name>`` or ``claim-<name>``
    label: str
    value: str
    as_list: Sequence[str] = ()


def fact_rows(claims: Mapping[str, Any], issuer_name: str, t: Translate) -> list[Row]:
    rows: list[Row] = []
    for name in FACTS:
        value = claims.get(name)
        if name == "awardingBody" and not value:
            value = issuer_name or None
        if value is None or value == "":
            continue
        label = t(f"detail.fact.{name}")
        if name == "learningOutcomes" and isinstance(value, list):
            items = [format_value(item, t) for item in value]
            rows.append(Row(f"fact-{name}", label, "\n".join(items), as_list=items))
        else:
            rows.append(Row(f"fact-{name}", label, format_fact(name, value, t)))
    return rows


def in_detail_order(
    paths: Sequence[ClaimPath], labels: Mapping[tuple[Any, ...], str]
) -> list[ClaimPath]:
    """Top-level claims as the detail screen lists them: the facts in their order, then
    the issuer's order (of its labels), then the rest as they come."""
    facts = {name: i for i, name in enumerate(FACTS)}
    issuer = {path[0]: i for i, path in enumerate(labels) if path}

    def place(path: ClaimPath) -> tuple[int, int]:
        name = path[0] if path else ""
        if name in facts:
            return 0, facts[str(name)]
        return 1, issuer.get(name, len(issuer))

    return sorted(paths, key=place)


def fact_label(path: ClaimPath, labels: Mapping[tuple[Any, ...], str], t: Translate) -> str:
    """A claim's label as the detail screen gives it: our name for a fact, else the
    issuer's label (:func:`claim_label`)."""
    if len(path) == 1 and path[0] in FACTS:
        return t(f"detail.fact.{path[0]}")
    return claim_label(path, labels, t)


def other_rows(
    claims: Mapping[str, Any],
    labels: Mapping[tuple[Any, ...], str],
    t: Translate,
    *,
    credential_format: str,
    skip: frozenset[str] = frozenset(),
) -> list[Row]:
    """Every top-level claim not shown elsewhere, labelled, in the issuer's order first;
    never the format's own bookkeeping (type, issuer, validity, key, status)."""
    rules = rules_for(credential_format)
    names = [
        n
        for n in claims
        if not rules.is_bookkeeping((n,)) and n not in TECHNICAL | skip and not n.startswith("_")
    ]
    order = {path[0]: i for i, path in enumerate(labels) if path}
    names.sort(key=lambda n: order.get(n, len(order)))
    return [
        Row(f"claim-{name}", labels.get((name,), name), format_value(claims[name], t))
        for name in names
    ]


def row_control(row: Row) -> ft.Control:
    label = ft.Text(
        row.label,
        theme_style=ft.TextThemeStyle.LABEL_LARGE,
        color=ft.Colors.ON_SURFACE_VARIANT,
    )
    value: ft.Control
    if row.as_list:
        value = ft.Column(
            [
                ft.Row(
                    [ft.Text("•"), ft.Text(item, expand=True, selectable=True)],
                    vertical_alignment=ft.CrossAxisAlignment.START,
                    spacing=8,
                )
                for item in row.as_list
            ],
            spacing=4,
        )
    else:
        value = ft.Text(row.value, theme_style=ft.TextThemeStyle.BODY_LARGE, selectable=True)
    return ft.Container(
        key=row.key,
        content=ft.Column([label, value], spacing=2),
        padding=ft.Padding.symmetric(vertical=6),
    )


def rows_section(rows: Sequence[Row]) -> ft.Column:
    return ft.Column([row_control(r) for r in rows], spacing=4)
