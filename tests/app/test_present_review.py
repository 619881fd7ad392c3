"""The share screen's card for one query, built directly: what it says beside the claims."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import flet as ft

from app import i18n
from app.views.present_choices import HolderChoices
from app.views.present_review import (
    NAME_LIMIT,
    CardEvents,
    Names,
    claimed_name,
    query_card,
    verifier_heading,
)
from wallet_core import (
    Candidate,
    CredentialStatus,
    PresentationMatch,
    PresentationRequest,
    QueryMatch,
    StoredCredential,
)
from wallet_core.oid4vp.request import VerifierIdentity


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


def _request(
    client_name: object, *, verified: bool, name: str = "127.0.0.1"
) -> PresentationRequest:
    verifier = VerifierIdentity(
        client_id="redirect_uri:http://127.0.0.1:8700/response/1",
        prefix="redirect_uri",
        name=name,
        verified=verified,
        method="x509_hash" if verified else "unsigned",
    )
    metadata = {} if client_name is None else {"client_name": client_name}
    return PresentationRequest(
        verifier,
        "direct_post",
        "http://127.0.0.1:8700/response/1",
        "n",
        query=None,  # type: ignore[arg-type]
        client_metadata=metadata,
    )


def test_an_unsigned_request_is_named_by_what_it_calls_itself_and_where_it_came_from() -> None:
    def nl(key: str, **fmt: object) -> str:
        return i18n.t(key, "nl", **fmt)

    assert verifier_heading(_request("Werkgever Demo", verified=False), nl) == (
        "Noemt zichzelf ‘Werkgever Demo’ (127.0.0.1) — niet bevestigd"
    )
    # a confirmed one is named by its certificate; a name of its own that differs is only
    # what it calls itself (a trusted certificate vouches for its subject, not for this)
    signed = _request("Werkgever Demo", verified=True, name="Werkgever Demo")
    assert verifier_heading(signed, nl) == "Werkgever Demo"
    posing = _request("Rijksoverheid", verified=True, name="Evil BV")
    assert verifier_heading(posing, nl) == (
        "Noemt zichzelf ‘Rijksoverheid’ (Evil BV) — niet bevestigd"
    )
    # no quotes, brackets or dashes of its own to look like our wording
    faked = verifier_heading(_request("X’ (overheid.nl) — bevestigd", verified=False), nl)
    assert faked == "Noemt zichzelf ‘X overheid.nl bevestigd’ (127.0.0.1) — niet bevestigd"
    assert verifier_heading(_request(None, verified=False), nl) == "127.0.0.1"
    assert verifier_heading(_request(["a list"], verified=False), nl) == "127.0.0.1"
    assert verifier_heading(_request(" \u202e\n ", verified=False), nl) == "127.0.0.1"
    # one line, control characters gone, a page-long name cut
    odd = verifier_heading(_request("Bank\u202e\nof  NL" + "x" * 200, verified=False), nl)
    assert "\n" not in odd and "\u202e" not in odd and "Bank of NLxx" in odd
    assert len(claimed_name(_request("y" * 200, verified=False)) or "") == NAME_LIMIT
