"""Credential Offers: from a scanned or pasted text to a validated :class:`CredentialOffer`.

What is accepted (OpenID4VCI 1.0 §4.1, draft 13 §4.1):

* ``openid-credential-offer://?credential_offer=<JSON>`` or ``...?credential_offer_uri=<URL>``
  (§12.1.1 "Client Metadata Retrieval": the fallback custom scheme);
* ``haip-vci://`` links with the same parameters (HAIP 1.0 §"Credential Offer": the custom
  scheme a HAIP wallet MAY register);
* ``https`` links carrying the same parameters (a claimed https Credential Offer Endpoint;
  ``http`` only on loopback under the development flag, for the local demo);
* the Credential Offer object itself as raw JSON.

Only the query of a link matters: its host and path are the wallet's own endpoint and are
never contacted. Exactly one of ``credential_offer`` / ``credential_offer_uri`` must be
present (§4.1). An offer by reference is fetched with a plain GET accepting only
``application/json`` (§4.1.3: the offer "cannot be signed") under the wallet's
:class:`~wallet_core.http.HttpPolicy`, so https-only, size caps and redirect checks apply.

§13.5 "Credential Offer": the offer is unauthenticated input. Parsing only checks its shape;
the issuer named in it earns no trust from being named (its metadata must still be fetched
and checked), and :func:`bind_offer` later checks the offer against that metadata.

Draft compatibility. Draft 13's offer already has ``credential_configuration_ids`` and
``tx_code`` (same shape as 1.0, except that ``interval`` may appear and the id array may be
empty). Issuers of drafts 11/12 (the HAIP example still uses it) send ``credentials`` (ids,
or objects naming a ``format`` and type) and ``user_pin_required`` instead of ``tx_code``.
These are normalized into the 1.0 model with ``draft13=True``:

* ``credentials`` string entries become configuration ids; object entries get a placeholder
  id (:data:`LEGACY_ID_PREFIX` + index) that :func:`bind_offer` resolves against the
  metadata by format and type, because without metadata there is no id to give them.
  When ``credential_configuration_ids`` is present, ``credentials`` is ignored (a wallet
  "MUST ignore any unrecognized parameters", and issuers serving both dialects send both).
* ``user_pin_required: true`` becomes a :class:`TxCode` with ``input_mode="text"``: the old
  drafts never said the PIN is digits only, and a numeric keypad would lock out a user whose
  PIN is not.

Secrets: the pre-authorized code (and the opaque ``issuer_state``) never appear in an error
message; messages name the offending *field*, never its value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from wallet_core import http
from wallet_core.errors import HttpStatusError, InsecureUrlError, OfferError, OfferExpiredError
from wallet_core.formats.registry import answers
from wallet_core.http import HttpClient, HttpPolicy
from wallet_core.oid4vci.models import (
    AuthorizationCodeGrant,
    CredentialConfiguration,
    CredentialOffer,
    IssuerMetadata,
    PreAuthorizedGrant,
    TxCode,
)

__all__ = [
    "AUTHORIZATION_CODE_GRANT",
    "LEGACY_ID_PREFIX",
    "MAX_OFFER_CHARS",
    "MAX_TX_CODE_DESCRIPTION",
    "OFFER_SCHEMES",
    "PRE_AUTHORIZED_GRANT",
    "bind_offer",
    "parse_offer",
    "parse_offer_document",
]

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
# §12.1.1 and HAIP 1.0 §"Credential Offer" (URI scheme registered in HAIP §"IANA").
OFFER_SCHEMES = frozenset({"openid-credential-offer", "haip-vci"})
# A QR code holds at most ~4 KB; a pasted link or JSON is allowed more, but not without bound.
MAX_OFFER_CHARS = 64 * 1024
MAX_TX_CODE_DESCRIPTION = 300  # §4.1.1: "MUST NOT exceed 300 characters"
# Placeholder ids for draft-11/12 ``credentials`` objects until bind_offer resolves them.
# The prefix cannot come from a real issuer's configuration id space by accident.
LEGACY_ID_PREFIX = "urn:eduwallet:legacy-offer-entry:"
_TX_INPUT_MODES = frozenset({"numeric", "text"})
_OFFER_PARAMETERS = ("credential_offer", "credential_offer_uri")


# -- entry points ------------------------------------------------------------------------


def parse_offer(text: str, client: HttpClient) -> CredentialOffer:
    """Parse what the user scanned or pasted; fetch the offer when it is by reference.

    Raises :class:`OfferError` for anything malformed, and the :class:`NetworkError`
    subclasses of :mod:`wallet_core.http` when fetching ``credential_offer_uri`` fails
    (``InsecureUrlError`` for a non-https URL, ``MalformedResponseError`` for bad JSON, ...).
    """
    if not isinstance(text, str):
        raise OfferError("the offer is not text")
    text = text.strip().lstrip("\ufeff").strip()
    if not text:
        raise OfferError("the offer is empty")
    if len(text) > MAX_OFFER_CHARS:
        raise OfferError(f"the offer is longer than {MAX_OFFER_CHARS} characters")
    policy = client.policy
    if text.startswith("{"):
        return parse_offer_document(_loads(text, "the offer"), policy=policy)
    name, value = _offer_parameter(text, policy)
    if name == "credential_offer":
        return parse_offer_document(_loads(value, "credential_offer"), policy=policy)
    return parse_offer_document(_fetch_offer(value, client), policy=policy)


def parse_offer_document(
    document: Mapping[str, Any], *, policy: HttpPolicy | None = None
) -> CredentialOffer:
    """Validate a Credential Offer object (§4.1.1) and normalize draft-11..13 input.

    No network access. ``policy`` decides whether an ``http://`` loopback
    ``credential_issuer`` is acceptable (only with ``allow_http_loopback``); the default
    policy accepts https only.
    """
    policy = policy if policy is not None else HttpPolicy()
    if not isinstance(document, Mapping):
        raise OfferError("the offer is not a JSON object")
    issuer = _credential_issuer(document.get("credential_issuer"), policy)
    legacy = False
    if "credential_configuration_ids" in document:
        ids = _configuration_ids(document["credential_configuration_ids"])
    elif "credentials" in document:
        ids = _legacy_credentials(document["credentials"])
        legacy = True
    else:
        raise OfferError("the offer has no credential_configuration_ids")

    grants = document.get("grants")
    if grants is None:
        grants = {}
    if not isinstance(grants, Mapping):
        raise OfferError("grants is not an object")
    pre_authorized = None
    if PRE_AUTHORIZED_GRANT in grants:
        pre_authorized, legacy_pin = _pre_authorized(grants[PRE_AUTHORIZED_GRANT], document)
        legacy = legacy or legacy_pin
    authorization_code = None
    if AUTHORIZATION_CODE_GRANT in grants:
        authorization_code = _authorization_code(grants[AUTHORIZATION_CODE_GRANT])
    # Unknown grant types are ignored (§4.1.1: the wallet picks among those it knows).
    return CredentialOffer(
        credential_issuer=issuer,
        credential_configuration_ids=ids,
        pre_authorized=pre_authorized,
        authorization_code=authorization_code,
        draft13=legacy,
        raw=dict(document),
    )


def bind_offer(offer: CredentialOffer, metadata: IssuerMetadata) -> CredentialOffer:
    """Check an offer against its issuer's metadata and resolve legacy placeholder ids.

    * ``credential_issuer`` must be the identifier the metadata was fetched for (§4.1.1:
      the wallet obtains the metadata *of that issuer*);
    * every offered id must name a configuration in ``credential_configurations_supported``
      (§4.1.1), draft-11/12 object entries are matched by format and type;
    * a grant's ``authorization_server`` must be one of the metadata's
      ``authorization_servers`` (§4.1.1, §12.2.4: "the Wallet MUST NOT proceed" otherwise).
    """
    if offer.credential_issuer != metadata.credential_issuer:
        raise OfferError("the offer and the metadata name different credential issuers")
    entries = offer.raw.get("credentials") if isinstance(offer.raw, Mapping) else None
    resolved: list[str] = []
    for configuration_id in offer.credential_configuration_ids:
        if configuration_id.startswith(LEGACY_ID_PREFIX) and isinstance(entries, list):
            configuration_id = _match_legacy_entry(
                _legacy_entry(entries, configuration_id), metadata.configurations
            )
        elif configuration_id not in metadata.configurations:
            raise OfferError("the issuer does not describe an offered credential")
        if configuration_id in resolved:
            raise OfferError("the offer names the same credential configuration twice")
        resolved.append(configuration_id)
    for grant in (offer.pre_authorized, offer.authorization_code):
        hint = grant.authorization_server if grant is not None else None
        if hint is not None and not _known_server(hint, metadata):
            raise OfferError("the offer names an authorization server the issuer does not use")
    if tuple(resolved) == offer.credential_configuration_ids:
        return offer
    return CredentialOffer(
        credential_issuer=offer.credential_issuer,
        credential_configuration_ids=tuple(resolved),
        pre_authorized=offer.pre_authorized,
        authorization_code=offer.authorization_code,
        draft13=offer.draft13,
        raw=offer.raw,
    )


def _known_server(hint: str, metadata: IssuerMetadata) -> bool:
    """§4.1.1: the hint must be one of ``authorization_servers``. Without that list the
    issuer is its own authorization server (§12.2.4), so naming the issuer is harmless;
    anything else would let an unauthenticated offer choose where the wallet logs in."""
    if metadata.authorization_servers:
        return hint in metadata.authorization_servers
    return hint == metadata.credential_issuer


# -- the text around the offer -----------------------------------------------------------


def _offer_parameter(text: str, policy: HttpPolicy) -> tuple[str, str]:
    """The one ``credential_offer`` or ``credential_offer_uri`` of a link, as (name, value)."""
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise OfferError("the offer is neither a link nor JSON") from exc
    scheme = parts.scheme.lower()
    # http links only in development, and only pointing at this machine: the link is never
    # fetched, but accepting http in production would train users to trust such links.
    dev_link = scheme == "http" and policy.allow_http_loopback and _is_loopback(text, policy)
    if scheme not in OFFER_SCHEMES and scheme != "https" and not dev_link:
        raise OfferError("the offer is neither a credential offer link nor JSON")
    try:
        # Form decoding ('+' is a space), as the query of a link is built by issuers'
        # URL encoders; strict_parsing stays off because trailing '&' is common.
        pairs = parse_qsl(parts.query, keep_blank_values=True, max_num_fields=64)
    except ValueError as exc:
        raise OfferError("the offer link has an unreadable query") from exc
    found = [(name, value) for name, value in pairs if name in _OFFER_PARAMETERS]
    if not found:
        raise OfferError("the link has neither credential_offer nor credential_offer_uri")
    if len(found) > 1:
        # §4.1: the two are mutually exclusive, and a repeated one is just as ambiguous.
        raise OfferError(
            "the link must carry exactly one of credential_offer, credential_offer_uri"
        )
    name, value = found[0]
    if not value:
        raise OfferError(f"{name} is empty")
    return name, value


def _is_loopback(url: str, policy: HttpPolicy) -> bool:
    try:
        http.check_url(url, policy)
    except InsecureUrlError:
        return False
    return True


def _fetch_offer(uri: str, client: HttpClient) -> Mapping[str, Any]:
    """§4.1.3: GET, ``application/json`` only; every URL rule of :mod:`wallet_core.http`.
    An offer the issuer no longer serves (404, 410) has expired or was used."""
    try:
        document = client.get_json(uri, accept="application/json")
    except HttpStatusError as exc:
        if exc.status in (404, 410):
            raise OfferExpiredError("the institution no longer has this offer") from exc
        raise
    if not isinstance(document, Mapping):
        raise OfferError("the offer fetched from credential_offer_uri is not a JSON object")
    return document


def _loads(text: str, what: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise OfferError(f"{what} is not valid JSON") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# -- fields ------------------------------------------------------------------------------


def _credential_issuer(value: Any, policy: HttpPolicy) -> str:
    """§12.2.1: an https URL with host, optional port and path, no query or fragment."""
    if not isinstance(value, str) or not value:
        raise OfferError("the offer has no credential_issuer")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise OfferError("credential_issuer is not a URL") from exc
    if "?" in value or "#" in value or not parts.netloc:
        raise OfferError("credential_issuer must be a URL without query or fragment")
    try:
        http.check_url(value, policy)
    except InsecureUrlError as exc:
        raise OfferError(
            f"credential_issuer is not an https URL the wallet may use: {exc}"
        ) from exc
    return value


def _configuration_ids(value: Any) -> tuple[str, ...]:
    """§4.1.1: a non-empty array of unique strings."""
    if not isinstance(value, list):
        raise OfferError("credential_configuration_ids is not an array")
    if not value:
        raise OfferError("credential_configuration_ids is empty")
    ids: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item:
            raise OfferError("credential_configuration_ids must hold non-empty strings")
        if item in ids:
            raise OfferError("credential_configuration_ids holds a duplicate")
        ids.append(item)
    return tuple(ids)


def _legacy_credentials(value: Any) -> tuple[str, ...]:
    """Drafts 11/12: ``credentials`` holds ids or ``{format, ...}`` objects."""
    if not isinstance(value, list) or not value:
        raise OfferError("credentials must be a non-empty array")
    ids: list[str] = []
    for index, item in enumerate(value):
        if isinstance(item, str) and item:
            if item in ids:
                raise OfferError("credentials holds a duplicate")
            ids.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("format"), str):
            ids.append(f"{LEGACY_ID_PREFIX}{index}")
        else:
            raise OfferError("credentials entries must be ids or objects with a format")
    return tuple(ids)


def _pre_authorized(value: Any, document: Mapping[str, Any]) -> tuple[PreAuthorizedGrant, bool]:
    """§4.1.1 grant ``urn:ietf:params:oauth:grant-type:pre-authorized_code``.

    Returns the grant and whether the draft ≤ 12 ``user_pin_required`` was used.
    """
    if not isinstance(value, Mapping):
        raise OfferError("the pre-authorized_code grant is not an object")
    code = value.get("pre-authorized_code")
    if not isinstance(code, str) or not code:
        raise OfferError("the pre-authorized_code grant has no pre-authorized_code string")
    tx_code: TxCode | None = None
    legacy = False
    if "tx_code" in value:
        tx_code = _tx_code(value["tx_code"])
    else:
        # Drafts ≤ 12 put user_pin_required in the grant (very early ones at top level).
        source = value if "user_pin_required" in value else document
        if "user_pin_required" in source:
            required = source["user_pin_required"]
            if not isinstance(required, bool):
                raise OfferError("user_pin_required is not a boolean")
            legacy = True
            if required:
                tx_code = TxCode(input_mode="text")
    server = _optional_string(value, "authorization_server", "the pre-authorized_code grant")
    grant = PreAuthorizedGrant(
        code=code, tx_code=tx_code, authorization_server=server, legacy_user_pin=legacy
    )
    return grant, legacy


def _tx_code(value: Any) -> TxCode:
    """§4.1.1 ``tx_code``: present, even as ``{}``, means a code is required."""
    if not isinstance(value, Mapping):
        raise OfferError("tx_code is not an object")
    length = value.get("length")
    if length is not None and (
        isinstance(length, bool) or not isinstance(length, int) or length <= 0
    ):
        raise OfferError("tx_code.length must be a positive integer")
    input_mode = value.get("input_mode", "numeric")
    if not isinstance(input_mode, str) or input_mode not in _TX_INPUT_MODES:
        raise OfferError("tx_code.input_mode must be 'numeric' or 'text'")
    description = value.get("description")
    if description is not None:
        if not isinstance(description, str):
            raise OfferError("tx_code.description is not a string")
        if len(description) > MAX_TX_CODE_DESCRIPTION:
            raise OfferError(
                f"tx_code.description is longer than {MAX_TX_CODE_DESCRIPTION} characters"
            )
    return TxCode(length=length, input_mode=str(input_mode), description=description)


def _authorization_code(value: Any) -> AuthorizationCodeGrant:
    """§4.1.1 grant ``authorization_code``: optional ``issuer_state``, ``authorization_server``."""
    if not isinstance(value, Mapping):
        raise OfferError("the authorization_code grant is not an object")
    return AuthorizationCodeGrant(
        issuer_state=_optional_string(value, "issuer_state", "the authorization_code grant"),
        authorization_server=_optional_string(
            value, "authorization_server", "the authorization_code grant"
        ),
    )


def _optional_string(value: Mapping[str, Any], name: str, where: str) -> str | None:
    item = value.get(name)
    if item is None:
        return None
    if not isinstance(item, str) or not item:
        raise OfferError(f"{name} in {where} is not a non-empty string")
    return item


# -- draft-11/12 object entries ----------------------------------------------------------


def _legacy_entry(entries: Sequence[Any], placeholder: str) -> Any:
    index = placeholder[len(LEGACY_ID_PREFIX) :]
    if not (index.isascii() and index.isdigit()) or int(index) >= len(entries):
        raise OfferError("the issuer does not describe an offered credential")
    return entries[int(index)]


def _match_legacy_entry(entry: Any, configurations: Mapping[str, CredentialConfiguration]) -> str:
    """The one configuration with the entry's format and type (``vct``, ``doctype``, VC types)."""
    if not isinstance(entry, Mapping):
        raise OfferError("a credentials entry of the offer is not an object")
    wanted_format = entry.get("format")
    wanted_type = _legacy_type(entry)
    matches = [
        configuration_id
        for configuration_id, configuration in configurations.items()
        if isinstance(wanted_format, str)
        and answers(wanted_format, configuration.format)
        and _legacy_type(_configuration_identity(configuration)) == wanted_type
    ]
    if len(matches) != 1:
        raise OfferError("an offered credential matches no single configuration of the issuer")
    return matches[0]


def _configuration_identity(configuration: CredentialConfiguration) -> dict[str, Any]:
    return {
        "vct": configuration.vct,
        "doctype": configuration.raw.get("doctype"),
        "credential_definition": configuration.credential_definition,
        "types": configuration.raw.get("types"),
    }


def _legacy_type(entry: Mapping[str, Any]) -> Any:
    """What identifies a credential type across the drafts' shapes."""
    if isinstance(entry.get("vct"), str):
        return ("vct", entry["vct"])
    if isinstance(entry.get("doctype"), str):
        return ("doctype", entry["doctype"])
    definition = entry.get("credential_definition")
    types: Any = definition.get("type") if isinstance(definition, Mapping) else None
    if types is None:
        types = entry.get("types", entry.get("type"))
    if isinstance(types, Sequence) and not isinstance(types, str):
        return ("types", frozenset(t for t in types if isinstance(t, str)))
    return None
