"""What the user sees before accepting an offer: who offers what, and what it takes.

Names, logos and colours come from the Credential Issuer Metadata ``display`` arrays
(OpenID4VCI 1.0 §12.2.4; draft 13 §11.2.3), in the user's language when the issuer provides
it, else English, else an entry without a locale, else the first one. The metadata is
unauthenticated text chosen by the issuer, so the issuer's *host* stays the fallback name:
it is the one thing TLS vouched for when the metadata was fetched.

The offer is checked against the metadata first (:func:`~wallet_core.oid4vci.offer.bind_offer`):
an offered configuration the issuer does not describe is an :class:`OfferError`, not a card
with an empty title, because the flow could not issue it anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from wallet_core.formats.type_metadata import pick_locale
from wallet_core.oid4vci.models import (
    CredentialConfiguration,
    CredentialOffer,
    Display,
    IssuerMetadata,
    OfferedCredential,
    OfferPreview,
)
from wallet_core.oid4vci.offer import bind_offer

__all__ = ["FALLBACK_LOCALE", "build_preview", "localized"]

FALLBACK_LOCALE = "en"
_GENERIC_TYPES = frozenset({"VerifiableCredential", "VerifiableAttestation"})


def localized(displays: Sequence[Display], locale: str) -> Display | None:
    """The display entry for ``locale``: exact tag or same language, then English, then an
    entry without ``locale`` (the issuer's default), then the first entry; None if empty.

    Tags compare case-insensitively and by primary language (``nl`` matches ``nl-NL``), the
    rules of :func:`~wallet_core.formats.type_metadata.pick_locale`.
    """
    if not displays:
        return None
    tagged = [display for display in displays if display.locale]
    untagged = [display for display in displays if not display.locale]
    tags = [display.locale for display in tagged if display.locale]
    chosen = pick_locale(tags, locale, fallback=FALLBACK_LOCALE) if tags else None
    if chosen is not None and (_same_language(chosen, locale) or _same_language(chosen, "en")):
        return tagged[tags.index(chosen)]
    # pick_locale's last resort is "the first tag", but an entry the issuer left untagged is
    # its default text and a better guess than an arbitrary language.
    if untagged:
        return untagged[0]
    return tagged[tags.index(chosen)] if chosen is not None else displays[0]


def build_preview(offer: CredentialOffer, metadata: IssuerMetadata, locale: str) -> OfferPreview:
    """The preview of ``offer`` in ``locale`` (e.g. ``"nl"``), using the issuer's metadata.

    Raises :class:`OfferError` when the offer does not fit the metadata (another issuer, an
    unknown configuration id, an authorization server the issuer does not list).
    """
    offer = bind_offer(offer, metadata)
    issuer_display = localized(metadata.display, locale)
    issuer_name = issuer_display.name if issuer_display is not None else ""
    credentials = tuple(
        _offered(metadata.configurations[configuration_id], locale)
        for configuration_id in offer.credential_configuration_ids
    )
    grants: list[str] = []
    if offer.pre_authorized is not None:
        grants.append("pre-authorized_code")
    if offer.authorization_code is not None:
        grants.append("authorization_code")
    return OfferPreview(
        issuer=offer.credential_issuer,
        issuer_name=issuer_name or _host(offer.credential_issuer),
        issuer_logo_uri=issuer_display.logo_uri if issuer_display is not None else None,
        credentials=credentials,
        tx_code=offer.pre_authorized.tx_code if offer.pre_authorized is not None else None,
        grants=tuple(grants),
    )


def _offered(configuration: CredentialConfiguration, locale: str) -> OfferedCredential:
    display = localized(configuration.display, locale)
    if display is None:
        return OfferedCredential(
            configuration_id=configuration.id,
            name=_type_name(configuration),
            description=None,
            format=configuration.format,
        )
    return OfferedCredential(
        configuration_id=configuration.id,
        name=display.name or _type_name(configuration),
        description=display.description,
        format=configuration.format,
        logo_uri=display.logo_uri,
        background_color=display.background_color,
        text_color=display.text_color,
    )


def _type_name(configuration: CredentialConfiguration) -> str:
    """Without a display name: the credential's type as the issuer identifies it."""
    if configuration.vct:
        return configuration.vct
    doctype = configuration.raw.get("doctype")
    if isinstance(doctype, str) and doctype:
        return doctype
    definition = configuration.credential_definition
    types = definition.get("type") if isinstance(definition, Mapping) else None
    if isinstance(types, list):
        specific = [t for t in types if isinstance(t, str) and t not in _GENERIC_TYPES]
        if specific:
            return specific[-1]
    return configuration.id


def _same_language(tag: str, wanted: str) -> bool:
    return tag.lower().split("-")[0] == wanted.lower().split("-")[0]


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url
