"""The offer preview: who offers what, in the user's language (OpenID4VCI 1.0 §12.2.4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from loopback import LoopbackServer
from oid4vci.vci_fixtures import EXAMPLE_DIRS, ISSUER, issuer_document, load_example, needs_vectors

from wallet_core.errors import OfferError
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vci.metadata import fetch_issuer_metadata, parse_issuer_metadata
from wallet_core.oid4vci.models import Display, IssuerMetadata, OfferedCredential, TxCode
from wallet_core.oid4vci.offer import PRE_AUTHORIZED_GRANT, parse_offer, parse_offer_document
from wallet_core.oid4vci.preview import build_preview, localized

STRICT = HttpPolicy()


def offer(**extra: Any) -> dict[str, Any]:
    return {
        "credential_issuer": ISSUER,
        "credential_configuration_ids": ["microcredential"],
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": "code-1",
                "tx_code": {"length": 6, "description": "Check your student mail"},
            }
        },
        **extra,
    }


def metadata(**extra: Any) -> IssuerMetadata:
    return parse_issuer_metadata(issuer_document(ISSUER, **extra), ISSUER, STRICT)


# -- localized ---------------------------------------------------------------------------

EN = Display(name="English", locale="en")
EN_US = Display(name="American", locale="en-US")
NL = Display(name="Nederlands", locale="nl-NL")
DE = Display(name="Deutsch", locale="de")
DEFAULT = Display(name="Default")


@pytest.mark.parametrize(
    ("displays", "locale", "expected"),
    [
        ((), "nl", None),
        ((EN, NL), "nl", NL),  # same language, other region
        ((EN, NL), "NL-nl", NL),  # tags compare case-insensitively
        ((EN, NL), "nl-BE", NL),
        ((EN, NL), "de", EN),  # English is the fallback
        ((EN_US, DE), "nl", EN_US),
        ((DE, DEFAULT), "nl", DEFAULT),  # the issuer's untagged default before any language
        ((DEFAULT, EN), "nl", EN),
        ((DE,), "nl", DE),  # something is better than nothing
        ((DEFAULT,), "en", DEFAULT),
        ((EN, Display(name="Nederlands (BE)", locale="nl-BE"), NL), "nl-NL", NL),  # exact wins
    ],
)
def test_localized(displays: tuple[Display, ...], locale: str, expected: Display | None) -> None:
    assert localized(displays, locale) == expected


# -- build_preview -----------------------------------------------------------------------


def test_dutch_with_english_fallback() -> None:
    issuer = metadata()
    dutch = build_preview(parse_offer_document(offer()), issuer, "nl")
    assert dutch.issuer == ISSUER
    assert dutch.issuer_name == "Hogeschool Demo"
    assert dutch.credentials == (
        OfferedCredential(
            configuration_id="microcredential",
            name="Microcredential (nl)",
            description=None,  # the nl entry has none; entries are not mixed
            format="dc+sd-jwt",
        ),
    )
    english = build_preview(parse_offer_document(offer()), issuer, "en-GB")
    assert english.issuer_name == "Demo University of Applied Sciences"
    assert english.credentials[0] == OfferedCredential(
        configuration_id="microcredential",
        name="Microcredential",
        description="A small unit of learning",
        format="dc+sd-jwt",
        logo_uri="https://edu.example/logo.png",
        background_color="#12107c",
        text_color="#FFFFFF",
    )
    # A language the issuer does not offer: English.
    assert build_preview(parse_offer_document(offer()), issuer, "fr").credentials[0].name == (
        "Microcredential"
    )

    # Only English credential display: nl falls back to it.
    document = issuer_document(ISSUER)
    configuration = document["credential_configurations_supported"]["microcredential"]
    configuration["credential_metadata"]["display"] = configuration["credential_metadata"][
        "display"
    ][:1]
    only_english = parse_issuer_metadata(document, ISSUER, STRICT)
    preview = build_preview(parse_offer_document(offer()), only_english, "nl")
    assert preview.credentials[0].name == "Microcredential"
    assert preview.issuer_name == "Hogeschool Demo"


def test_missing_display_falls_back_to_the_host() -> None:
    document = issuer_document(ISSUER)
    del document["display"]
    configuration = document["credential_configurations_supported"]["microcredential"]
    del configuration["credential_metadata"]["display"]
    bare = parse_issuer_metadata(document, ISSUER, STRICT)
    preview = build_preview(parse_offer_document(offer()), bare, "nl")
    assert preview.issuer_name == "credential-issuer.example.com"
    assert preview.issuer_logo_uri is None
    assert preview.credentials[0].name == "https://edu.example/microcredential"  # the vct

    # A display entry without a name (allowed for issuers) also shows the host.
    nameless = metadata(display=[{"locale": "nl", "logo": {"uri": "https://edu.example/i.png"}}])
    preview = build_preview(parse_offer_document(offer()), nameless, "nl")
    assert preview.issuer_name == "credential-issuer.example.com"
    assert preview.issuer_logo_uri == "https://edu.example/i.png"


def test_tx_code_and_grants() -> None:
    both = offer()
    both["grants"]["authorization_code"] = {"issuer_state": "s"}
    preview = build_preview(parse_offer_document(both), metadata(), "nl")
    assert preview.tx_code == TxCode(
        length=6, input_mode="numeric", description="Check your student mail"
    )
    assert preview.grants == ("pre-authorized_code", "authorization_code")

    login_only = offer(grants={"authorization_code": {}})
    preview = build_preview(parse_offer_document(login_only), metadata(), "nl")
    assert preview.tx_code is None
    assert preview.grants == ("authorization_code",)

    no_code = offer()
    del no_code["grants"][PRE_AUTHORIZED_GRANT]["tx_code"]
    preview = build_preview(parse_offer_document(no_code), metadata(), "nl")
    assert preview.tx_code is None and preview.grants == ("pre-authorized_code",)

    # An empty tx_code object still means a code is required (§4.1.1).
    empty = offer()
    empty["grants"][PRE_AUTHORIZED_GRANT]["tx_code"] = {}
    assert build_preview(parse_offer_document(empty), metadata(), "nl").tx_code == TxCode()

    assert build_preview(parse_offer_document(offer(grants={})), metadata(), "nl").grants == ()


def test_offer_must_fit_the_metadata() -> None:
    with pytest.raises(OfferError):
        unknown = offer(credential_configuration_ids=["microcredential", "diploma"])
        build_preview(parse_offer_document(unknown), metadata(), "nl")
    with pytest.raises(OfferError):
        build_preview(
            parse_offer_document(offer(credential_issuer="https://other.example")), metadata(), "nl"
        )


def test_several_credentials_keep_the_offer_order() -> None:
    document = issuer_document(ISSUER)
    document["credential_configurations_supported"]["diploma"] = {
        "format": "jwt_vc_json",
        "credential_definition": {"type": ["VerifiableCredential", "BachelorDegree"]},
    }
    issuer = parse_issuer_metadata(document, ISSUER, STRICT)
    preview = build_preview(
        parse_offer_document(offer(credential_configuration_ids=["diploma", "microcredential"])),
        issuer,
        "en",
    )
    assert [c.configuration_id for c in preview.credentials] == ["diploma", "microcredential"]
    assert preview.credentials[0].name == "BachelorDegree"  # no display: the specific type


@needs_vectors
def test_preview_of_the_spec_examples() -> None:
    draft = EXAMPLE_DIRS[1]
    issuer = parse_issuer_metadata(
        load_example(draft / "credential_issuer_metadata_jwt_vc_json.json"), ISSUER, STRICT
    )
    authz = parse_offer_document(load_example(draft / "credential_offer_authz_code.txt"))
    english = build_preview(authz, issuer, "en")
    assert english.issuer_name == "Example University"
    assert english.credentials[0].name == "University Credential"
    assert english.credentials[0].logo_uri == "https://university.example.edu/public/logo.png"
    assert english.grants == ("authorization_code",)
    assert build_preview(authz, issuer, "fr-CA").issuer_name == "Example Université"


def test_end_to_end_over_loopback(server: LoopbackServer, client: HttpClient) -> None:
    """Scan → fetch offer by reference → fetch metadata → preview, all over real HTTP."""
    issuer = server.base + "/hogeschool"
    server.json("/.well-known/openid-credential-issuer/hogeschool", issuer_document(issuer))
    offer_url = server.json("/offers/42", offer(credential_issuer=issuer))
    text = "openid-credential-offer://?credential_offer_uri=" + quote(offer_url, safe="")
    parsed = parse_offer(text, client)
    issuer_metadata = fetch_issuer_metadata(parsed.credential_issuer, client)
    preview = build_preview(parsed, issuer_metadata, "nl")
    assert preview.issuer_name == "Hogeschool Demo"
    assert preview.credentials[0].name == "Microcredential (nl)"
    assert preview.tx_code is not None and preview.tx_code.length == 6
    assert server.requests == ["/offers/42", "/.well-known/openid-credential-issuer/hogeschool"]
