"""The share screen's card for one query, built directly: what it says beside the claims."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import flet as ft

from app import i18n
from app.views.present_review import CardEvents, HolderChoices, Names, query_card
from wallet_core import Candidate, CredentialStatus, PresentationMatch, QueryMatch, StoredCredential


def _stored(credential_id: str, credential_format: str) -> StoredCredential:
    return StoredCredential(
        id=credential_id,
        format=credential_format,
        claims={"title": "Circulair ontwerpen"},
        issuer="https://hs.example",
        display={},
        status=CredentialStatus(),
        issued_at=datetime(2026, 9, 1, tzinfo=UTC),
        expires_at=None,
        raw="",
        title="Circulair ontwerpen",
    )


def _texts(control: ft.Control) -> Iterator[tuple[str | None, str]]:
    if isinstance(control, ft.Text):
        yield control.key if isinstance(control.key, str) else None, str(control.value)
    for child in getattr(control, "controls", None) or []:
        yield from _texts(child)
    content = getattr(control, "content", None)
    if isinstance(content, ft.Control):
        yield from _texts(content)


def _card(candidate: Candidate, credential_format: str) -> dict[str | None, str]:
    match = PresentationMatch({"q": QueryMatch((candidate,))}, satisfiable=True)
    names = Names(
        {candidate.credential_id: _stored(candidate.credential_id, credential_format)},
        "en",
        lambda key, **fmt: i18n.t(key, "en", **fmt),
    )
    events = CardEvents(lambda *a: None, lambda *a: None, lambda *a: None)
    card = query_card(
        "q", match, HolderChoices(), names, fresh_copies={}, busy=False, events=events
    )
    return dict(_texts(card))


def test_a_copy_under_an_older_format_name_says_the_verifier_may_refuse_it() -> None:
    """Issue #12 a: offered only when nothing of the exact format fits, and said so."""
    legacy = _card(Candidate("c1", (("title",),), other_format_name=True), "vc+sd-jwt")
    assert legacy["other-format-q"].startswith("This credential was issued in an older version")
    exact = _card(Candidate("c1", (("title",),)), "dc+sd-jwt")
    assert "other-format-q" not in exact
