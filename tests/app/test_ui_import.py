"""Add from a file: home -> Import -> the file picker -> Wallet.import_credential -> the new
credential's detail; a duplicate or a file that is no credential is said in words, and
nothing is stored. And from a link: an Open Badge 2.0 hosted assertion, served on loopback."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import flet as ft
from harness import AppHarness
from helpers import ob3_badge
from loopback import LoopbackServer
from test_ui_badge import (
    ISSUER_DID,
    ISSUER_KEY,
    TITLE,
    badge_jwt,
    picture,
    row_text,
    wallet_with_badges,
)
from test_ui_home import PIN, make_wallet, run, unlock
from test_wallet_import_ob2 import _assertion, _badge_class, _host, _issuer

from app.config import AppConfig
from app.i18n import t
from app.session import make_main
from wallet_core import Wallet
from wallet_core.formats import baked, data_integrity

LDP_TITLE = "Data-analyse met Python"


def badge_json() -> bytes:
    """An OB 3.0 badge as JSON-LD with an eddsa-rdfc-2022 proof, as a .json download."""
    credential = ob3_badge(ISSUER_DID, name=LDP_TITLE)
    credential["credentialSubject"]["achievement"]["name"] = LDP_TITLE
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    signed = data_integrity.add_proof(
        credential, ISSUER_KEY, verification_method=f"{ISSUER_DID}#0", created=created
    )
    return json.dumps(signed, indent=2).encode()


def stored_titles(config: AppConfig) -> list[str]:
    with Wallet.open(config.vault_dir, PIN) as wallet:
        return [c.title for c in wallet.credentials()]


async def open_import(h: AppHarness) -> None:
    await unlock(h)
    await h.click(h.get(key="add-file-btn"))
    await h.wait_for(lambda: h.has(key="import-choose-btn"), what="import screen")


async def choose(h: AppHarness, name: str, data: bytes) -> None:
    h.client.picked_files = [(name, data)]
    await h.click(h.get(key="import-choose-btn"))
    await h.wait_for(
        lambda: h.has(key="detail-title") or bool(h.get(key="import-error").value),
        what="the import",
    )


def error_text(h: AppHarness) -> Any:
    return h.get(key="import-error").value


def test_a_json_badge_file_is_imported_and_opened(config: AppConfig) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_import(h)
            assert h.get(key="appbar-title").value == "Add a badge"
            h.client.picked_files = []  # the holder cancels the picker: nothing happens
            await h.click(h.get(key="import-choose-btn"))
            assert h.has(key="import-choose-btn") and not error_text(h)

            await choose(h, "data-analyse.json", badge_json())
            assert h.get(key="detail-title").value == LDP_TITLE
            assert h.page.route.startswith("/credential/")
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="credential-list"), what="home")
            [tile] = h.find(type_=ft.ListTile)
            assert tile.title.value == LDP_TITLE
            assert h.client.errors == []

    run(scenario)
    assert stored_titles(config) == [LDP_TITLE]


def test_a_baked_badge_picture_is_imported(config: AppConfig) -> None:
    make_wallet(config, [])
    png = baked.bake_png(picture(), badge_jwt())

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_import(h)
            await choose(h, "badge.png", png)
            assert h.get(key="detail-title").value == TITLE
            assert row_text(h, "badge-workload") == "Study load\n5 EC"
            assert h.client.errors == []

    run(scenario)
    assert stored_titles(config) == [TITLE]


def test_a_badge_already_held_is_said_and_can_be_opened(config: AppConfig) -> None:
    jwt = badge_jwt()
    [held] = wallet_with_badges(config, jwt)

    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await open_import(h)
            await choose(h, "badge.jwt", jwt.encode())
            assert error_text(h) == "Deze credential staat al in je wallet."
            assert h.get(key="import-open-existing-btn").content == (
                "Open de credential die je al hebt"
            )
            await h.click(h.get(key="import-open-existing-btn"))
            await h.wait_for(lambda: h.has(key="detail-title"), what="detail")
            assert h.page.route == f"/credential/{held}"
            assert h.get(key="detail-title").value == TITLE
            assert h.client.errors == []

    run(scenario)
    assert stored_titles(config) == [TITLE]


def test_a_file_that_is_no_credential_is_refused_in_words(config: AppConfig) -> None:
    make_wallet(config, [])
    header, payload, signature = badge_jwt().split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await open_import(h)
            await choose(h, "notes.json", b"these are my notes, not a credential")
            assert error_text(h) == (
                "This file is not a credential this wallet can read. Nothing was saved."
            )
            assert not h.get(key="import-open-existing-btn").parent.visible
            await choose(h, "badge.jwt", tampered.encode())
            assert error_text(h) == t("error.invalid_signature")
            assert "Traceback" not in " ".join(h.texts())
            assert not h.has(key="detail-title")
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="home-empty"), what="home, still empty")
            assert h.client.errors == []

    run(scenario)
    assert stored_titles(config) == []


def test_an_open_badge_2_link_is_fetched_checked_and_opened(
    config: AppConfig, server: LoopbackServer
) -> None:
    """What is no address is refused on the screen; plain http elsewhere is refused by the
    wallet's policy, in words; the hosted assertion on loopback is imported and opened."""
    config = dataclasses.replace(config, allow_http_loopback=True)  # the loopback "issuer"
    make_wallet(config, [])
    url = _host(server, _assertion(server, _badge_class(server, _issuer(server))))

    async def add_link(h: AppHarness, link: str) -> None:
        await h.type_text(h.get(key="import-link-input"), link)
        await h.click(h.get(key="import-link-btn"))
        await h.wait_for(
            lambda: h.has(key="detail-title") or bool(error_text(h)), what="the link's import"
        )

    async def scenario() -> None:
        async with AppHarness(make_main(config), languages=["nl-NL"]) as h:
            await open_import(h)
            assert h.get(key="import-link-input").label == "Link naar de badge"
            await h.click(h.get(key="import-link-btn"))  # nothing typed yet
            assert error_text(h) == "Plak of typ eerst de link naar de badge."
            await add_link(h, "mijn badge")
            assert error_text(h) == t("import.link_invalid", "nl")
            await add_link(h, "http://badges.example/public/assertions/a1")
            assert error_text(h) == t("error.insecure_url", "nl")
            assert server.requests == []  # neither was fetched

            await add_link(h, "  " + url.replace("http://", "Http://") + "\n")
            assert h.get(key="detail-title").value == "Circulair ontwerpen"
            assert h.get(key="detail-issuer").value == "Hogeschool Demo"
            assert h.get(key="detail-hosted").value.startswith(
                "Open Badge 2.0, bewaard door de uitgever: daar gecontroleerd op"
            )
            assert h.page.route.startswith("/credential/")
            assert "Traceback" not in " ".join(h.texts())
            assert h.client.errors == []

    run(scenario)
    assert stored_titles(config) == ["Circulair ontwerpen"]
    assert server.requests and server.requests[0].startswith("/public/assertions/a1")
