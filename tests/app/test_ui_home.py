"""Home: a card per stored credential, colours, status marks, Add -> Receive, pending."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import flet as ft
from harness import AppHarness
from PIL import Image

from app import i18n
from app.components.claim_list import format_date
from app.components.credential_card import card_colors, status_mark
from app.config import AppConfig
from app.kinds import credential_kind
from app.session import make_main
from wallet_core import KdfParams, Wallet
from wallet_core.models import CredentialStatus, NewCredential, StatusState

PIN = "482916"
NOW = datetime.now(UTC)
MICRO_CLAIMS: dict[str, Any] = {
    "iss": "https://hs-demo.example",
    "vct": "https://hs-demo.example/types/microcredential",
    "iat": 1767225600,
    "cnf": {"jwk": {"kty": "EC"}},
    "_sd_alg": "sha-256",
    "status": {"status_list": {"idx": 3, "uri": "https://hs-demo.example/status"}},
    "title": "Circulair ontwerpen in de bouw",
    "givenName": "Sanne",
    "familyName": "de Vries",
    "awardingBody": "Hogeschool Demo",
    "issuerCountry": "NL",
    "issuanceDate": "2026-03-02",
    "learningOutcomes": ["Past circulaire principes toe.", "Stelt een materialenpaspoort op."],
    "notionalWorkload": "5 ECTS",
    "level": "EQF 6",
    "typeOfAssessment": "Beroepsproduct met mondelinge verdediging",
    "formOfParticipation": "Blended",
    "qualityAssurance": "Kwaliteitskader Microcredentials",
    "stackable": True,
}


def label(path: str, en: str, nl: str) -> dict[str, Any]:
    return {
        "path": [path],
        "mandatory": False,
        "display": [{"name": en, "locale": "en"}, {"name": nl, "locale": "nl"}],
    }


MICRO_DISPLAY: dict[str, Any] = {
    "issuer": [{"name": "Hogeschool Demo", "locale": "nl"}],
    "credential": [
        {
            "name": "Microcredential",
            "locale": "en",
            "background_color": "#1B5E20",
            "text_color": "#FFFFFF",
        }
    ],
    "claims": [
        label("givenName", "Given name", "Voornaam"),
        label("familyName", "Family name", "Achternaam"),
        label("issuerCountry", "Country of the issuer", "Land van de uitgever"),
        label("stackable", "Stackable", "Stapelbaar"),
    ],
}


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


def new_credential(
    title: str,
    *,
    claims: Mapping[str, Any] | None = None,
    display: Mapping[str, Any] | None = None,
    status: StatusState = StatusState.VALID,
    expires_at: datetime | None = None,
    issuer_name: str = "Hogeschool Demo",
    type_: str = "https://hs-demo.example/types/microcredential",
) -> NewCredential:
    return NewCredential(
        format="dc+sd-jwt",
        raw="header.payload.sig~",
        claims=dict(claims or {"title": title}),
        issuer="https://hs-demo.example",
        type=type_,
        title=title,
        issuer_name=issuer_name,
        display=dict(display or {}),
        issued_at=NOW - timedelta(days=30),
        expires_at=expires_at,
        status=CredentialStatus(state=status, checked_at=NOW - timedelta(hours=2)),
    )


def make_wallet(config: AppConfig, credentials: Sequence[NewCredential]) -> list[str]:
    """A vault holding ``credentials``; returns their ids in the given order."""
    wallet = Wallet.create(config.vault_dir, PIN, kdf=KdfParams.fast_for_tests())
    try:
        return [wallet._store_credential(c).id for c in credentials]
    finally:
        wallet.close()


async def unlock(h: AppHarness) -> None:
    await h.type_text(h.get(key="pin-input"), PIN)
    await h.click(h.get(key="unlock-btn"))
    await h.wait_for(lambda: h.has(key="credential-list") or h.has(key="home-empty"), what="home")


def test_home_shows_a_card_per_credential_with_colours_and_marks(config: AppConfig) -> None:
    ids = make_wallet(
        config,
        [
            new_credential(
                "Circulair ontwerpen in de bouw", claims=MICRO_CLAIMS, display=MICRO_DISPLAY
            ),
            new_credential("Data-analyse met Python", status=StatusState.INVALID),
            new_credential("Zorgtechnologie", expires_at=NOW - timedelta(days=1)),
            new_credential("Bachelor Bouwkunde", status=StatusState.SUSPENDED, issuer_name=""),
        ],
    )

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            assert not h.has(key="home-empty")
            for cid in ids:
                assert h.has(key=f"cred-{cid}")
            micro = h.get(key=f"cred-{ids[0]}")
            assert micro.title.value == "Circulair ontwerpen in de bouw"
            assert h.get(key=f"card-issuer-{ids[0]}").value == "Hogeschool Demo"
            # one line to tell it apart: kind, study load, level, date
            day = format_date(NOW - timedelta(days=30), lambda k, **f: i18n.t(k, "en", **f))
            line = h.get(key=f"card-line-{ids[0]}").value
            assert line == f"Microcredential · 5 EC · EQF 6 · {day}"
            assert h.get(key=f"card-line-{ids[1]}").value.startswith("Microcredential · ")
            assert " EC" not in h.get(key=f"card-line-{ids[1]}").value  # it states none
            assert micro.bgcolor == "#1B5E20"
            assert not h.has(key=f"mark-{ids[0]}")
            assert "Revoked" in h.texts() and "Expired" in h.texts()
            assert "Suspended" in h.texts()
            assert h.has(key=f"mark-{ids[1]}")
            # No issuer name: the issuer URL stands in.
            assert h.get(key=f"card-issuer-{ids[3]}").value == "https://hs-demo.example"

            await h.click(h.get(key=f"cred-{ids[0]}"))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home again")

            await h.click(h.get(key="add-btn"))
            await h.wait_for(lambda: h.has(key="offer-input"), what="receive")
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home again")
            assert h.client.errors == []

    run(scenario)


def test_empty_home_keeps_the_empty_state_and_offers_add(config: AppConfig) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            assert h.has(key="home-empty")
            assert h.get(key="add-btn").content == "Add credential"
            assert not h.get(key="pending-list").controls
            assert not h.get(key="home-demo-hint").visible
            assert not h.get(key="home-search").parent.parent.visible  # no filters for nothing
            assert h.client.errors == []

    run(scenario)


def test_empty_home_points_to_the_demo_institution_in_demo_mode(config: AppConfig) -> None:
    make_wallet(config, [])
    demo = dataclasses.replace(config, demo_issuer_url="http://127.0.0.1:9999/")

    async def scenario() -> None:
        async with AppHarness(make_main(demo), languages=["nl-NL"]) as h:
            await unlock(h)
            hint = h.get(key="home-demo-hint")
            assert hint.visible and "http://127.0.0.1:9999/" in hint.value
            assert hint.value.startswith("Demomodus")

    run(scenario)


def card_titles(h: AppHarness) -> list[str]:
    return [c.title.value for c in h.all_controls() if str(c.key or "").startswith("cred-")]


def test_search_and_filters_narrow_the_list(config: AppConfig) -> None:
    make_wallet(
        config,
        [
            new_credential("Circulair ontwerpen in de bouw"),
            new_credential("Bachelor Bouwkunde", type_="https://hs-demo.example/types/diploma"),
            new_credential(
                "Open source contributor",
                issuer_name="Universiteit Demo",
                type_="https://badges.example/OpenBadgeCredential",
            ),
            new_credential("Lidmaatschap", issuer_name="Sportclub", type_="urn:example:member"),
        ],
    )

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            assert len(card_titles(h)) == 4
            kinds = h.get(key="home-kind-filter")
            assert [o.text for o in kinds.options] == [
                "All",
                "Microcredential",
                "Diploma",
                "Badge",
                "Other",
            ]
            await h.type_text(h.get(key="home-search"), "BOUW")
            assert sorted(card_titles(h)) == [
                "Bachelor Bouwkunde",
                "Circulair ontwerpen in de bouw",
            ]
            await h.type_text(h.get(key="home-search"), "universiteit")  # the institution too
            assert card_titles(h) == ["Open source contributor"]
            await h.type_text(h.get(key="home-search"), "")

            kinds.value = "diploma"
            await h.fire(kinds, "select", "diploma")
            assert card_titles(h) == ["Bachelor Bouwkunde"]
            kinds.value = "other"
            await h.fire(kinds, "select", "other")
            assert card_titles(h) == ["Lidmaatschap"]
            kinds.value = ""
            await h.fire(kinds, "select", "")

            institutions = h.get(key="home-institution-filter")
            assert [o.key for o in institutions.options] == [
                "",
                "Hogeschool Demo",
                "Sportclub",
                "Universiteit Demo",
            ]
            institutions.value = "Hogeschool Demo"
            await h.fire(institutions, "select", "Hogeschool Demo")
            assert len(card_titles(h)) == 2
            await h.type_text(h.get(key="home-search"), "sport")
            assert card_titles(h) == [] and h.get(key="home-no-match").visible
            assert h.client.errors == []

    run(scenario)


def test_search_finds_study_load_and_level_and_the_list_can_be_ordered(
    config: AppConfig,
) -> None:
    """Step 9 point 9: "5 EC" finds 5 EC (not 15 EC), "EQF 6" finds level 6; newest first
    by default, else by institution or by title."""

    def micro(title: str, workload: str, level: str, days_ago: int, issuer: str) -> NewCredential:
        claims = {"title": title, "notionalWorkload": workload, "level": level}
        made = new_credential(title, claims=claims, issuer_name=issuer)
        return dataclasses.replace(made, issued_at=NOW - timedelta(days=days_ago))

    make_wallet(
        config,
        [
            micro("Circulair ontwerpen", "5 ECTS", "EQF 6", 40, "Hogeschool Demo"),
            micro("Zorgtechnologie", "15 ECTS", "EQF 5", 10, "Academie Zorg"),
            micro("Bouwfysica", "7,5 EC", "EQF 6", 20, "Hogeschool Demo"),
        ],
    )

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            assert card_titles(h) == ["Zorgtechnologie", "Bouwfysica", "Circulair ontwerpen"]
            await h.type_text(h.get(key="home-search"), "5 EC")
            assert card_titles(h) == ["Circulair ontwerpen"]
            await h.type_text(h.get(key="home-search"), "EQF 6")
            assert card_titles(h) == ["Bouwfysica", "Circulair ontwerpen"]
            await h.type_text(h.get(key="home-search"), "7.5 ec")
            assert card_titles(h) == ["Bouwfysica"]
            # words in any order, over title and institution
            await h.type_text(h.get(key="home-search"), "demo circ")
            assert card_titles(h) == ["Circulair ontwerpen"]
            await h.type_text(h.get(key="home-search"), "EQF 5")  # not "EQF 6 · … 5 …"
            assert card_titles(h) == ["Zorgtechnologie"]
            await h.type_text(h.get(key="home-search"), "")

            order = h.get(key="home-sort")
            assert [o.text for o in order.options] == ["Newest first", "By institution", "By title"]
            for value, titles in (
                ("title", ["Bouwfysica", "Circulair ontwerpen", "Zorgtechnologie"]),
                ("institution", ["Zorgtechnologie", "Bouwfysica", "Circulair ontwerpen"]),
            ):
                order.value = value
                await h.fire(order, "select", value)
                assert card_titles(h) == titles
            assert h.client.errors == []

    run(scenario)


def test_card_colours_and_marks() -> None:
    assert card_colors(MICRO_DISPLAY, "nl") == ("#1B5E20", "#FFFFFF")
    assert card_colors({"credential": [{"name": "x", "background_color": "red"}]}, "en") is None
    assert card_colors({}, "en") is None
    valid = CredentialStatus(StatusState.VALID)
    assert status_mark(valid, None) is None
    assert status_mark(valid, NOW - timedelta(seconds=1)) == "expired"
    assert status_mark(CredentialStatus(StatusState.INVALID), None) == "revoked"
    assert status_mark(CredentialStatus(StatusState.SUSPENDED), None) == "suspended"


def test_kinds_from_credential_types() -> None:
    assert credential_kind("https://hs-demo.example/types/microcredential") == "microcredential"
    assert credential_kind("urn:eu:diploma:bachelor") == "diploma"
    assert credential_kind("OpenBadgeCredential") == "badge"
    assert credential_kind("OpenBadgeCredential", "MicroCredential") == "microcredential"
    assert credential_kind("OpenBadgeCredential", "Course") == "badge"
    assert credential_kind("https://example.org/pid") == "other"


def test_cards_show_the_stored_logo_else_an_icon(config: AppConfig) -> None:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(image, format="PNG")
    uri = "https://hs-demo.example/logo.png"
    display = {
        **MICRO_DISPLAY,
        "issuer": [{"name": "Hogeschool Demo", "logo_uri": uri, "logo_alt": "HD logo"}],
        "logos": {uri: "data:image/png;base64," + base64.b64encode(image.getvalue()).decode()},
    }
    with_logo, without = make_wallet(
        config, [new_credential("Met logo", display=display), new_credential("Zonder logo")]
    )

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            logo = h.get(key=f"cred-{with_logo}").leading
            assert isinstance(logo, ft.Image) and logo.src == image.getvalue()
            assert logo.semantics_label == "HD logo"
            assert isinstance(h.get(key=f"cred-{without}").leading, ft.Icon)
            assert h.client.errors == []

    run(scenario)
