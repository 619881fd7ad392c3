"""How a received credential is titled and what display data is stored with it, so cards
render offline in every locale the issuer offered (OpenID4VCI 1.0 §12.2.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from wallet_core.oid4vci.models import CredentialConfiguration, Display, IssuerMetadata
from wallet_core.oid4vci.preview import localized


def card_title(
    configuration: CredentialConfiguration, claims: Mapping[str, Any], locale: str
) -> str:
    """The card's title: a microcredential's own ``title`` claim, else the type's name."""
    title = claims.get("title")
    if isinstance(title, str) and title:
        return title
    return display_name(configuration.display, locale) or configuration.vct or configuration.id


def display_name(displays: Sequence[Display], locale: str) -> str | None:
    chosen = localized(displays, locale)
    return chosen.name if chosen is not None else None


def issuer_display_name(metadata: IssuerMetadata, locale: str) -> str:
    """The institution as the screens name it: its display name, else its host."""
    return display_name(metadata.display, locale) or host_of(metadata.credential_issuer)


def display_record(
    metadata: IssuerMetadata, configuration: CredentialConfiguration
) -> dict[str, Any]:
    """Everything the UI needs to render the card offline, in every locale offered."""
    return {
        "issuer": [asdict(entry) for entry in metadata.display],
        "credential": [asdict(entry) for entry in configuration.display],
        "claims": [
            {
                "path": list(claim.path),
                "mandatory": claim.mandatory,
                "display": [asdict(entry) for entry in claim.display],
            }
            for claim in configuration.claims
        ],
    }


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url
