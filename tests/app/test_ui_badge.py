"""Open Badges on screen: the home card and the detail read an OB 3.0 credential the way a
person does (achievement name, picture, the microcredential facts, Markdown description,
endorsements; no IRI or JSON in the main view, the rest under "All details"), its links
open only after asking, and sharing one says plainly that it goes whole."""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import time
import uuid
from typing import Any

import flet as ft
import httpx
from harness import AppHarness
from PIL import Image
from test_ui_detail import open_dialogs
from test_ui_home import PIN, run, unlock
from ui_verifier import Verifier, issuer, verifiers, wallet_config, wallet_with_credential

from app.config import AppConfig
from app.session import make_main
from demo_services.serving import BackgroundServer
from wallet_core import KdfParams, Wallet
from wallet_core.crypto import did_jwk, generate, sign_compact
from wallet_core.formats import data_integrity

__all__ = ["issuer", "verifiers"]  # fixtures, imported for pytest

ISSUER_KEY = generate("EdDSA")
ISSUER_DID = did_jwk(ISSUER_KEY.public_jwk)
ENDORSER_KEY = generate("EdDSA")
ENDORSER_DID = did_jwk(ENDORSER_KEY.public_jwk)
TITLE = "Circulair ontwerpen in de bouw"
MORE = "https://hs.example/info"
# What must not reach the main view: addresses, DIDs, compact IRIs, JSON.
TECHNICAL = re.compile(r"https?://|did:|urn:|ext:|[{}\[\]]")
OB3_JWT = "ob3-circulair-ontwerpen-jwt"


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _achievement() -> dict[str, Any]:
    image = "data:image/png;base64," + base64.b64encode(picture()).decode()
    return {
        "id": "urn:uuid:6d1f6a2e-achievement",
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": TITLE,
        "image": {"id": image, "type": "Image"},
        "description": f"Je leert **circulair** ontwerpen. [Meer]({MORE})",
        "criteria": {"narrative": "Beroepsproduct met mondelinge verdediging."},
        "fieldOfStudy": "Bouwkunde",
        "ECTS": 5,
        "participationType": "onsite or blended",
        "assessmentType": "testing",
        "supervisionType": "onsite with identity verification",
        "identityChecked": True,
        "alignment": [
            {
                "type": ["Alignment"],
                "targetType": "ext:EQF",
                "targetName": "EQF level 6",
                "targetCode": "6",
                "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
            },
            {
                "type": ["Alignment"],
                "targetType": "ext:QualityAssurance",
                "targetName": "Kwaliteitskader Microcredentials",
                "targetDescription": "Getoetst door een **peer review**.",
                "targetUrl": "https://hs.example/kwaliteit",
            },
        ],
        "resultDescription": [
            {
                "id": "urn:uuid:grade",
                "type": ["ResultDescription"],
                "name": "Eindcijfer",
                "resultType": "ext:ECTSGradeScore",
                "valueMin": "1",
                "valueMax": "10",
                "requiredValue": "5,5",
            }
        ],
        "endorsement": [
            _signed_endorsement(
                {
                    "@context": [
                        "https://www.w3.org/ns/credentials/v2",
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                    ],
                    "id": "urn:uuid:endorsement-1",
                    "type": ["VerifiableCredential", "EndorsementCredential"],
                    "name": "Erkend door de branche",
                    "issuer": {"id": ENDORSER_DID, "type": ["Profile"], "name": "Bouwlab"},
                    "validFrom": "2026-01-01T00:00:00Z",
                    "credentialSubject": {
                        "id": "urn:uuid:6d1f6a2e-achievement",
                        "type": ["EndorsementSubject"],
                        "endorsementComment": "Sluit aan bij de praktijk.",
                    },
                }
            )
        ],
    }


def _signed_endorsement(document: dict[str, Any]) -> dict[str, Any]:
    """Signed by the endorser's own key, as the badge's verification checks it."""
    return data_integrity.add_proof(
        document,
        ENDORSER_KEY,
        verification_method=f"{ENDORSER_DID}#0",
        created="2026-01-01T00:00:00Z",
    )


def badge_jwt(*, name: str = TITLE) -> str:
    """An edubadge as the edubadges agent signs it (VCDM 1.1 under ``vc``), with the
    educredential facts, a picture as a data: URI, a grade and an endorsement."""
    now = int(time.time())
    holder = did_jwk(generate("ES256").public_jwk)
    achievement = {**_achievement(), "name": name}
    credential = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "name": name,
        "issuanceDate": "2026-03-02T09:00:00Z",
        "issuer": {
            "id": ISSUER_DID,
            "type": ["Profile"],
            "name": "Hogeschool Demo",
            "otherIdentifier": [
                {"type": "IdentifierEntry", "identifier": "99XX", "identifierType": "ext:BRIN"}
            ],
        },
        "credentialSubject": {
            "id": holder,
            "type": ["AchievementSubject"],
            "achievement": achievement,
            "result": [{"type": ["Result"], "resultDescription": "urn:uuid:grade", "value": "8.5"}],
        },
    }
    payload = {"iss": ISSUER_DID, "sub": holder, "iat": now, "exp": now + 86_400, "vc": credential}
    return sign_compact({"typ": "JWT", "kid": f"{ISSUER_DID}#0"}, payload, ISSUER_KEY)


def wallet_with_badges(config: AppConfig, *badges: str) -> list[str]:
    """A vault holding ``badges`` (imported as a student would); their ids in order."""
    with Wallet.create(config.vault_dir, PIN, kdf=KdfParams.fast_for_tests()) as wallet:
        return [wallet.import_credential(b.encode(), "badge.jwt").id for b in badges]


def row_text(h: AppHarness, key: str) -> str:
    """The texts inside the row container ``key``: label first, then the value lines."""
    texts: list[str] = []

    def walk(c: Any) -> None:
        if isinstance(getattr(c, "value", None), str):
            texts.append(c.value)
        for child in [getattr(c, "content", None), *(getattr(c, "controls", None) or [])]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(h.get(key=key).content)
    return "\n".join(texts)


def _under(control: Any, key: str) -> bool:
    while control is not None:
        if getattr(control, "key", None) == key:
            return True
        control = getattr(control, "parent", None)
    return False


def main_view_texts(h: AppHarness) -> list[str]:
    """What the detail shows outside "All details"; the issuer's Markdown is checked as it
    renders (its link targets are not text on screen)."""
    out = []
    for c in h.all_controls():
        if isinstance(c, ft.Markdown) or _under(c, "badge-all-details"):
            continue
        if getattr(c, "visible", True) is False:
            continue
        for attr in ("value", "content", "label", "tooltip"):
            value = getattr(c, attr, None)
            if isinstance(value, str) and value:
                out.append(value)
    return out


def test_card_and_detail_read_a_badge_as_a_person_does(config: AppConfig) -> None:
    [cid] = wallet_with_badges(config, badge_jwt())

    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await unlock(h)
            tile = h.get(key=f"cred-{cid}", type_=ft.ListTile)
            assert tile.title.value == TITLE
            assert h.get(key=f"card-issuer-{cid}").value == "Hogeschool Demo"
            assert h.get(key=f"card-line-{cid}").value.startswith("Microcredential · 5 EC · ")
            assert isinstance(tile.leading, ft.Image) and tile.leading.src == picture()
            assert tile.leading.semantics_label == TITLE

            await h.click(tile)
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.get(key="detail-title").value == TITLE
            assert h.get(key="detail-issuer").value == "Hogeschool Demo"
            assert [i.src for i in h.find(type_=ft.Image)] == [picture()]
            facts = {
                "badge-type": "Soort\nMicrocredential",
                "badge-issuer": "Instelling\nHogeschool Demo",
                "badge-brin": "BRIN (instellingscode)\n99XX",
                "badge-valid-from": "Uitgegeven op\n2 maart 2026",
                "badge-workload": "Studielast\n5 EC",
                "badge-eqf": "Niveau (EQF)\nEQF-niveau 6",
                "badge-grade": "Cijfer\nEindcijfer: 8,5 (van 1 tot 10), voldoende vanaf 5,5",
                "badge-participation": "Vorm van deelname\nOp locatie of blended",
                "badge-assessment": "Soort toetsing\nToets",
                "badge-supervision": (
                    "Toezicht bij de toetsing\nOp locatie, identiteit gecontroleerd"
                ),
                "badge-identity-checked": "Identiteit gecontroleerd bij de toetsing\nJa",
            }
            for key, expected in facts.items():
                assert row_text(h, key) == expected, key
            description = h.get(key="badge-description")
            assert description.value == f"Je leert **circulair** ontwerpen. [Meer]({MORE})"
            assert description.auto_follow_links is False
            criteria = h.get(key="badge-criteria").value
            assert criteria == "Beroepsproduct met mondelinge verdediging."
            assert h.get(key="badge-qa-0").value == "Kwaliteitskader Microcredentials"
            endorsement = row_text(h, "badge-endorsement-0")
            assert endorsement == (
                "Beveelt de prestatie aan\nBouwlab: Erkend door de branche\n"
                "Sluit aan bij de praktijk."
            )
            checked = h.get(key="badge-endorsement-0-valid").value
            assert checked == "Gecontroleerd: ondertekend door de aanbeveler, voor deze badge."
            assert h.get(key="detail-status").value == "Status: onbekend"
            assert h.get(key="detail-recognised").value.startswith("Uitgever niet herkend")
            assert not h.get(key="detail-issuer-url").visible  # a DID is no address
            shown = main_view_texts(h)
            assert [text for text in shown if TECHNICAL.search(text)] == []
            # The rest, the issuer's DID among it, is folded away under "All details".
            assert h.get(key="badge-all-details", type_=ft.ExpansionTile).title.value == (
                "Alle gegevens"
            )
            assert row_text(h, "badge-issuer-id").endswith("\n" + ISSUER_DID)
            assert any(
                row_text(h, c.key) == "Houder › Prestatie › Vakgebied\nBouwkunde"
                for c in h.find()
                if str(c.key or "").startswith("badge-detail-")
            )
            assert h.client.errors == []

    run(scenario)


def test_the_same_badge_reads_in_english(config: AppConfig) -> None:
    [cid] = wallet_with_badges(config, badge_jwt())

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{cid}", type_=ft.ListTile))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert row_text(h, "badge-workload") == "Study load\n5 EC"
            assert row_text(h, "badge-grade") == (
                "Grade\nEindcijfer: 8.5 (from 1 to 10), pass mark 5.5"
            )
            assert row_text(h, "badge-participation").endswith("\nOn site or blended")
            assert h.has(key="badge-description-section") and h.has(key="badge-endorsements")
            assert h.client.errors == []

    run(scenario)


def test_a_link_in_the_description_opens_only_after_asking(config: AppConfig) -> None:
    [cid] = wallet_with_badges(config, badge_jwt())

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{cid}", type_=ft.ListTile))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            description = h.get(key="badge-description")

            await h.fire(description, "tap_link", "javascript:alert(1)")
            await h.wait_for(lambda: bool(open_dialogs(h)), what="the question")
            assert h.get(key="link-url").value == "javascript:alert(1)"
            assert not h.has(key="link-open-btn")  # only https is ever opened
            await h.click(h.get(key="link-cancel-btn"))
            assert open_dialogs(h) == [] and h.client.launched_urls == []

            await h.fire(description, "tap_link", MORE)
            await h.wait_for(lambda: bool(open_dialogs(h)), what="the question")
            assert h.client.launched_urls == []  # nothing opened before the holder says so
            await h.click(h.get(key="link-open-btn"))
            await h.wait_for(lambda: h.client.launched_urls == [MORE], what="the browser")
            assert h.client.errors == []

    run(scenario)


def test_sharing_a_badge_says_it_goes_whole(
    issuer: BackgroundServer, verifiers: Any, config: AppConfig
) -> None:
    """The demo institution's edubadge (jwt_vc_json, issuer a did:web) is recognised as the
    demo by its DID; shared with the demo employer it shows no switches, a plain "shared
    whole" and what it contains, and the employer verifies it."""
    verifier: Verifier = verifiers("x509_hash")
    config = dataclasses.replace(wallet_config(config, verifier), demo_issuer_url=issuer.base_url)
    [cid] = wallet_with_credential(config, issuer, [OB3_JWT])
    tx = httpx.post(
        verifier.url + "/admin/transactions", json={"query": "openbadge_jwt"}, timeout=10
    ).json()

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key=f"cred-{cid}", type_=ft.ListTile))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.get(key="detail-title").value == TITLE
            assert h.get(key="detail-recognised").value.startswith("Demo institution")
            assert [text for text in main_view_texts(h) if TECHNICAL.search(text)] == []
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="present-btn"), what="home")
            await h.click(h.get(key="present-btn"))
            await h.wait_for(lambda: h.has(key="request-input"), what="present screen")
            await h.type_text(h.get(key="request-input"), tx["link"])
            await h.click(h.get(key="continue-btn"))
            await h.wait_for(lambda: h.get(key="review-step").visible, timeout=30, what="review")
            whole = h.get(key="shared-whole-openbadge_jwt").value
            assert whole.startswith("This credential is shared whole")
            contents = row_text(h, "query-openbadge_jwt")
            assert f"Name: {TITLE}" in contents and "Study load: 5 EC" in contents
            assert not [s for s in h.find(type_=ft.Switch) if _under(s, "query-openbadge_jwt")]
            assert [text for text in contents.split("\n") if TECHNICAL.search(text)] == []
            preview = h.get(key="send-preview").value
            assert preview.startswith(f"{TITLE}: ") and not TECHNICAL.search(preview)

            await h.click(h.get(key="confirm-btn"))
            await h.wait_for(lambda: h.get(key="result-step").visible, timeout=30, what="result")
            assert h.get(key="present-result").value.startswith("Shared with ")
            assert h.client.errors == []

    run(scenario)
    status = verifier.status(tx["transaction_id"])
    assert status["status"] == "verified", status
