"""Importing a credential the student has as a file or a link, not through OpenID4VCI.

What can come in (issue #11 point 7): an Open Badge 3.0 / W3C VC as JSON-LD with an embedded
proof, a VC-JWT, either baked into a PNG or SVG (OB 3.0 §5.3 "Baking"), and an Open Badge
2.0 hosted assertion by its https URL (typed in, or baked into an image), checked as hosted
verification demands (:mod:`~wallet_core.formats.open_badges_v2`); a signed OB 2.0 assertion
is refused as unsupported. Everything is verified before it is stored, as a
received credential is: the same format code on the seam, the issuer's keys from its DID or
the controller document it publishes, under the wallet's HTTP policy. Refused input raises a
``WalletError`` and stores nothing; the same credential imported twice raises
``DuplicateCredentialError``.

An imported credential is bound to no key of this wallet (its subject may be a DID of
another wallet), so it is shown and can be shared as it is, without holder binding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wallet_core.duplicates import refuse_repeat
from wallet_core.errors import (
    DuplicateCredentialError,
    MalformedCredentialError,
    UnsupportedFormatError,
)
from wallet_core.formats import baked, open_badges_v2, w3c_format
from wallet_core.formats.badge_view import badge_facts
from wallet_core.formats.json_text import loads
from wallet_core.formats.seam import IssuerKeys, VerifiedCredential
from wallet_core.models import NewCredential, StoredCredential
from wallet_core.network import Network
from wallet_core.oid4vci.display import host_of
from wallet_core.oid4vci.logos import fetch_logos
from wallet_core.storage import Vault

MAX_IMPORT_BYTES = 10 * 1024 * 1024  # a baked image with an embedded data-URI picture


class Importing:
    def __init__(self, vault: Vault, network: Network) -> None:
        self._vault = vault
        self._network = network

    def import_credential(self, data: bytes | str, filename: str | None = None) -> StoredCredential:
        """Verify and store ``data``; ``filename`` only helps tell what it is."""
        if len(data) > MAX_IMPORT_BYTES:
            raise MalformedCredentialError("the file is too large to be a credential")
        if isinstance(data, bytes) and (baked.is_png(data) or baked.is_svg(data)):
            found = baked.unbake(data)
            if found.kind == baked.OB2:  # from a picture, even when it holds only the link
                return self._import_ob2(found.payload, kind="credential_imported")
            return self._import_text(found.payload)
        text = _text(data)
        if _is_url(text):
            return self._import_ob2(text, kind="credential_linked")
        return self._import_text(text)

    def _import_text(self, text: str) -> StoredCredential:
        credential_format = w3c_format.for_text(text)
        # a JSON-LD credential is kept as compact JSON, as one received over OpenID4VCI is:
        # the same badge saved with other whitespace is the same badge (its proofs sign the
        # canonical RDF, not the bytes)
        text = w3c_format.compact_json(text) if credential_format is w3c_format.LDP_VC else text
        self._refuse_duplicate(text)
        keys = IssuerKeys(for_jwt=_no_jwt_issuer, assertion_method=self._network.assertion_keys)
        checked = credential_format.verify_issued(
            text, keys, expected_types=(), now=self._vault.now()
        )
        return self._store(credential_format.name, checked)

    def _import_ob2(self, payload: str, *, kind: str) -> StoredCredential:
        """A hosted OB 2.0 assertion by its URL, or baked as JSON naming that URL (its
        ``id``): either way what counts is what the issuer serves there now."""
        url = payload if _is_url(payload) else _hosted_id(payload)
        http = self._network.http
        hosted = open_badges_v2.fetch_hosted(
            lambda address: http.get_json(address, accept="application/json"),
            url,
            now=self._vault.now(),
        )
        checked = open_badges_v2.verified(hosted)
        self._refuse_duplicate(checked.raw)
        return self._store(
            open_badges_v2.FORMAT_NAME, checked, kind=kind, hosted_checked_at=hosted.checked_at
        )

    def _refuse_duplicate(self, raw: str) -> None:
        existing = self._vault.credentials.with_raw(raw)
        if existing is not None:
            raise DuplicateCredentialError("this credential is already in the wallet", existing)

    def _store(
        self,
        format_name: str,
        checked: VerifiedCredential,
        *,
        kind: str = "credential_imported",
        hosted_checked_at: float | None = None,
    ) -> StoredCredential:
        issuer = checked.issuer or ""
        refuse_repeat(self._vault.credentials, format_name, issuer, checked, self._vault.now())
        display: dict[str, Any] = {"imported": True, **checked.display_facts()}
        if hosted_checked_at is not None:  # shown as "hosted, checked on <date>"
            display["hosted_checked_at"] = hosted_checked_at
        if checked.image:
            display["logos"] = fetch_logos(
                self._network.http,
                [checked.image],
                cache=self._vault.cache,
                clock=self._vault.clock,
            )
        new = NewCredential(
            format=format_name,
            raw=checked.raw,
            claims=checked.claims,
            issuer=issuer,
            issuer_name=_issuer_name(checked.claims) or host_of(issuer),
            type=checked.type or "",
            title=checked.name or checked.type or "",
            display=display,
            issued_at=checked.issued_at,
            expires_at=checked.expires_at,
        )
        vault = self._vault
        with vault.transaction():
            credential_id = vault.credentials.add(new, vault.now())
            vault.activity.record(
                kind,
                vault.now(),
                credential_id=credential_id,
                counterparty=issuer,
                details={"name": new.issuer_name, "type": checked.type},
            )
        return vault.credentials.get(credential_id)


def _no_jwt_issuer(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
    raise UnsupportedFormatError("only W3C credentials and Open Badges can be imported")


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.strip()
    try:
        return data.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise MalformedCredentialError("the file is not a credential this wallet reads") from exc


def _hosted_id(payload: str) -> str:
    try:
        document = loads(payload)
    except (ValueError, RecursionError):
        document = None  # a signed assertion (a JWS): no hosted check possible
    found = document.get("id") if open_badges_v2.is_hosted_assertion(document) else None
    if not isinstance(found, str) or not _is_url(found):
        raise UnsupportedFormatError(
            "only hosted Open Badges 2.0 (a link to the badge) can be imported"
        )
    return found


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://")) and not any(c.isspace() for c in text)


def _issuer_name(document: Mapping[str, Any]) -> str | None:
    facts = badge_facts(document)  # reads the issuer's Profile of OB 3.0 and OB 2.0 alike
    return facts.issuer_name if facts is not None else None
