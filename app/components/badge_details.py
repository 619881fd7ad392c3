"""An Open Badge on screen: its facts at a glance, description and criteria, endorsements and
"All details", in the holder's language.

The facts come from ``wallet_core.badge_facts`` (read tolerantly from the credential). Here
they get words: enumerated values (``participationType``, ``assessmentType``, ...) through
``badge.<field>.<code>`` keys, falling back to the term in words that wallet_core made of it
(English, but never an IRI); labels of the remaining members through ``badge.field.<name>``,
falling back to the member name in words. Numbers use the holder's decimal sign.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import flet as ft

from app.components.claim_list import (
    Row,
    Translate,
    format_date,
    format_value,
    row_control,
    rows_section,
)
from app.components.markdown_text import confirm_link, markdown_text
from app.i18n import has_key
from wallet_core import (
    BadgeDetail,
    BadgeFacts,
    BadgeGrade,
    BadgeQualityAssurance,
    BadgeTerm,
    pretty_name,
)

Section = Callable[[str, str, ft.Control], ft.Control]

_DECIMAL = re.compile(r"-?\d+[.,]\d+")


def term_text(field: str, term: BadgeTerm | None, t: Translate) -> str:
    """A translated enumerated value, else wallet_core's words for it."""
    if term is None:
        return ""
    key = f"badge.{field}.{term.code}"
    return t(key) if has_key(key) else term.text


def number_text(value: float | str, locale: str) -> str:
    """``4.5`` -> ``4,5`` in Dutch and ``5,5`` -> ``5.5`` in English (issuers write
    either); whole numbers without decimals."""
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            return value
        text = value
    else:
        text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return text.replace(".", ",") if locale == "nl" else text.replace(",", ".")


def grade_text(grade: BadgeGrade, t: Translate, locale: str) -> str:
    text = number_text(grade.value, locale)
    if grade.minimum and grade.maximum:
        low, high = number_text(grade.minimum, locale), number_text(grade.maximum, locale)
        text = t("badge.grade.scale", value=text, min=low, max=high)
    if grade.required:
        text = t("badge.grade.pass", text=text, required=number_text(grade.required, locale))
    return t("badge.grade.named", name=grade.name, text=text) if grade.name else text


def language_text(tag: str | None, t: Translate) -> str:
    if not tag:
        return ""
    key = f"badge.language.{tag.split('-')[0].lower()}"
    return t(key) if has_key(key) else tag


def _date(value: date | datetime | None, t: Translate) -> str:
    return format_date(value, t) if value is not None else ""


def glance_rows(facts: BadgeFacts, t: Translate, locale: str, issuer: str) -> list[Row]:
    """The facts a reader looks for first, in the order of the EU standard elements."""
    workload = [
        t(f"badge.workload.{w.unit}", n=number_text(w.amount, locale)) for w in facts.workload
    ]
    eqf = t("badge.eqf", level=facts.eqf_level) if facts.eqf_level else ""
    checked = facts.identity_checked
    grades = [grade_text(g, t, locale) for g in facts.grades]
    pairs = [
        ("type", t("badge.facts.type"), term_text("type", facts.achievement_type, t)),
        ("issuer", t("detail.fact.awardingBody"), facts.issuer_name or issuer),
        ("brin", t("badge.facts.brin"), facts.brin or ""),
        ("country", t("badge.facts.country"), facts.issuer_country or ""),
        ("valid-from", t("detail.fact.issuanceDate"), _date(facts.valid_from, t)),
        ("valid-until", t("badge.facts.valid_until"), _date(facts.valid_until, t)),
        ("workload", t("badge.facts.workload"), "\n".join(workload)),
        ("eqf", t("detail.fact.level"), eqf),
        ("grade", t("badge.facts.grade"), "\n".join(grades)),
        (
            "participation",
            t("detail.fact.formOfParticipation"),
            term_text("participation", facts.participation, t),
        ),
        (
            "assessment",
            t("detail.fact.typeOfAssessment"),
            term_text("assessment", facts.assessment, t),
        ),
        (
            "supervision",
            t("badge.facts.supervision"),
            term_text("supervision", facts.supervision, t),
        ),
        (
            "identity-checked",
            t("badge.facts.identity_checked"),
            format_value(checked, t) if checked is not None else "",
        ),
        ("language", t("badge.facts.language"), language_text(facts.language, t)),
        ("program", t("badge.facts.program"), facts.education_program or ""),
    ]
    rows = [Row(f"badge-{name}", label, value) for name, label, value in pairs if value]
    if facts.learning_outcomes:
        items = list(facts.learning_outcomes)
        label = t("detail.fact.learningOutcomes")
        rows.append(Row("badge-learning-outcomes", label, "\n".join(items), as_list=items))
    return rows


def detail_label(keys: Sequence[str | int], t: Translate) -> str:
    """``("evidence", 1, "name")`` -> ``Evidence 2 › Name``, translated where we can."""
    parts: list[str] = []
    for key in keys:
        if isinstance(key, int):
            if parts:
                parts[-1] = f"{parts[-1]} {key + 1}"
            continue
        name = f"badge.field.{key}"
        parts.append(t(name) if has_key(name) else pretty_name(key) or key)
    return " › ".join(parts)


def detail_rows(facts: BadgeFacts, t: Translate) -> list[Row]:
    rows = [
        Row(f"badge-id-{i.kind.code}", term_text("identifier", i.kind, t), i.value)
        for i in facts.issuer_identifiers
        if i.kind.code != "brin"
    ]
    for label, value in (("url", facts.issuer_url), ("email", facts.issuer_email)):
        if value:
            rows.append(Row(f"badge-issuer-{label}", t(f"badge.facts.{label}"), value))
    rows += [_detail_row(index, detail, t) for index, detail in enumerate(facts.details)]
    return rows


def _detail_row(index: int, detail: BadgeDetail, t: Translate) -> Row:
    return Row(f"badge-detail-{index}", detail_label(detail.keys, t), format_value(detail.value, t))


def badge_sections(facts: BadgeFacts, t: Translate, section: Section) -> list[ft.Control]:
    """Description, criteria, quality assurance and endorsements, each only when present."""
    out: list[ft.Control] = []
    if facts.description:
        text = markdown_text(facts.description, "badge-description", t)
        out.append(section("badge-description-section", t("badge.description"), text))
    if facts.criteria or facts.criteria_url:
        out.append(section("badge-criteria-section", t("badge.criteria"), _criteria(facts, t)))
    if facts.quality_assurance:
        assured = ft.Column([_assurance(i, q, t) for i, q in enumerate(facts.quality_assurance)])
        out.append(section("badge-qa-section", t("detail.fact.qualityAssurance"), assured))
    if facts.endorsements:
        out.append(section("badge-endorsements", t("badge.endorsements"), _endorsements(facts, t)))
    return out


def _criteria(facts: BadgeFacts, t: Translate) -> ft.Control:
    parts: list[ft.Control] = []
    if facts.criteria:
        parts.append(markdown_text(facts.criteria, "badge-criteria", t))
    url = facts.criteria_url
    if url:

        async def open_(e: Any) -> None:
            await confirm_link(e.control.page, url, t)

        button = ft.TextButton(
            key="badge-criteria-link",
            icon=ft.Icons.OPEN_IN_NEW,
            content=t("badge.criteria_link"),
            on_click=open_,
        )
        parts.append(ft.Semantics(identifier="badge-criteria-link", content=button))
    return ft.Column(parts, spacing=4)


def _assurance(index: int, qa: BadgeQualityAssurance, t: Translate) -> ft.Control:
    name, code = qa.name or "", qa.code
    title = t("badge.qa_code", name=name, code=code) if name and code else name or code or ""
    parts: list[ft.Control] = [
        ft.Text(title, key=f"badge-qa-{index}", theme_style=ft.TextThemeStyle.BODY_LARGE)
    ]
    if qa.description:
        parts.append(markdown_text(qa.description, f"badge-qa-description-{index}", t))
    return ft.Column(parts, spacing=2)


_OUTCOME_ICONS = {
    "valid": (ft.Icons.VERIFIED_OUTLINED, ft.Colors.PRIMARY),
    "invalid": (ft.Icons.ERROR_OUTLINE, ft.Colors.ERROR),
    "unchecked": (ft.Icons.HELP_OUTLINE, ft.Colors.ON_SURFACE_VARIANT),
}


def _endorsements(facts: BadgeFacts, t: Translate) -> ft.Control:
    """Each endorsement with what checking it found: a valid one was signed by the endorser
    for this very badge; an invalid one does not count; one not checked is said so."""
    parts: list[ft.Control] = []
    for index, e in enumerate(facts.endorsements):
        endorser = e.endorser or t("badge.endorsement.unknown")
        line = t("badge.endorsement.line", endorser=endorser, name=e.name) if e.name else endorser
        texts = [t(f"badge.endorsement.about.{e.about}"), line]
        if e.comment:
            texts.append(e.comment)
        icon, colour = _OUTCOME_ICONS.get(e.outcome, _OUTCOME_ICONS["unchecked"])
        outcome = e.outcome if e.outcome in _OUTCOME_ICONS else "unchecked"
        parts.append(row_control(Row(f"badge-endorsement-{index}", texts[0], "\n".join(texts[1:]))))
        parts.append(
            ft.Row(
                [
                    ft.Icon(icon, size=18, color=colour),
                    ft.Text(
                        t(f"badge.endorsement.{outcome}"),
                        key=f"badge-endorsement-{index}-{outcome}",
                        color=colour,
                        expand=True,
                    ),
                ],
                spacing=6,
                vertical_alignment=ft.CrossAxisAlignment.START,
            )
        )
    return ft.Column(parts, spacing=4)


def all_details(facts: BadgeFacts, t: Translate, extra: Sequence[Row] = ()) -> ft.Control | None:
    """The rest of the credential, folded away: readable labels, nothing technical
    except ``extra`` (the issuer's DID, which belongs nowhere else)."""
    rows = [*detail_rows(facts, t), *extra]
    if not rows:
        return None
    return ft.ExpansionTile(
        key="badge-all-details",
        title=ft.Text(t("detail.claims"), weight=ft.FontWeight.W_600),
        controls=[rows_section(rows)],
        controls_padding=ft.Padding.symmetric(horizontal=16),
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
    )


def detail_sections(
    facts: BadgeFacts, t: Translate, locale: str, issuer: str, section: Section
) -> list[ft.Control]:
    """The detail screen's badge part: the facts at a glance, then the texts."""
    rows = glance_rows(facts, t, locale, issuer)
    glance = [section("badge-facts", t("detail.facts"), rows_section(rows))] if rows else []
    return [*glance, *badge_sections(facts, t, section)]


def issuer_address(issuer: str, demo_issuer_url: str | None = None) -> str:
    """The https address a ``did:web`` issuer is resolved at (did:web §3.2), so the
    institutions list can judge it by its domain; the demo institution's DID stands for
    the demo's own (http, loopback) address. Any other issuer is returned as it is."""
    if not issuer.startswith("did:web:"):
        return issuer
    host, *path = (unquote(part) for part in issuer.removeprefix("did:web:").split(":"))
    if demo_issuer_url and urlsplit(demo_issuer_url).netloc == host:
        return demo_issuer_url
    return "/".join([f"https://{host}", *path])


def contents_lines(facts: BadgeFacts, t: Translate, locale: str, issuer: str) -> list[str]:
    """What a verifier will see when the whole credential is shared, line by line."""
    rows = glance_rows(facts, t, locale, issuer)
    lines = [t("badge.present.line", label=t("badge.facts.name"), value=facts.name)] * bool(
        facts.name
    )
    for row in rows:
        lines.append(t("badge.present.line", label=row.label, value=row.value.replace("\n", "; ")))
    extra = len(facts.details) + (1 if facts.description else 0) + (1 if facts.criteria else 0)
    if extra:
        lines.append(t(f"badge.present.more.{'one' if extra == 1 else 'other'}", n=extra))
    return lines
