"""Importing a credential the student has as a file or a link, not through OpenID4VCI.

What can come in (issue #11 point 7): an Open Badge 3.0 / W3C VC as JSON-LD with an embedded
proof, a VC-JWT, either baked into a PNG or SVG (OB 3.0 §5.3 "Baking"). Open Badges 2.0 (a
hosted assertion's URL, or one baked into an image) is recognised and refused as not supported
until its hosted verification is built. Everything is verified before it is stored, as a
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

from wallet_core.errors import (
    DuplicateCredentialError,
    MalformedCredentialError,
    UnsupportedFormatError,
)
from wallet_core.formats import baked, w3c_format
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
        if isinstance(data, bytes) and len(data) > MAX_IMPORT_BYTES:
            raise MalformedCredentialError("the file is too large to be a credential")
        if isinstance(data, bytes) and (baked.is_png(data) or baked.is_svg(data)):
            found = baked.unbake(data)
            if found.kind == baked.OB2:
                return self._import_ob2(found.payload)
            return self._import_text(found.payload)
        text = _text(data)
        if _is_url(text):
            return self._import_ob2(text)
        return self._import_text(text)

    def _import_text(self, text: str) -> StoredCredential:
        credential_format = w3c_format.for_text(text)
        self._refuse_duplicate(text)
        keys = IssuerKeys(for_jwt=_no_jwt_issuer, assertion_method=self._network.assertion_keys)
        checked = credential_format.verify_issued(
            text, keys, expected_types=(), now=self._vault.now()
        )
        return self._store(credential_format.name, checked)

    def _import_ob2(self, payload: str) -> StoredCredential:
        # OB 2.0 hosted verification (fetch, expand badge and issuer, check origin, revoked
        # and expiry) and a stored form for it are not built yet: refused, nothing stored.
        raise UnsupportedFormatError(
            "Open Badges 2.0 cannot be imported yet; ask the issuer for an Open Badge 3.0"
        )

    def _refuse_duplicate(self, raw: str) -> None:
        existing = self._vault.credentials.with_raw(raw)
        if existing is not None:
            raise DuplicateCredentialError("this credential is already in the wallet", existing)

    def _store(self, format_name: str, checked: VerifiedCredential) -> StoredCredential:
        issuer = checked.issuer or ""
        display: dict[str, Any] = {"imported": True}
        if checked.image:
            display["image"] = checked.image
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
                "credential_imported",
                vault.now(),
                credential_id=credential_id,
                counterparty=issuer,
                details={"type": checked.type},
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


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://")) and not any(c.isspace() for c in text)


def _issuer_name(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    name = issuer.get("name") if isinstance(issuer, Mapping) else None
    return name if isinstance(name, str) and name else None
