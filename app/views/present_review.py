"""The review step of sharing: what the wallet read for a request, what the holder chose,
and one card per verifier query (the credential that answers it, and which claims go).

Which claims may be left out or added is wallet_core's claim-set rule
(:class:`~wallet_core.Candidate`); this module only keeps the holder's switches and draws them.

A W3C credential (an Open Badge) has no selective disclosure: the verifier gets all of it
whatever the query names. Switches would pretend otherwise, so its card says plainly that
it is shared whole and lists what it holds instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import flet as ft

from app.components.badge_details import contents_lines, detail_label
from app.components.claim_list import claim_labels, fact_label
from app.components.claim_switch import claim_switch
from app.components.credential_card import issuer_label
from app.views.present_choices import HolderChoices
from wallet_core import (
    Candidate,
    ClaimPath,
    PresentationMatch,
    PresentationRequest,
    StoredCredential,
    Wallet,
    badge_facts,
    pretty_name,
    rules_for,
)

Translate = Callable[..., str]
SwitchHandler = Callable[[str, str, ClaimPath, bool], None]


@dataclass(frozen=True)
class Review:
    request: PresentationRequest
    match: PresentationMatch
    stored: dict[str, StoredCredential]  # every candidate, for titles and labels
    fresh_copies: dict[str, int]  # unused batch instances per candidate


def load_review(wallet: Wallet, text: str) -> Review:
    """Blocking: parse, match, and read every candidate credential."""
    return review_of(wallet, wallet.parse_presentation_request(text))


def review_of(wallet: Wallet, request: PresentationRequest) -> Review:
    """Blocking: match a parsed request and read every candidate credential."""
    match = wallet.match(request)
    stored: dict[str, StoredCredential] = {}
    for query in match.queries.values():
        for candidate in query.candidates:
            if candidate.credential_id not in stored:
                stored[candidate.credential_id] = wallet.credential(candidate.credential_id)
    fresh = {cid: wallet.unused_copies(cid) for cid in stored}
    return Review(request, match, stored, fresh)


NAME_LIMIT = 64  # characters of a verifier's own name shown; a page-long "name" is cut


# Marks a name could use to look like our own wording around it ("X’ (a.nl) — bevestigd").
_NOT_IN_A_NAME = str.maketrans({c: " " for c in "\"“”‘’'()[]—–"})


def claimed_name(request: PresentationRequest) -> str | None:
    """The ``client_name`` the request gives, on one line, without quotes, brackets or
    dashes, and cut to a readable length. Whoever sent the request chose it."""
    value = request.client_metadata.get("client_name")
    if not isinstance(value, str):
        return None
    printable = "".join(c if c.isprintable() else " " for c in value)
    name = " ".join(printable.translate(_NOT_IN_A_NAME).split())
    return name[: NAME_LIMIT - 1] + "…" if len(name) > NAME_LIMIT else name or None


def verifier_display_name(request: PresentationRequest) -> str:
    """The verifier as the wallet established it: the certificate's organisation, a DID,
    or the address the request came from. Never the name the request gives itself: a
    trusted certificate vouches for its own subject, not for what its holder writes."""
    return request.verifier.name or request.verifier.client_id


def verifier_heading(request: PresentationRequest, t: Translate) -> str:
    """Who asks, on the review screen: a name the request gives itself that differs from
    the established one is shown as only that, beside it (Step 9 point 4)."""
    established = verifier_display_name(request)
    claimed = claimed_name(request)
    if not claimed or claimed.casefold() == established.casefold():
        return established
    return t("present.self_named", name=claimed, address=established)


def trust_text(request: PresentationRequest, t: Translate) -> str:
    """How the wallet established who asks, or the warning that it could not."""
    verifier = request.verifier
    if not verifier.verified:
        return t("present.not_verified")
    how = "did" if verifier.method == "decentralized_identifier" else "certificate"
    text = t(f"present.verified_{how}")
    if verifier.certificate_issuer:
        text = t("present.verified_by", text=text, issuer=verifier.certificate_issuer)
    return text


@dataclass(frozen=True)
class Names:
    """Titles and claim labels of the candidate credentials, in the holder's language."""

    stored: dict[str, StoredCredential]
    locale: str
    t: Translate

    def title(self, credential_id: str) -> str:
        stored = self.stored.get(credential_id)
        return (stored.title if stored else "") or self.t("present.untitled")

    def claim(self, credential_id: str, path: ClaimPath) -> str:
        stored = self.stored.get(credential_id)
        labels = claim_labels(stored.display, self.locale) if stored else {}
        if path not in labels and stored is not None and is_whole(stored):
            # A path into a VC document ("credentialSubject", "achievement", 0, "name"):
            # member names in words, as "All details" shows them.
            return detail_label([p for p in path if p is not None], self.t)
        return fact_label(path, labels, self.t)  # the detail screen's words

    def contents(self, credential_id: str) -> list[str]:
        """What a credential shared whole holds, line by line."""
        stored = self.stored.get(credential_id)
        if stored is None:
            return []
        facts = badge_facts(stored.claims, stored.display.get("endorsements"))
        if facts is not None:
            issuer = issuer_label(stored.issuer_name) or issuer_label(stored.issuer)
            return contents_lines(facts, self.t, self.locale, issuer)
        rules = rules_for(stored.format)
        return [pretty_name(n) for n in stored.claims if not rules.is_bookkeeping((n,))]


def is_whole(stored: StoredCredential) -> bool:
    """Whether the credential's format can only be shared whole (W3C VCs)."""
    return not rules_for(stored.format).selective


@dataclass(frozen=True)
class CardEvents:
    pick: Callable[[str, str | None], None]  # query id, credential id
    leave_out: SwitchHandler  # query, credential, path, off
    toggle: SwitchHandler  # query, credential, path, on


def query_card(
    query_id: str,
    match: PresentationMatch,
    holder: HolderChoices,
    names: Names,
    *,
    fresh_copies: Mapping[str, int],
    busy: bool,
    events: CardEvents,
) -> ft.Control:
    """One query: the credential that answers it (a choice when several can), claims every
    acceptable set contains locked on, claims some set does without as switches that start
    on, optional claims as switches that start off."""
    t = names.t
    candidate = holder.candidate(match, query_id)
    cid = candidate.credential_id
    parts = _credential_part(query_id, match.candidates(query_id), cid, names, events)
    if fresh_copies.get(cid, 1) == 0:  # every copy was shown before
        parts.append(_note(t("present.no_fresh_copy"), f"no-fresh-copy-{query_id}"))
    if candidate.other_format_name:  # a draft-era copy: a strict verifier may refuse it
        parts.append(_note(t("present.other_format_name"), f"other-format-{query_id}"))
    stored = names.stored.get(cid)
    if stored is not None and is_whole(stored):
        parts += _shared_whole(query_id, cid, names)
    else:
        parts += _claim_switches(query_id, candidate, holder, names, busy=busy, events=events)
    return ft.Container(
        key=f"query-{query_id}",
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        border_radius=16,
        padding=16,
        content=ft.Column(parts, spacing=6),
    )


def _shared_whole(query_id: str, credential_id: str, names: Names) -> list[ft.Control]:
    t = names.t
    lines: list[ft.Control] = [
        ft.Row(
            [ft.Text("•"), ft.Text(line, expand=True)],
            vertical_alignment=ft.CrossAxisAlignment.START,
            spacing=8,
        )
        for line in names.contents(credential_id)
    ]
    return [
        _note(t("present.whole"), f"shared-whole-{query_id}"),
        ft.Text(t("present.whole_contents"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        ft.Column(lines, key=f"whole-contents-{query_id}", spacing=2),
    ]


def _claim_switches(
    query_id: str,
    candidate: Candidate,
    holder: HolderChoices,
    names: Names,
    *,
    busy: bool,
    events: CardEvents,
) -> list[ft.Control]:
    """Two sections: what always goes (locked), and what the holder chooses (off at first:
    the claims the verifier would like but accepts without, and its optional ones)."""
    t, cid = names.t, candidate.credential_id
    parts: list[ft.Control] = []
    if candidate.always_sent():
        parts.append(_section(t("present.required"), f"required-{query_id}"))
    for path in candidate.always_sent():
        parts.append(
            claim_switch(
                names.claim(cid, path),
                f"claim-{query_id}-{_path_key(path)}",
                value=True,
                disabled=True,
                icon=ft.Icons.LOCK,
                tooltip=t("present.required_tooltip"),
            )
        )
    if candidate.may_leave_out() or candidate.optional_claims or candidate.unmet:
        parts.append(_section(t("present.optional"), f"optional-{query_id}"))
    left_out = holder.left_out_of(candidate, query_id)
    for path in candidate.may_leave_out():
        parts.append(
            claim_switch(
                names.claim(cid, path),
                f"claim-{query_id}-{_path_key(path)}",
                value=path not in left_out,
                disabled=busy,
                icon=ft.Icons.TUNE,
                on_change=_on_switch(events.leave_out, query_id, cid, path, off=True),
            )
        )
    on = holder.optional_on.get((query_id, cid), set())
    for path in candidate.optional_claims:
        parts.append(
            claim_switch(
                names.claim(cid, path),
                f"claim-{query_id}-{_path_key(path)}",
                value=path in on,
                disabled=busy,
                icon=ft.Icons.TUNE,
                on_change=_on_switch(events.toggle, query_id, cid, path, off=False),
            )
        )
    for path in candidate.unmet:  # asked for, and not in this credential: said, not hidden
        claim = _in_sentence(names.claim(cid, path))
        parts.append(_note(t("present.claim_missing", claim=claim), f"missing-{query_id}"))
    return parts


def _section(text: str, key: str) -> ft.Control:
    return ft.Text(text, key=key, theme_style=ft.TextThemeStyle.LABEL_LARGE)


def _in_sentence(label: str) -> str:
    """ "Grade" as in "has no grade"; an abbreviation ("EQF level") stays as it is."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _credential_part(
    query_id: str,
    candidates: Sequence[Candidate],
    chosen: str,
    names: Names,
    events: CardEvents,
) -> list[ft.Control]:
    if len(candidates) == 1:
        return [
            ft.Text(
                names.title(chosen),
                key=f"query-credential-{query_id}",
                theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                weight=ft.FontWeight.W_600,
            )
        ]
    group = ft.RadioGroup(
        key=f"pick-{query_id}",
        value=chosen,
        on_change=lambda e: events.pick(query_id, e.control.value),
        content=ft.Column(
            [
                ft.Radio(
                    key=f"pick-{query_id}-{c.credential_id}",
                    value=c.credential_id,
                    label=names.title(c.credential_id),
                )
                for c in candidates
            ],
            spacing=0,
        ),
    )
    return [
        ft.Text(names.t("present.pick"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        ft.Semantics(identifier=f"pick-{query_id}", content=group),
    ]


def _note(text: str, key: str) -> ft.Control:
    return ft.Row(
        [
            ft.Icon(ft.Icons.INFO_OUTLINE, size=18, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Text(text, key=key, color=ft.Colors.ON_SURFACE_VARIANT, expand=True),
        ],
        spacing=6,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def _on_switch(
    handler: SwitchHandler, query_id: str, credential_id: str, path: ClaimPath, *, off: bool
) -> Callable[[Any], None]:
    """The switch's handler: ``off`` hands over "switched off" rather than "switched on"."""

    def changed(e: Any) -> None:
        handler(query_id, credential_id, path, bool(e.control.value) != off)

    return changed


def _path_key(path: ClaimPath) -> str:
    return ".".join("*" if p is None else str(p) for p in path)
